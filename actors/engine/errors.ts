/**
 * Engine errors: what vLLM answered (its two error shapes) or what went wrong on the way (unreachable,
 * timeout, truncated stream, a usage that breaks the bounds). One class, one code union, one status table.
 */
import type { EngineErrorInfo } from './types';

/** Error types this client produces itself (vLLM's own types, e.g. BadRequestError, pass through as they are). */
export type EngineLocalErrorType =
    | 'InvalidRequest'
    | 'EngineUnreachable'
    | 'EngineTimeout'
    | 'EngineProtocolError'
    | 'EngineStreamTruncated'
    | 'InvalidUsage'
    | 'ClientAborted';

export const LOCAL_ERROR_STATUS: Record<EngineLocalErrorType, number> = {
    InvalidRequest: 400,
    EngineUnreachable: 502,
    EngineTimeout: 504,
    EngineProtocolError: 502,
    EngineStreamTruncated: 502,
    InvalidUsage: 502,
    // nginx's "client closed request": nobody is left to read the status, it only labels the outcome.
    ClientAborted: 499,
};

export function localError(type: EngineLocalErrorType, message: string, param: string | null = null): EngineErrorInfo {
    return { status: LOCAL_ERROR_STATUS[type], type, message, param };
}

export class EngineError extends Error {
    constructor(readonly info: EngineErrorInfo) {
        super(`${info.type} (${info.status}): ${info.message}`);
        this.name = 'EngineError';
    }
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads vLLM's error payloads: the current nested `{"error":{message,type,param,code}}` and the old flat
 * `{"object":"error",message,type,param,code}`. Returns null when `payload` is neither.
 * `fallbackStatus` is the HTTP status (mid-stream errors have none but their `code`).
 */
export function parseEngineError(payload: unknown, fallbackStatus: number): EngineErrorInfo | null {
    if (!isRecord(payload)) return null;
    let e: Record<string, unknown> | null = null;
    if (isRecord(payload.error)) e = payload.error;
    else if (payload.object === 'error' && typeof payload.message === 'string') e = payload;
    if (e === null) return null;
    const code = typeof e.code === 'number' && Number.isInteger(e.code) && e.code >= 400 && e.code <= 599 ? e.code : fallbackStatus;
    return {
        status: code,
        type: typeof e.type === 'string' ? e.type : 'EngineError',
        message: typeof e.message === 'string' ? e.message : JSON.stringify(e.message ?? null),
        param: typeof e.param === 'string' ? e.param : null,
    };
}

/** The error for a non-200 answer: the parsed body when it is one of vLLM's shapes, else the status alone. */
export function errorFromResponse(status: number, body: Buffer): EngineErrorInfo {
    let parsed: unknown = null;
    try {
        parsed = JSON.parse(body.toString('utf8'));
    } catch {
        // not JSON (e.g. 503 from /health has an empty body): fall through
    }
    return (
        parseEngineError(parsed, status) ?? {
            status,
            type: status >= 500 ? 'InternalServerError' : 'EngineError',
            message: body.length > 0 ? body.toString('utf8').slice(0, 500) : `engine answered HTTP ${status}`,
            param: null,
        }
    );
}
