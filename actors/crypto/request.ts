import { KeyObject } from 'crypto';
import { HpkeContext, HpkeError, N_ENC, setupBaseR, setupBaseS } from './hpke';
import { encodeJobAddress, JobAddress } from './jobAddress';
import { ResponseStreamOpener, ResponseStreamSealer } from './stream';

/**
 * Request encryption: HPKE base mode (RFC 9180), DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
 * ChaCha20-Poly1305, sealed to the worker's attested X25519 key.
 *
 *   info (76 bytes) = "creq"          4 ASCII bytes, 32-bit tag
 *                   ‖ job address    36 bytes (int32 BE workchain ‖ 32-byte account id)
 *                   ‖ seqno          uint32 big-endian: the request's sequence number within the job
 *                   ‖ receipt key    32 bytes, the worker's attested Ed25519 key
 *   aad = empty; one HPKE context per request (sequence number 0 of that context).
 *   wire: sealedRequest = enc (32) ‖ ciphertext (plaintext length + 16)
 *
 * Binding the job, seqno and receipt key into the key schedule means a ciphertext replayed to another
 * job, another position in the job or another worker does not decrypt.
 */
export const REQUEST_TAG = Buffer.from('creq', 'ascii');
export const REQUEST_INFO_LEN = 4 + 36 + 4 + 32;

export interface RequestBinding {
    jobAddress: JobAddress;
    seqno: number;
    /** Worker's Ed25519 receipt public key (32 bytes). */
    receiptKey: Uint8Array;
}

export function requestInfo(b: RequestBinding): Buffer {
    if (!Number.isInteger(b.seqno) || b.seqno < 0 || b.seqno > 0xffffffff) throw new HpkeError('seqno must be a uint32');
    if (b.receiptKey.length !== 32) throw new HpkeError('receipt key must be 32 bytes');
    const seq = Buffer.alloc(4);
    seq.writeUInt32BE(b.seqno);
    return Buffer.concat([REQUEST_TAG, encodeJobAddress(b.jobAddress), seq, b.receiptKey]);
}

export interface SealRequestInput extends RequestBinding {
    /** Worker's attested X25519 public key (32 bytes). */
    recipientPublicKey: Uint8Array;
    plaintext: Uint8Array;
}

export interface SealedRequest {
    enc: Buffer;
    ciphertext: Buffer;
    /** Opens the worker's response stream for this request (same HPKE context). */
    responseOpener: ResponseStreamOpener;
}

export function sealRequest(input: SealRequestInput): SealedRequest {
    const { enc, context } = setupBaseS(input.recipientPublicKey, requestInfo(input));
    const ciphertext = context.seal(Buffer.alloc(0), input.plaintext);
    return { enc, ciphertext, responseOpener: ResponseStreamOpener.fromContext(context) };
}

export interface OpenRequestInput extends RequestBinding {
    /** Worker's X25519 private key, generated inside the TD: raw 32 bytes or a KeyObject (import once with x25519PrivateKey). */
    recipientPrivateKey: Uint8Array | KeyObject;
    enc: Uint8Array;
    ciphertext: Uint8Array;
}

export interface OpenedRequest {
    plaintext: Buffer;
    /** Seals the response stream for this request (same HPKE context). */
    responseSealer: ResponseStreamSealer;
    context: HpkeContext;
}

/** Throws HpkeError if the ciphertext, enc or any bound field differs. */
export function openRequest(input: OpenRequestInput): OpenedRequest {
    const context = setupBaseR(input.enc, input.recipientPrivateKey, requestInfo(input));
    const plaintext = context.open(Buffer.alloc(0), input.ciphertext);
    return { plaintext, responseSealer: ResponseStreamSealer.fromContext(context), context };
}

/** enc ‖ ciphertext, the form carried in one transport message. */
export function encodeSealedRequest(r: { enc: Uint8Array; ciphertext: Uint8Array }): Buffer {
    return Buffer.concat([r.enc, r.ciphertext]);
}

export function decodeSealedRequest(wire: Uint8Array): { enc: Buffer; ciphertext: Buffer } {
    if (wire.length < N_ENC + 16) throw new HpkeError('sealed request too short');
    const b = Buffer.from(wire);
    return { enc: b.subarray(0, N_ENC), ciphertext: b.subarray(N_ENC) };
}
