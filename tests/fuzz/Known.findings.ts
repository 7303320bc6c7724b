/**
 * The money-path review's findings, as fuzz campaigns aimed at each (`npm run fuzz:findings`). Each asserts that
 * the invariant holds: each FAILED on the code that had the finding (printing the seed and the shrunk sequence)
 * and passes since the fix (the job's settlement rules, the answer timeout, the token cap). They stay as
 * regression campaigns, longer and more focused than the CI campaign, whose steps now include theirs.
 */
import { FOCUS, FOCUS_EXCLUDE, GOV_COUNCIL_MEMBERS } from '../../wrappers/testkit/fuzz/focus';
import { fuzz } from '../../wrappers/testkit/fuzz/run';

const CAMPAIGNS: Array<{ finding: string; focus: keyof typeof FOCUS; seed: number; steps: number; length: number }> = [
    { finding: "1: a client's own final voucher at amount == paid voids the worker's later vouchers", focus: 'clientCutsChallenge', seed: 2, steps: 1500, length: 25 },
    { finding: '4: a pending job with no exit (the worker never answers the offer)', focus: 'pendingWithoutExit', seed: 1, steps: 300, length: 25 },
    { finding: "5: a voucher with tokens near 2^64 freezes the worker's reputation reports", focus: 'reputationFreeze', seed: 2, steps: 3000, length: 30 },
];

describe('findings of the money-path review, aimed at one by one (fixed; regression campaigns)', () => {
    for (const c of CAMPAIGNS) {
        it(`finding ${c.finding}`, async () => {
            const outcome = await fuzz({ seed: c.seed, steps: c.steps, weights: FOCUS[c.focus], exclude: FOCUS_EXCLUDE[c.focus], sequenceLength: c.length });
            if (!outcome.ok) throw new Error(outcome.report);
        }, 30 * 60_000);
    }
});

/**
 * The governance review's findings (council and proposal steps: wrappers/testkit/fuzz/gov-actions.ts, invariants in
 * governance.ts), one campaign each. On the code before the governance hardening (b0ff0ba, fuzzer ported), seed 1,
 * 25-step sequences, ~343 steps each:
 *   A4 FOUND (refused-proposal-created), shrunk: govPropose {sender: bob, kind: refusedRoot, seed: 0}
 *   A6 FOUND (refused-proposal-created), shrunk: govPropose {sender: alice, kind: badDescription, seed: 0}
 *   A1, A2, A3, A5 NOT found in that budget (the steps reach them; a passed proposal needs several member votes,
 *   the timelock and, for A2/A5, a further 15-day wait in one sequence: longer campaigns are needed).
 */
const GOV_CAMPAIGNS: Array<{ finding: string; focus: keyof typeof FOCUS; seed: number; steps: number; length: number }> = [
    { finding: 'A1: execute with exactly get_execute_value on a 255-member council (membership and weight changes)', focus: 'govExactValue', seed: 1, steps: 300, length: 25 },
    { finding: 'A2: a passed proposal executed after the execution window', focus: 'govNoExpiry', seed: 1, steps: 600, length: 25 },
    { finding: "A3: a cleanup while the proposal's report is in flight", focus: 'govCleanupRace', seed: 1, steps: 600, length: 25 },
    { finding: 'A4/A6: a root action the root always refuses, a malformed description', focus: 'govRefusedRoot', seed: 1, steps: 600, length: 25 },
    { finding: 'A5: a handover offer accepted after 14 days', focus: 'govHandover', seed: 1, steps: 600, length: 25 },
];

describe('findings of the governance review, aimed at one by one (fixed; regression campaigns)', () => {
    for (const c of GOV_CAMPAIGNS) {
        it(`finding ${c.finding}`, async () => {
            const outcome = await fuzz({ seed: c.seed, steps: c.steps, weights: FOCUS[c.focus], exclude: FOCUS_EXCLUDE[c.focus], sequenceLength: c.length, councilMembers: GOV_COUNCIL_MEMBERS[c.focus] });
            if (!outcome.ok) throw new Error(outcome.report);
        }, 30 * 60_000);
    }
});
