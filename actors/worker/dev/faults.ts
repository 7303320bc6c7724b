/**
 * Development only: fault switches that make a worker misbehave on purpose, so the relay's defences can be
 * shown and tested against a real worker (the demo's slash, the relay's equivocation test). Never loaded by a
 * production worker: main.ts imports this file only when WORKER_DEV_FAULT is set, and refuses that unless the
 * quote provider is the simulated one (a development network).
 *
 *   WORKER_DEV_FAULT=equivocate   every receipt after a job's first is signed under the previous sequence
 *                                 number: two different, validly signed receipts for one job and seqno, the
 *                                 equivocation evidence the worker contract slashes for.
 */
import * as cryptoPayloads from '../../crypto/payloads';
import type { Receipt } from '../../../wrappers/payloads';

/** Rewrites a receipt before the worker's receipt key signs it. */
export type ReceiptFault = (r: Receipt) => Receipt;

/** The equivocating worker: request n of a job (n > 1) is receipted as n - 1, which already has a receipt. */
export const equivocate: ReceiptFault = (r) => (r.seqno > 1 ? { ...r, seqno: r.seqno - 1 } : r);

export const FAULTS = { equivocate } as const satisfies Record<string, ReceiptFault>;
export type FaultName = keyof typeof FAULTS;

export function isFaultName(s: string): s is FaultName {
    return Object.prototype.hasOwnProperty.call(FAULTS, s);
}

type Signer = typeof cryptoPayloads.signReceipt;

/**
 * Every receipt this process signs from now on goes through `fault` first (the worker signs through
 * actors/crypto/payloads, whose export is swapped here). Returns the function that puts the honest signer back.
 */
export function installReceiptFault(fault: ReceiptFault): () => void {
    const exports = cryptoPayloads as unknown as { signReceipt: Signer };
    const honest = exports.signReceipt;
    exports.signReceipt = (r, key, opts) => honest(fault(r), key, opts);
    return () => {
        exports.signReceipt = honest;
    };
}
