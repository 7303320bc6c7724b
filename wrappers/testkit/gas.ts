/**
 * The one reader of contracts/gas.fc for tests and benchmarks: every `const int <namespace>::<name> = <value>;`
 * (gas::, size::, reserve::, value::, storage::, ...). Tests hold measurements to these constants, so a constant
 * the contracts rely on and the limit a test checks can never drift apart.
 */
import { readFileSync } from 'fs';
import path from 'path';

export const GAS_FC = path.join(__dirname, '..', '..', 'contracts', 'gas.fc');

let cached: ReadonlyMap<string, number> | undefined;

/** Every integer constant of contracts/gas.fc by its full name, e.g. `gas::job_open`, read once per process. */
export function gasFcConstants(): ReadonlyMap<string, number> {
    if (!cached) {
        const out = new Map<string, number>();
        for (const m of readFileSync(GAS_FC, 'utf8').matchAll(/const\s+int\s+([A-Za-z_][\w]*::[\w]+)\s*=\s*(-?\d+)\s*;/g)) {
            out.set(m[1], Number(m[2]));
        }
        cached = out;
    }
    return cached;
}

/** One constant by its full name (`gas::council_propose`); throws if contracts/gas.fc does not define it. */
export function gasConstant(name: string): number {
    const v = gasFcConstants().get(name);
    if (v === undefined) throw new Error(`${name} is not defined in contracts/gas.fc`);
    return v;
}

/** The constants of one namespace by their short names: `gasConstantsIn('gas', /^job_/)` → `{ job_open: 7000, ... }`. */
export function gasConstantsIn(namespace: string, filter?: RegExp): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [full, v] of gasFcConstants()) {
        const [ns, short] = full.split('::');
        if (ns === namespace && (!filter || filter.test(short))) out[short] = v;
    }
    return out;
}
