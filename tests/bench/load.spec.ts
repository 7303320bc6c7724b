/**
 * Smoke run of the load benchmark (bench/load.ts): the stub engine and the actors (embedded chain, worker,
 * relay) as child processes, 20 concurrent streams for a few seconds through the relay. Only "zero errors and
 * every stream complete": speed targets belong to `npm run bench:load`.
 */
import { phase, startCluster, type Cluster } from '../../bench/load/cluster';

jest.setTimeout(300_000);

describe('load benchmark smoke run', () => {
    let c: Cluster | null = null;

    afterAll(async () => {
        await c?.stop();
    });

    it('serves 20 concurrent streams through relay and worker with zero errors', async () => {
        c = await startCluster({ engine: { kind: 'stub', answerWords: 16, chunkDelayMs: 1 }, maxTokens: 32, maxConcurrency: 20 });
        const load = { concurrency: 20, seconds: 3, maxRequests: 400, maxTokens: 32, seed: 7, requestTimeoutMs: 120_000 };
        const direct = await phase(c, c.engineTarget, load);
        expect(direct.load.errorSamples).toEqual([]);
        const r = await phase(c, c.relayTarget, load);
        expect(r.load.errorSamples).toEqual([]);
        expect(r.load.errors).toBe(0);
        expect(r.load.completed).toBe(r.load.requests);
        expect(r.load.completed).toBeGreaterThanOrEqual(20);
        // every stream carried the stub's 16 words (16 completion tokens + EOS)
        expect(r.load.completionTokens).toBe(r.load.completed * 17);
        // end to end covers the whole stream: never shorter than its first token
        expect(r.load.e2eMs).toHaveLength(r.load.completed);
        expect(r.e2e.p50).toBeGreaterThanOrEqual(r.ttft.p50);
        expect(r.e2e.p99).toBeGreaterThanOrEqual(r.e2e.p50);
    });
});
