/**
 * Selection among verified workers, pure: by model and within the relay's highest prices, then price (the
 * cost of a typical request at the worker's prices), then measured latency, then on-chain reputation (fewer
 * slashes, more jobs).
 */
import type { Prices } from '../../../wrappers/common';
import type { VerifiedWorker } from './verify';

export interface Candidate {
    worker: VerifiedWorker;
    /** Moving average of time to the worker's answer headers, ms (0 when never measured). */
    latencyMs: number;
    /** Consecutive failures before the first byte (a failing worker sorts last). */
    failures: number;
}

/** A request names a model by its id, or by the id without the revision suffix ("tiny" for "tiny@abc"). */
export function servesModel(w: VerifiedWorker, model: string): boolean {
    return w.modelId === model || w.modelId.split('@')[0] === model || w.modelHash.toString('hex') === model;
}

export function typicalCost(w: VerifiedWorker): bigint {
    const p = w.onChain.prices;
    return p.prompt * 1000n + p.completion * 500n;
}

/**
 * True when every one of the four prices is at most the relay's highest (what open_job checks on-chain,
 * cells.fc prices_covered?): a worker above them is never tried, since its open would be refused on-chain,
 * costing a transaction on every try.
 */
export function withinPrices(p: Prices, max: Prices): boolean {
    return p.prompt <= max.prompt && p.cached <= max.cached && p.completion <= max.completion && p.reasoning <= max.reasoning;
}

export function rank(cands: Candidate[], model: string, maxPrices: Prices): Candidate[] {
    return cands
        .filter((c) => servesModel(c.worker, model) && withinPrices(c.worker.onChain.prices, maxPrices))
        .sort((a, b) => {
            if (a.failures !== b.failures) return a.failures - b.failures;
            const ca = typicalCost(a.worker);
            const cb = typicalCost(b.worker);
            if (ca !== cb) return ca < cb ? -1 : 1;
            if (a.latencyMs !== b.latencyMs) return a.latencyMs - b.latencyMs;
            const ra = a.worker.onChain.reputation;
            const rb = b.worker.onChain.reputation;
            if (ra.slashes !== rb.slashes) return ra.slashes - rb.slashes;
            return rb.jobs - ra.jobs;
        });
}
