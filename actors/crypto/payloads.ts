/**
 * Signing and verifying the protocol's signed payloads (vouchers, receipts) with the project's one Ed25519
 * implementation (node:crypto, `./keys`).
 *
 * Why here and not in `wrappers/payloads.ts`: the codec depends on @ton/core only and the actors depend on the
 * codec, never the reverse. So the codec builds, parses and names the bytes to sign (`hashToSign`), and this
 * module signs them; tests, the test kit, the benchmarks and the worker/relay all sign through it.
 */
import { Cell } from '@ton/core';
import { KeyObject } from 'crypto';
import {
    buildReceiptCell,
    buildVoucherCell,
    hashToSign,
    PayloadError,
    Receipt,
    SignedCell,
    SignedReceipt,
    SignedVoucher,
    Voucher,
} from '../../wrappers/payloads';
import { ed25519Sign, ed25519Verify } from './keys';

/**
 * An Ed25519 signing key: a 32-byte seed, a 64-byte secret key in the seed || public key form that TON tools
 * (@ton/crypto's keyPairFromSeed) produce, or an imported node:crypto KeyObject.
 */
export type Ed25519SigningKey = Uint8Array | KeyObject;

function seedOf(key: Ed25519SigningKey): Uint8Array | KeyObject {
    if (key instanceof KeyObject) return key;
    if (key.length === 64) return key.subarray(0, 32);
    if (key.length === 32) return key;
    throw new RangeError(`an Ed25519 secret key is 32 or 64 bytes, got ${key.length}`);
}

/** Signs a payload cell over its hash. */
export function signCell(cell: Cell, secretKey: Ed25519SigningKey): SignedCell {
    return { cell, signature: ed25519Sign(seedOf(secretKey), hashToSign(cell)) };
}

/** true if `signed.signature` is `publicKey`'s signature over the cell hash. */
export function verifySignedCell(signed: SignedCell, publicKey: Uint8Array | KeyObject): boolean {
    return ed25519Verify(publicKey, hashToSign(signed.cell), signed.signature);
}

/** Signs a voucher with the client's voucher key. `tag` exists only to build deliberately wrong payloads in tests. */
export function signVoucher(voucher: Voucher, secretKey: Ed25519SigningKey, opts: { tag?: number } = {}): SignedVoucher {
    return { voucher, ...signCell(buildVoucherCell(voucher, opts), secretKey) };
}

export function verifyVoucher(signed: SignedCell, publicKey: Uint8Array | KeyObject): boolean {
    return verifySignedCell(signed, publicKey);
}

/**
 * The worker's consent to settle at once on a final voucher: its receipt key's signature over the same voucher
 * cell hash (the voucher tag keeps it from ever reading as a receipt). Sent with `settleJobBody`.
 */
export function countersignVoucher(signed: SignedVoucher, receiptSecretKey: Ed25519SigningKey): Buffer {
    if (!signed.voucher.final) throw new PayloadError('only a final voucher can be countersigned');
    return signCell(signed.cell, receiptSecretKey).signature;
}

/** Signs a receipt with the worker's receipt key (in production, inside the TEE). */
export function signReceipt(receipt: Receipt, secretKey: Ed25519SigningKey, opts: { tag?: number } = {}): SignedReceipt {
    return { receipt, ...signCell(buildReceiptCell(receipt, opts), secretKey) };
}

export function verifyReceipt(signed: SignedCell, publicKey: Uint8Array | KeyObject): boolean {
    return verifySignedCell(signed, publicKey);
}
