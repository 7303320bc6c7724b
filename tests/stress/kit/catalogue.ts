/**
 * A bad-input catalogue is data: one row per hostile input, with what is sent, the status and JSON error code
 * the actor must answer. The spec runs every row over real HTTP on 127.0.0.1 and, after every row, checks that
 * the process still serves a good request. Rows are grouped by the surface they attack.
 */
import type { RawAnswer } from './rawHttp';

export interface Expected {
    status: number;
    /** The JSON error code (`error.code`) of the answer, or of the sealed / SSE error that ends a 200 stream. */
    code: string;
    /** Where the code travels: the JSON body of the answer (default), a sealed error trailer, or an SSE error event. */
    in?: 'body' | 'trailer' | 'sse';
}

export interface BadInput<Ctx> {
    name: string;
    /** What is sent, in words (printed in the summary). */
    sends: string;
    expect: Expected;
    send(ctx: Ctx): Promise<Outcome>;
}

/** What an entry observed: the status and the error code wherever it travelled. */
export interface Outcome {
    status: number;
    code: string | null;
    /** Anything useful when the row fails (the raw body, the reason). */
    detail?: string;
}

/** The error code of a JSON error body in either shape ({"error":{"code"}}), or null. */
export function codeOf(json: unknown): string | null {
    const e = (json as { error?: { code?: unknown } } | null)?.error;
    return e && typeof e.code === 'string' ? e.code : null;
}

export function outcomeOf(a: RawAnswer): Outcome {
    return { status: a.status, code: codeOf(a.json), detail: a.timedOut ? 'no answer before the client gave up' : a.body.subarray(0, 300).toString('utf8') };
}

export interface Row {
    name: string;
    sends: string;
    expected: string;
    got: string;
    ok: boolean;
    served: boolean;
}

export function rowOf(e: BadInput<unknown>, o: Outcome | null, served: boolean, error?: string): Row {
    const exp = `${e.expect.status} ${e.expect.code}`;
    const got = o ? `${o.status} ${o.code ?? '(no JSON code)'}` : `threw: ${error ?? '?'}`;
    return { name: e.name, sends: e.sends, expected: exp, got, ok: !!o && o.status === e.expect.status && o.code === e.expect.code && served, served };
}
