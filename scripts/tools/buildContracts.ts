/**
 * Compiles every contract once into build/<Name>.compiled.json (the same files `npm run build` writes), for the
 * test setup, the benchmarks and the demo. It needs Blueprint's compiler, so it lives here and not in wrappers/
 * (which depend on @ton/core only); `wrappers/code.ts` reads the compiled files.
 */
import { compile } from '@ton/blueprint';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import path from 'path';
import { compiledPath, errorPath } from '../../wrappers/code';

const projectRoot = path.resolve(__dirname, '..', '..');
const buildDir = path.join(projectRoot, 'build');

/** Names of every contract that has a `wrappers/<Name>.compile.ts`. */
export function compilableNames(): string[] {
    return readdirSync(path.join(projectRoot, 'wrappers'))
        .filter((f) => f.endsWith('.compile.ts'))
        .map((f) => f.slice(0, -'.compile.ts'.length))
        .sort();
}

/** Compiles every contract into build/<Name>.compiled.json; returns the names that failed to compile. */
export async function buildAllContracts(): Promise<string[]> {
    mkdirSync(buildDir, { recursive: true });
    // Each FunC compiler instance (WASM) adds a process listener; a handful of contracts exceeds Node's default 10.
    process.setMaxListeners(Math.max(process.getMaxListeners(), 64));
    const failures: string[] = [];
    for (const name of compilableNames()) {
        try {
            const code = await compile(name);
            // Write then rename, so another process reading build/ never sees a missing or half-written file.
            const tmp = `${compiledPath(name)}.${process.pid}.tmp`;
            writeFileSync(
                tmp,
                JSON.stringify({ hash: code.hash().toString('hex'), hashBase64: code.hash().toString('base64'), hex: code.toBoc().toString('hex') }),
            );
            renameSync(tmp, compiledPath(name));
            rmSync(errorPath(name), { force: true });
        } catch (e) {
            // Keep going: the suites of the other contracts still run; loadCode() reports this one's error.
            writeFileSync(errorPath(name), String(e instanceof Error ? e.message : e));
            rmSync(compiledPath(name), { force: true });
            failures.push(name);
        }
    }
    return failures;
}
