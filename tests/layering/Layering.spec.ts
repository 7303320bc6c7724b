/**
 * Keeps the layering one-way (tests/layering/rules.ts): first the scanner on a fixture with one file per rule,
 * then the project's own actors/ and wrappers/.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import path from 'path';
import { importsOf, layeringViolations, missingRuntimeDependencies, SourceFile } from './rules';

const ROOT = path.join(__dirname, '..', '..');

function sources(dir: string, base = ROOT): SourceFile[] {
    const out: SourceFile[] = [];
    for (const name of readdirSync(path.join(base, dir))) {
        const rel = `${dir}/${name}`;
        if (statSync(path.join(base, rel)).isDirectory()) out.push(...sources(rel, base));
        else if (name.endsWith('.ts')) out.push({ path: rel, text: readFileSync(path.join(base, rel), 'utf8') });
    }
    return out;
}

describe('layering', () => {
    describe('the scanner, on tests/fixtures/layering', () => {
        const fixture = path.join(ROOT, 'tests', 'fixtures', 'layering');
        const files = [...sources('actors', fixture), ...sources('wrappers', fixture)];
        const found = layeringViolations(files).map((v) => `${v.file} -> ${v.specifier}`).sort();

        it('reads static, type-only, re-exported, dynamic and required imports, but not comments', () => {
            const text = readFileSync(path.join(fixture, 'actors', 'worker', 'badDynamic.ts'), 'utf8');
            expect(importsOf(text).sort()).toEqual(['../../wrappers/testkit/jobs', '@ton/blueprint', '@ton/sandbox'].sort());
        });

        it('flags every forbidden import and nothing else', () => {
            expect(found).toEqual(
                [
                    'actors/relay/badKit.ts -> ../../wrappers/testkit',
                    'actors/relay/badKit.ts -> ../../tests/contracts/helpers',
                    'actors/worker/badDynamic.ts -> ../../wrappers/testkit/jobs',
                    'actors/worker/badDynamic.ts -> @ton/blueprint',
                    'actors/worker/badDynamic.ts -> @ton/sandbox',
                    'actors/worker/badSandbox.ts -> @ton/sandbox',
                    'wrappers/BadActor.ts -> ../actors/crypto',
                    'wrappers/BadBlueprint.ts -> @ton/blueprint',
                    'wrappers/BadKit.ts -> ./testkit',
                ].sort(),
            );
        });

        it('allows dev-only entries, codec imports from actors, and compile/testkit files in wrappers', () => {
            for (const ok of ['actors/tee/dev.ts', 'actors/chain/dev/embedded.ts', 'actors/worker/good.ts', 'wrappers/Good.ts', 'wrappers/Good.compile.ts', 'wrappers/testkit/index.ts']) {
                expect(files.map((f) => f.path)).toContain(ok);
                expect(found.filter((v) => v.startsWith(`${ok} `))).toEqual([]);
            }
        });
    });

    it('actors/ and wrappers/ of this project keep the layering', () => {
        expect(layeringViolations([...sources('actors'), ...sources('wrappers')])).toEqual([]);
    });

    it('every package the actors and codecs import at run time is a dependency, not a devDependency', () => {
        const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
        const deps = new Set(Object.keys(pkg.dependencies));
        expect(missingRuntimeDependencies([...sources('actors'), ...sources('wrappers')], deps)).toEqual([]);
        // and the rule itself flags a dev-only package imported by a run-time file
        expect(missingRuntimeDependencies([{ path: 'actors/relay/x.ts', text: "import OpenAI from 'openai';" }], deps).map((v) => v.specifier)).toEqual(['openai']);
    });
});
