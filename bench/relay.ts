/**
 * npm run bench:relay [-- --quick] [-- --in-process]
 *
 * The relay's cost, actor by actor. By default every actor is its own process on 127.0.0.1, started as
 * `npm run demo` starts them (bench/load/cluster.ts): the fast vLLM-shaped stub engine, the local chain server,
 * a worker and the relay. At 1, 50 and 500 concurrent streams the same load goes to the engine alone, then
 * through relay + worker: time to first token and the gap between chunks (p50, p99), answers per second, CPU
 * time per request of each actor (relay, worker, engine, chain: utime + stime from /proc/<pid>/stat) and the
 * peak memory of each actor (VmHWM from /proc/<pid>/status). Before the timed rounds of a level the relay
 * opens one job per concurrent stream.
 *
 * `--in-process` runs the older single-process comparison below (`benchRelay()`): three paths to one stub
 * engine in one process, with the chain replaced by in-memory ports:
 *   direct  — the client calls the engine;
 *   worker  — the client seals to the worker itself (what the relay does), no relay;
 *   relay   — an OpenAI client calls the relay over HTTP; the relay checks the key and the cap, picks the
 *             worker, seals, opens the sealed stream, rewrites SSE, checks the signed receipt, writes LMDB,
 *             charges the key, signs the voucher and posts it to the worker.
 * There CPU per request counts every actor on the path; the relay's share is the relay column minus the
 * worker column.
 */
import { Address, toNano } from '@ton/core';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join } from 'path';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import pino from 'pino';
import { SimulatedQuoteProvider } from '../actors/tee';
import { WorkerApp } from '../actors/worker/app';
import { attest, freshKeys } from '../actors/worker/boot/attest';
import { LmdbStore } from '../actors/worker/store/lmdb';
import type { JobDirectory, JobView } from '../actors/worker/types';
import { MediaTypes, Paths, sealForWorker } from '../actors/wire';
import { VllmClient } from '../actors/engine';
import { ed25519FromSeed } from '../actors/crypto/keys';
import { Relay } from '../actors/relay/relay';
import { RelayStore } from '../actors/relay/store/lmdb';
import { createRelayHttpServer } from '../actors/relay/http/server';
import type { JobFunding, OpenedJobInfo, WorkerFacts, WorkerOnChain } from '../actors/relay/types';
import { StubEngine } from '../tests/actors/worker/kit/stubEngine';
import { ACTORS, formatPerActor, peakMemory, phase, startCluster, type ActorName, type PhaseResult } from './load/cluster';

const GLOBAL_ID = -239;
const ROOT_ADDRESS = Address.parseRaw('0:' + '55'.repeat(32));
const WORKER_ACCOUNT = Address.parseRaw('0:' + '77'.repeat(32));
const MODEL_HASH = Buffer.alloc(32, 1);
const PRICES = { prompt: toNano('0.2'), cached: toNano('0.05'), completion: toNano('0.6'), reasoning: toNano('0.6') };
const API_KEY = 'sk-bench-relay';

export interface PathStats {
    ttftP50: number;
    ttftP99: number;
    gapP50: number;
    gapP99: number;
    e2eP50: number;
    e2eP99: number;
    cpuMsPerRequest: number;
    requestsPerSecond: number;
    /** Requests that got an error instead of an answer (not in the percentiles). */
    errors: number;
}

export interface RelayBenchRow {
    streams: number;
    requests: number;
    direct: PathStats;
    worker: PathStats;
    relay: PathStats;
}

export interface RelayBenchResult {
    rows: RelayBenchRow[];
    /** Peak RSS of the one process holding the client, relay, worker and stub engine, bytes. */
    peakRssBytes: number;
    answerTokens: number;
    chunkDelayMs: number;
    node: string;
    cpu: string;
    loadAverage: number;
}

export interface RelayBenchOptions {
    /** Concurrent streams per round (default 1, 50, 500). */
    streams?: number[];
    answerTokens?: number;
    /** The stub's delay between tokens, ms. */
    chunkDelayMs?: number;
    /** Requests per round at `streams` concurrency (default max(40, streams)). */
    requestsFor?: (streams: number) => number;
}

interface Sample {
    ttft: number;
    gaps: number[];
    e2e: number;
}

const pct = (xs: number[], p: number) => {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function chatBody(model: string, i: number) {
    return { model, messages: [{ role: 'user', content: `request ${i}: tell me about the weather in a long sentence` }], stream: true, max_tokens: 128 };
}

/** Times a streamed HTTP answer: first byte of content, gaps between chunks as they arrive, end. */
async function timeStream(t0: number, res: Response, onChunk: (b: Buffer) => number): Promise<Sample> {
    if (res.status !== 200) throw new Error(`answered ${res.status}: ${await res.text()}`);
    let last = 0;
    let ttft = -1;
    const gaps: number[] = [];
    for await (const chunk of res.body!) {
        if (onChunk(Buffer.from(chunk)) === 0) continue;
        const t = performance.now();
        if (ttft < 0) ttft = t - t0;
        else gaps.push(t - last);
        last = t;
    }
    return { ttft, gaps, e2e: performance.now() - t0 };
}

async function round(concurrency: number, total: number, run: (i: number) => Promise<Sample>): Promise<PathStats> {
    const samples: Sample[] = [];
    let errors = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            while (next < total) {
                try {
                    samples.push(await run(next++));
                } catch {
                    errors++;
                }
            }
        }),
    );
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
        ttftP50: pct(samples.map((s) => s.ttft), 50),
        ttftP99: pct(samples.map((s) => s.ttft), 99),
        gapP50: pct(samples.flatMap((s) => s.gaps), 50),
        gapP99: pct(samples.flatMap((s) => s.gaps), 99),
        e2eP50: pct(samples.map((s) => s.e2e), 50),
        e2eP99: pct(samples.map((s) => s.e2e), 99),
        cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / total,
        requestsPerSecond: samples.length / (wall / 1000),
        errors,
    };
}

/** Every job the relay opens is "accepted" at once with a large deposit; nothing else is needed here. */
class InstantFunding implements JobFunding {
    constructor(private readonly receiptKey: Buffer) {}
    async open(): Promise<OpenedJobInfo> {
        return { address: Address.parseRaw('0:' + randomBytes(32).toString('hex')), prices: PRICES, receiptKey: this.receiptKey, deposit: toNano('1000'), feeBps: 200, nonce: 0n };
    }
    async accepted(): Promise<null> {
        return null; // every open is recorded at once: nothing to recover
    }
    async topUp(): Promise<bigint> {
        throw new Error('not in the bench');
    }
    async close(): Promise<void> {}
    async finalize(): Promise<void> {}
    async claim(): Promise<void> {
        throw new Error('not in the bench');
    }
    async settled(): Promise<boolean> {
        return false;
    }
    async read() {
        return { state: 2, deposit: toNano('1000'), paid: 0n, deadline: 0 };
    }
    async reportEquivocation(): Promise<void> {
        throw new Error('a receipt failed its check in the bench');
    }
    async reportWrongModel(): Promise<void> {
        throw new Error('a receipt failed its check in the bench');
    }
}

export async function benchRelay(o: RelayBenchOptions = {}): Promise<RelayBenchResult> {
    const answerTokens = o.answerTokens ?? 64;
    const chunkDelayMs = o.chunkDelayMs ?? 2;
    const engine = new StubEngine({ answerWords: answerTokens, chunkDelayMs });
    await engine.start();
    const workerDir = mkdtempSync(join(tmpdir(), 'bench-relay-worker-'));
    const relayDir = mkdtempSync(join(tmpdir(), 'bench-relay-state-'));
    const sim = new SimulatedQuoteProvider();
    const keys = freshKeys();
    const attested = await attest(sim, keys);
    const voucherSeed = randomBytes(32);
    const voucherPublic = ed25519FromSeed(voucherSeed).publicKey;
    // the worker sees every job as open, paid by the relay's voucher key
    const jobs: JobDirectory = {
        get: async (job: Address): Promise<JobView> => ({ address: job, state: 'active', worker: WORKER_ACCOUNT, deposit: toNano('1000'), paid: 0n, clientKey: voucherPublic, prices: PRICES, deadline: 0, challenge: 600, feeBps: 200, nonce: 0n }),
    };
    const app = new WorkerApp({
        identity: { globalId: GLOBAL_ID, workerAccount: WORKER_ACCOUNT, root: ROOT_ADDRESS, receiptPublic: keys.receiptPublic, receiptSecret: keys.receiptSecret, encPublic: keys.encPublic, encPrivate: keys.encPrivate, modelId: engine.model, modelHash: MODEL_HASH },
        attested,
        receiptSeed: keys.receiptSeed,
        store: new LmdbStore(workerDir),
        jobs,
        engine: new VllmClient({ baseUrl: engine.url, servedModelName: engine.model, maxModelLen: 4096 }),
        claims: { walletAvailable: false, send: async () => ({ messageHash: null }), chainNow: async () => Math.floor(Date.now() / 1000), finalize: async () => undefined, transactionsSince: async (_job, cursor) => ({ transactions: [], cursor }) },
        clock: { nowMs: () => Date.now() },
        log: pino({ level: 'silent' }),
        settings: { prices: PRICES, creditLimit: toNano('1000'), maxTokens: 4096, maxRequestBytes: 1 << 20, bodyTimeoutMs: 10_000, claimThreshold: toNano('1000'), claimVia: 'external', claimConfirmTimeoutMs: 60_000, claimIntervalMs: 3_600_000 },
    });
    const workerUrl = await app.listen('127.0.0.1', 0);
    const onChain: WorkerOnChain = {
        account: WORKER_ACCOUNT,
        active: true,
        stake: toNano('10'),
        minStake: toNano('10'),
        receiptKey: keys.receiptPublic,
        encKey: keys.encPublic,
        imageHash: Buffer.from(attested.imageHash),
        modelHash: MODEL_HASH,
        quoteHash: Buffer.from(attested.quoteHash),
        prices: PRICES,
        endpoint: workerUrl,
        imageAllowed: true,
        modelAllowed: true,
        reputation: { jobs: 0, slashes: 0 },
    };
    const facts: WorkerFacts = { read: async () => onChain };
    const store = new RelayStore(relayDir);
    const log = pino({ level: 'silent' });
    const relay = new Relay({
        store,
        facts,
        funding: new InstantFunding(keys.receiptPublic),
        clock: { now: () => Date.now() },
        random: { bytes: (n) => randomBytes(n) },
        log,
        voucherSeed,
        voucherPublic,
        trust: { trustedRoots: [sim.trustAnchor], allowedStatuses: ['NoCollateral'], globalId: GLOBAL_ID, root: ROOT_ADDRESS.toRawString() },
        payment: { deposit: toNano('1000'), maxPrices: PRICES, idleCloseMs: 3_600_000 },
        requestTimeoutMs: 120_000,
    });
    relay.addKey(API_KEY, 'bench', null);
    const entry = await relay.checkWorker(WORKER_ACCOUNT, workerUrl);
    if (entry.status !== 'verified') throw new Error(`the bench worker was not verified: ${entry.reasons.join('; ')}`);
    const server: Server = createRelayHttpServer(relay, { maxBodyBytes: 1 << 20, maxTokens: 4096, requestTimeoutMs: 120_000 }, log);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const relayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const direct = async (i: number) => {
        const t0 = performance.now();
        const res = await fetch(engine.url + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...chatBody(engine.model, i), stream_options: { include_usage: true, continuous_usage_stats: true } }) });
        return timeStream(t0, res, (b) => b.length);
    };
    const viaWorker = async (i: number) => {
        const s = sealForWorker({ encKey: keys.encPublic, receiptKey: keys.receiptPublic, globalId: GLOBAL_ID, job: Address.parseRaw('0:' + randomBytes(32).toString('hex')), seqno: 1, request: { kind: 'chat', body: chatBody(engine.model, i) } });
        const t0 = performance.now();
        const res = await fetch(workerUrl + Paths.requests, { method: 'POST', headers: { 'content-type': MediaTypes.request }, body: s.body });
        const sample = await timeStream(t0, res, (b) => s.reader.push(b).filter((ev) => ev.type === 'data').length);
        s.reader.finish();
        return sample;
    };
    const viaRelay = async (i: number) => {
        const t0 = performance.now();
        const res = await fetch(relayUrl + '/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...chatBody(engine.model, i), stream_options: { include_usage: true } }) });
        return timeStream(t0, res, (b) => b.length);
    };

    // the relay's maintenance timer in production re-verifies a worker it dropped after a failure before the
    // first byte (main.ts, every refreshSeconds); here every half second, so one overload error does not end the run
    const maintenance = setInterval(() => {
        if (relay.registry.get(WORKER_ACCOUNT.toRawString())?.status !== 'verified') void relay.checkWorker(WORKER_ACCOUNT, workerUrl).catch(() => undefined);
    }, 500);
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const rows: RelayBenchRow[] = [];
    try {
        for (const c of o.streams ?? [1, 50, 500]) {
            const total = o.requestsFor?.(c) ?? Math.max(40, c);
            const warm = Math.min(total, 20);
            await round(c, warm, direct);
            const d = await round(c, total, direct);
            await round(c, warm, viaWorker);
            const w = await round(c, total, viaWorker);
            await round(c, warm, viaRelay);
            const r = await round(c, total, viaRelay);
            rows.push({ streams: c, requests: total, direct: d, worker: w, relay: r });
        }
    } finally {
        clearInterval(sampler);
        clearInterval(maintenance);
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        await app.stop({ drainMs: 1000, claimWaitMs: 0 });
        await engine.stop();
        await store.close();
        rmSync(workerDir, { recursive: true, force: true });
        rmSync(relayDir, { recursive: true, force: true });
    }
    return { rows, peakRssBytes: peakRss, answerTokens, chunkDelayMs, node: process.version, cpu: `${cpus().length} × ${cpus()[0]?.model.trim()}`, loadAverage: loadavg()[0] };
}

/** The result as a markdown table with its caption. */
export function formatRelayBench(r: RelayBenchResult): string {
    const f = (x: number) => x.toFixed(2);
    const pair = (a: number, b: number) => `${f(a)} / ${f(b)}`;
    const lines = [
        `Node ${r.node}, ${r.cpu}; ${new Date().toISOString().slice(0, 10)}, \`npm run bench:relay\`; 1-min load average at the end ${r.loadAverage.toFixed(1)} (a shared machine: compare the columns of one row, not rows across runs).`,
        '',
        `Streams of ${r.answerTokens} tokens from the stub engine, ${r.chunkDelayMs} ms between tokens; chain ports in memory. Times in ms, p50 / p99; "gap" is the time between two consecutive chunks as the client sees them, "e2e" the whole request. CPU is the whole process per request (client + every actor on the path): the relay's own share is the relay column minus the worker column.`,
        '',
        '| Streams | Requests | Path | TTFT | Gap | E2E | CPU ms/request | Answers/s | Errors |',
        '|---|---|---|---|---|---|---|---|---|',
    ];
    for (const row of r.rows)
        for (const [name, s] of [['engine direct', row.direct], ['worker (sealed, no relay)', row.worker], ['relay → worker', row.relay]] as const)
            lines.push(`| ${row.streams} | ${row.requests} | ${name} | ${pair(s.ttftP50, s.ttftP99)} | ${pair(s.gapP50, s.gapP99)} | ${pair(s.e2eP50, s.e2eP99)} | ${f(s.cpuMsPerRequest)} | ${s.requestsPerSecond.toFixed(0)} | ${s.errors} |`);
    lines.push('', `Relay overhead over the worker alone (p50): ${r.rows.map((row) => `${row.streams} streams: TTFT +${f(row.relay.ttftP50 - row.worker.ttftP50)} ms, gap +${f(row.relay.gapP50 - row.worker.gapP50)} ms, CPU +${f(row.relay.cpuMsPerRequest - row.worker.cpuMsPerRequest)} ms/request`).join('; ')}.`);
    lines.push('', `Peak RSS of the process (client, relay, worker and stub engine together): ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB.`);
    return lines.join('\n');
}

export interface ActorLevel {
    streams: number;
    engine: PhaseResult;
    relay: PhaseResult;
    /** Peak RSS of each actor's process once this level ran (VmHWM: the peak since the process started). */
    peakRss: Record<ActorName, number>;
}

/** The per-actor run: every actor its own process; `streams` levels of `seconds` each, engine alone then through the relay. */
export async function benchRelayProcesses(o: { streams: number[]; seconds: number; answerTokens: number; chunkDelayMs: number }): Promise<ActorLevel[]> {
    const maxTokens = o.answerTokens + 16;
    const c = await startCluster({ engine: { kind: 'stub', answerWords: o.answerTokens, chunkDelayMs: o.chunkDelayMs }, maxTokens, maxConcurrency: Math.max(...o.streams) });
    const levels: ActorLevel[] = [];
    try {
        for (const streams of o.streams) {
            const load = { concurrency: streams, seconds: o.seconds, maxRequests: 1_000_000, maxTokens, seed: streams, requestTimeoutMs: 300_000 };
            // warm-up: the relay opens a job per concurrent stream (one request at a time per job)
            await phase(c, c.relayTarget, { ...load, seconds: 900, maxRequests: streams, requestTimeoutMs: 900_000 });
            const engine = await phase(c, c.engineTarget, load);
            const relay = await phase(c, c.relayTarget, load);
            const peak = peakMemory(c);
            levels.push({ streams, engine, relay, peakRss: { relay: peak.relay, worker: peak.worker, engine: peak.engine, chain: peak.chain } });
            console.error(`  ${streams} streams: engine ${engine.requestsPerSecond.toFixed(0)} answers/s, via relay ${relay.requestsPerSecond.toFixed(0)} answers/s`);
        }
    } finally {
        await c.stop();
    }
    return levels;
}

export function formatActorLevels(levels: ActorLevel[], o: { seconds: number; answerTokens: number; chunkDelayMs: number }): string {
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    const lines = [
        `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; ${new Date().toISOString().slice(0, 10)}, \`npm run bench:relay\`; 1-min load average at the end ${loadavg()[0].toFixed(1)} (a shared machine: compare the columns of one row, not rows across runs).`,
        '',
        `Streams of ${o.answerTokens} tokens from the stub engine, ${o.chunkDelayMs} ms between tokens, ${o.seconds} s per round; every actor its own process (relay, worker, engine, local chain server). Times in ms, p50 / p99; E2E is the whole request, from sending it to the end of its stream. CPU ms per completed request of each process (/proc/<pid>/stat); peak memory = VmHWM of each process (/proc/<pid>/status).`,
        '',
        `| Streams | Path | Answers | Errors | TTFT | Gap | E2E | Answers/s | CPU ms/request: ${ACTORS.join(' / ')} / client | Peak RSS: ${ACTORS.join(' / ')} |`,
        '|---:|---|---:|---:|---|---|---|---:|---|---|',
    ];
    for (const l of levels)
        for (const [name, r] of [['engine alone', l.engine], ['relay → worker → engine', l.relay]] as const)
            lines.push(
                `| ${l.streams} | ${name} | ${r.load.completed} | ${r.load.errors} | ${f(r.ttft.p50)} / ${f(r.ttft.p99)} | ${f(r.gap.p50)} / ${f(r.gap.p99)} | ${f(r.e2e.p50)} / ${f(r.e2e.p99)} | ${r.requestsPerSecond.toFixed(0)} | ${[...ACTORS.map((a) => f(r.cpuPerRequest[a])), f(r.cpuPerRequest.client)].join(' / ')} | ${name === 'engine alone' ? '' : ACTORS.map((a) => mib(l.peakRss[a])).join(' / ')} |`,
            );
    const last = levels[levels.length - 1];
    if (last) lines.push('', `Peak RSS per actor over the run: ${formatPerActor(last.peakRss, mib)}.`);
    return lines.join('\n');
}

if (require.main === module) {
    const quick = process.argv.includes('--quick');
    if (process.argv.includes('--in-process')) {
        benchRelay({ streams: quick ? [1, 10] : [1, 50, 500] }).then(
            (r) => {
                console.log(formatRelayBench(r));
                process.exit(0);
            },
            (e) => {
                console.error(e);
                process.exit(1);
            },
        );
    } else {
        const o = { streams: quick ? [1, 10] : [1, 50, 500], seconds: quick ? 2 : 10, answerTokens: 64, chunkDelayMs: 2 };
        benchRelayProcesses(o).then(
            (levels) => {
                console.log(formatActorLevels(levels, o));
                const errors = levels.reduce((a, l) => a + l.engine.load.errors + l.relay.load.errors, 0);
                process.exit(errors > 0 ? 1 : 0);
            },
            (e) => {
                console.error(e);
                process.exit(1);
            },
        );
    }
}
