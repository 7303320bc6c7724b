/** Deterministic key material for tests and the demo: Ed25519 receipt/voucher keys, X25519 encryption keys. */
import { Ed25519KeyPair, ed25519FromSeed } from '../../actors/crypto/keys';
import { createHash, createPrivateKey, createPublicKey } from 'crypto';
import { Bytes32 } from '../common';

export interface X25519KeyPair {
    publicKey: Buffer;
    secretKey: Buffer;
}

function seedFor(label: string): Buffer {
    return createHash('sha256').update(`cocoon-ton testkit ${label}`).digest();
}

/** An Ed25519 key pair derived from a label, the same in every run. */
export function ed25519FromLabel(label: string): Ed25519KeyPair {
    return ed25519FromSeed(seedFor(label));
}

// PKCS#8 prefix of an X25519 private key (RFC 8410): the raw 32-byte key follows it.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** An X25519 key pair derived from a label. */
export function x25519FromLabel(label: string): X25519KeyPair {
    const secretKey = seedFor(`x25519 ${label}`);
    const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    return { publicKey: Buffer.from(spki.subarray(spki.length - 32)), secretKey };
}

/** A 256-bit hash of a label (image and model hashes in tests). */
export function hashOf(label: string): Bytes32 {
    return createHash('sha256').update(label).digest();
}
