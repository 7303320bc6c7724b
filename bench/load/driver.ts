/**
 * The load client: N concurrent streaming chat requests over raw fetch, SSE parsed with eventsource-parser,
 * for a bounded time and a bounded count. Every stream must end with a finish_reason, a usage chunk and
 * `[DONE]`; anything else (a status other than 200, an `error` payload, a cut stream, a timeout) is an error.
 * Records time to first token (first content chunk), the gap between consecutive content chunks, completion
 * tokens from the usage chunk, and the throughput.
 */
import { createParser } from 'eventsource-parser';

export interface LoadTarget {
    /** Base URL without /v1 (the engine itself, or the relay). */
    baseUrl: string;
    model: string;
    apiKey?: string;
}

export interface LoadOptions {
    concurrency: number;
    /** Stop issuing new requests after this long (requests in flight finish). */
    seconds: number;
    /** Stop issuing after this many requests in total. */
    maxRequests: number;
    maxTokens: number;
    seed: number;
    /** Abort a single request after this long (it counts as an error). */
    requestTimeoutMs?: number;
}

export interface LoadResult {
    requests: number;
    completed: number;
    errors: number;
    /** The first few error messages, for the report. */
    errorSamples: string[];
    wallMs: number;
    completionTokens: number;
    ttftMs: number[];
    gapMs: number[];
    /** Whole request, from sending it to the stream's end, of each completed request. */
    e2eMs: number[];
}

/** mulberry32: a small seeded PRNG, so a seed gives the same prompts on every run. */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const TOPICS = ['the weather', 'a river', 'mountains', 'the sea', 'a city at night', 'bread', 'trains', 'the moon', 'a library', 'winter'];

function prompt(rand: () => number, i: number): string {
    return `request ${i}: write a few words about ${TOPICS[Math.floor(rand() * TOPICS.length)]} and ${TOPICS[Math.floor(rand() * TOPICS.length)]}`;
}

interface One {
    ok: boolean;
    error?: string;
    ttft: number;
    gaps: number[];
    completionTokens: number;
    /** From sending the request to the end of its stream. */
    e2e?: number;
}

async function oneStream(t: LoadTarget, content: string, maxTokens: number, timeoutMs: number): Promise<One> {
    const t0 = performance.now();
    const gaps: number[] = [];
    let ttft = -1;
    let last = 0;
    let done = false;
    let finished = false;
    let usage: number | null = null;
    let failure: string | null = null;
    try {
        const res = await fetch(`${t.baseUrl}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(t.apiKey ? { authorization: `Bearer ${t.apiKey}` } : {}) },
            body: JSON.stringify({ model: t.model, messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true }, max_tokens: maxTokens }),
            signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.status !== 200) return { ok: false, error: `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`, ttft, gaps, completionTokens: 0 };
        const parser = createParser({
            onEvent(ev) {
                if (done) return;
                if (ev.data === '[DONE]') {
                    done = true;
                    return;
                }
                const j = JSON.parse(ev.data) as { error?: { message?: string }; choices?: { delta?: { content?: string }; finish_reason?: string | null }[]; usage?: { completion_tokens?: number } | null };
                if (j.error) failure ??= `stream error: ${j.error.message ?? JSON.stringify(j.error)}`;
                if (j.usage && typeof j.usage.completion_tokens === 'number') usage = j.usage.completion_tokens;
                const c = j.choices?.[0];
                if (c?.finish_reason) finished = true;
                if (c?.delta?.content) {
                    const now = performance.now();
                    if (ttft < 0) ttft = now - t0;
                    else gaps.push(now - last);
                    last = now;
                }
            },
        });
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch (e) {
        return { ok: false, error: (e as Error).message, ttft, gaps, completionTokens: 0 };
    }
    if (failure) return { ok: false, error: failure, ttft, gaps, completionTokens: 0 };
    if (!done || !finished || usage === null || ttft < 0) return { ok: false, error: `incomplete stream (done ${done}, finish_reason ${finished}, usage ${usage}, content ${ttft >= 0})`, ttft, gaps, completionTokens: 0 };
    return { ok: true, ttft, gaps, completionTokens: usage, e2e: performance.now() - t0 };
}

export async function runLoad(target: LoadTarget, o: LoadOptions): Promise<LoadResult> {
    const rand = prng(o.seed);
    const r: LoadResult = { requests: 0, completed: 0, errors: 0, errorSamples: [], wallMs: 0, completionTokens: 0, ttftMs: [], gapMs: [], e2eMs: [] };
    const t0 = performance.now();
    const deadline = t0 + o.seconds * 1000;
    await Promise.all(
        Array.from({ length: o.concurrency }, async () => {
            while (performance.now() < deadline && r.requests < o.maxRequests) {
                const i = r.requests++;
                const one = await oneStream(target, prompt(rand, i), o.maxTokens, o.requestTimeoutMs ?? 60_000);
                if (one.ok) {
                    r.completed++;
                    r.completionTokens += one.completionTokens;
                    r.ttftMs.push(one.ttft);
                    r.e2eMs.push(one.e2e ?? NaN);
                    for (const g of one.gaps) r.gapMs.push(g);
                } else {
                    r.errors++;
                    if (r.errorSamples.length < 5) r.errorSamples.push(one.error ?? 'unknown');
                }
            }
        }),
    );
    r.wallMs = performance.now() - t0;
    return r;
}

export function percentile(xs: number[], p: number): number {
    if (xs.length === 0) return NaN;
    const s = Float64Array.from(xs).sort();
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
