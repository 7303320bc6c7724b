/**
 * The response stream (the body of a 200 answer to POST /v1/requests). Every frame is a chunk sealed by the
 * request's ResponseStreamSealer (actors/crypto/stream.ts), and every chunk's plaintext is padded to a size
 * bucket, so a frame's length tells an observer only the bucket, never the token's length:
 *
 *   HTTP body   = frame*           the last frame is the only one whose chunk has the final flag
 *   frame       = length (uint32 BE) ‖ sealed chunk
 *   sealed chunk= flag (1) ‖ ChaCha20-Poly1305(inner) ‖ tag (16)       length = bucket + 17
 *   inner       = kind (1) ‖ body_len (uint32 BE) ‖ body ‖ 0x00 padding up to the bucket
 *   bucket      ∈ BUCKETS, the smallest that holds 5 + body_len
 *
 *   kind 0x01 data   (non-final chunks only): the next bytes of the engine's answer (SSE events or a JSON
 *                    body, as the engine produced them); a piece longer than the largest bucket is split
 *   kind 0x02 end    (final chunk): trailer with the signed receipt
 *   kind 0x03 error  (final chunk): trailer with the error and the signed receipt for what was served, if any
 *
 *   trailer body = receipt_len (uint32 BE) ‖ receipt ‖ json
 *     receipt  BoC of the signed_receipt cell (wrappers/payloads.ts buildSignedReceiptCell); receipt_len 0
 *              only in an error trailer when nothing was served (nothing is signed then)
 *     json     end:   {"finishReason": string|null, "usageSource": "final"|"continuous"|"none"}
 *              error: the JSON error body of errors.ts ({"error":{code,message,status,...}})
 *
 * The receipt's response_hash is SHA-256 of the concatenated data bodies (the plaintext answer, unpadded).
 * The trailer is sealed too: token counts are as private as the answer.
 */
import { createHash, Hash } from 'crypto';
import { Cell } from '@ton/core';
import { ResponseStreamOpener, ResponseStreamSealer, StreamError, CHUNK_OVERHEAD } from '../crypto/stream';
import { parseSignedReceiptCell, SignedReceipt } from '../../wrappers/payloads';
import { MAX_RECEIPT_BOC_BYTES } from './constants';
import { parseWireErrorBody, WireError, WireErrorBody } from './errors';

/**
 * Plaintext sizes of a padded chunk. 512 holds one vLLM SSE event with continuous usage (about 330-420
 * bytes for a one-token delta), so a token stream is a run of identical 529-byte frames; the larger buckets
 * carry non-streamed bodies and long deltas, each step x4 so padding wastes under 75 % of a frame.
 */
export const BUCKETS = [512, 2048, 8192, 32768] as const;
export const INNER_HEADER_LEN = 5;
export const MAX_DATA_PER_FRAME = BUCKETS[BUCKETS.length - 1] - INNER_HEADER_LEN;
/** The only frame lengths a reader accepts. */
export const FRAME_LENGTHS: readonly number[] = BUCKETS.map((b) => b + CHUNK_OVERHEAD);

export const FrameKind = { data: 0x01, end: 0x02, error: 0x03 } as const;
export type FrameKindName = keyof typeof FrameKind;

export function bucketFor(bodyLen: number): number {
    const need = INNER_HEADER_LEN + bodyLen;
    for (const b of BUCKETS) if (need <= b) return b;
    throw new WireError('internal', `frame body of ${bodyLen} bytes exceeds the largest bucket`);
}

/** kind ‖ body_len ‖ body ‖ zeros, exactly one bucket long. */
export function padInner(kind: number, body: Uint8Array): Buffer {
    const out = Buffer.alloc(bucketFor(body.length));
    out[0] = kind;
    out.writeUInt32BE(body.length, 1);
    out.set(body, INNER_HEADER_LEN);
    return out;
}

export function unpadInner(inner: Buffer): { kind: number; body: Buffer } {
    if (!(BUCKETS as readonly number[]).includes(inner.length)) throw new StreamError(`inner chunk of ${inner.length} bytes is not a bucket size`);
    const kind = inner[0];
    const len = inner.readUInt32BE(1);
    if (INNER_HEADER_LEN + len > inner.length) throw new StreamError('inner body_len runs past the chunk');
    if (bucketFor(len) !== inner.length) throw new StreamError('inner chunk is not in its smallest bucket');
    for (let i = INNER_HEADER_LEN + len; i < inner.length; i++) if (inner[i] !== 0) throw new StreamError('padding is not zero');
    return { kind, body: inner.subarray(INNER_HEADER_LEN, INNER_HEADER_LEN + len) };
}

function frame(sealed: Buffer): Buffer {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(sealed.length);
    return Buffer.concat([len, sealed]);
}

export interface EndMeta {
    finishReason: string | null;
    usageSource: 'final' | 'continuous' | 'none';
}

export function encodeTrailer(receipt: Cell | null, json: unknown): Buffer {
    const boc = receipt ? receipt.toBoc({ idx: false, crc32: false }) : Buffer.alloc(0);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(boc.length);
    return Buffer.concat([len, boc, Buffer.from(JSON.stringify(json), 'utf8')]);
}

export function decodeTrailer(body: Buffer): { receipt: SignedReceipt | null; json: unknown } {
    if (body.length < 4) throw new StreamError('trailer too short');
    const len = body.readUInt32BE(0);
    if (len > MAX_RECEIPT_BOC_BYTES || 4 + len > body.length) throw new StreamError('trailer receipt_len out of range');
    let receipt: SignedReceipt | null = null;
    if (len > 0) {
        try {
            const cells = Cell.fromBoc(body.subarray(4, 4 + len));
            if (cells.length !== 1) throw new Error('one root cell expected');
            receipt = parseSignedReceiptCell(cells[0]);
        } catch (e) {
            throw new StreamError(`trailer receipt does not parse: ${(e as Error).message}`);
        }
    }
    let json: unknown;
    try {
        json = JSON.parse(body.subarray(4 + len).toString('utf8'));
    } catch {
        throw new StreamError('trailer JSON does not parse');
    }
    return { receipt, json };
}

/** Worker side: turns answer bytes and the trailer into framed, padded, sealed chunks. */
export class SealedStreamWriter {
    private readonly hash: Hash = createHash('sha256');
    private finished = false;
    /** Answer bytes framed so far, and the bytes the frames took on the wire (for the padding metric). */
    payloadBytes = 0;
    wireBytes = 0;

    constructor(private readonly sealer: ResponseStreamSealer) {}

    /** Frames for the next piece of the answer (several when it exceeds the largest bucket). */
    data(bytes: Uint8Array): Buffer[] {
        if (this.finished) throw new StreamError('stream already finished');
        const out: Buffer[] = [];
        for (let off = 0; off < bytes.length; off += MAX_DATA_PER_FRAME) {
            const piece = bytes.subarray(off, Math.min(bytes.length, off + MAX_DATA_PER_FRAME));
            this.hash.update(piece);
            out.push(this.seal(FrameKind.data, piece, false));
            this.payloadBytes += piece.length;
        }
        return out;
    }

    /** SHA-256 of every data byte so far (the receipt's response_hash once the answer is complete). */
    responseHash(): Buffer {
        return this.hash.copy().digest();
    }

    end(signedReceipt: Cell, meta: EndMeta): Buffer {
        return this.trailer(FrameKind.end, encodeTrailer(signedReceipt, meta));
    }

    error(error: WireError | WireErrorBody, signedReceipt: Cell | null): Buffer {
        const body = error instanceof WireError ? error.toJSON() : error;
        return this.trailer(FrameKind.error, encodeTrailer(signedReceipt, body));
    }

    get done(): boolean {
        return this.finished;
    }

    private trailer(kind: number, body: Buffer): Buffer {
        if (this.finished) throw new StreamError('stream already finished');
        const f = this.seal(kind, body, true);
        this.finished = true;
        return f;
    }

    private seal(kind: number, body: Uint8Array, final: boolean): Buffer {
        const f = frame(this.sealer.seal(padInner(kind, body), final));
        this.wireBytes += f.length;
        return f;
    }
}

export type StreamEvent =
    | { type: 'data'; bytes: Buffer }
    | { type: 'end'; receipt: SignedReceipt; meta: EndMeta }
    | { type: 'error'; error: WireError; receipt: SignedReceipt | null };

/**
 * Client side: feed it the HTTP body as it arrives (any split), get the events in order. Throws StreamError
 * on a frame length that is not a bucket's, a chunk that fails authentication, bad padding, a data frame
 * flagged final, a trailer not flagged final, or bytes after the final frame; `finish()` at the end of the
 * body throws unless the final frame arrived (truncation).
 */
export class SealedStreamReader {
    private buffered: Buffer = Buffer.alloc(0);
    private readonly hash: Hash = createHash('sha256');
    private ended = false;

    constructor(private readonly opener: ResponseStreamOpener) {}

    push(chunk: Uint8Array): StreamEvent[] {
        if (chunk.length === 0) return [];
        if (this.ended) throw new StreamError('bytes after the final frame');
        this.buffered = this.buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffered, chunk]);
        const events: StreamEvent[] = [];
        while (this.buffered.length >= 4) {
            const len = this.buffered.readUInt32BE(0);
            if (!FRAME_LENGTHS.includes(len)) throw new StreamError(`frame length ${len} is not a bucket frame length`);
            if (this.buffered.length < 4 + len) break;
            const sealed = this.buffered.subarray(4, 4 + len);
            this.buffered = this.buffered.subarray(4 + len);
            events.push(this.openFrame(sealed));
            if (this.ended && this.buffered.length > 0) throw new StreamError('bytes after the final frame');
        }
        return events;
    }

    finish(): void {
        if (this.buffered.length > 0) throw new StreamError(`stream ends inside a frame (${this.buffered.length} bytes left)`);
        this.opener.finish();
    }

    /** SHA-256 of the data bytes received: compare with the receipt's response_hash. */
    responseHash(): Buffer {
        return this.hash.copy().digest();
    }

    get done(): boolean {
        return this.ended;
    }

    private openFrame(sealed: Buffer): StreamEvent {
        const { plaintext, final } = this.opener.open(sealed);
        const { kind, body } = unpadInner(plaintext);
        if (kind === FrameKind.data) {
            if (final) throw new StreamError('a data frame carries the final flag');
            this.hash.update(body);
            return { type: 'data', bytes: Buffer.from(body) };
        }
        if (kind !== FrameKind.end && kind !== FrameKind.error) throw new StreamError(`unknown frame kind 0x${kind.toString(16)}`);
        if (!final) throw new StreamError('a trailer is not flagged final');
        this.ended = true;
        const { receipt, json } = decodeTrailer(body);
        if (kind === FrameKind.end) {
            if (!receipt) throw new StreamError('end trailer without a receipt');
            const m = json as Partial<EndMeta>;
            const usageSource = m.usageSource === 'final' || m.usageSource === 'continuous' ? m.usageSource : 'none';
            return { type: 'end', receipt, meta: { finishReason: typeof m.finishReason === 'string' ? m.finishReason : null, usageSource } };
        }
        return { type: 'error', error: parseWireErrorBody(JSON.stringify(json)), receipt };
    }
}
