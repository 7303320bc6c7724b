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

/**
 * Why this key may not spend `worstCase` more, or null when it may. `inFlight` is the worst case reserved by
 * the key's other requests still running: they are charged only when their receipts arrive, so without it
 * concurrent requests would each see the same room under the cap and together overshoot it.
 */
export function capRefusal(k: ApiKeyRecord, worstCase: bigint, inFlight = 0n): string | null {
    if (k.cap === null) return null;
    if (k.spent >= k.cap) return `spending cap reached: ${k.spent} of ${k.cap} nanoton spent`;
    const left = k.cap - k.spent - inFlight;
    if (worstCase > left) return `the request could cost up to ${worstCase} nanoton, above the ${left > 0n ? left : 0n} left under the key's cap${inFlight > 0n ? ` (${inFlight} held by its requests in flight)` : ''}`;
    return null;
}

/**
 * The worst-case cost of every request in flight, by key: reserved at admission (synchronously with the cap
 * check, so two requests can never both take the same room), released when the request ends, by which time
 * its receipt has been charged to the key. In memory: requests in flight do not outlive the process.
 */
export class CapReservations {
    private readonly held = new Map<string, bigint>();

    /** What the key's requests in flight hold. */
    of(keyId: string): bigint {
        return this.held.get(keyId) ?? 0n;
    }

    /** Changes one request's reservation from `from` to `to` (0n: none); returns `to`. */
    move(keyId: string, from: bigint, to: bigint): bigint {
        const next = this.of(keyId) - from + to;
        if (next === 0n) this.held.delete(keyId);
        else this.held.set(keyId, next);
        return to;
    }
}

export function charge(k: ApiKeyRecord, cost: bigint, prompt: number, completion: number): ApiKeyRecord {
    return { ...k, spent: k.spent + cost, requests: k.requests + 1, promptTokens: k.promptTokens + prompt, completionTokens: k.completionTokens + completion };
}
