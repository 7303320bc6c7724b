/**
 * A fixed-seed chaos run in `npm test`: the network as real processes (local chain, tiny engine, worker,
 * relay), a fault per round (SIGKILL mid-stream, or a crash point between a receipt and its voucher, between
 * database writes, after a job open or a top-up), and every invariant of tests/chaos/invariants.ts after each
 * restart and at settlement: 30 rounds with seed 7, about 5 min on an idle 2-core machine. Other seeds and longer
 * campaigns: `npm run chaos -- --rounds <n> --seed <s>`. CHAOS_ROUNDS and CHAOS_SEED override the defaults.
 */
import { runChaos, type ChaosReport } from './run';

const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 30);
const SEED = Number(process.env.CHAOS_SEED ?? 7);

jest.setTimeout(30 * 60_000);

describe(`chaos: ${ROUNDS} fault rounds with seed ${SEED}`, () => {
    let report: ChaosReport;

    beforeAll(async () => {
        // runChaos stops every child process in its own finally, also on failure
        report = await runChaos({ rounds: ROUNDS, seed: SEED });
    });

    it('keeps every invariant (a failure lists the seed and the events)', () => {
        const explain = report.violations.length ? `seed ${report.seed}\n${report.violations.join('\n')}\n\nevents:\n${report.events.join('\n')}` : '';
        expect(explain).toBe('');
    });

    it('actually broke things: crash points fired and errors reached the app as errors', () => {
        expect(report.crashPointsFired).toBeGreaterThan(0);
        expect(report.outcomes.full).toBeGreaterThan(ROUNDS);
        expect(report.outcomes.truncated).toBe(0);
    });

    it('settled every job on-chain with claims equal to the vouchers', () => {
        expect(report.jobs.length).toBeGreaterThan(0);
        for (const j of report.jobs) expect(j.paid).toBe(j.vouched);
    });
});
