/**
 * Token counts from vLLM's `usage` objects, checked before anything is signed (vLLM notes §5.3-§5.4):
 * the last valid usage wins, the final `choices: []` chunk is preferred, successive usages must not go
 * backwards, and the counts must satisfy 0 ≤ cached ≤ prompt ≤ max_model_len,
 * 0 ≤ reasoning ≤ completion ≤ max_tokens + EOS slack, total = prompt + completion.
 * A usage that breaks a rule makes the whole answer's usage invalid: it is never reported as counts.
 */
import type { TokenCounts } from '../../wrappers/payloads';
import { EOS_SLACK } from './rewrite';
import type { EngineErrorInfo, EngineUsage, UsageSource } from './types';
import { localError } from './errors';

export interface UsageBounds {
    maxModelLen: number;
    /** The max_tokens sent upstream (already capped). */
    maxTokens: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: unknown): number | null {
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

export const NO_USAGE: EngineUsage = Object.freeze({
    counts: Object.freeze({ prompt: 0, cached: 0, completion: 0, reasoning: 0 }),
    source: 'none',
}) as EngineUsage;

/** Reads one `usage` object into counts; returns an error string for a malformed or out-of-bounds one. */
export function readUsage(usage: unknown, bounds: UsageBounds): TokenCounts | string {
    if (!isRecord(usage)) return 'usage is not an object';
    const prompt = count(usage.prompt_tokens);
    const completion = count(usage.completion_tokens);
    if (prompt === null || completion === null) return 'usage needs non-negative integer prompt_tokens and completion_tokens';
    let cached = 0;
    if (usage.prompt_tokens_details !== undefined && usage.prompt_tokens_details !== null) {
        if (!isRecord(usage.prompt_tokens_details)) return 'prompt_tokens_details is not an object';
        const c = usage.prompt_tokens_details.cached_tokens;
        if (c !== undefined && c !== null) {
            const n = count(c);
            if (n === null) return 'cached_tokens is not a non-negative integer';
            cached = n;
        }
    }
    let reasoning = 0;
    // Newest vLLM: completion_tokens_details.reasoning_tokens; some servers: a top-level usage.reasoning_tokens.
    const details = usage.completion_tokens_details;
    const rawReasoning = isRecord(details) && details.reasoning_tokens !== undefined && details.reasoning_tokens !== null ? details.reasoning_tokens : usage.reasoning_tokens;
    if (rawReasoning !== undefined && rawReasoning !== null) {
        const n = count(rawReasoning);
        if (n === null) return 'reasoning_tokens is not a non-negative integer';
        reasoning = n;
    }
    if (usage.total_tokens !== undefined && usage.total_tokens !== null && usage.total_tokens !== prompt + completion)
        return `total_tokens ${String(usage.total_tokens)} != prompt_tokens + completion_tokens (${prompt + completion})`;
    if (cached > prompt) return `cached_tokens ${cached} > prompt_tokens ${prompt}`;
    if (prompt > bounds.maxModelLen) return `prompt_tokens ${prompt} > max_model_len ${bounds.maxModelLen}`;
    if (reasoning > completion) return `reasoning_tokens ${reasoning} > completion_tokens ${completion}`;
    if (completion > bounds.maxTokens + EOS_SLACK) return `completion_tokens ${completion} > max_tokens ${bounds.maxTokens} + ${EOS_SLACK}`;
    return { prompt, cached, completion, reasoning };
}

/** Follows the usages of one answer, in order. */
export class UsageTracker {
    private last: TokenCounts | null = null;
    private source: UsageSource = 'none';
    private invalid: EngineErrorInfo | null = null;

    constructor(private readonly bounds: UsageBounds) {}

    /** `final`: the usage came from the last chunk (`choices: []`) or a whole JSON body. */
    observe(usage: unknown, final: boolean): void {
        if (this.invalid) return;
        const c = readUsage(usage, this.bounds);
        if (typeof c === 'string') {
            this.invalid = localError('InvalidUsage', c);
            return;
        }
        const p = this.last;
        // Continuous chunks carry no prompt_tokens_details: cached may only appear (not shrink) on the final one.
        if (p && (c.prompt !== p.prompt || c.completion < p.completion || c.reasoning < p.reasoning || (final && c.cached < p.cached))) {
            this.invalid = localError('InvalidUsage', `usage went backwards: ${JSON.stringify(p)} then ${JSON.stringify(c)}`);
            return;
        }
        if (this.source === 'final' && !final) return; // a stray chunk after the final usage changes nothing
        this.last = c;
        this.source = final ? 'final' : 'continuous';
    }

    get error(): EngineErrorInfo | null {
        return this.invalid;
    }

    /** The counts to report; NO_USAGE when none arrived or any was invalid (then `error` says why). */
    result(): EngineUsage {
        if (this.invalid || this.last === null) return NO_USAGE;
        return { counts: { ...this.last }, source: this.source };
    }
}
