/**
 * Signed off-chain payloads of cocoon-ton: the client's cumulative voucher and the worker's receipt
 * (contracts/protocol.tlb "signed payloads"), their Ed25519 signatures, the receipt hash chain, and the
 * message bodies that carry them on-chain (claim, ext_claim, report_equivocation, report_wrong_model).
 *
 * This is the one codec: contract tests, the gas benchmark and the relay/worker/client actors all build and
 * read payloads through these functions. Pure functions, no sandbox imports.
 *
 * Signatures are Ed25519 over the payload's cell hash (what FunC's check_signature(cell_hash(c), ...) verifies):
 * `hashToSign()` gives it. Signing and verifying live in `actors/crypto/payloads.ts` on node:crypto, the one
 * Ed25519 implementation of the project: the codec stays on @ton/core alone, and the layering stays one-way
 * (actors import wrappers, never the reverse).
 * Every payload binds a 32-bit ASCII tag, the network global id (ConfigParam 19: -239 mainnet, -3 testnet)
 * and the contract address, so a signature is valid for one purpose, one network and one job only.
 */
import { Address, beginCell, Builder, Cell, Slice } from '@ton/core';
import { createHash } from 'crypto';
import { Op, Tags } from './Constants';
import { Prices } from './common';

/** Network global ids (ConfigParam 19). The sandbox uses the mainnet value. */
export const GlobalId = { mainnet: -239, testnet: -3 } as const;

/** 32 zero bytes: the head of an empty receipt chain (head_0). */
export const ZERO_HEAD: Buffer = Buffer.alloc(32);

/** A payload cell with an Ed25519 signature over its hash (`hashToSign(cell)`): what goes on-chain. */
export interface SignedCell {
    cell: Cell;
    /** 64 bytes. */
    signature: Buffer;
}

/** The 32 bytes a payload's signature covers: its cell hash, as FunC's check_signature(cell_hash(c), ...) reads it. */
export function hashToSign(cell: Cell): Buffer {
    return cell.hash();
}

/** Thrown by the parsers on a payload that does not follow its layout. */
export class PayloadError extends Error {}

function hash32(name: string, b: Buffer): Buffer {
    if (b.length !== 32) throw new PayloadError(`${name} must be 32 bytes, got ${b.length}`);
    return b;
}

// ---------------------------------------------------------------------------------------------- voucher

/** A client's promise: "through this voucher I owe the job's worker `amount` in total". Cumulative. */
export interface Voucher {
    /** Network global id the voucher is valid on. */
    globalId: number;
    /** The job escrow that pays it. */
    job: Address;
    /**
     * The life of the job it pays: the job's nonce (`get_nonce`, the logical time of its open_job). A job id
     * that is settled and opened again is a new life with a larger nonce, where older vouchers pay nothing.
     */
    nonce: bigint;
    /** Cumulative amount owed, nanoton. The job pays the part above what it already paid (capped at its deposit). */
    amount: bigint;
    /** Cumulative tokens served (informational: counted on-chain, never priced there). */
    tokens: bigint;
    /** Head of the receipt hash chain this voucher pays for (32 bytes; ZERO_HEAD for none). */
    head: Buffer;
    /**
     * The client's last voucher. Claimed alone it is the client's close (the challenge period starts, the worker
     * keeps its window to claim); countersigned by the worker's receipt key it settles the job at once.
     */
    final: boolean;
}

/** A voucher with its cell and the client's signature over the cell hash. */
export interface SignedVoucher extends SignedCell {
    voucher: Voucher;
}

// voucher#76636872 global_id:int32 job:MsgAddressInt nonce:uint64 amount:Coins tokens:uint64 head:uint256
//                  final:Bool = Voucher;
/** Builds a voucher cell. `tag` exists only to build deliberately wrong payloads in tests. */
export function buildVoucherCell(v: Voucher, opts: { tag?: number } = {}): Cell {
    return beginCell()
        .storeUint(opts.tag ?? Tags.voucher, 32)
        .storeInt(v.globalId, 32)
        .storeAddress(v.job)
        .storeUint(v.nonce, 64)
        .storeCoins(v.amount)
        .storeUint(v.tokens, 64)
        .storeBuffer(hash32('head', v.head))
        .storeBit(v.final)
        .endCell();
}

export function parseVoucherCell(c: Cell): Voucher {
    const s = c.beginParse();
    const tag = s.loadUint(32);
    if (tag !== Tags.voucher) throw new PayloadError(`not a voucher: tag 0x${tag.toString(16)}`);
    const v: Voucher = {
        globalId: s.loadInt(32),
        job: s.loadAddress(),
        nonce: s.loadUintBig(64),
        amount: s.loadCoins(),
        tokens: s.loadUintBig(64),
        head: s.loadBuffer(32),
        final: s.loadBit(),
    };
    s.endParse();
    return v;
}

// ---------------------------------------------------------------------------------------------- receipt

/** Token counts of one request, as the worker's inference server reported them. */
export interface TokenCounts {
    prompt: number;
    /** Prompt tokens served from the cache (a part of `prompt`). */
    cached: number;
    completion: number;
    /** Reasoning tokens (a part of `completion`). */
    reasoning: number;
}

/**
 * A worker's statement about one request of a job, signed inside the TEE by its attested receipt key.
 * It names the life of the job it serves (`nonce`) and the head of the job's receipt chain before it
 * (`prevHead`), so a chain of receipts verifies on its own and no receipt of one life of a job address reads
 * as a receipt of another life.
 */
export interface Receipt {
    globalId: number;
    job: Address;
    /** The life of the job (its `get_nonce`, the open_job logical time) the worker accepted and serves. */
    nonce: bigint;
    /** 1, 2, 3, ... per job life; two different receipts with one (job, nonce, seqno) are equivocation. */
    seqno: number;
    /** SHA-256 of the model served (must equal the worker's registered model hash). */
    modelHash: Buffer;
    /** This request's cost at the job's prices, nanoton. */
    cost: bigint;
    /** Cumulative cost of the job through this seqno, nanoton. */
    cumulative: bigint;
    /** Head of the job's receipt chain after the previous receipt (ZERO_HEAD for seqno 1): `chainHead` links. */
    prevHead: Buffer;
    tokens: TokenCounts;
    /** SHA-256 of the request plaintext and of the plaintext answer. */
    requestHash: Buffer;
    responseHash: Buffer;
}

export interface SignedReceipt extends SignedCell {
    receipt: Receipt;
}

// receipt_body$_ prev_head:uint256 prompt:uint32 cached:uint32 completion:uint32 reasoning:uint32
//                request_hash:uint256 response_hash:uint256 = ReceiptBody;   // 896 bits
// receipt#72637074 global_id:int32 job:MsgAddressInt nonce:uint64 seqno:uint32 model_hash:uint256
//                  cost:Coins cumulative:Coins body:^ReceiptBody = Receipt;  // <= 931 bits
// What the worker account reads as evidence (job, nonce, seqno, model hash) sits in the root cell; the rest in
// the ref (the nonce and the previous head would not fit in one cell next to the counts).
export function buildReceiptCell(r: Receipt, opts: { tag?: number } = {}): Cell {
    return beginCell()
        .storeUint(opts.tag ?? Tags.receipt, 32)
        .storeInt(r.globalId, 32)
        .storeAddress(r.job)
        .storeUint(r.nonce, 64)
        .storeUint(r.seqno, 32)
        .storeBuffer(hash32('modelHash', r.modelHash))
        .storeCoins(r.cost)
        .storeCoins(r.cumulative)
        .storeRef(
            beginCell()
                .storeBuffer(hash32('prevHead', r.prevHead))
                .storeUint(r.tokens.prompt, 32)
                .storeUint(r.tokens.cached, 32)
                .storeUint(r.tokens.completion, 32)
                .storeUint(r.tokens.reasoning, 32)
                .storeBuffer(hash32('requestHash', r.requestHash))
                .storeBuffer(hash32('responseHash', r.responseHash))
                .endCell(),
        )
        .endCell();
}

export function parseReceiptCell(c: Cell): Receipt {
    const s = c.beginParse();
    const tag = s.loadUint(32);
    if (tag !== Tags.receipt) throw new PayloadError(`not a receipt: tag 0x${tag.toString(16)}`);
    const globalId = s.loadInt(32);
    const job = s.loadAddress();
    const nonce = s.loadUintBig(64);
    const seqno = s.loadUint(32);
    const modelHash = s.loadBuffer(32);
    const cost = s.loadCoins();
    const cumulative = s.loadCoins();
    const b = s.loadRef().beginParse();
    s.endParse();
    const prevHead = b.loadBuffer(32);
    const tokens = { prompt: b.loadUint(32), cached: b.loadUint(32), completion: b.loadUint(32), reasoning: b.loadUint(32) };
    const requestHash = b.loadBuffer(32);
    const responseHash = b.loadBuffer(32);
    b.endParse();
    return { globalId, job, nonce, seqno, modelHash, cost, cumulative, prevHead, tokens, requestHash, responseHash };
}

// signed_receipt$_ signature:bits512 receipt:^Receipt = SignedReceipt;
export function buildSignedReceiptCell(signed: SignedCell): Cell {
    return beginCell().storeBuffer(signed.signature).storeRef(signed.cell).endCell();
}

export function parseSignedReceiptCell(c: Cell): SignedReceipt {
    const s = c.beginParse();
    const signature = s.loadBuffer(64);
    const cell = s.loadRef();
    s.endParse();
    return { receipt: parseReceiptCell(cell), cell, signature };
}

// ---------------------------------------------------------------------------------------------- pricing and chain

/**
 * Cost of one request at the given prices (nanoton per million tokens), rounded down:
 * uncached prompt, cached prompt, non-reasoning completion and reasoning tokens each at their own price.
 */
export function requestCost(t: TokenCounts, p: Prices): bigint {
    if (t.cached > t.prompt || t.reasoning > t.completion) throw new PayloadError('cached/reasoning exceed their totals');
    const micro =
        BigInt(t.prompt - t.cached) * p.prompt +
        BigInt(t.cached) * p.cached +
        BigInt(t.completion - t.reasoning) * p.completion +
        BigInt(t.reasoning) * p.reasoning;
    return micro / 1_000_000n;
}

/** head_i = SHA-256(head_{i-1} || receipt_i cell hash). */
export function chainHead(previous: Buffer, receiptCell: Cell): Buffer {
    return createHash('sha256').update(hash32('previous head', previous)).update(receiptCell.hash()).digest();
}

/** Head of the chain over `receipts` in order, starting from `from` (ZERO_HEAD by default). */
export function chainHeadOf(receipts: Cell[], from: Buffer = ZERO_HEAD): Buffer {
    return receipts.reduce((h, c) => chainHead(h, c), from);
}

/**
 * Checks that receipts form one chain of one job life, from its first receipt or from `from` (the head before
 * the first one given): each names the head before it (`prevHead`), the same job and nonce, and the next seqno.
 * Returns the head after the last one. Signatures are the caller's check (actors/crypto verifyReceipt): this
 * is the part anyone can verify with nothing but the receipts.
 */
export function receiptChainHead(receipts: { receipt: Receipt; cell: Cell }[], from: Buffer = ZERO_HEAD): Buffer {
    let head = hash32('from', from);
    const first = receipts[0]?.receipt;
    receipts.forEach(({ receipt: r, cell }, i) => {
        if (!r.job.equals(first.job) || r.nonce !== first.nonce) throw new PayloadError(`receipt ${i} is for another job or life of the job`);
        if (i > 0 && r.seqno !== first.seqno + i) throw new PayloadError(`receipt ${i} has seqno ${r.seqno}, expected ${first.seqno + i}`);
        if (!r.prevHead.equals(head)) throw new PayloadError(`receipt ${i} (seqno ${r.seqno}) does not name the head before it`);
        head = chainHead(head, cell);
    });
    return head;
}

// ---------------------------------------------------------------------------------------------- message bodies

/**
 * What a claim carries of a voucher: the signature and the fields the job does not know. The job rebuilds the
 * voucher cell from its own tag, network, address and nonce and checks the signature against its hash, so the
 * claim need not repeat them (the message stays one cell and a small ref: the cheapest import fee).
 */
export interface VoucherClaim {
    signature: Buffer;
    amount: bigint;
    tokens: bigint;
    final: boolean;
    head: Buffer;
}

// receipt_head$_ head:uint256 = ReceiptHead;
// voucher_claim$_ signature:bits512 amount:Coins tokens:uint64 final:Bool head:^ReceiptHead = VoucherClaim;
function storeVoucherClaim(signed: { voucher: Voucher; signature: Buffer }) {
    return (b: Builder) => {
        if (signed.signature.length !== 64) throw new PayloadError('signature must be 64 bytes');
        b.storeBuffer(signed.signature)
            .storeCoins(signed.voucher.amount)
            .storeUint(signed.voucher.tokens, 64)
            .storeBit(signed.voucher.final)
            .storeRef(beginCell().storeBuffer(hash32('head', signed.voucher.head)).endCell());
    };
}

function loadVoucherClaim(s: Slice): VoucherClaim {
    const signature = s.loadBuffer(64);
    const amount = s.loadCoins();
    const tokens = s.loadUintBig(64);
    const final = s.loadBit();
    const h = s.loadRef().beginParse();
    s.endParse();
    const head = h.loadBuffer(32);
    h.endParse();
    return { signature, amount, tokens, final, head };
}

// claim#40dfb3b8 claim:VoucherClaim = JobMsg;  (from any wallet)
export function claimBody(signed: { voucher: Voucher; signature: Buffer }): Cell {
    return beginCell().storeUint(Op.claim, 32).store(storeVoucherClaim(signed)).endCell();
}

// ext_claim#13fd9791 claim:VoucherClaim = JobExternal;  (the body inline in the external message, nothing else)
export function extClaimBody(signed: { voucher: Voucher; signature: Buffer }): Cell {
    return beginCell().storeUint(Op.extClaim, 32).store(storeVoucherClaim(signed)).endCell();
}

// settle_job#3ae91bab query_id:uint64 cosignature:bits512 claim:^VoucherClaim = JobMsg;
/** The cooperative close: a final voucher with the worker's countersignature (`countersignVoucher`). */
export function settleJobBody(signed: { voucher: Voucher; signature: Buffer }, cosignature: Buffer, queryId: bigint = 0n): Cell {
    if (cosignature.length !== 64) throw new PayloadError('cosignature must be 64 bytes');
    return beginCell()
        .storeUint(Op.settleJob, 32)
        .storeUint(queryId, 64)
        .storeBuffer(cosignature)
        .storeRef(beginCell().store(storeVoucherClaim(signed)).endCell())
        .endCell();
}

/** A claim or ext_claim body read back. */
export interface ParsedClaim extends VoucherClaim {
    external: boolean;
}

/** Reads a claim or ext_claim body back (the relay and the tests inspect what was sent). */
export function parseClaimBody(c: Cell): ParsedClaim {
    const s: Slice = c.beginParse();
    const op = s.loadUint(32);
    if (op !== Op.claim && op !== Op.extClaim) throw new PayloadError(`not a claim: op 0x${op.toString(16)}`);
    return { external: op === Op.extClaim, ...loadVoucherClaim(s) };
}

/** The voucher a claim stands for, given what the job knows (its address, network and nonce). */
export function voucherOfClaim(claim: VoucherClaim, job: { job: Address; globalId: number; nonce: bigint }): Voucher {
    return { globalId: job.globalId, job: job.job, nonce: job.nonce, amount: claim.amount, tokens: claim.tokens, head: claim.head, final: claim.final };
}

// report_equivocation#7f3a372d query_id:uint64 a:^SignedReceipt b:^SignedReceipt = WorkerMsg;
export function equivocationBody(a: SignedCell, b: SignedCell, queryId: bigint = 0n): Cell {
    return beginCell()
        .storeUint(Op.reportEquivocation, 32)
        .storeUint(queryId, 64)
        .storeRef(buildSignedReceiptCell(a))
        .storeRef(buildSignedReceiptCell(b))
        .endCell();
}

// report_wrong_model#325d96f3 query_id:uint64 evidence:^SignedReceipt = WorkerMsg;
export function wrongModelBody(evidence: SignedCell, queryId: bigint = 0n): Cell {
    return beginCell().storeUint(Op.reportWrongModel, 32).storeUint(queryId, 64).storeRef(buildSignedReceiptCell(evidence)).endCell();
}

/**
 * Equivocation evidence id, as the worker account records it: the hash of the cell (job address, nonce, seqno).
 * One punishment per seqno of one life of a job; a later life of the same address is a separate chain.
 */
export function equivocationEvidenceId(job: Address, nonce: bigint, seqno: number): Buffer {
    return beginCell().storeAddress(job).storeUint(nonce, 64).storeUint(seqno, 32).endCell().hash();
}

/** Wrong-model evidence id: the receipt's cell hash. */
export function wrongModelEvidenceId(receiptCell: Cell): Buffer {
    return receiptCell.hash();
}
