/**
 * The worker under bad input, over real HTTP on 127.0.0.1: every row of the catalogue (worker.catalogue.ts)
 * gets its status and JSON error code, and after every row the worker still serves a good sealed request with a
 * valid receipt. Then 2,000 idle connections: the worker keeps serving and times them out. Memory (the worker
 * runs in this process) is sampled after a GC before and after, and must stay bounded.
 */
import { openJob } from '../../wrappers/testkit/jobs';
import { Paths, type InnerRequest } from '../../actors/wire';
import { startHarness, type Harness } from '../actors/worker/kit/harness';
import { WORKER_CATALOGUE, type WorkerCtx } from './worker.catalogue';
import { runEntry, type Row } from './kit/catalogue';
import { sampleMemory, type MemorySample } from './kit/memory';
import { idleFloodWhileServing } from './kit/rawHttp';
import { writeSummary, type ActorSummary } from './kit/summary';

jest.setTimeout(300_000); // rows wait on timeouts (2-8 s) and the machine may be loaded

const GOOD: InnerRequest = { kind: 'chat', body: { model: 'stub-model', messages: [{ role: 'user', content: 'a good request' }], stream: true } };
const IDLE_SOCKETS = 2_000;
/** Heap growth allowed over the whole catalogue and the flood, after a GC (sandbox state for ~10 jobs included). */
const HEAP_BOUND_MB = 64;

describe('worker: bad-input catalogue', () => {
    let h: Harness;
    let ctx: WorkerCtx;
    let goodJob: Awaited<ReturnType<Harness['openJob']>>;
    let goodSeqno = 0;
    let before: MemorySample;
    const rows: Row[] = [];
    const summary: ActorSummary = { actor: 'worker', rows, memory: null, idle: null };

    /** One good sealed request on the good job: 200, a stream that ends with a receipt that verifies. */
    async function servesGood(): Promise<boolean> {
        const a = await h.client.request(goodJob.address, ++goodSeqno, GOOD);
        if (a.status !== 200 || !a.receipt) {
            goodSeqno--;
            return false;
        }
        h.client.checkReceipt(a);
        return (await fetch(h.url + Paths.health)).status === 200;
    }

    beforeAll(async () => {
        h = await startHarness({ settings: { bodyTimeoutMs: 1_000, headersTimeoutMs: 2_000, maxRequestBytes: 64 * 1024 } });
        await h.client.attest();
        const other = await h.p.registerWorker(await h.p.wallet('other worker owner'));
        ctx = {
            url: h.url,
            doc: h.client.doc,
            scratch: await h.openJob(),
            openJob: () => h.openJob(),
            foreignJob: await openJob(h.p, { worker: other }),
            maxRequestBytes: 64 * 1024,
            request: (job, seqno, req = GOOD, o = {}) => h.client.request(job, seqno, req, o),
        };
        goodJob = await h.openJob();
        // warm every path once, so the first sample does not count lazy initialisation
        expect(await servesGood()).toBe(true);
        before = await sampleMemory();
    }, 180_000);

    afterAll(async () => {
        writeSummary(summary);
        await h?.stop();
    });

    it(`has at least 50 rows (${WORKER_CATALOGUE.length})`, () => {
        expect(WORKER_CATALOGUE.length).toBeGreaterThanOrEqual(50);
        expect(new Set(WORKER_CATALOGUE.map((e) => e.name)).size).toBe(WORKER_CATALOGUE.length);
    });

    it.each(WORKER_CATALOGUE.map((e) => [`${e.name} -> ${e.expect.status} ${e.expect.code}`, e] as const))('%s', async (_title, entry) => {
        await runEntry(entry, ctx, servesGood, rows);
    });

    it(`${IDLE_SOCKETS} idle connections: a real request is served meanwhile, and the worker times them out`, async () => {
        // the headers timeout (2 s here) closes every socket that never sent a request
        summary.idle = await idleFloodWhileServing(h.url, IDLE_SOCKETS, servesGood);
        expect(summary.idle.servedMeanwhile).toBe(true);
        expect(summary.idle.closedByServer).toBe(IDLE_SOCKETS);
        expect(await servesGood()).toBe(true);
    });

    it(`memory stays bounded (heap growth < ${HEAP_BOUND_MB} MB after a GC)`, async () => {
        const after = await sampleMemory();
        summary.memory = { before, after };
        // eslint-disable-next-line no-console
        console.log(`worker memory after GC: before rss ${before.rssMb} MB heap ${before.heapUsedMb} MB, after rss ${after.rssMb} MB heap ${after.heapUsedMb} MB (${rows.length} rows, ${IDLE_SOCKETS} idle sockets)`);
        expect(after.heapUsedMb - before.heapUsedMb).toBeLessThan(HEAP_BOUND_MB);
    });
});
