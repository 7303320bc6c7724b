/**
 * JSON documents of GET /v1/attestation and GET /v1/freshness. Binary values are lowercase hex (keys,
 * hashes) or base64 (the quote); amounts are decimal strings of nanoton (JSON numbers lose precision).
 * The relay parses them with these schemas, then verifies everything itself (quote, REPORTDATA, on-chain
 * keys and allowlists): nothing in the document is trusted because the worker said it.
 */
import { z } from 'zod';

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as lowercase hex`);
const nano = z.string().regex(/^\d{1,40}$/, 'nanoton as a decimal string');
const rawAddress = z.string().regex(/^-?\d+:[0-9a-f]{64}$/, 'raw address <wc>:<64 hex>');

export const pricesSchema = z.object({ prompt: nano, cached: nano, completion: nano, reasoning: nano });

export const attestationDocSchema = z.object({
    /** Wire version (constants.WIRE_VERSION). */
    wireVersion: z.number().int(),
    /** e.g. "cocoon-ton-worker/0.1.0". */
    software: z.string(),
    /** "tdx" or "simulated"; simulated is also in `simulated` and in a header of every answer. */
    quoteProvider: z.enum(['tdx', 'simulated']),
    simulated: z.boolean(),
    /** The DCAP quote, base64; its REPORTDATA = SHA-512("cocoon-ton:rpt:1" ‖ receiptKey ‖ encKey). */
    quote: z.string(),
    /** SHA-256 of the quote's declared bytes (actors/tee Verdict.quoteHash), hex. */
    quoteHash: hex(32),
    /** dcap-qvl QuoteCollateralV3 JSON when the worker has it; null otherwise (the relay may fetch its own). */
    collateral: z.unknown().nullable(),
    imageHash: hex(32),
    receiptKey: hex(32),
    encKey: hex(32),
    /** The worker account (raw form) and the root it belongs to. */
    workerAccount: rawAddress,
    root: rawAddress,
    /** Network global id (ConfigParam 19). */
    globalId: z.number().int(),
    model: z.object({ id: z.string(), hash: hex(32) }),
    /** The worker's prices, nanoton per million tokens (a job uses the prices agreed on-chain at acceptance). */
    prices: pricesSchema,
    /** Most nanoton the worker serves ahead of the best voucher it holds, per job. */
    creditLimit: nano,
    /** Largest request envelope accepted, bytes. */
    maxRequestBytes: z.number().int().positive(),
    /** Padding buckets of the response stream (frames.BUCKETS). */
    buckets: z.array(z.number().int().positive()),
});
export type AttestationDoc = z.infer<typeof attestationDocSchema>;

export const freshnessProofSchema = z.object({
    nonce: hex(32),
    quoteHash: hex(32),
    receiptKey: hex(32),
    /** Ed25519 by receiptKey over "frsh" ‖ nonce ‖ quoteHash (actors/tee binding.ts). */
    signature: hex(64),
});
export type FreshnessProof = z.infer<typeof freshnessProofSchema>;

/** The answer to an accepted voucher envelope. */
export const voucherAckSchema = z.object({
    job: rawAddress,
    /** The best (highest) voucher amount the worker now holds for the job. */
    best: nano,
    /** Whether this voucher became the best one. */
    accepted: z.boolean(),
});
export type VoucherAck = z.infer<typeof voucherAckSchema>;
