/**
 * What the worker and its client (the relay) agree on besides the byte layouts: HTTP paths, headers, media
 * types, the protocol version and the size limits. docs/wire.md is the normative description.
 */

/** Version byte of every binary body (request envelope, voucher envelope). Bumped on any layout change. */
export const WIRE_VERSION = 1;

export const Paths = {
    /** GET: the worker's attestation document (JSON, AttestationDoc). */
    attestation: '/v1/attestation',
    /** GET ?nonce=<64 hex>: the nonce signed by the attested receipt key (JSON, FreshnessProof). */
    freshness: '/v1/freshness',
    /** POST a request envelope (binary); the answer is a sealed frame stream or a JSON error. */
    requests: '/v1/requests',
    /** POST a voucher envelope (binary) outside a request, so the worker's credit frees up at once. */
    vouchers: '/v1/vouchers',
    /** GET: 200 {"ok":true,...} when the worker serves; 503 otherwise. */
    health: '/health',
    /** GET: Prometheus text format. */
    metrics: '/metrics',
} as const;

export const MediaTypes = {
    request: 'application/vnd.cocoon-ton.request',
    voucher: 'application/vnd.cocoon-ton.voucher',
    stream: 'application/vnd.cocoon-ton.stream',
    json: 'application/json',
} as const;

export const Headers = {
    /** On every worker answer: "tdx" or "simulated" (a simulated worker says so in every answer). */
    quoteProvider: 'x-cocoon-quote-provider',
    /** On every worker answer: the wire version the worker speaks. */
    wireVersion: 'x-cocoon-wire-version',
} as const;

/** Magic bytes of the binary bodies (ASCII). */
export const REQUEST_MAGIC = Buffer.from('CTRQ', 'ascii');
export const VOUCHER_MAGIC = Buffer.from('CTVC', 'ascii');

/** Default largest request envelope a worker accepts (the worker advertises its own in the attestation). */
export const DEFAULT_MAX_REQUEST_BYTES = 1 << 20;
/** Largest voucher BoC (a voucher is one small cell; a BoC of a few hundred bytes at most). */
export const MAX_VOUCHER_BOC_BYTES = 1024;
/** Largest signed-receipt BoC inside a trailer. */
export const MAX_RECEIPT_BOC_BYTES = 2048;
