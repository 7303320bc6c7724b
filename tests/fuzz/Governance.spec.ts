/**
 * The governance campaign (wrappers/testkit/fuzz/gov-world.ts, campaign `all`): the council and its proposals only,
 * every governance step (proposals of every kind passed, failed or left to expire, executions at exactly, below and
 * above get_execute_value, vetoes, cancellations, cleanups raced with executions, handovers, emergency actions), with
 * governance.ts's invariants after every message. A fixed seed keeps CI reproducible; the protocol campaign
 * (Fuzz.spec.ts) runs the governance steps too, at a low weight among the money-path ones.
 * `npm run fuzz -- --gov all --steps N --seed S` runs longer campaigns.
 */
import { fuzz } from '../../wrappers/testkit/fuzz/run';

export const GOV_CI_SEED = 20261202;
export const GOV_CI_STEPS = 1000;

describe('governance fuzzer (fixed seed)', () => {
    it(`holds every governance invariant over ${GOV_CI_STEPS} random steps`, async () => {
        const outcome = await fuzz({ seed: GOV_CI_SEED, steps: GOV_CI_STEPS, sequenceLength: 20, governance: 'all' });
        if (!outcome.ok) throw new Error(outcome.report);
        console.log(`${outcome.report}; ${(outcome.steps / outcome.seconds).toFixed(1)} steps/s`);
        expect(outcome.steps).toBeGreaterThanOrEqual(GOV_CI_STEPS);
    }, 30 * 60_000);
});
