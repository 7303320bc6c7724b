/** The one place the worker signs and verifies payloads: actors/crypto (node:crypto Ed25519) over the codec's cells. */
export { signReceipt, verifyReceipt, verifyVoucher } from '../../crypto/payloads';
