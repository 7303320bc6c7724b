import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign as nodeSign, verify as nodeVerify } from 'crypto';

/**
 * Raw 32-byte Ed25519 / X25519 keys <-> node:crypto KeyObjects. Keys travel as raw bytes everywhere in
 * this project (contracts store them as uint256); these fixed DER prefixes wrap them for OpenSSL.
 */
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');

function need32(b: Uint8Array, what: string): Buffer {
    if (b.length !== 32) throw new Error(`${what} must be 32 bytes, got ${b.length}`);
    return Buffer.from(b);
}

export function ed25519PublicKey(raw: Uint8Array): KeyObject {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI, need32(raw, 'Ed25519 public key')]), format: 'der', type: 'spki' });
}
export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
    return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, need32(seed, 'Ed25519 seed')]), format: 'der', type: 'pkcs8' });
}
export function x25519PublicKey(raw: Uint8Array): KeyObject {
    return createPublicKey({ key: Buffer.concat([X25519_SPKI, need32(raw, 'X25519 public key')]), format: 'der', type: 'spki' });
}
export function x25519PrivateKey(raw: Uint8Array): KeyObject {
    return createPrivateKey({ key: Buffer.concat([X25519_PKCS8, need32(raw, 'X25519 private key')]), format: 'der', type: 'pkcs8' });
}

/** Raw public key bytes of an Ed25519 or X25519 KeyObject, public or private (last 32 bytes of the SPKI). */
export function rawPublicKey(key: KeyObject): Buffer {
    const pub = key.type === 'private' ? createPublicKey(key) : key;
    const spki = pub.export({ format: 'der', type: 'spki' });
    return Buffer.from(spki.subarray(spki.length - 32));
}
/** Raw private key bytes (seed for Ed25519, scalar for X25519): the last 32 bytes of its PKCS#8. */
export function rawPrivateKey(key: KeyObject): Buffer {
    const der = key.export({ format: 'der', type: 'pkcs8' });
    return Buffer.from(der.subarray(der.length - 32));
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

export function ed25519Sign(seed: Uint8Array | KeyObject, message: Uint8Array): Buffer {
    return nodeSign(null, message, seed instanceof KeyObject ? seed : ed25519PrivateKey(seed));
}
export function ed25519Verify(publicKey: Uint8Array | KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== 64) return false;
    try {
        return nodeVerify(null, message, publicKey instanceof KeyObject ? publicKey : ed25519PublicKey(publicKey), signature);
    } catch {
        return false;
    }
}
