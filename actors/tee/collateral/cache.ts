import { createHash } from 'crypto';
import { TrustAnchor } from '../trust/anchors';
import { prepareCollateral, PreparedCollateral } from './verify';

/**
 * Caches the time-independent collateral work (signature chains, ECDSA checks, CRL parsing) by the
 * SHA-256 of the collateral's fields and the anchor. Collateral lives ~30 days and is shared by every
 * worker on the same platform family, so a relay verifies it once. Time-dependent checks (freshness,
 * certificate and CRL validity) are still evaluated on every verification.
 */
export class CollateralCache {
    private readonly entries = new Map<string, PreparedCollateral>();

    constructor(private readonly maxEntries = 256) {}

    get(input: unknown, anchor: TrustAnchor): PreparedCollateral {
        const key = createHash('sha256').update(anchor.derSha256).update(stableKey(input)).digest('hex');
        const hit = this.entries.get(key);
        if (hit) {
            // Refresh recency (Map keeps insertion order; the oldest entry is evicted first).
            this.entries.delete(key);
            this.entries.set(key, hit);
            return hit;
        }
        const prepared = prepareCollateral(input, anchor);
        this.entries.set(key, prepared);
        if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
        return prepared;
    }

    get size(): number {
        return this.entries.size;
    }
}

/** Key material for the cache: field names and values in sorted order, so key order does not matter. */
function stableKey(input: unknown): string {
    if (input === null || typeof input !== 'object') return JSON.stringify(input) ?? 'undefined';
    const obj = input as Record<string, unknown>;
    return JSON.stringify(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}
