/**
 * The one HTTP transport of the chain layer: toncenter v2 JSON-RPC over fetch, with every failure classified
 * into a ChainError (the retry loop repeats only `unavailable` and `rate_limited`). TonClient runs on it too,
 * through an axios adapter, so its calls fail the same typed way.
 */
import { z } from 'zod';
import { ChainError } from '../types';
import { Slots } from './slots';

const envelope = z.object({
    ok: z.boolean(),
    result: z.unknown().optional(),
    error: z.string().optional(),
    code: z.number().optional(),
});

export type Envelope = z.infer<typeof envelope>;

export interface TransportOptions {
    endpoint: string;
    apiKey?: string;
    /** Per request, counted from when it goes out (not while it waits for a slot). */
    timeoutMs?: number;
    /**
     * Requests in flight to the endpoint at once (32 by default); more wait their turn. Without a bound, a relay
     * opening hundreds of jobs at once polled each trace on its own connection, and a local chain server under
     * that storm stopped accepting connections for seconds.
     */
    maxInFlight?: number;
}

export const DEFAULT_MAX_IN_FLIGHT = 32;

/** The node refused a message (toncenter's wording for an external that was not accepted). */
const REJECTED = /cannot apply external message|external message was not accepted|not accepted/i;

export class JsonRpcTransport {
    private readonly slots: Slots;

    constructor(private readonly o: TransportOptions) {
        this.slots = new Slots(o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    }

    get endpoint(): string {
        return this.o.endpoint;
    }

    /** POSTs a JSON-RPC body; resolves to the envelope of a successful answer, throws a ChainError otherwise. */
    async post(body: string, url = this.o.endpoint): Promise<Envelope> {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (this.o.apiKey) headers['x-api-key'] = this.o.apiKey;
        // the slot is held until the body is read: the connection is busy until then
        const { res, text } = await this.slots.run(async () => {
            let answer: Response;
            try {
                answer = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000) });
            } catch (e) {
                const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
                throw new ChainError('unavailable', `${url}: ${why}`, { cause: e });
            }
            return { res: answer, text: await answer.text().catch(() => '') };
        });
        if (res.status === 429) {
            throw new ChainError('rate_limited', `${url}: rate limited`, { retryAfterMs: retryAfterMs(res.headers.get('retry-after')) });
        }
        let parsed: Envelope | undefined;
        try {
            const r = envelope.safeParse(JSON.parse(text));
            parsed = r.success ? r.data : undefined;
        } catch {
            parsed = undefined;
        }
        if (!parsed) {
            if (res.status >= 500 || res.status === 408) throw new ChainError('unavailable', `${url}: HTTP ${res.status}`);
            throw new ChainError('bad_response', `${url}: HTTP ${res.status}, not a JSON-RPC answer: ${text.slice(0, 120)}`);
        }
        if (res.status === 200 && parsed.ok) return parsed;
        const error = parsed.error ?? `HTTP ${res.status}`;
        if (REJECTED.test(error)) throw new ChainError('rejected', error);
        if (parsed.code === 429) throw new ChainError('rate_limited', error, { retryAfterMs: retryAfterMs(res.headers.get('retry-after')) });
        if (res.status >= 500 || res.status === 408) throw new ChainError('unavailable', error);
        if (res.status === 404) throw new ChainError('not_found', error);
        throw new ChainError('rejected', error);
    }

    /** Calls one method; `parse` validates the result (a failure is a bad response). */
    async call<T>(method: string, params: Record<string, unknown>, parse: z.ZodType<T>): Promise<T> {
        const answer = await this.post(JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }));
        const r = parse.safeParse(answer.result);
        if (!r.success) throw new ChainError('bad_response', `${method}: unexpected result: ${r.error.message.slice(0, 200)}`);
        return r.data;
    }
}

/** Retry-After in seconds or as an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null): number {
    if (!header) return 1_000;
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(header);
    return Number.isFinite(date) ? Math.max(0, date - Date.now()) : 1_000;
}
