/**
 * Crash points for the chaos harness (npm run chaos). `COCOON_CRASH_AT=<name>[#n]` makes the process kill
 * itself with SIGKILL the n-th time (default: the first) it passes `crashPoint('<name>')`, so a test can stop
 * an actor at an exact moment: between a receipt and its voucher, between two database writes, right after a
 * wallet message left. Unset (production), a crash point costs one comparison. The line written to stderr
 * before the kill is synchronous, so the harness can tell which point fired.
 */
import { writeSync } from 'fs';

function parse(spec: string | undefined): { name: string; hit: number } | null {
    if (!spec) return null;
    const [name, n] = spec.split('#');
    const hit = n === undefined ? 1 : Number(n);
    return name && Number.isSafeInteger(hit) && hit > 0 ? { name, hit } : null;
}

const armed = parse(process.env.COCOON_CRASH_AT);
let passes = 0;

export function crashPoint(name: string): void {
    if (armed === null || armed.name !== name) return;
    passes++;
    if (passes < armed.hit) return;
    writeSync(2, `crash point ${name}#${passes}: SIGKILL\n`);
    process.kill(process.pid, 'SIGKILL');
}
