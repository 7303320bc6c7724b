/**
 * Compiled contract code, shared by tests, benchmarks, the demo and the actors.
 * `buildAllContracts()` (scripts/tools/buildContracts.ts, which needs Blueprint) compiles every
 * `wrappers/*.compile.ts` once into build/<Name>.compiled.json (the same files `npm run build` writes);
 * `loadCode()` reads them, so nothing compiles per test.
 */
import { Cell } from '@ton/core';
import { existsSync, readFileSync } from 'fs';
import path from 'path';

export type ContractName = 'Root' | 'Worker' | 'Job' | 'Council' | 'Proposal' | 'Librarian' | 'Stub';

const projectRoot = path.resolve(__dirname, '..');
const buildDir = path.join(projectRoot, 'build');

export function compiledPath(name: string): string {
    return path.join(buildDir, `${name}.compiled.json`);
}

export function errorPath(name: string): string {
    return path.join(buildDir, `${name}.error.txt`);
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
