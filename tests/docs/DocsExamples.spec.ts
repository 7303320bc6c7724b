/**
 * Every code block of docs/testing.md marked `<!-- example: <path> -->` is that test file, byte for byte, so the
 * documented examples run (and are type-checked by `npm test`) and cannot go stale.
 */
import { readFileSync } from 'fs';
import path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function examples(doc: string): Array<{ file: string; code: string }> {
    const out: Array<{ file: string; code: string }> = [];
    for (const m of doc.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g)) out.push({ file: m[1], code: m[2] });
    return out;
}

describe('docs/testing.md examples', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'testing.md'), 'utf8');
    const found = examples(doc);

    it('names the first test and the job test', () => {
        expect(found.map((e) => e.file)).toEqual(['tests/docs/FirstTest.spec.ts', 'tests/docs/JobKit.spec.ts']);
    });

    for (const { file, code } of found) {
        it(`${file} is the code the page shows, and Jest can find it`, () => {
            expect(file).toMatch(/^tests\/.+\.spec\.ts$/);
            expect(readFileSync(path.join(ROOT, file), 'utf8')).toBe(code);
        });
    }
});
