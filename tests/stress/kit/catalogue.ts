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

/**
 * Sends one catalogue entry, then checks the actor still serves a good request; records the row and asserts
 * the expected status and code (printing what came back when it differs, or always with STRESS_SHOW_ALL).
 */
export async function runEntry<Ctx>(entry: BadInput<Ctx>, ctx: Ctx, servesGood: () => Promise<boolean>, rows: Row[]): Promise<void> {
    let outcome: Outcome | null = null;
    let error: string | undefined;
    try {
        outcome = await entry.send(ctx);
    } catch (e) {
        error = (e as Error).message;
    }
    const served = await servesGood();
    rows.push(rowOf(entry as BadInput<unknown>, outcome, served, error));
    if (process.env.STRESS_SHOW_ALL || outcome?.status !== entry.expect.status || outcome?.code !== entry.expect.code) {
        // eslint-disable-next-line no-console
        console.log(`${entry.name}: got ${outcome?.status} ${outcome?.code}: ${outcome?.detail ?? error}`);
    }
    expect({ status: outcome?.status, code: outcome?.code, error }).toEqual({ status: entry.expect.status, code: entry.expect.code, error: undefined });
    expect(served).toBe(true);
}
