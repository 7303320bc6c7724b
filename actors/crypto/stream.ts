import { aeadOpen, aeadSeal, HpkeContext, HpkeError, N_T } from './hpke';

/**
 * Response stream sealing (docs/attestation.md, "Response stream"). Both ends derive the stream key
 * from the request's HPKE context, so only the holder of that context (the app that sealed the request)
 * can read the worker's reply:
 *
 *   stream_key = Export(exporter_context = "cocoon-ton:resp:1", L = 32)              (RFC 9180 §5.3)
 *   nonce(i, f) = 0x000000 ‖ I2OSP(i, 8) ‖ f      12 bytes; i = chunk index from 0, f = 0x01 on the
 *                                                  final chunk, else 0x00
 *   chunk wire  = f (1 byte) ‖ ChaCha20-Poly1305(stream_key, nonce(i, f), aad = "", plaintext) (+16 tag)
 *
 * The index is implicit, so a reordered, dropped or replayed chunk fails authentication; the flag is in
 * the nonce, so a truncated stream (no authenticated final chunk) is detected by `finish()`, and nothing
 * is accepted after the final chunk.
 */
export const RESPONSE_EXPORTER_CONTEXT = Buffer.from('cocoon-ton:resp:1', 'ascii');
export const CHUNK_OVERHEAD = 1 + N_T;
const FLAG_MORE = 0x00;
const FLAG_FINAL = 0x01;
const MAX_CHUNKS = 2 ** 48;

export class StreamError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'StreamError';
    }
}

export function responseStreamKey(context: HpkeContext): Buffer {
    return context.export(RESPONSE_EXPORTER_CONTEXT, 32);
}

export function chunkNonce(index: number, final: boolean): Buffer {
    if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_CHUNKS) throw new StreamError('chunk index out of range');
    const n = Buffer.alloc(12);
    n.writeUIntBE(index, 5, 6); // bytes 3..10 hold the 64-bit index; it never exceeds 48 bits
    n[11] = final ? FLAG_FINAL : FLAG_MORE;
    return n;
}

/** Worker side: seals response chunks in order. */
export class ResponseStreamSealer {
    private index = 0;
    private finished = false;

    constructor(private readonly key: Buffer) {}

    static fromContext(context: HpkeContext): ResponseStreamSealer {
        return new ResponseStreamSealer(responseStreamKey(context));
    }

    seal(plaintext: Uint8Array, final = false): Buffer {
        if (this.finished) throw new StreamError('stream already finished');
        const flag = final ? FLAG_FINAL : FLAG_MORE;
        const body = aeadSeal(this.key, chunkNonce(this.index, final), Buffer.alloc(0), plaintext);
        this.index++;
        this.finished = final;
        return Buffer.concat([Buffer.of(flag), body]);
    }

    get chunksSealed(): number {
        return this.index;
    }
}

export interface OpenedChunk {
    plaintext: Buffer;
    final: boolean;
}

/** App side: opens chunks strictly in order; call finish() at end of transport to detect truncation. */
export class ResponseStreamOpener {
    private index = 0;
    private finished = false;

    constructor(private readonly key: Buffer) {}

    static fromContext(context: HpkeContext): ResponseStreamOpener {
        return new ResponseStreamOpener(responseStreamKey(context));
    }

    open(chunk: Uint8Array): OpenedChunk {
        if (this.finished) throw new StreamError('data after the final chunk');
        if (chunk.length < CHUNK_OVERHEAD) throw new StreamError('chunk too short');
        const flag = chunk[0];
        if (flag !== FLAG_MORE && flag !== FLAG_FINAL) throw new StreamError(`unknown chunk flag 0x${flag.toString(16)}`);
        const final = flag === FLAG_FINAL;
        let plaintext: Buffer;
        try {
            plaintext = aeadOpen(this.key, chunkNonce(this.index, final), Buffer.alloc(0), chunk.subarray(1));
        } catch (e) {
            if (e instanceof HpkeError) throw new StreamError(`chunk ${this.index} failed authentication (reordered, dropped, forged or flag altered)`);
            throw e;
        }
        this.index++;
        this.finished = final;
        return { plaintext, final };
    }

    /** Throws unless the authenticated final chunk was received. */
    finish(): void {
        if (!this.finished) throw new StreamError(`stream truncated after ${this.index} chunks (no final chunk)`);
    }

    get done(): boolean {
        return this.finished;
    }
}
