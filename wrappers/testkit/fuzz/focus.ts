/**
 * Weights aimed at the findings of the money-path review: each raises the steps its attack needs, so a short
 * campaign reaches it. The default weights reach every one of them too, only more slowly.
 */
import { Exclusions, Weights } from './actions';

/** Every money-path step off (governance campaigns). */
const GOV_ONLY: Weights = {
    open: 0,
    sign: 0,
    workerClaim: 0,
    clientClaim: 0,
    forgedClaim: 0,
    topUp: 0,
    close: 0,
    finalize: 0,
    workerOp: 0,
    evidence: 0,
    impersonate: 0,
    garbage: 0,
    rootDirect: 0,
    veto: 1,
    cancel: 1,
    cleanup: 1,
    emergency: 1,
    fundCouncil: 1,
};

export const FOCUS: Record<string, Weights> = {
    /** A client's own final voucher at amount == paid ends the job and voids the worker's later vouchers. */
    clientCutsChallenge: { open: 8, sign: 12, clientClaim: 8, workerClaim: 6, wait: 2, propose: 0, vote: 0, execute: 0, garbage: 1, impersonate: 1 },
    /** A job whose worker never answers the offer stays pending with no exit. */
    pendingWithoutExit: { open: 12, wait: 2, propose: 0, vote: 0, execute: 0, garbage: 1, impersonate: 1, workerOp: 1 },
    /** A voucher with tokens near 2^64 freezes the worker's reputation reporting. */
    reputationFreeze: { open: 10, sign: 14, workerClaim: 10, close: 8, finalize: 8, wait: 6, clientClaim: 0, propose: 0, vote: 0, execute: 0, garbage: 0, impersonate: 0 },
    // ---- the governance review (issue findings A1-A5): money-path steps off, council and proposal steps up ----
    /** A1: execute with exactly get_execute_value; membership and weight changes on a large council (GOV_COUNCIL_MEMBERS). */
    govExactValue: { ...GOV_ONLY, govPropose: 10, propose: 2, vote: 10, wait: 3, execute: 8, executeRace: 0 },
    /** A2: a passed proposal executed long after its timelock (no execution window). */
    govNoExpiry: { ...GOV_ONLY, propose: 6, govPropose: 2, vote: 10, wait: 6, execute: 6 },
    /** A3: a cleanup sent while the proposal's report is on its way to the council. */
    govCleanupRace: { ...GOV_ONLY, propose: 6, vote: 10, wait: 4, executeRace: 8, execute: 1 },
    /** A4/A6: proposals whose root action the root always refuses, or whose description is malformed. */
    govRefusedRoot: { ...GOV_ONLY, govPropose: 10, vote: 4, wait: 2, execute: 2 },
    /** A5: a handover offer accepted after it should have expired. */
    govHandover: { ...GOV_ONLY, govPropose: 10, vote: 10, wait: 5, execute: 6, acceptHandover: 6 },
};

/** Council sizes of the governance campaigns (default three members). A1 needs a large council to run out of gas. */
export const GOV_COUNCIL_MEMBERS: Record<string, number> = { govExactValue: 255 };

/** While aiming at one finding, leave out the steps of the others (each is found first otherwise). */
export const FOCUS_EXCLUDE: Record<string, Exclusions> = {
    clientCutsChallenge: { silentWorker: true, hugeTokens: true },
    pendingWithoutExit: { clientFinalAtPaid: true, hugeTokens: true },
    reputationFreeze: { silentWorker: true, clientFinalAtPaid: true },
    govExactValue: { govKinds: ['removeMember', 'setWeight'] },
    govNoExpiry: { govKinds: ['cancelVote', 'surplus'] },
    govCleanupRace: { govKinds: ['cancelVote', 'addMember'] },
    govRefusedRoot: { govKinds: ['refusedRoot', 'surplus'] },
    govHandover: { govKinds: ['handoverOffer', 'handoverWithdraw'] },
};
