/**
 * Weights aimed at the findings of the money-path review: each raises the steps its attack needs, so a short
 * campaign reaches it. The default weights reach every one of them too, only more slowly.
 */
import { DEFAULT_WEIGHTS, Exclusions, Weights } from './actions';
import { REACH_KINDS } from './reach-actions';

export const FOCUS: Record<string, Weights> = {
    /** A client's own final voucher at amount == paid ends the job and voids the worker's later vouchers. */
    clientCutsChallenge: { open: 8, sign: 12, clientClaim: 8, workerClaim: 6, wait: 2, propose: 0, vote: 0, execute: 0, garbage: 1, impersonate: 1 },
    /** A job whose worker never answers the offer stays pending with no exit. */
    pendingWithoutExit: { open: 12, wait: 2, propose: 0, vote: 0, execute: 0, garbage: 1, impersonate: 1, workerOp: 1 },
    /**
     * A voucher with tokens near 2^64 freezes the worker's reputation reporting: two settled jobs of one worker, the
     * first with huge tokens. Only the job steps, so sequences of 40 settle several jobs (the liveness check at the end
     * settles every job still open, and checks its report arrives).
     */
    reputationFreeze: {
        open: 12, sign: 12, workerClaim: 12, close: 3, finalize: 3, wait: 3,
        clientClaim: 0, forgedClaim: 0, topUp: 0, workerOp: 0, evidence: 0, rootDirect: 0, propose: 0, vote: 0, execute: 0, veto: 0, cancel: 0, cleanup: 0, garbage: 0, impersonate: 0,
    },
    /** Offers of a job code governance replaced still accepted (finding 2): code changes and opens. */
    replacedJobCode: { govOrder: 4, open: 8, sign: 1, workerClaim: 1, close: 0, finalize: 0, wait: 1, clientClaim: 0, forgedClaim: 0, topUp: 0, workerOp: 0, evidence: 0, rootDirect: 0, propose: 0, vote: 0, execute: 0, veto: 0, cancel: 0, cleanup: 0, garbage: 0, impersonate: 0 },
    /** A governance slash after a worker-code change goes to an empty address (finding 3): orders only. */
    slashAfterWorkerCode: { govOrder: 8, open: 0, sign: 0, workerClaim: 0, close: 0, finalize: 0, wait: 1, clientClaim: 0, forgedClaim: 0, topUp: 0, workerOp: 0, evidence: 0, rootDirect: 0, propose: 0, vote: 0, execute: 0, veto: 0, cancel: 0, cleanup: 0, garbage: 0, impersonate: 0 },
};

/** While aiming at one finding, leave out the steps of the others (each is found first otherwise). */
export const FOCUS_EXCLUDE: Record<string, Exclusions> = {
    clientCutsChallenge: { silentWorker: true, hugeTokens: true },
    pendingWithoutExit: { clientFinalAtPaid: true, hugeTokens: true },
    reputationFreeze: { silentWorker: true, clientFinalAtPaid: true },
    replacedJobCode: { silentWorker: true, clientFinalAtPaid: true, hugeTokens: true },
    slashAfterWorkerCode: { silentWorker: true, clientFinalAtPaid: true, hugeTokens: true },
};

/** The campaigns above keep the vocabulary they were written with: the steps of reach-actions.ts stay out of them. */
for (const name of Object.keys(FOCUS)) for (const k of REACH_KINDS) FOCUS[name][k] ??= 0;

/** Every kind of step at weight 0 but `only` (the focus campaigns of findings 6, 8 and 9 below). */
function only(weights: Weights): Weights {
    const zero = Object.fromEntries(Object.keys(DEFAULT_WEIGHTS).map((k) => [k, 0])) as Weights;
    return { ...zero, ...weights };
}

/** Evidence signed by a receipt key two or more rotations old (finding 6): rotations, evidence, a little time. */
FOCUS.keyRotationEvasion = only({ rotateKey: 8, oldKeyEvidence: 8, wait: 1, open: 1 });
/** Valid vouchers claimed as externals in non-exact layouts (finding 8): jobs, vouchers, claims. */
FOCUS.inexactExternalClaim = only({ open: 6, sign: 10, inexactClaim: 10, workerClaim: 2, wait: 1 });
/** Time jumps towards the end of the library's paid runway, opens and settlements around it (finding 9). */
FOCUS.libraryRunway = only({ runwayJump: 6, open: 8, fundLibrary: 2, wait: 3, sign: 2, workerClaim: 1, close: 1, finalize: 1 });
FOCUS_EXCLUDE.keyRotationEvasion = { silentWorker: true, clientFinalAtPaid: true, hugeTokens: true };
FOCUS_EXCLUDE.inexactExternalClaim = { silentWorker: true, clientFinalAtPaid: true, hugeTokens: true };
FOCUS_EXCLUDE.libraryRunway = { silentWorker: true, clientFinalAtPaid: true, hugeTokens: true };
