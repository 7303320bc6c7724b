/**
 * The relay under bad input, over real HTTP on 127.0.0.1: every row of the catalogue (relay.catalogue.ts) gets
 * its status and JSON error code, whether the fault is the client's (4xx) or a hostile worker's behind the
 * relay (502/503/504), and after every row the relay still serves a good request through an honest worker.
 * Then 2,000 idle connections: the relay keeps serving and times them out. Memory (the relay runs in this
 * process, with both workers and the sandbox chain) is sampled after a GC before and after.
 */
import { RELAY_CATALOGUE, type RelayCtx } from './relay.catalogue';
import { API_KEY, MODEL, startStressNet, type StressNet } from './kit/relayNet';
import { runEntry, type Row } from './kit/catalogue';
import { sampleMemory, type MemorySample } from './kit/memory';
import { idleFloodWhileServing } from './kit/rawHttp';
import { writeSummary, type ActorSummary } from './kit/summary';

jest.setTimeout(300_000); // rows wait on timeouts (2-8 s) and the machine may be loaded

const IDLE_SOCKETS = 2_000;
/** Heap growth allowed over the whole catalogue and the flood, after a GC (sandbox state of ~40 jobs included). */
const HEAP_BOUND_MB = 64;

describe('relay: bad-input catalogue', () => {
    let net: StressNet;
    let ctx: RelayCtx;
    let before: MemorySample;
    const rows: Row[] = [];
    const summary: ActorSummary = { actor: 'relay', rows, memory: null, idle: null };

    /** A good chat request through the honest worker: 200 with an answer and usage from a checked receipt. */
    async function servesGood(): Promise<boolean> {
        net.use('good');
        const res = await fetch(`${net.relayUrl}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'a good request' }], max_tokens: 8 }),
        });
        const text = await res.text();
        const body = JSON.parse(text) as { choices?: unknown[]; usage?: { completion_tokens?: number } };
        const ok = res.status === 200 && Array.isArray(body.choices) && (body.usage?.completion_tokens ?? 0) > 0;
        // eslint-disable-next-line no-console
        if (!ok) console.log(`the good request failed: ${res.status} ${text.slice(0, 400)}`);
        return ok;
    }

    beforeAll(async () => {
        net = await startStressNet({ maxBodyBytes: 64 * 1024, maxTokens: 48, requestTimeoutMs: 8_000, bodyTimeoutMs: 1_000, headersTimeoutMs: 2_000 });
        const revoked = net.relay.addKey('sk-stress-revoked', 'revoked app', null);
        net.relay.revokeKey(revoked.id);
        net.relay.addKey('sk-stress-capped', 'capped app', 1n);
        ctx = { net, revokedKey: 'sk-stress-revoked', cappedKey: 'sk-stress-capped' };
        expect(await servesGood()).toBe(true);
        before = await sampleMemory();
    }, 180_000);

    afterAll(async () => {
        writeSummary(summary);
        await net?.stop();
    });

    it(`has at least 50 rows (${RELAY_CATALOGUE.length})`, () => {
        expect(RELAY_CATALOGUE.length).toBeGreaterThanOrEqual(50);
        expect(new Set(RELAY_CATALOGUE.map((e) => e.name)).size).toBe(RELAY_CATALOGUE.length);
    });

    it.each(RELAY_CATALOGUE.map((e) => [`${e.name} -> ${e.expect.status} ${e.expect.code}`, e] as const))('%s', async (_title, entry) => {
        await runEntry(entry, ctx, servesGood, rows);
    });

    it('a hostile receipt stopped payment to its job and no voucher was signed for it', () => {
        const stopped = net.relayStore.jobs().filter((j) => j.stopped);
        expect(stopped.length).toBeGreaterThan(0);
        for (const j of stopped) expect(net.relayStore.getVoucher(j.address)?.amount ?? 0n).toBeLessThanOrEqual(j.cumulative);
        const capped = net.relayStore.keys().find((k) => k.name === 'capped app')!;
        expect(capped.spent).toBe(0n);
    });

    it(`${IDLE_SOCKETS} idle connections: a real request is served meanwhile, and the relay times them out`, async () => {
        // the headers timeout (2 s here) closes every socket that never sent a request
        summary.idle = await idleFloodWhileServing(net.relayUrl, IDLE_SOCKETS, servesGood);
        expect(summary.idle.servedMeanwhile).toBe(true);
        expect(summary.idle.closedByServer).toBe(IDLE_SOCKETS);
        expect(await servesGood()).toBe(true);
    });

    it(`memory stays bounded (heap growth < ${HEAP_BOUND_MB} MB after a GC)`, async () => {
        const after = await sampleMemory();
        summary.memory = { before, after };
        // eslint-disable-next-line no-console
        console.log(`relay memory after GC: before rss ${before.rssMb} MB heap ${before.heapUsedMb} MB, after rss ${after.rssMb} MB heap ${after.heapUsedMb} MB (${rows.length} rows, ${IDLE_SOCKETS} idle sockets)`);
        expect(after.heapUsedMb - before.heapUsedMb).toBeLessThan(HEAP_BOUND_MB);
    });
});
