/**
 * Retry with exponential backoff for transient chain failures (unavailable, rate-limited). It is the only
 * place the chain layer sleeps on errors; callers above it never loop on their own.
 */
import { isTransient } from './errors';
import { ChainError } from './types';

export interface RetryPolicy {
    /** Attempts in total, the first one included. */
    attempts: number;
    /** First pause; doubled after each failure up to maxDelayMs (a rate limit's retry-after wins when longer). */
    baseDelayMs: number;
    maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(action: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
    let delay = policy.baseDelayMs;
    for (let attempt = 1; ; attempt++) {
        try {
            return await action();
        } catch (e) {
            if (!isTransient(e) || attempt >= policy.attempts) throw e;
            const wait = Math.min(policy.maxDelayMs, Math.max(delay, (e as ChainError).details.retryAfterMs ?? 0));
            await sleep(wait);
            delay = Math.min(policy.maxDelayMs, delay * 2);
        }
    }
}
