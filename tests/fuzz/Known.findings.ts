/**
 * The money-path review's findings, as fuzz campaigns aimed at each (`npm run fuzz:findings`). Each asserts that
 * the invariant holds: each FAILED on the code that had the finding (printing the seed and the shrunk sequence)
 * and passes since the fix (the job's settlement rules, the answer timeout, the token cap, child addresses
 * independent of the code version). They stay as regression campaigns, longer and more focused than the CI campaign,
 * whose steps include theirs. Findings 7 (the forgedClaim replayOldLife step) and 10 (the extreme setParams variants)
 * are reached by the CI campaign's steps; 6 (evidence under a key two rotations old), 8 (re-wrapped external claims)
 * and 9 (the library's rent lapsing) by the steps of reach-actions.ts, with a campaign each below.
 */
import { FOCUS, FOCUS_EXCLUDE } from '../../wrappers/testkit/fuzz/focus';
import { GOV_CAMPAIGNS as GOV_WORLD_CAMPAIGNS } from '../../wrappers/testkit/fuzz/gov-world';
import { fuzz } from '../../wrappers/testkit/fuzz/run';

const CAMPAIGNS: Array<{ finding: string; focus: keyof typeof FOCUS; seed: number; steps: number; length: number }> = [
    { finding: "1: a client's own final voucher at amount == paid voids the worker's later vouchers", focus: 'clientCutsChallenge', seed: 2, steps: 1500, length: 25 },
    { finding: '4: a pending job with no exit (the worker never answers the offer)', focus: 'pendingWithoutExit', seed: 1, steps: 300, length: 25 },
    // Found on the old code (scripts/fuzz/onto-old-code.sh money) at the 11th sequence (about 150 steps), shrunk to 8 steps:
    // two jobs of worker 2, each with a claimed voucher, one of them with tokens near 2^64; the liveness check settles
    // both, and the second job_report to the worker fails its uint64 range check (exit code 5): invariant message-lost.
    { finding: "5: a voucher with tokens near 2^64 freezes the worker's reputation reports", focus: 'reputationFreeze', seed: 2, steps: 600, length: 40 },
    // Found on the old code at the 1st sequence, shrunk to 2 steps: the council sets a new job code, then a client opens a job
    // of the old code (deployed directly, as the old code allowed) and the worker accepts its offer.
    { finding: '2: offers from a job of the replaced code are still accepted', focus: 'replacedJobCode', seed: 1, steps: 60, length: 12 },
    // Found on the old code at the 1st sequence, shrunk to 2 steps: the council sets a new worker code, then its slash of
    // worker 0 goes to the address of the new code (empty): the proposal reads executed, the stake is untouched.
    { finding: "3: governance can't reach existing workers after a worker-code change", focus: 'slashAfterWorkerCode', seed: 1, steps: 60, length: 12 },
    // Found on the old code at the 7th sequence, shrunk to 3 steps: worker 1's owner rotates its receipt key twice, then
    // equivocation signed by the first key (retired at once, well within one unbonding period) is refused (exit 160).
    { finding: '6: slash evasion by rotating the receipt key twice', focus: 'keyRotationEvasion', seed: 1, steps: 150, length: 20 },
    // Found on the old code at the 4th sequence, shrunk to 3 steps: open, a voucher, the worker's external claim with
    // its body in a ref: accepted, and the escrow paid 226,800 nanoton of its import fee beyond the claim's net.
    { finding: '8: an external claim in a non-exact layout makes the escrow pay part of its import fee', focus: 'inexactExternalClaim', seed: 2, steps: 400, length: 25 },
    // Found on the old code at the 1st sequence, shrunk to 2 steps: time jumps to 59 days before the librarian's default
    // 10 TON of rent runs out (about 117 days after deployment), and a job opens on the library all the same.
    { finding: "9: the job-code library's rent lapsing under open escrows", focus: 'libraryRunway', seed: 1, steps: 300, length: 20 },
];

describe('regression campaigns, one aimed at each finding of the money-path review in the fuzzer\'s reach (all fixed)', () => {
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
