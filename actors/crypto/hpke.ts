import { createCipheriv, createDecipheriv, createHmac, diffieHellman, generateKeyPairSync, KeyObject } from 'crypto';
import { asX25519PrivateKey, rawPublicKey, x25519PrivateKey, x25519PublicKey } from './keys';

/**
 * RFC 9180 (Hybrid Public Key Encryption), base mode only, for the single suite this project uses:
 * DHKEM(X25519, HKDF-SHA256) = 0x0020, HKDF-SHA256 = 0x0001, ChaCha20-Poly1305 = 0x0003.
 *
 * Built on node:crypto (OpenSSL) rather than @hpke/core because the pure-JS ChaCha20-Poly1305 under
 * @hpke/core is several times slower on large prompts (see docs/benchmarks.md). It is checked against
 * the RFC's Appendix A.2.1 vectors and for interoperability with @hpke/core in tests/crypto.
 */
export const KEM_ID = 0x0020;
export const KDF_ID = 0x0001;
export const AEAD_ID = 0x0003;
export const N_ENC = 32;
export const N_PK = 32;
export const N_SECRET = 32;
export const N_K = 32;
export const N_N = 12;
export const N_T = 16;

const VERSION = Buffer.from('HPKE-v1', 'ascii');
const KEM_SUITE = Buffer.concat([Buffer.from('KEM', 'ascii'), u16(KEM_ID)]);
const HPKE_SUITE = Buffer.concat([Buffer.from('HPKE', 'ascii'), u16(KEM_ID), u16(KDF_ID), u16(AEAD_ID)]);
const EMPTY = Buffer.alloc(0);

export class HpkeError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'HpkeError';
    }
}

function u16(n: number): Buffer {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    return b;
}

function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Buffer {
    // RFC 5869: an empty salt means HashLen zero bytes, which HMAC treats identically to an empty key.
    return createHmac('sha256', salt.length ? salt : Buffer.alloc(32)).update(ikm).digest();
}

function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Buffer {
    if (length > 255 * 32) throw new HpkeError('HKDF-Expand length too large');
    const blocks: Buffer[] = [];
    let prev: Buffer = EMPTY;
    for (let i = 1; blocks.length * 32 < length; i++) {
        prev = createHmac('sha256', prk).update(prev).update(info).update(Buffer.of(i)).digest();
        blocks.push(prev);
    }
    return Buffer.concat(blocks).subarray(0, length);
}

function labeledExtract(suite: Buffer, salt: Uint8Array, label: string, ikm: Uint8Array): Buffer {
    return hkdfExtract(salt, Buffer.concat([VERSION, suite, Buffer.from(label, 'ascii'), ikm]));
}

function labeledExpand(suite: Buffer, prk: Uint8Array, label: string, info: Uint8Array, length: number): Buffer {
    return hkdfExpand(prk, Buffer.concat([u16(length), VERSION, suite, Buffer.from(label, 'ascii'), info]), length);
}

/** RFC 9180 §7.1.3 DeriveKeyPair for X25519 (clamping happens inside X25519 itself). */
export function deriveKeyPair(ikm: Uint8Array): { privateKey: Buffer; publicKey: Buffer } {
    const prk = labeledExtract(KEM_SUITE, EMPTY, 'dkp_prk', ikm);
    const sk = labeledExpand(KEM_SUITE, prk, 'sk', EMPTY, 32);
    return { privateKey: sk, publicKey: rawPublicKey(x25519PrivateKey(sk)) };
}

function dh(sk: KeyObject, pk: KeyObject): Buffer {
    let out: Buffer;
    try {
        out = diffieHellman({ privateKey: sk, publicKey: pk });
    } catch {
        // OpenSSL itself refuses small-order points (all-zero output).
        throw new HpkeError('X25519 derivation failed (small-order public key)');
    }
    // RFC 9180 §7.1.4: abort on the all-zero shared secret, in case the backend did not.
    if (out.every((b) => b === 0)) throw new HpkeError('X25519 produced the all-zero shared secret');
    return out;
}

function extractAndExpand(dhOut: Buffer, kemContext: Buffer): Buffer {
    const prk = labeledExtract(KEM_SUITE, EMPTY, 'eae_prk', dhOut);
    return labeledExpand(KEM_SUITE, prk, 'shared_secret', kemContext, N_SECRET);
}

export interface KeySchedule {
    sharedSecret: Buffer;
    key: Buffer;
    baseNonce: Buffer;
    exporterSecret: Buffer;
}

function keySchedule(sharedSecret: Buffer, info: Uint8Array): KeySchedule {
    const pskIdHash = labeledExtract(HPKE_SUITE, EMPTY, 'psk_id_hash', EMPTY);
    const infoHash = labeledExtract(HPKE_SUITE, EMPTY, 'info_hash', info);
    const ctx = Buffer.concat([Buffer.of(0x00), pskIdHash, infoHash]);
    const secret = labeledExtract(HPKE_SUITE, sharedSecret, 'secret', EMPTY);
    return {
        sharedSecret,
        key: labeledExpand(HPKE_SUITE, secret, 'key', ctx, N_K),
        baseNonce: labeledExpand(HPKE_SUITE, secret, 'base_nonce', ctx, N_N),
        exporterSecret: labeledExpand(HPKE_SUITE, secret, 'exp', ctx, N_SECRET),
    };
}

/** ChaCha20-Poly1305 (RFC 8439) seal: ciphertext || 16-byte tag. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: N_T });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const body = c.update(plaintext);
    c.final();
    return Buffer.concat([body, c.getAuthTag()]);
}

/** ChaCha20-Poly1305 open; throws HpkeError (never returns unauthenticated bytes). */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer {
    if (sealed.length < N_T) throw new HpkeError('ciphertext shorter than the authentication tag');
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: N_T });
    d.setAuthTag(sealed.subarray(sealed.length - N_T));
    d.setAAD(aad, { plaintextLength: sealed.length - N_T });
    const body = d.update(sealed.subarray(0, sealed.length - N_T));
    try {
        d.final();
    } catch {
        throw new HpkeError('authentication failed');
    }
    return body;
}

/** An RFC 9180 encryption context (one direction, sequence numbers from 0). */
export class HpkeContext {
    private seq = 0;

    constructor(readonly schedule: KeySchedule) {}

    /** The nonce for sequence number `seq`: base_nonce XOR I2OSP(seq, 12). */
    nonce(seq: number): Buffer {
        if (!Number.isSafeInteger(seq) || seq < 0) throw new HpkeError('sequence number out of range');
        const n = Buffer.from(this.schedule.baseNonce);
        let s = seq;
        for (let i = N_N - 1; i >= 0 && s > 0; i--) {
            n[i] ^= s % 256;
            s = Math.floor(s / 256);
        }
        return n;
    }

    seal(aad: Uint8Array, plaintext: Uint8Array): Buffer {
        const out = aeadSeal(this.schedule.key, this.nonce(this.seq), aad, plaintext);
        this.seq++;
        return out;
    }

    open(aad: Uint8Array, ciphertext: Uint8Array): Buffer {
        const out = aeadOpen(this.schedule.key, this.nonce(this.seq), aad, ciphertext);
        this.seq++;
        return out;
    }

    /** RFC 9180 §5.3 secret export. */
    export(exporterContext: Uint8Array, length: number): Buffer {
        return labeledExpand(HPKE_SUITE, this.schedule.exporterSecret, 'sec', exporterContext, length);
    }

    get sequence(): number {
        return this.seq;
    }
}

/**
 * SetupBaseS. `ephemeralPrivateKey` exists for known-answer tests only; production callers omit it and
 * get a fresh key from the OS CSPRNG for every message.
 */
export function setupBaseS(recipientPublicKey: Uint8Array, info: Uint8Array, ephemeralPrivateKey?: Uint8Array): { enc: Buffer; context: HpkeContext } {
    if (recipientPublicKey.length !== N_PK) throw new HpkeError(`recipient public key must be ${N_PK} bytes`);
    const pkR = x25519PublicKey(recipientPublicKey);
    const skE = ephemeralPrivateKey ? x25519PrivateKey(ephemeralPrivateKey) : generateKeyPairSync('x25519').privateKey;
    const enc = rawPublicKey(skE);
    const sharedSecret = extractAndExpand(dh(skE, pkR), Buffer.concat([enc, recipientPublicKey]));
    return { enc, context: new HpkeContext(keySchedule(sharedSecret, info)) };
}

/** `recipientPrivateKey`: raw 32 bytes, or a KeyObject imported once (much faster per request). */
export function setupBaseR(enc: Uint8Array, recipientPrivateKey: Uint8Array | KeyObject, info: Uint8Array): HpkeContext {
    if (enc.length !== N_ENC) throw new HpkeError(`enc must be ${N_ENC} bytes`);
    const skR = asX25519PrivateKey(recipientPrivateKey);
    const pkRm = rawPublicKey(skR);
    const sharedSecret = extractAndExpand(dh(skR, x25519PublicKey(enc)), Buffer.concat([enc, pkRm]));
    return new HpkeContext(keySchedule(sharedSecret, info));
}

