/**
 * `npm run stress:input`: runs both bad-input catalogues (tests/stress/badInput.*.spec.ts) with Jest, one
 * suite after the other, then prints one table per actor (entry, expected, got, ok) and the memory of the
 * process the actor ran in, after a GC, before and after the catalogue and the idle-connection flood.
 * Exits with Jest's exit code.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { ActorSummary } from '../../tests/stress/kit/summary';

const dir = mkdtempSync(join(tmpdir(), 'stress-input-'));
const jest = spawnSync('npx', ['jest', 'tests/stress/badInput', '--maxWorkers=1', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, STRESS_SUMMARY_DIR: dir },
});

const pad = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s.padEnd(n));
for (const actor of ['worker', 'relay']) {
    const f = join(dir, `${actor}.json`);
    if (!existsSync(f)) {
        console.log(`\n${actor}: no summary (the suite did not run to its end)`);
        continue;
    }
    const s = JSON.parse(readFileSync(f, 'utf8')) as ActorSummary;
    const ok = s.rows.filter((r) => r.ok).length;
    console.log(`\n${actor}: ${ok}/${s.rows.length} entries answered as expected, and a good request was served after each`);
    console.log(`${pad('entry', 46)} ${pad('expected', 28)} ${pad('got', 28)} ok`);
    for (const r of s.rows) console.log(`${pad(r.name, 46)} ${pad(r.expected, 28)} ${pad(r.got, 28)} ${r.ok ? 'yes' : 'NO'}${r.served ? '' : ' (the good request after it failed)'}`);
    if (s.idle) console.log(`idle connections: ${s.idle.sockets} opened, ${s.idle.closedByServer} closed by the ${actor} after its headers timeout, a real request served meanwhile: ${s.idle.servedMeanwhile ? 'yes' : 'NO'}`);
    if (s.memory) {
        const { before: b, after: a } = s.memory;
        console.log(`memory after GC: heap ${b.heapUsedMb} -> ${a.heapUsedMb} MB (${(a.heapUsedMb - b.heapUsedMb).toFixed(1)}), rss ${b.rssMb} -> ${a.rssMb} MB, external ${b.externalMb} -> ${a.externalMb} MB`);
    }
}
rmSync(dir, { recursive: true, force: true });
process.exit(jest.status ?? 1);
