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
    /** A voucher with tokens near 2^64 freezes the worker's reputation reporting. */
    reputationFreeze: { open: 10, sign: 14, workerClaim: 10, close: 8, finalize: 8, wait: 6, clientClaim: 0, propose: 0, vote: 0, execute: 0, garbage: 0, impersonate: 0 },
};

/** While aiming at one finding, leave out the steps of the others (each is found first otherwise). */
export const FOCUS_EXCLUDE: Record<string, Exclusions> = {
    clientCutsChallenge: { silentWorker: true, hugeTokens: true },
    pendingWithoutExit: { clientFinalAtPaid: true, hugeTokens: true },
    reputationFreeze: { silentWorker: true, clientFinalAtPaid: true },
};
