/**
 * Every refusal and failure the worker reports, as a string-literal code with its HTTP status in one table.
 * Before the stream starts the worker answers a JSON error with that status; after the stream started, the
 * same code travels inside the sealed error trailer (frames.ts) and `status` says what the HTTP status would
 * have been, so the relay maps both the same way.
 */
import { z } from 'zod';

export const WIRE_ERROR_STATUS = {
    // The envelope or its transport.
    bad_envelope: 400, //            broken framing: magic, version, lengths, job address, sealed part
    wrong_network: 400, //           the envelope or voucher names another network global id
    unsupported_media_type: 415, //  content-type is not the one for this path
    payload_too_large: 413, //       body above the advertised limit
    request_timeout: 408, //         the client did not send its body in time (slow client)
    not_found: 404, //               unknown path
    method_not_allowed: 405,
    bad_nonce: 400, //               freshness nonce missing or not 64 hex digits
    bad_http: 400, //                the HTTP request itself does not parse (request line, headers, framing, URL)
    headers_too_large: 431, //       the request head is above the server's header limit
    // The job.
    job_not_found: 404, //           no such job account on-chain
    job_not_open: 409, //            the job exists but is not active (pending, closing, settled)
    job_wrong_worker: 403, //        the job is open for another worker account, or with other keys
    job_busy: 409, //                a request of this job is being served; seqnos are served one at a time
    seqno_replayed: 409, //          this seqno was served already; the error carries the stored receipt
    seqno_gap: 409, //               not the job's next seqno (expected in `expected`)
    // Money.
    bad_voucher: 400, //             does not parse, wrong job, the signature is not the job's client key, or the head is not one of the worker's chain
    voucher_backwards: 409, //       lower than a voucher the worker already holds
    insufficient_deposit: 402, //    the deposit left cannot cover even one completion token
    credit_exceeded: 402, //         unpaid receipts would pass the advertised credit limit; send a voucher
    // The request inside.
    cannot_decrypt: 400, //          the sealed request does not open for this job, seqno and worker
    bad_inner_request: 400, //       the decrypted request is not kind ‖ JSON object
    engine_refused: 400, //          the engine refused the request (status in the error; sealed, never plain)
    // The worker and its engine.
    engine_unavailable: 503, //      the engine did not answer; nothing was served (a relay may fail over)
    engine_failed: 502, //           the engine failed mid-stream
    usage_out_of_bounds: 502, //     the engine's token counts broke the bounds: nothing is signed
    chain_unavailable: 503, //       the job could not be read from the chain
    not_ready: 503, //               booting or shutting down
    internal: 500,
} as const;

export type WireErrorCode = keyof typeof WIRE_ERROR_STATUS;

export const WIRE_ERROR_CODES = Object.keys(WIRE_ERROR_STATUS) as WireErrorCode[];

export function statusOf(code: WireErrorCode): number {
    return WIRE_ERROR_STATUS[code];
}

/** Extra fields some codes carry. */
export interface WireErrorDetails {
    /** seqno_replayed: base64 BoC of the stored signed_receipt cell (payloads.buildSignedReceiptCell). */
    receipt?: string;
    /** seqno_gap: the seqno the worker expects next. */
    expected?: number;
    /** engine_refused: the engine's own status, type and param (never its message in plain text). */
    engineStatus?: number;
    engineType?: string;
    engineParam?: string | null;
    /** Whether the same request may go to another worker (nothing was served, nothing was signed). */
    retryable?: boolean;
}

export class WireError extends Error {
    readonly status: number;
    constructor(
        readonly code: WireErrorCode,
        message: string,
        readonly details: WireErrorDetails = {},
    ) {
        super(message);
        this.name = 'WireError';
        this.status = statusOf(code);
    }

    toJSON(): WireErrorBody {
        return { error: { code: this.code, message: this.message, status: this.status, ...this.details } };
    }
}

const codeSchema = z.enum(WIRE_ERROR_CODES as [WireErrorCode, ...WireErrorCode[]]);

export const wireErrorBodySchema = z.object({
    error: z.object({
        code: codeSchema,
        message: z.string(),
        status: z.number().int(),
        receipt: z.string().optional(),
        expected: z.number().int().optional(),
        engineStatus: z.number().int().optional(),
        engineType: z.string().optional(),
        engineParam: z.string().nullable().optional(),
        retryable: z.boolean().optional(),
    }),
});

/** The JSON body of an error: `{"error":{"code","message","status",...details}}`. */
export type WireErrorBody = z.infer<typeof wireErrorBodySchema>;

/** Parses a JSON error body (the relay's side); throws a WireError('internal') when it is not one. */
export function parseWireErrorBody(text: string): WireError {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        return new WireError('internal', `worker answered a non-JSON error: ${text.slice(0, 200)}`);
    }
    const r = wireErrorBodySchema.safeParse(json);
    if (!r.success) return new WireError('internal', `worker answered an unknown error shape: ${text.slice(0, 200)}`);
    const { code, message, status: _status, ...details } = r.data.error;
    void _status;
    return new WireError(code, message, details);
}
