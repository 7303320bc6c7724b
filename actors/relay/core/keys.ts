/**
 * API keys: a Bearer secret per app, stored only as its SHA-256, with an optional spending cap in nanoton
 * and a usage record. Pure functions over the records; the store persists them.
 */
import { createHash } from 'crypto';

export interface ApiKeyRecord {
    /** SHA-256 of the secret, hex: the key's id (the secret itself is never stored). */
    id: string;
    name: string;
    cap: bigint | null;
    spent: bigint;
    requests: number;
    promptTokens: number;
    completionTokens: number;
    revoked: boolean;
    createdAt: number;
}

export function keyId(secret: string): string {
    return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newApiKey(secret: string, name: string, cap: bigint | null, now: number): ApiKeyRecord {
    return { id: keyId(secret), name, cap, spent: 0n, requests: 0, promptTokens: 0, completionTokens: 0, revoked: false, createdAt: now };
}

/** Why this key may not spend `worstCase` more, or null when it may. */
export function capRefusal(k: ApiKeyRecord, worstCase: bigint): string | null {
    if (k.cap === null) return null;
    if (k.spent >= k.cap) return `spending cap reached: ${k.spent} of ${k.cap} nanoton spent`;
    if (k.spent + worstCase > k.cap) return `the request could cost up to ${worstCase} nanoton, above the ${k.cap - k.spent} left under the key's cap`;
    return null;
}

export function charge(k: ApiKeyRecord, cost: bigint, prompt: number, completion: number): ApiKeyRecord {
    return { ...k, spent: k.spent + cost, requests: k.requests + 1, promptTokens: k.promptTokens + prompt, completionTokens: k.completionTokens + completion };
}
