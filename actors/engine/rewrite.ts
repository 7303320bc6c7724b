/**
 * Rewrites a client's request before it reaches the engine (vLLM notes §4-§5): only allow-listed fields pass,
 * the completion budget is capped at what the job can pay for, streamed requests always ask for usage
 * (final and continuous, so an aborted stream still leaves a count), and the exact bytes sent are returned
 * so their hash can go into the receipt.
 */
import { EngineError, localError } from './errors';
import type { EndpointKind } from './types';

/** Sampling and output fields with bounded cost. Anything else (n, best_of, echo, prompt_logprobs, chat_template,
 *  request_id, cache_salt, return_token_ids, priority, ignore_eos, min_tokens…) is dropped or refused. */
const COMMON_FIELDS = [
    'model',
    'temperature',
    'top_p',
    'top_k',
    'min_p',
    'presence_penalty',
    'frequency_penalty',
    'repetition_penalty',
    'stop',
    'seed',
    'logit_bias',
    'user',
] as const;

const CHAT_FIELDS = [
    'messages',
    ...COMMON_FIELDS,
    'logprobs',
    'top_logprobs',
    'response_format',
    'tools',
    'tool_choice',
    'parallel_tool_calls',
    'reasoning_effort',
    'include_reasoning',
    'chat_template_kwargs',
] as const;

const COMPLETION_FIELDS = ['prompt', ...COMMON_FIELDS, 'logprobs', 'suffix'] as const;

/** How many tokens the engine may generate beyond max_tokens and still be believed (the EOS token). */
export const EOS_SLACK = 1;

export interface RewriteOptions {
    maxTokensCap: number;
    /** When set, `model` is forced to it; a client's `model` must equal it or be `name@revision…` of it. */
    servedModelName?: string;
}

export interface RewrittenRequest {
    body: Record<string, unknown>;
    bytes: Buffer;
    streaming: boolean;
    /** The max_tokens actually sent (≤ maxTokensCap). */
    maxTokens: number;
}

function bad(message: string, param: string | null = null): EngineError {
    return new EngineError(localError('InvalidRequest', message, param));
}

function tokenBudget(body: Record<string, unknown>, key: string): number | undefined {
    const v = body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw bad(`${key} must be a positive integer`, key);
    return v;
}

export function rewriteRequest(kind: EndpointKind, body: Record<string, unknown>, opts: RewriteOptions): RewrittenRequest {
    const cap = opts.maxTokensCap;
    if (!Number.isSafeInteger(cap) || cap < 1) throw bad(`the job can pay for ${String(cap)} completion tokens`, 'max_tokens');
    if (body.n !== undefined && body.n !== null && body.n !== 1) throw bad('n must be 1', 'n');
    if (body.stream !== undefined && typeof body.stream !== 'boolean') throw bad('stream must be a boolean', 'stream');
    if (kind === 'chat' && !Array.isArray(body.messages)) throw bad('messages must be an array', 'messages');
    // A list prompt runs one generation per element, each with max_tokens: the cap would no longer bound the cost.
    if (kind === 'completions' && typeof body.prompt !== 'string') throw bad('prompt must be a string', 'prompt');

    const out: Record<string, unknown> = {};
    for (const key of kind === 'chat' ? CHAT_FIELDS : COMPLETION_FIELDS) if (body[key] !== undefined) out[key] = body[key];

    if (opts.servedModelName !== undefined) {
        const asked = body.model;
        if (asked !== undefined && asked !== opts.servedModelName && !(typeof asked === 'string' && asked.startsWith(opts.servedModelName + '@')))
            throw bad(`this worker serves ${opts.servedModelName}`, 'model');
        out.model = opts.servedModelName;
    }

    // vLLM: max_completion_tokens wins over max_tokens.
    const requested = tokenBudget(body, 'max_completion_tokens') ?? tokenBudget(body, 'max_tokens');
    const maxTokens = Math.min(requested ?? cap, cap);
    out.max_tokens = maxTokens;
    // Both fields, equal, so any precedence rule in any engine version gives the same budget.
    if (kind === 'chat') out.max_completion_tokens = maxTokens;

    const streaming = body.stream === true;
    if (streaming) {
        out.stream = true;
        out.stream_options = { include_usage: true, continuous_usage_stats: true };
    } else {
        // vLLM refuses stream_options without stream: true.
        out.stream = false;
    }
    return { body: out, bytes: Buffer.from(JSON.stringify(out), 'utf8'), streaming, maxTokens };
}
