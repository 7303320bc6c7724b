/**
 * The one place the worker signs and verifies payloads. Today the codec (wrappers/payloads.ts) signs; the
 * Ed25519-on-node:crypto refactor moves these functions to actors/crypto/payloads.ts with the same
 * signatures, and only these imports change.
 */
export { signReceipt, verifyReceipt, verifyVoucher } from '../../../wrappers/payloads';
