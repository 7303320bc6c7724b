/**
 * OpenAI answer shapes built from what the worker streamed: the engine's own chunks pass through, its usage
 * is replaced by the counts of the worker's signed receipt plus the cost in TON, and the framing is what
 * OpenAI clients expect (`data: <json>\n\n`, usage on a `choices: []` chunk only when
 * `stream_options.include_usage`, then `data: [DONE]`; a mid-stream error is a `data: {"error":…}` event).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Receipt } from '../../../wrappers/payloads';

export interface RelayUsage {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    prompt_tokens_details: { cached_tokens: number };
    completion_tokens_details: { reasoning_tokens: number };
    /** Extra fields: the cost of this request from the signed receipt. */
    cost_ton: string;
    cost_nanoton: string;
    /** Which job and seqno the receipt belongs to (to look it up in the relay's records). */
    receipt: { job: string; seqno: number; cumulative_nanoton: string };
}

export function formatTon(nano: bigint): string {
    const neg = nano < 0n;
    const s = (neg ? -nano : nano).toString().padStart(10, '0');
    const frac = s.slice(-9).replace(/0+$/, '');
    return `${neg ? '-' : ''}${s.slice(0, -9)}${frac ? '.' + frac : ''}`;
}

export function usageOf(r: Receipt): RelayUsage {
    const t = r.tokens;
    return {
        prompt_tokens: t.prompt,
        completion_tokens: t.completion,
        total_tokens: t.prompt + t.completion,
        prompt_tokens_details: { cached_tokens: t.cached },
        completion_tokens_details: { reasoning_tokens: t.reasoning },
        cost_ton: formatTon(r.cost),
        cost_nanoton: r.cost.toString(),
        receipt: { job: r.job.toRawString(), seqno: r.seqno, cumulative_nanoton: r.cumulative.toString() },
    };
}

export function sseEvent(json: unknown): string {
    return `data: ${JSON.stringify(json)}\n\n`;
}
export const SSE_DONE = 'data: [DONE]\n\n';

/**
 * Reads the engine's SSE bytes (as forwarded by the worker) and yields the events to pass on: chunks with
 * choices, without the engine's running usage; the engine's usage chunk and [DONE] are held back (the relay
 * writes them from the receipt).
 */
export class SseRewriter {
    private readonly parser;
    private out: string[] = [];
    /** id/created/model/object of the last chunk (the usage chunk reuses them). */
    last: { id?: unknown; created?: unknown; model?: unknown; object?: unknown } = {};
    /** An error event of the engine (forwarded as is). */
    engineError: unknown = null;
    readonly extra: Record<string, unknown>;

    constructor(extra: Record<string, unknown>) {
        this.extra = extra;
        this.parser = createParser({ onEvent: (e) => this.onEvent(e) });
    }

    push(bytes: Buffer): string[] {
        this.parser.feed(bytes.toString('utf8'));
        const o = this.out;
        this.out = [];
        return o;
    }

    private onEvent(e: EventSourceMessage): void {
        if (e.data === '[DONE]') return;
        let j: Record<string, unknown>;
        try {
            j = JSON.parse(e.data) as Record<string, unknown>;
        } catch {
            return;
        }
        if ('error' in j) {
            this.engineError = j.error;
            return;
        }
        this.last = { id: j.id, created: j.created, model: j.model, object: j.object };
        const choices = j.choices;
        if (Array.isArray(choices) && choices.length === 0) return; // the engine's usage chunk
        delete j.usage;
        this.out.push(sseEvent({ ...j, ...this.extra }));
    }

    usageChunk(u: RelayUsage): string {
        return sseEvent({ ...this.last, choices: [], usage: u, ...this.extra });
    }
}
