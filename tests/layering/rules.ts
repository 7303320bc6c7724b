/**
 * The layering rules of the off-chain half, checked on the import graph:
 *
 *     actors/{worker,relay} -> actors/{wire,chain,crypto,tee,engine} -> wrappers (codecs) -> @ton/core
 *
 * - A file under `actors/` never imports @ton/sandbox, @ton/blueprint, @ton/test-utils, `wrappers/testkit` or
 *   `tests/`, unless it is an explicitly dev-only entry point: a file named `dev.ts` or a file under a `dev/` folder.
 * - `wrappers/*.ts` (not `*.compile.ts`, not `testkit/`) import only @ton/core, Node built-ins and each other,
 *   so the codec the actors ship never drags a test or build tool (or an actor) into the worker's image.
 *
 * Imports are read with the TypeScript scanner (static, `import type`, re-exports, dynamic `import()` and
 * `require()`), so a comment that mentions a package is not an import.
 */
import { builtinModules } from 'module';
import path from 'path';
import ts from 'typescript';

export interface SourceFile {
    /** Path relative to the project root, with forward slashes. */
    path: string;
    text: string;
}

export interface Violation {
    file: string;
    specifier: string;
    rule: string;
}

const TEST_TOOLS = ['@ton/sandbox', '@ton/blueprint', '@ton/test-utils'];
const NODE_BUILTINS = new Set(builtinModules);

/** Every module specifier a source file imports. */
export function importsOf(text: string): string[] {
    return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

function isPackage(specifier: string, name: string): boolean {
    return specifier === name || specifier.startsWith(`${name}/`);
}

function isBuiltin(specifier: string): boolean {
    return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]);
}

/** Where a relative import of `from` points, relative to the project root (no extension resolution needed). */
function target(from: string, specifier: string): string | undefined {
    if (!specifier.startsWith('.')) return undefined;
    return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
}

function isDevOnly(file: string): boolean {
    return path.posix.basename(file) === 'dev.ts' || file.split('/').slice(0, -1).includes('dev');
}

function isCodecFile(file: string): boolean {
    return /^wrappers\/[^/]+\.ts$/.test(file) && !file.endsWith('.compile.ts');
}

/** The imports of `files` that break the layering. */
export function layeringViolations(files: readonly SourceFile[]): Violation[] {
    const out: Violation[] = [];
    for (const f of files) {
        for (const specifier of importsOf(f.text)) {
            const to = target(f.path, specifier);
            if (f.path.startsWith('actors/') && !isDevOnly(f.path)) {
                if (TEST_TOOLS.some((t) => isPackage(specifier, t))) {
                    out.push({ file: f.path, specifier, rule: 'actors never import test or build tools outside a dev-only entry' });
                } else if (to && (to === 'wrappers/testkit' || to.startsWith('wrappers/testkit/') || to === 'tests' || to.startsWith('tests/'))) {
                    out.push({ file: f.path, specifier, rule: 'actors never import the test kit or tests outside a dev-only entry' });
                }
            }
            if (isCodecFile(f.path)) {
                const ok = to ? /^wrappers\/[^/]+$/.test(to) && to !== 'wrappers/testkit' : isPackage(specifier, '@ton/core') || isBuiltin(specifier);
                if (!ok) out.push({ file: f.path, specifier, rule: 'wrappers/*.ts import only @ton/core, Node built-ins and each other' });
            }
        }
    }
    return out;
}

/** The npm package a bare specifier names (`@scope/name` or `name`); undefined for relative paths and built-ins. */
export function packageOf(specifier: string): string | undefined {
    if (specifier.startsWith('.') || isBuiltin(specifier)) return undefined;
    const parts = specifier.split('/');
    return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Packages that run-time files import but package.json lists only as devDependencies (or not at all): a
 * production install (`npm ci --omit=dev`) would miss them. Run-time files: actors/ outside dev-only entries,
 * and the codec files of wrappers/ the actors use.
 */
export function missingRuntimeDependencies(files: readonly SourceFile[], dependencies: ReadonlySet<string>): Violation[] {
    const out: Violation[] = [];
    for (const f of files) {
        const runtime = (f.path.startsWith('actors/') && !isDevOnly(f.path)) || isCodecFile(f.path);
        if (!runtime) continue;
        for (const specifier of importsOf(f.text)) {
            if (/^\s*import\s+type\b/m.test(f.text) && isTypeOnlyImport(f.text, specifier)) continue;
            const pkg = packageOf(specifier);
            if (pkg && !dependencies.has(pkg)) out.push({ file: f.path, specifier, rule: 'run-time imports are listed in dependencies' });
        }
    }
    return out;
}

/** True when every import of `specifier` in `text` is `import type` (erased at compile time). */
function isTypeOnlyImport(text: string, specifier: string): boolean {
    const escaped = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const all = text.match(new RegExp(`(?:import|export)[^;]*?from\\s+['"]${escaped}['"]`, 'g')) ?? [];
    return all.length > 0 && all.every((s) => /^import\s+type\b/.test(s));
}
