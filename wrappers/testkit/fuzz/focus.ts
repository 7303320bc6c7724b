/**
 * Weights aimed at the findings of the money-path review: each raises the steps its attack needs, so a short
 * campaign reaches it. The default weights reach every one of them too, only more slowly.
 */
import { Exclusions, Weights } from './actions';

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
