/**
 * npm run bench:worker — the worker's overhead against calling the engine directly, in the same run:
 * time to first token and the gap between chunks (p50, p99) at 1, 50 and 200 concurrent streams, CPU time
 * per request, peak memory and the cost of padding. Writes the "Worker overhead" section of
 * docs/benchmarks.md.
 *
 * The engine is the vLLM-shaped stub of the test kit (answers in microseconds), so what is measured is the
 * worker (envelope, HPKE open, rewrite, SSE parsing, padding and sealing every frame, receipt signing,
 * LMDB commit) plus the client's sealing and opening, not a model. Jobs are served from an in-memory job
 * directory (every job open, a large deposit) so 200 parallel jobs cost no chain work; everything runs in
 * one process, so CPU per request counts the client's share too (direct: client + engine; via worker:
 * client + worker + engine).
 */
import { createParser } from 'eventsource-parser';
import { Address, toNano } from '@ton/core';
import { randomBytes } from 'crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import { SimulatedQuoteProvider } from '../actors/tee';
import { WorkerApp } from '../actors/worker/app';
import { attest, freshKeys } from '../actors/worker/boot/attest';
import { LmdbStore } from '../actors/worker/store/lmdb';
import type { JobDirectory, JobView } from '../actors/worker/types';
import { MediaTypes, Paths, sealForWorker } from '../actors/wire';
import { StubEngine } from '../tests/actors/worker/kit/stubEngine';
import { VllmClient } from '../actors/engine';

const ROOT = join(__dirname, '..');
const WORKER_ACCOUNT = Address.parseRaw('0:' + '77'.repeat(32));
const PRICES = { prompt: toNano('0.2'), cached: toNano('0.05'), completion: toNano('0.6'), reasoning: toNano('0.6') };
const ANSWER_TOKENS = 64;
/** The stub sleeps this long between tokens, so the chunk gap via the worker minus the direct gap is the worker's cost per chunk. */
const CHUNK_DELAY_MS = 2;

class AllOpen implements JobDirectory {
    async get(job: Address): Promise<JobView> {
        return { address: job, state: 'active', worker: WORKER_ACCOUNT, deposit: toNano('1000'), paid: 0n, clientKey: Buffer.alloc(32), prices: PRICES, deadline: 0, challenge: 600, feeBps: 200, nonce: 0n };
    }
}

interface Sample {
    ttft: number;
    gaps: number[];
}

const pct = (xs: number[], p: number) => {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function body(i: number) {
    return { model: 'stub-model', messages: [{ role: 'user', content: `request ${i}: tell me about the weather in a long sentence` }], stream: true, max_tokens: 128 };
}

async function direct(engineUrl: string, i: number): Promise<Sample> {
    const t0 = performance.now();
    const res = await fetch(engineUrl + '/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body(i), stream_options: { include_usage: true, continuous_usage_stats: true } }),
    });
    // Both paths time the network reads that carry at least one content chunk, as the client sees them: several
    // chunks in one read are one arrival (timing each decoded chunk would read 0 ms between them).
    let last = 0;
    let ttft = -1;
    const gaps: number[] = [];
    let content = false;
    const parser = createParser({
        onEvent(ev) {
            if (ev.data !== '[DONE]' && (JSON.parse(ev.data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content) content = true;
        },
    });
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) {
        content = false;
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (!content) continue;
        const t = performance.now();
        if (ttft < 0) ttft = t - t0;
        else gaps.push(t - last);
        last = t;
    }
    return { ttft, gaps };
}

async function viaWorker(url: string, doc: { encKey: Buffer; receiptKey: Buffer; globalId: number }, i: number): Promise<Sample> {
    const job = Address.parseRaw('0:' + randomBytes(32).toString('hex'));
    const s = sealForWorker({ ...doc, job, seqno: 1, request: { kind: 'chat', body: body(i) } });
    const t0 = performance.now();
    const res = await fetch(url + Paths.requests, { method: 'POST', headers: { 'content-type': MediaTypes.request }, body: s.body });
    if (res.status !== 200) throw new Error(`worker answered ${res.status}: ${await res.text()}`);
    let last = 0;
    let ttft = -1;
    const gaps: number[] = [];
    for await (const chunk of res.body!) {
        if (!s.reader.push(Buffer.from(chunk)).some((ev) => ev.type === 'data')) continue;
        const t = performance.now();
        if (ttft < 0) ttft = t - t0;
        else gaps.push(t - last);
        last = t;
    }
    s.reader.finish();
    return { ttft, gaps };
}

async function round(concurrency: number, total: number, run: (i: number) => Promise<Sample>) {
    const samples: Sample[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            while (next < total) samples.push(await run(next++));
        }),
    );
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
        ttft50: pct(samples.map((s) => s.ttft), 50),
        ttft99: pct(samples.map((s) => s.ttft), 99),
        gap50: pct(samples.flatMap((s) => s.gaps), 50),
        gap99: pct(samples.flatMap((s) => s.gaps), 99),
        cpuMsPerReq: (cpu.user + cpu.system) / 1000 / total,
        rps: total / (wall / 1000),
    };
}

async function main() {
    const engine = new StubEngine({ answerWords: ANSWER_TOKENS, chunkDelayMs: CHUNK_DELAY_MS });
    await engine.start();
    const dir = mkdtempSync(join(tmpdir(), 'bench-worker-'));
    const keys = freshKeys();
    const attested = await attest(new SimulatedQuoteProvider(), keys);
    const app = new WorkerApp({
        identity: { globalId: -239, workerAccount: WORKER_ACCOUNT, root: WORKER_ACCOUNT, receiptPublic: keys.receiptPublic, receiptSecret: keys.receiptSecret, encPublic: keys.encPublic, encPrivate: keys.encPrivate, modelId: engine.model, modelHash: Buffer.alloc(32, 1) },
        attested,
        receiptSeed: keys.receiptSeed,
        store: new LmdbStore(dir),
        jobs: new AllOpen(),
        engine: new VllmClient({ baseUrl: engine.url, servedModelName: engine.model, maxModelLen: 4096 }),
        claims: { walletAvailable: false, send: async () => ({ messageHash: null }), chainNow: async () => Math.floor(Date.now() / 1000), finalize: async () => undefined, transactionsSince: async (_job, cursor) => ({ transactions: [], cursor }) },
        clock: { nowMs: () => Date.now() },
        log: pino({ level: 'silent' }),
        settings: { prices: PRICES, creditLimit: toNano('1000'), maxTokens: 4096, maxRequestBytes: 1 << 20, bodyTimeoutMs: 10_000, claimThreshold: toNano('1000'), claimVia: 'external', claimConfirmTimeoutMs: 60_000, claimIntervalMs: 3_600_000 },
    });
    const url = await app.listen('127.0.0.1', 0);
    const doc = { encKey: keys.encPublic, receiptKey: keys.receiptPublic, globalId: -239 };
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const rows: string[] = [];
    for (const c of [1, 50, 200]) {
        const total = Math.max(40, c);
        await round(c, Math.min(total, 20), (i) => direct(engine.url, i)); // warm-up
        const d = await round(c, total, (i) => direct(engine.url, i));
        await round(c, Math.min(total, 20), (i) => viaWorker(url, doc, i));
        const w = await round(c, total, (i) => viaWorker(url, doc, i));
        const f = (x: number) => x.toFixed(2);
        rows.push(
            `| ${c} | ${total} | ${f(d.ttft50)} / ${f(d.ttft99)} | ${f(w.ttft50)} / ${f(w.ttft99)} | ${f(d.gap50)} / ${f(d.gap99)} | ${f(w.gap50)} / ${f(w.gap99)} | ${f(d.cpuMsPerReq)} | ${f(w.cpuMsPerReq)} | ${d.rps.toFixed(0)} / ${w.rps.toFixed(0)} |`,
        );
        console.log(rows[rows.length - 1]);
    }
    clearInterval(sampler);
    const payload = (await app.metrics.paddingPayload.get()).values[0]?.value ?? 0;
    const wire = (await app.metrics.paddingWire.get()).values[0]?.value ?? 0;
    await app.stop({ drainMs: 1000, claimWaitMs: 0 });
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });

    const table = [
        `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; generated ${new Date().toISOString().slice(0, 10)} by \`npm run bench:worker\`; 1-min load average at the end ${loadavg()[0].toFixed(1)} (a shared machine: compare the two columns of one row, not rows across runs).`,
        '',
        `Streams of ${ANSWER_TOKENS} tokens from the stub engine, ${CHUNK_DELAY_MS} ms between tokens (no model: the difference between the columns is the worker's overhead plus the client's sealing/opening). Times in ms; "gap" is the time between two consecutive network reads that carry content, as the client sees them (chunks that arrive in one read are one arrival, in both columns).`,
        '',
        '| Streams | Requests | TTFT direct p50 / p99 | TTFT via worker p50 / p99 | Gap direct p50 / p99 | Gap via worker p50 / p99 | CPU ms/request direct | CPU ms/request via worker | Requests/s direct / via worker |',
        '|---|---|---|---|---|---|---|---|---|',
        ...rows,
        '',
        `Peak RSS of the process (client, worker and stub engine together): ${(peakRss / 2 ** 20).toFixed(0)} MiB. Padding: ${payload} answer bytes travelled as ${wire} frame bytes (${(wire / Math.max(1, payload)).toFixed(2)}× including the 4-byte length, the flag, the 5-byte inner header and the 16-byte tag of every frame).`,
    ].join('\n');
    const section = `## Worker overhead\n\n<!-- generated by bench/worker.ts: edits inside this section are overwritten -->\n\n${table}\n`;
    const path = join(ROOT, 'docs', 'benchmarks.md');
    let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\n';
    const re = /## Worker overhead\n[\s\S]*?(?=\n## |$)/;
    text = re.test(text) ? text.replace(re, section) : text.trimEnd() + '\n\n' + section;
    writeFileSync(path, text);
    console.log(`\nwrote ${path}`);
    process.exit(0);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
