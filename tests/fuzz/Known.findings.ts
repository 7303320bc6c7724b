/**
 * The money-path review's findings, as fuzz campaigns aimed at each (`npm run fuzz:findings`). Each asserts that
 * the invariant holds: each FAILED on the code that had the finding (printing the seed and the shrunk sequence)
 * and passes since the fix (the job's settlement rules, the answer timeout, the token cap). They stay as
 * regression campaigns, longer and more focused than the CI campaign, whose steps now include theirs.
 */
import { FOCUS, FOCUS_EXCLUDE } from '../../wrappers/testkit/fuzz/focus';
import { GOV_CAMPAIGNS as GOV_WORLD_CAMPAIGNS } from '../../wrappers/testkit/fuzz/gov-world';
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
 * The governance review's findings, one campaign each in the governance world (wrappers/testkit/fuzz/gov-world.ts:
 * the council and its proposals only; an `enact` step proposes, votes and moves the clock to the timelock or past
 * the execution window). Each FAILED on the code before the governance hardening (b0ff0ba, with the fuzzer copied
 * onto it by scripts/fuzz/onto-old-code.sh; `npm run fuzz -- --gov <campaign> --steps 300 --seed 1 --length 12`;
 * found in sequence 17 (A1), 2 (A2), 1 (A3, A4, A6), 22 (A5) of 56), shrunk to:
 *   A1 exactValue   executed-not-applied: enact removeMember (255 members, up to 8 removed) to its timelock, execute
 *                   with exactly get_execute_value: the council runs out of gas, the proposal reads Executed
 *   A2 noExpiry     executed-after-window: enact addImage past timelock + window, execute: it runs
 *   A3 cleanupRace  cleanup-in-flight: enact addImage to its timelock, execute and clean up while the report is in flight
 *   A4 refusedRoot  refused-proposal-created: a proposal of a root action the root refuses (a zero image hash) is created
 *   A6 badDescription  refused-proposal-created: a proposal whose description is 7 bits is created
 *   A5 handover     handover-stale-accepted: enact a handover offer (executed), wait 14 days + 1 s, the addressee accepts
 * and passes on the current code.
 */
const GOV_CAMPAIGNS: Array<{ finding: string; campaign: keyof typeof GOV_WORLD_CAMPAIGNS; seed: number; steps: number; length: number }> = [
    { finding: 'A1: a passed proposal killed for cents (exactly get_execute_value on a 255-member council)', campaign: 'exactValue', seed: 1, steps: 300, length: 12 },
    { finding: 'A2: a passed proposal executed after its execution window', campaign: 'noExpiry', seed: 1, steps: 300, length: 12 },
    { finding: "A3: a cleanup while the proposal's report is on its way to the council", campaign: 'cleanupRace', seed: 1, steps: 300, length: 12 },
    { finding: 'A4: a root action the root always refuses', campaign: 'refusedRoot', seed: 1, steps: 300, length: 12 },
    { finding: 'A6: a description that is not whole bytes', campaign: 'badDescription', seed: 1, steps: 300, length: 12 },
    { finding: 'A5: a handover offer accepted after 14 days', campaign: 'handover', seed: 1, steps: 300, length: 12 },
];

describe('findings of the governance review, aimed at one by one (fixed; regression campaigns)', () => {
    for (const c of GOV_CAMPAIGNS) {
        it(`finding ${c.finding}`, async () => {
            const outcome = await fuzz({ seed: c.seed, steps: c.steps, sequenceLength: c.length, governance: c.campaign });
            if (!outcome.ok) throw new Error(outcome.report);
        }, 30 * 60_000);
    }
});
