/**
 * npm run chaos -- --rounds N --seed S [--keep-dir]
 *
 * Kills the worker, the relay and the engine at seeded moments under streamed traffic from the `openai` SDK
 * and checks, after every restart, that no acknowledged receipt or voucher was lost, nothing was billed
 * twice, nothing was signed above a deposit, no answer was silently truncated, and at the end that every job
 * settles on-chain with exact claims and fees. Exit 0 when every invariant held; 1 with the seed and the
 * events otherwise.
 */
import { Command, InvalidArgumentError } from 'commander';
import { runChaos } from './run';

const integer = (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
    return n;
};

async function main(): Promise<void> {
    const o = new Command()
        .name('chaos')
        .description('crash-safety rounds against the local network (chain, engine, worker, relay as processes)')
        .option('--rounds <n>', 'fault rounds', integer, 10)
        .option('--seed <n>', 'seed of the faults and their moments (default: random, printed)', integer)
        .option('--keep-dir', 'keep the databases and logs in the temporary directory')
        .parse()
        .opts<{ rounds: number; seed?: number; keepDir?: boolean }>();
    const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
    const r = await runChaos({ rounds: o.rounds, seed, keepDir: o.keepDir, log: (l) => console.log(l) });
    console.log(`\nseed ${r.seed}: ${r.rounds} rounds in ${r.seconds.toFixed(0)} s; answers: ${r.outcomes.full} full, ${r.outcomes.error} clear errors, ${r.outcomes.truncated} truncated; crash points fired ${r.crashPointsFired}`);
    console.log(`faults: ${Object.entries(r.faults).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    console.log(`jobs settled: ${r.jobs.length}; paid ${r.jobs.reduce((a, j) => a + j.paid, 0n)} nanoton, fees ${r.jobs.reduce((a, j) => a + j.fees, 0n)}, refunds ${r.jobs.reduce((a, j) => a + j.refund, 0n)}`);
    if (r.violations.length) {
        console.error(`\nFAILED with seed ${r.seed} (re-run: npm run chaos -- --rounds ${r.rounds} --seed ${r.seed})`);
        for (const v of r.violations) console.error(`  ${v}`);
        console.error('\nevents:');
        for (const e of r.events) console.error(`  ${e}`);
        process.exit(1);
    }
    console.log('every invariant held');
    process.exit(0);
}

void main();
