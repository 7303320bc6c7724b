/**
 * npm run bench:load -- [--concurrency 500] [--seconds 60] [--seed 1] [--words 32] [--chunk-delay 2] [--request-timeout 300]
 *
 * The relay and a worker (with the embedded local chain underneath) on 127.0.0.1 in front of the fast
 * vLLM-shaped stub engine, each in its own process, driven by N concurrent streaming chat requests for a
 * bounded time and count. First the engine alone (the baseline), then the same load through relay + worker.
 * Prints throughput, time to first token and per-chunk gap (p50/p99) for both, CPU per request and peak RSS
 * of each process. Exits non-zero if any request failed or any stream was incomplete.
 */
import { Command, InvalidArgumentError } from 'commander';
import { buildAllContracts } from '../scripts/tools/buildContracts';
import { peakMemory, phase, startCluster, type PhaseResult } from './load/cluster';

const int = (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
    return n;
};

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function line(name: string, r: PhaseResult): string {
    return `${name.padEnd(14)} ${String(r.load.completed).padStart(6)} ok ${String(r.load.errors).padStart(3)} err  ${f1(r.requestsPerSecond).padStart(7)} req/s ${f1(r.tokensPerSecond).padStart(8)} tok/s  TTFT p50/p99 ${f1(r.ttft.p50)}/${f1(r.ttft.p99)} ms  gap p50/p99 ${f1(r.gap.p50)}/${f1(r.gap.p99)} ms  CPU ms/req client ${f1(r.cpuPerRequest.client)} engine ${f1(r.cpuPerRequest.engine)} actors ${f1(r.cpuPerRequest.actors)}`;
}

async function main(): Promise<void> {
    const o = new Command()
        .name('bench:load')
        .option('--concurrency <n>', 'concurrent streams', int, 500)
        .option('--seconds <n>', 'seconds of load per phase', int, 60)
        .option('--max-requests <n>', 'requests per phase at most (default: no limit beyond time)', int, 1_000_000)
        .option('--seed <n>', 'seed of the prompts', int, 1)
        .option('--words <n>', 'words (content chunks) per answer', int, 32)
        .option('--chunk-delay <ms>', 'stub engine delay between chunks', int, 2)
        .option('--request-timeout <s>', 'a stream that takes longer counts as an error', int, 300)
        .option('--skip-engine', 'skip the engine-alone baseline')
        .parse()
        .opts<{ concurrency: number; seconds: number; maxRequests: number; seed: number; words: number; chunkDelay: number; requestTimeout: number; skipEngine?: boolean }>();
    const maxTokens = o.words + 16;
    const failed = await buildAllContracts();
    if (failed.length > 0) throw new Error(`contracts did not compile: ${failed.join(', ')}`);
    console.log(`starting the stub engine and the actors (relay, worker, embedded chain)…`);
    const c = await startCluster({ engine: { kind: 'stub', answerWords: o.words, chunkDelayMs: o.chunkDelay }, maxTokens, maxConcurrency: o.concurrency });
    let errors = 0;
    try {
        const load = { concurrency: o.concurrency, seconds: o.seconds, maxRequests: o.maxRequests, maxTokens, seed: o.seed, requestTimeoutMs: o.requestTimeout * 1000 };
        if (!o.skipEngine) {
            const e = await phase(c, c.engineTarget, load);
            console.log(line('engine alone', e));
            errors += e.load.errors;
        }
        // warm-up: one request per stream, so the relay opens its jobs (one per concurrent stream) before timing
        const t = Date.now();
        // (the relay's one wallet opens them one external at a time, so a request may wait minutes here)
        const w = await phase(c, c.relayTarget, { ...load, seconds: 900, maxRequests: o.concurrency, requestTimeoutMs: 900_000 });
        console.log(`warm-up: ${w.load.completed} requests, ${w.load.errors} errors, ${((Date.now() - t) / 1000).toFixed(1)} s (the relay opens a job per concurrent stream)`);
        errors += w.load.errors;
        const r = await phase(c, c.relayTarget, load);
        console.log(line('relay+worker', r));
        errors += r.load.errors;
        for (const s of [...w.load.errorSamples, ...r.load.errorSamples]) console.log(`  error: ${s}`);
        const m = peakMemory(c);
        console.log(`peak RSS: actors (relay + worker + embedded chain) ${mib(m.actors)}, stub engine ${mib(m.engine)}, load client ${mib(m.client)}`);
    } finally {
        await c.stop();
    }
    if (errors > 0) {
        console.error(`FAILED: ${errors} request(s) failed`);
        process.exit(1);
    }
    process.exit(0);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
