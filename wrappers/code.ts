/**
 * Compiled contract code, shared by tests, benchmarks, the demo and the actors.
 * `buildAllContracts()` compiles every `wrappers/*.compile.ts` once into build/<Name>.compiled.json
 * (the same files `npm run build` writes); `loadCode()` reads them, so nothing compiles per test.
 */
import { Cell } from '@ton/core';
import { compile } from '@ton/blueprint';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import path from 'path';

export type ContractName = 'Root' | 'Worker' | 'Job' | 'Council' | 'Proposal' | 'Librarian';

const projectRoot = path.resolve(__dirname, '..');
const buildDir = path.join(projectRoot, 'build');

function compiledPath(name: string): string {
    return path.join(buildDir, `${name}.compiled.json`);
}

function errorPath(name: string): string {
    return path.join(buildDir, `${name}.error.txt`);
}

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

const cache = new Map<string, Cell>();

/** The compiled code of a contract, read once per process from build/. */
export function loadCode(name: ContractName): Cell {
    const cached = cache.get(name);
    if (cached) return cached;
    const file = compiledPath(name);
    if (existsSync(errorPath(name))) {
        throw new Error(`${name} did not compile:\n${readFileSync(errorPath(name), 'utf8')}`);
    }
    if (!existsSync(file)) {
        throw new Error(`${file} is missing: run "npm run build" (tests build it in their global setup)`);
    }
    const { hex } = JSON.parse(readFileSync(file, 'utf8')) as { hex: string };
    const code = Cell.fromBoc(Buffer.from(hex, 'hex'))[0];
    cache.set(name, code);
    return code;
}
