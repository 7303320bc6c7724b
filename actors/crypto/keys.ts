import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign as nodeSign, verify as nodeVerify } from 'crypto';

/**
 * Raw 32-byte Ed25519 / X25519 keys <-> node:crypto KeyObjects. Keys travel as raw bytes everywhere in
 * this project (contracts store them as uint256); JWK or fixed PKCS#8 prefixes wrap them for OpenSSL.
 */
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');

function need32(b: Uint8Array, what: string): Buffer {
    if (b.length !== 32) throw new Error(`${what} must be 32 bytes, got ${b.length}`);
    return Buffer.from(b);
}

// Public keys are imported as JWK: about 10x faster than SPKI DER in Node 20 (this is on the
// per-request path). Private keys are imported once per process, so DER is fine there.
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: need32(raw, 'Ed25519 public key').toString('base64url') }, format: 'jwk' });
}
export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
    return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, need32(seed, 'Ed25519 seed')]), format: 'der', type: 'pkcs8' });
}
export function x25519PublicKey(raw: Uint8Array): KeyObject {
    return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: need32(raw, 'X25519 public key').toString('base64url') }, format: 'jwk' });
}
export function x25519PrivateKey(raw: Uint8Array): KeyObject {
    return createPrivateKey({ key: Buffer.concat([X25519_PKCS8, need32(raw, 'X25519 private key')]), format: 'der', type: 'pkcs8' });
}

/** Raw public key bytes of an Ed25519 or X25519 KeyObject, public or private (JWK "x"). */
export function rawPublicKey(key: KeyObject): Buffer {
    const x = key.export({ format: 'jwk' }).x;
    if (!x) throw new Error('not an OKP key');
    return Buffer.from(x, 'base64url');
}
/** Raw private key bytes (seed for Ed25519, scalar for X25519): JWK "d". */
export function rawPrivateKey(key: KeyObject): Buffer {
    const d = key.export({ format: 'jwk' }).d;
    if (!d) throw new Error('not an OKP private key');
    return Buffer.from(d, 'base64url');
}

/** Accepts a raw 32-byte X25519 private key or an already imported KeyObject (import once, reuse). */
export function asX25519PrivateKey(key: Uint8Array | KeyObject): KeyObject {
    return key instanceof KeyObject ? key : x25519PrivateKey(key);
}

export interface RawKeyPair {
    publicKey: Buffer;
    privateKey: Buffer;
}

export function generateEd25519(): RawKeyPair {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    return { publicKey: rawPublicKey(publicKey), privateKey: rawPrivateKey(privateKey) };
}
export function generateX25519(): RawKeyPair {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    return { publicKey: rawPublicKey(publicKey), privateKey: rawPrivateKey(privateKey) };
}

/**
 * Imported keys by their raw bytes. Importing costs about 1 ms for a private key (a PKCS#8 parse) and tens of
 * µs for a public one, more than the signature itself; the relay signs every voucher and the worker every
 * receipt with the same few keys, and they verify with the keys of their open jobs. Bounded: cleared when full.
 */
class KeyCache {
    private readonly m = new Map<string, KeyObject>();
    constructor(
        private readonly max: number,
        private readonly load: (raw: Uint8Array) => KeyObject,
    ) {}
    get(raw: Uint8Array): KeyObject {
        const k = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
        let key = this.m.get(k);
        if (!key) {
            key = this.load(raw);
            if (this.m.size >= this.max) this.m.clear();
            this.m.set(k, key);
        }
        return key;
    }
}
const signingKeys = new KeyCache(64, ed25519PrivateKey);
const verifyingKeys = new KeyCache(4096, ed25519PublicKey);

export function ed25519Sign(seed: Uint8Array | KeyObject, message: Uint8Array): Buffer {
    return nodeSign(null, message, seed instanceof KeyObject ? seed : signingKeys.get(seed));
}
export function ed25519Verify(publicKey: Uint8Array | KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== 64) return false;
    try {
        return nodeVerify(null, message, publicKey instanceof KeyObject ? publicKey : verifyingKeys.get(publicKey), signature);
    } catch {
        return false;
    }
}

/**
 * An Ed25519 key pair in the form TON tools use: `secretKey` is the 32-byte seed followed by the 32-byte
 * public key (64 bytes), which `signCell` and friends accept as well as the bare seed.
 */
export interface Ed25519KeyPair {
    publicKey: Buffer;
    secretKey: Buffer;
}

/** The Ed25519 key pair of a 32-byte seed (deterministic keys for tests, or a seed kept by the operator). */
export function ed25519FromSeed(seed: Uint8Array): Ed25519KeyPair {
    const publicKey = rawPublicKey(ed25519PrivateKey(seed));
    return { publicKey, secretKey: Buffer.concat([need32(seed, 'Ed25519 seed'), publicKey]) };
}
