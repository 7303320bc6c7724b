/**
 * The receipt check the relay runs before it signs the next voucher (docs/wire.md "What the client checks").
 * Pure: returns the reasons a receipt is refused, empty when it is good.
 */
import type { Address } from '@ton/core';
import { verifyReceipt } from '../../crypto/payloads';
import { requestCost, type SignedReceipt } from '../../../wrappers/payloads';
import type { Prices } from '../../../wrappers/common';

export interface ReceiptExpectation {
    receiptKey: Buffer;
    globalId: number;
    job: Address;
    /** The job's life (its nonce, bound into the vouchers): the receipt must name it. */
    nonce: bigint;
    seqno: number;
    modelHash: Buffer;
    prices: Prices;
    /** Cumulative of the previous receipt of the job (0 for the first). */
    previousCumulative: bigint;
    /** Head of the job's receipt chain after the last receipt accepted (ZERO_HEAD for the first). */
    previousHead: Buffer;
    requestHash: Buffer;
    /** SHA-256 of the data bytes received; null when the answer was cut off (hash cannot be compared). */
    responseHash: Buffer | null;
    /** Upper bound on completion tokens the worker could have generated (max_tokens + EOS). */
    maxCompletion: number;
    /** Upper bound on prompt tokens (the request's byte length is a safe bound for any tokenizer). */
    maxPrompt: number;
}

export function receiptProblems(s: SignedReceipt, e: ReceiptExpectation): string[] {
    const p: string[] = [];
    const r = s.receipt;
    if (!verifyReceipt(s, e.receiptKey)) p.push('signature is not by the attested receipt key');
    if (r.globalId !== e.globalId) p.push(`global id ${r.globalId}, expected ${e.globalId}`);
    if (!r.job.equals(e.job)) p.push('receipt is for another job');
    if (r.nonce !== e.nonce) p.push(`nonce ${r.nonce} is not the job's nonce ${e.nonce} (a receipt of another life of the job address)`);
    if (r.seqno !== e.seqno) p.push(`seqno ${r.seqno}, expected ${e.seqno}`);
    if (!r.prevHead.equals(e.previousHead))
        p.push(`previous head ${r.prevHead.toString('hex')} is not the head of the last receipt accepted for the job (${e.previousHead.toString('hex')})`);
    if (!r.modelHash.equals(e.modelHash)) p.push('model hash is not the registered model');
    if (!r.requestHash.equals(e.requestHash)) p.push('request hash is not the hash of the request sent');
    if (e.responseHash && !r.responseHash.equals(e.responseHash)) p.push('response hash is not the hash of the answer received');
    const t = r.tokens;
    if (t.cached > t.prompt || t.reasoning > t.completion) p.push('cached/reasoning counts exceed their totals');
    else {
        if (t.completion > e.maxCompletion) p.push(`completion ${t.completion} above the bound ${e.maxCompletion}`);
        if (t.prompt > e.maxPrompt) p.push(`prompt ${t.prompt} above the bound ${e.maxPrompt}`);
        if (r.cost !== requestCost(t, e.prices)) p.push(`cost ${r.cost} is not the counts at the agreed prices (${requestCost(t, e.prices)})`);
    }
    if (r.cumulative !== e.previousCumulative + r.cost) p.push(`cumulative ${r.cumulative} is not previous ${e.previousCumulative} + cost ${r.cost}`);
    return p;
}

/** Two validly signed receipts with one job life (job, nonce) and seqno but different contents: equivocation evidence. */
export function isEquivocation(a: SignedReceipt, b: SignedReceipt): boolean {
    return (
        a.receipt.job.equals(b.receipt.job) &&
        a.receipt.nonce === b.receipt.nonce &&
        a.receipt.seqno === b.receipt.seqno &&
        !a.cell.hash().equals(b.cell.hash())
    );
}
