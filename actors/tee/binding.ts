import { createHash, randomBytes } from 'crypto';
import { ed25519Sign, ed25519Verify } from '../crypto/keys';

/**
 * Key binding (docs/attestation.md, "REPORTDATA"):
 *
 *   REPORTDATA (64 bytes) = SHA-512( "cocoon-ton:rpt:1"   16 ASCII bytes, domain tag
 *                                  ‖ receipt_key       32 bytes, worker's Ed25519 public key
 *                                  ‖ enc_key           32 bytes, worker's X25519 public key )
 *
 * The quote thereby vouches for both keys generated inside the TD. A quote has no timestamp, so
 * freshness comes from a nonce challenge signed with the receipt key (below).
 */
export const REPORT_DATA_TAG = Buffer.from('cocoon-ton:rpt:1', 'ascii');

export interface WorkerKeys {
    /** Ed25519 public key that signs receipts and nonce responses (32 bytes). */
    receiptKey: Uint8Array;
    /** X25519 public key that requests are sealed to (32 bytes). */
    encKey: Uint8Array;
}

function need32(b: Uint8Array, what: string): void {
    if (b.length !== 32) throw new Error(`${what} must be 32 bytes, got ${b.length}`);
}

export function reportDataFor(keys: WorkerKeys): Buffer {
    need32(keys.receiptKey, 'receipt key');
    need32(keys.encKey, 'encryption key');
    return createHash('sha512').update(REPORT_DATA_TAG).update(keys.receiptKey).update(keys.encKey).digest();
}

/**
 * Nonce response, signed by the worker's receipt key (Ed25519, over these exact 68 bytes):
 *
 *   "frsh"          4 ASCII bytes: 32-bit tag, distinct from "vchr" and "rcpt"
 *   nonce          32 bytes chosen at random by the verifier
 *   quote_hash     32 bytes, SHA-256 of the declared quote bytes (Verdict.quoteHash)
 *
 * Binding the quote hash stops a live worker from lending its signature to another machine's quote.
 */
export const NONCE_TAG = Buffer.from('frsh', 'ascii');
export const NONCE_LEN = 32;

export function newNonce(): Buffer {
    return randomBytes(NONCE_LEN);
}

export function noncePayload(nonce: Uint8Array, quoteHash: Uint8Array): Buffer {
    if (nonce.length !== NONCE_LEN) throw new Error(`nonce must be ${NONCE_LEN} bytes`);
    need32(quoteHash, 'quote hash');
    return Buffer.concat([NONCE_TAG, nonce, quoteHash]);
}

export function signNonce(receiptSeed: Uint8Array, nonce: Uint8Array, quoteHash: Uint8Array): Buffer {
    return ed25519Sign(receiptSeed, noncePayload(nonce, quoteHash));
}

export function verifyNonce(receiptKey: Uint8Array, nonce: Uint8Array, quoteHash: Uint8Array, signature: Uint8Array): boolean {
    return ed25519Verify(receiptKey, noncePayload(nonce, quoteHash), signature);
}
