/**
 * `npm run demo` as the README's quick start runs it: a child process that starts the whole network, and whose
 * printed money must add up on-chain. The demo closes both of its jobs at once, so they share one challenge
 * deadline; an honest worker's claim has to land before the demo moves the local chain's clock past it, whatever
 * order the relay's store lists the jobs in.
 */
import { spawn } from 'child_process';
import { join } from 'path';

jest.setTimeout(6 * 60_000);

const ROOT = join(__dirname, '..', '..');

interface DemoRun {
    code: number | null;
    out: string;
}

/** The demo's own budget: past it the demo is sent SIGTERM, on which it stops every process it started. */
const DEMO_LIMIT_MS = 5 * 60_000;

function runDemo(): Promise<DemoRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', 'demo/network.ts'], {
            cwd: ROOT,
            env: { ...process.env, FORCE_COLOR: '0' },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        const limit = setTimeout(() => child.kill('SIGTERM'), DEMO_LIMIT_MS);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => {
            clearTimeout(limit);
            resolve({ code, out });
        });
    });
}

/** "worker claim on-chain: paid 0.154 TON of 0.154 TON vouched" → [who, paid, vouched] */
function claims(out: string): Array<{ who: string; paid: string; vouched: string }> {
    return [...out.matchAll(/^\s*((?:cheating )?worker) claim on-chain: paid ([\d.]+) TON of ([\d.]+) TON vouched$/gm)].map((m) => ({ who: m[1], paid: m[2], vouched: m[3] }));
}

describe('npm run demo', () => {
    let run: DemoRun;

    beforeAll(async () => {
        run = await runDemo();
    });

    it('exits 0 after stopping every process', () => {
        if (run.code !== 0) console.log(run.out);
        expect(run.code).toBe(0);
        expect(run.out).toMatch(/stopping every process[\s\S]*\bdone\s*$/);
    });

    it('pays the honest worker every vouched nanoton before its challenge period ends', () => {
        const honest = claims(run.out).filter((c) => c.who === 'worker');
        expect(honest).toHaveLength(1);
        expect(Number(honest[0].vouched)).toBeGreaterThan(0);
        expect(honest[0].paid).toBe(honest[0].vouched);
        const held = /worker account: stake [\d.]+ TON, earnings held ([\d.]+) TON/.exec(run.out);
        expect(Number(held?.[1])).toBeGreaterThan(0);
    });

    it("prints each job's transactions, gas and fees as the chain recorded them", () => {
        const rows = [...run.out.matchAll(/^\s*(?:cheating worker's )?job 0:[0-9a-f]{10}…: (\d+) transactions on its account \(.*?\), (\d+) gas, ([\d.]+) TON in fees$/gm)];
        expect(rows).toHaveLength(2);
        for (const r of rows) {
            expect(Number(r[1])).toBeGreaterThanOrEqual(4);
            expect(Number(r[2])).toBeGreaterThan(10_000);
            expect(Number(r[3])).toBeGreaterThan(0);
        }
    });

    it('slashes the equivocating worker and finalizes both jobs with the refund', () => {
        expect(run.out).toMatch(/status Slashed/);
        expect(run.out.match(/^\s*finalized 0:[0-9a-f]{64}: the unspent deposit is back/gm)).toHaveLength(2);
        expect(run.out).toMatch(/jobs: open 0, closing 0, finalized 2/);
    });
});
