/**
 * Receipts: the usage bounds checked before anything is signed, the cost at the job's agreed prices (the
 * codec's requestCost), the cumulative amount and the hash chain (the codec's chainHead): each receipt names the
 * head before it and the life of the job (nonce) it was served in.
 */
import type { Address, Cell } from '@ton/core';
import type { Prices } from '../../../wrappers/common';
import { buildSignedReceiptCell, chainHead, Receipt, requestCost, SignedReceipt, TokenCounts } from '../../../wrappers/payloads';
import { COMPLETION_SLACK } from './pricing';
import { signReceipt } from './signatures';

export interface UsageBounds {
    promptBound: number;
    maxTokens: number;
}

/** null when the counts are acceptable, else why they are not (then nothing is signed). */
export function usageViolation(t: TokenCounts, b: UsageBounds): string | null {
    const all = [t.prompt, t.cached, t.completion, t.reasoning];
    if (!all.every((n) => Number.isSafeInteger(n) && n >= 0 && n <= 0xffffffff)) return 'counts must be uint32';
    if (t.cached > t.prompt) return `cached ${t.cached} > prompt ${t.prompt}`;
    if (t.reasoning > t.completion) return `reasoning ${t.reasoning} > completion ${t.completion}`;
    if (t.prompt > b.promptBound) return `prompt ${t.prompt} > bound ${b.promptBound}`;
    if (t.completion > b.maxTokens + COMPLETION_SLACK) return `completion ${t.completion} > max_tokens ${b.maxTokens} + ${COMPLETION_SLACK}`;
    return null;
}

export interface ReceiptInput {
    globalId: number;
    job: Address;
    /** The life of the job being served (its nonce). */
    nonce: bigint;
    seqno: number;
    modelHash: Buffer;
    tokens: TokenCounts;
    prices: Prices;
    previousCumulative: bigint;
    previousHead: Buffer;
    requestHash: Buffer;
    responseHash: Buffer;
}

export interface IssuedReceipt {
    signed: SignedReceipt;
    /** signed_receipt cell (signature + ^receipt): what travels in the trailer and is stored. */
    signedCell: Cell;
    cost: bigint;
    cumulative: bigint;
    /** Chain head after this receipt. */
    head: Buffer;
}

export function issueReceipt(i: ReceiptInput, receiptSecret: Buffer): IssuedReceipt {
    const cost = requestCost(i.tokens, i.prices);
    const cumulative = i.previousCumulative + cost;
    const receipt: Receipt = {
        globalId: i.globalId,
        job: i.job,
        nonce: i.nonce,
        seqno: i.seqno,
        modelHash: i.modelHash,
        tokens: i.tokens,
        cost,
        cumulative,
        prevHead: i.previousHead,
        requestHash: i.requestHash,
        responseHash: i.responseHash,
    };
    const signed = signReceipt(receipt, receiptSecret);
    return { signed, signedCell: buildSignedReceiptCell(signed), cost, cumulative, head: chainHead(i.previousHead, signed.cell) };
}
