/**
 * Every error the relay answers, as one string-literal code mapped in ONE table to its HTTP status and the
 * OpenAI error `type`, plus whether the openai SDK may retry it (`x-should-retry`). The SDK retries 408, 409,
 * 429 and 5xx without an idempotency key, so `retry: false` marks every error after which a repeat could be
 * billed twice or cannot help.
 */
export type RelayErrorCode =
    | 'invalid_json'
    | 'invalid_request'
    | 'unknown_model'
    | 'payload_too_large'
    | 'unsupported_media_type'
    | 'invalid_api_key'
    | 'spending_cap_reached'
    | 'not_found'
    | 'method_not_allowed'
    | 'no_worker_available'
    | 'worker_failed'
    | 'receipt_rejected'
    | 'payment_failed'
    | 'job_openings_paused'
    | 'chain_refused'
    | 'request_timeout'
    | 'bad_http'
    | 'headers_too_large'
    | 'client_timeout'
    | 'internal';

interface ErrorRow {
    status: number;
    type: string;
    retry: boolean;
}

export const RELAY_ERRORS: Record<RelayErrorCode, ErrorRow> = {
    invalid_json: { status: 400, type: 'invalid_request_error', retry: false },
    invalid_request: { status: 400, type: 'invalid_request_error', retry: false },
    unknown_model: { status: 404, type: 'invalid_request_error', retry: false },
    payload_too_large: { status: 413, type: 'invalid_request_error', retry: false },
    unsupported_media_type: { status: 415, type: 'invalid_request_error', retry: false },
    invalid_api_key: { status: 401, type: 'authentication_error', retry: false },
    spending_cap_reached: { status: 429, type: 'insufficient_quota', retry: false },
    not_found: { status: 404, type: 'invalid_request_error', retry: false },
    method_not_allowed: { status: 405, type: 'invalid_request_error', retry: false },
    // the HTTP request itself does not parse, its head is too large, or the client sent it too slowly
    bad_http: { status: 400, type: 'invalid_request_error', retry: false },
    headers_too_large: { status: 431, type: 'invalid_request_error', retry: false },
    client_timeout: { status: 408, type: 'invalid_request_error', retry: false },
    // nothing was served or billed: a retry may find a worker
    no_worker_available: { status: 503, type: 'server_error', retry: true },
    // something may have been served and billed: never let the SDK repeat it blindly
    worker_failed: { status: 502, type: 'server_error', retry: false },
    receipt_rejected: { status: 502, type: 'server_error', retry: false },
    payment_failed: { status: 503, type: 'server_error', retry: false },
    // the root refuses every open_job for now (paused, library unpaid): nothing was spent on this request
    job_openings_paused: { status: 503, type: 'server_error', retry: true },
    chain_refused: { status: 503, type: 'server_error', retry: true },
    request_timeout: { status: 504, type: 'server_error', retry: false },
    internal: { status: 500, type: 'server_error', retry: false },
};

export class RelayError extends Error {
    readonly status: number;
    readonly type: string;
    readonly retry: boolean;

    constructor(
        readonly code: RelayErrorCode,
        message: string,
        readonly param: string | null = null,
    ) {
        super(message);
        this.name = 'RelayError';
        const row = RELAY_ERRORS[code];
        this.status = row.status;
        this.type = row.type;
        this.retry = row.retry;
    }

    /** The OpenAI error body: {"error":{message,type,param,code}}. */
    toBody(): { error: { message: string; type: string; param: string | null; code: string } } {
        return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
    }
}

export function asRelayError(e: unknown): RelayError {
    if (e instanceof RelayError) return e;
    return new RelayError('internal', `internal error: ${(e as Error)?.message ?? String(e)}`);
}
