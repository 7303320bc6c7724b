/**
 * Payment accounting of one job, pure: which seqno is next, what a checked receipt changes, and the voucher
 * that pays for everything checked so far. A voucher is never built above the job's deposit, and never for a
 * job whose payment was stopped by a failed receipt check.
 */
import { Address } from '@ton/core';
import { chainHead, type SignedReceipt, type Voucher } from '../../../wrappers/payloads';
import type { Prices } from '../../../wrappers/common';

/** A request sent whose receipt the relay has not yet seen (the client went away, the stream broke). */
export interface PendingRequest {
    seqno: number;
    requestHash: Buffer;
    maxCompletion: number;
    maxPrompt: number;
    apiKeyId: string | null;
}

export interface JobRecord {
    address: string;
    worker: string;
    prices: Prices;
    receiptKey: Buffer;
    deposit: bigint;
    feeBps: number;
    /** Last seqno whose receipt was checked and accounted. */
    seqno: number;
    cumulative: bigint;
    tokens: bigint;
    head: Buffer;
    /** Amount of the last voucher signed (and sent). */
    vouchered: bigint;
    pending: PendingRequest | null;
    /** Set when a receipt failed a check: no more requests, no more vouchers. */
    stopped: string | null;
    state: 'open' | 'closing' | 'finalized';
    /** The job's life (its open_job lt), bound into every voucher. */
    nonce: bigint;
    openedAt: number;
    lastUsedAt: number;
    closedAt: number | null;
}

export function newJobRecord(o: { address: Address; worker: Address; prices: Prices; receiptKey: Buffer; deposit: bigint; feeBps: number; nonce: bigint; now: number }): JobRecord {
    return {
        address: o.address.toRawString(),
        worker: o.worker.toRawString(),
        prices: o.prices,
        receiptKey: o.receiptKey,
        deposit: o.deposit,
        feeBps: o.feeBps,
        seqno: 0,
        cumulative: 0n,
        tokens: 0n,
        head: Buffer.alloc(32),
        vouchered: 0n,
        pending: null,
        stopped: null,
        state: 'open',
        nonce: o.nonce,
        openedAt: o.now,
        lastUsedAt: o.now,
        closedAt: null,
    };
}

/** The job after a receipt that passed every check. */
export function applyReceipt(j: JobRecord, s: SignedReceipt, now: number): JobRecord {
    const r = s.receipt;
    return {
        ...j,
        seqno: r.seqno,
        cumulative: r.cumulative,
        tokens: j.tokens + BigInt(r.tokens.prompt + r.tokens.completion),
        head: chainHead(j.head, s.cell),
        pending: null,
        lastUsedAt: now,
    };
}

export class OverDepositError extends Error {}

/** The voucher for everything accounted; refuses to promise more than the deposit or to pay a stopped job. */
export function voucherFor(j: JobRecord, globalId: number, final = false): Voucher {
    if (j.stopped) throw new OverDepositError(`payment to this job is stopped: ${j.stopped}`);
    if (j.cumulative > j.deposit) throw new OverDepositError(`cumulative ${j.cumulative} exceeds the deposit ${j.deposit}`);
    return { globalId, job: Address.parse(j.address), nonce: j.nonce, amount: j.cumulative, tokens: j.tokens, head: j.head, final };
}

/** Worst-case cost of one request: every prompt byte a token and max_tokens + 1 completion tokens at the top price. */
export function worstCaseCost(p: Prices, maxPrompt: number, maxCompletion: number): bigint {
    const top = [p.prompt, p.cached].reduce((a, b) => (a > b ? a : b));
    const topOut = p.completion > p.reasoning ? p.completion : p.reasoning;
    return (BigInt(maxPrompt) * top + BigInt(maxCompletion) * topOut) / 1_000_000n + 1n;
}

/** Left in the deposit after what is owed. */
export function headroom(j: JobRecord): bigint {
    return j.deposit - j.cumulative;
}
