/**
 * The pure core of reading an engine answer, apart from HTTP so it can be tested on recorded bytes split at
 * every offset. `SseAnswer` turns the bytes of a `text/event-stream` body into the events to forward, and
 * tracks usage, finish_reason, mid-stream errors and `[DONE]`; `readJsonAnswer` does the same for one JSON body.
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import { StringDecoder } from 'node:string_decoder';
import { localError, parseEngineError } from './errors';
import type { EngineChunk, EngineErrorInfo, EngineUsage } from './types';
import { UsageTracker, type UsageBounds } from './usage';

export interface AnswerOutcome {
    usage: EngineUsage;
    finishReason: string | null;
    error: EngineErrorInfo | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The last non-null finish_reason among the choices of one chunk or body. */
function finishReasonOf(choices: unknown): string | null {
    let reason: string | null = null;
    if (Array.isArray(choices)) for (const c of choices) if (isRecord(c) && typeof c.finish_reason === 'string') reason = c.finish_reason;
    return reason;
}

export class SseAnswer {
    private readonly parser: EventSourceParser;
    private readonly decoder = new StringDecoder('utf8');
    private readonly usage: UsageTracker;
    private pending: EngineChunk[] = [];
    private finish: string | null = null;
    private engineError: EngineErrorInfo | null = null;
    private protocolError: EngineErrorInfo | null = null;
    /** `[DONE]` arrived: the answer is complete; anything after it is ignored. */
    done = false;

    constructor(bounds: UsageBounds) {
        this.usage = new UsageTracker(bounds);
        this.parser = createParser({ onEvent: (e) => this.onEvent(e) });
    }

    /** Feeds raw bytes; returns the events completed by them, re-framed as `data: <payload>\n\n` (vLLM's own framing). */
    feed(bytes: Buffer): EngineChunk[] {
        if (!this.done && !this.protocolError) this.parser.feed(this.decoder.write(bytes));
        const out = this.pending;
        this.pending = [];
        return out;
    }

    /** True once nothing more should be read (the answer ended or can't be trusted). */
    get finished(): boolean {
        return this.done || this.protocolError !== null;
    }

    private onEvent(e: EventSourceMessage): void {
        if (this.done || this.protocolError) return;
        if (e.data === '[DONE]') {
            this.done = true;
            this.pending.push({ bytes: Buffer.from('data: [DONE]\n\n', 'utf8') });
            return;
        }
        let payload: unknown;
        try {
            payload = JSON.parse(e.data);
        } catch {
            this.protocolError = localError('EngineProtocolError', `an SSE event is not JSON: ${e.data.slice(0, 80)}`);
            return;
        }
        const err = parseEngineError(payload, 500);
        if (err !== null || e.event === 'error') {
            // vLLM's mid-stream failure: `data: {"error":{…}}` then `[DONE]`. Forward it; keep the first one.
            this.engineError ??= err ?? localError('EngineProtocolError', 'an SSE error event without a parseable error');
            this.pending.push({ bytes: Buffer.from(`data: ${e.data}\n\n`, 'utf8') });
            return;
        }
        if (!isRecord(payload)) {
            this.protocolError = localError('EngineProtocolError', 'an SSE event is not a JSON object');
            return;
        }
        const choices = payload.choices;
        if (payload.usage !== undefined && payload.usage !== null) {
            // The final usage chunk has `choices: []`; continuous usage rides on every other chunk.
            this.usage.observe(payload.usage, Array.isArray(choices) && choices.length === 0);
        }
        this.finish = finishReasonOf(choices) ?? this.finish;
        this.pending.push({ bytes: Buffer.from(`data: ${e.data}\n\n`, 'utf8') });
    }

    /**
     * The outcome once the body ended (or was cut). `cut` names why reading stopped early (abort, timeout);
     * without it, a body that ended before `[DONE]` is a truncated stream.
     */
    outcome(cut: EngineErrorInfo | null = null): AnswerOutcome {
        const usageError = this.usage.error;
        const error =
            usageError ??
            this.protocolError ??
            this.engineError ??
            cut ??
            (this.done ? null : localError('EngineStreamTruncated', 'the engine closed the stream before [DONE]'));
        return { usage: this.usage.result(), finishReason: this.finish, error };
    }
}

/** A non-streamed answer: one JSON body with `usage` (source 'final') and the choices' finish_reason. */
export function readJsonAnswer(body: Buffer, bounds: UsageBounds): AnswerOutcome {
    let payload: unknown;
    try {
        payload = JSON.parse(body.toString('utf8'));
    } catch {
        return { usage: new UsageTracker(bounds).result(), finishReason: null, error: localError('EngineProtocolError', 'the engine answer is not JSON') };
    }
    const tracker = new UsageTracker(bounds);
    const err = parseEngineError(payload, 500);
    if (err !== null) return { usage: tracker.result(), finishReason: null, error: err };
    if (!isRecord(payload)) return { usage: tracker.result(), finishReason: null, error: localError('EngineProtocolError', 'the engine answer is not a JSON object') };
    if (payload.usage !== undefined && payload.usage !== null) tracker.observe(payload.usage, true);
    return { usage: tracker.result(), finishReason: finishReasonOf(payload.choices), error: tracker.error };
}
