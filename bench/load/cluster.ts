/**
 * The load benchmark's processes: the fast stub engine, and the actors (embedded chain, worker, relay) in
 * front of it, each a child process so CPU time and peak memory are measured per process. `phase()` runs one
 * load round against a target and returns the client's figures with each process's CPU spent during it.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { spawnEngineProcess } from '../../devnet/engine/process';
import { writeTinyModel } from '../../devnet/engine/tinyModel';
import { startChild, procStats, type Child } from './child';
import { percentile, runLoad, type LoadOptions, type LoadResult, type LoadTarget } from './driver';
import type { ActorsOptions } from './actorsMain';

export interface ClusterOptions {
    /** The fast stub (answerWords chunks, chunkDelayMs apart) or the tiny real model (node-llama-cpp, CPU). */
    engine: { kind: 'stub'; answerWords: number; chunkDelayMs: number } | { kind: 'tiny' };
    maxTokens: number;
    /** Deposit of each job, TON (default 10: ~100 stub requests; a top-up mid-run makes the worker refuse for up to 2 s). */
    depositTon?: number;
    /** Jobs the relay will hold at once (one per concurrent stream): sizes the relay wallet. */
    maxConcurrency: number;
}

type EngineInfo = { url: string; model: string };

export interface Cluster {
    engine: Child<EngineInfo>;
    actors: Child<{ relayUrl: string; workerUrl: string; apiKey: string }>;
    engineTarget: LoadTarget;
    relayTarget: LoadTarget;
    stop(): Promise<void>;
}

async function startEngine(o: ClusterOptions['engine']): Promise<Child<EngineInfo>> {
    if (o.kind === 'stub') return startChild<EngineInfo>('stub engine', 'bench/load/stubEngineMain.ts', [String(o.answerWords), String(o.chunkDelayMs)]);
    const dir = mkdtempSync(join(tmpdir(), 'bench-tiny-'));
    const e = await spawnEngineProcess(writeTinyModel(join(dir, 'tiny.gguf')), 'tiny', ['--sequences', '2']);
    return {
        name: 'tiny engine',
        info: { url: e.url, model: 'tiny' },
        child: e.child,
        stats: () => procStats(e.child.pid!),
        stop: async () => {
            await e.close();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
    const engine = await startEngine(o.engine);
    try {
        // the wallet holds every job's deposit plus gas
        const actorsOptions: ActorsOptions = {
            engineUrl: engine.info.url,
            model: engine.info.model,
            maxModelLen: o.engine.kind === 'tiny' ? 512 : 4096,
            depositTon: String(o.depositTon ?? 10),
            relayBalanceTon: String(o.maxConcurrency * ((o.depositTon ?? 10) + 2) + 1000),
            maxTokens: o.maxTokens,
        };
        const actors = await startChild<{ relayUrl: string; workerUrl: string; apiKey: string }>('actors', 'bench/load/actorsMain.ts', [JSON.stringify(actorsOptions)]);
        return {
            engine,
            actors,
            engineTarget: { baseUrl: engine.info.url, model: engine.info.model },
            relayTarget: { baseUrl: actors.info.relayUrl, model: engine.info.model, apiKey: actors.info.apiKey },
            stop: async () => {
                await actors.stop();
                await engine.stop();
            },
        };
    } catch (e) {
        await engine.stop();
        throw e;
    }
}

export interface PhaseResult {
    load: LoadResult;
    /** CPU ms per completed request, per process. */
    cpuPerRequest: { client: number; engine: number; actors: number };
    ttft: { p50: number; p99: number };
    gap: { p50: number; p99: number };
    requestsPerSecond: number;
    tokensPerSecond: number;
}

function selfCpuMs(): number {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
}

export async function phase(c: Cluster, target: LoadTarget, o: LoadOptions): Promise<PhaseResult> {
    const e0 = c.engine.stats().cpuMs;
    const a0 = c.actors.stats().cpuMs;
    const s0 = selfCpuMs();
    const load = await runLoad(target, o);
    const n = Math.max(1, load.completed);
    return {
        load,
        cpuPerRequest: { client: (selfCpuMs() - s0) / n, engine: (c.engine.stats().cpuMs - e0) / n, actors: (c.actors.stats().cpuMs - a0) / n },
        ttft: { p50: percentile(load.ttftMs, 50), p99: percentile(load.ttftMs, 99) },
        gap: { p50: percentile(load.gapMs, 50), p99: percentile(load.gapMs, 99) },
        requestsPerSecond: load.completed / (load.wallMs / 1000),
        tokensPerSecond: load.completionTokens / (load.wallMs / 1000),
    };
}

/** Peak RSS (bytes) of the client (this process) and of each child. */
export function peakMemory(c: Cluster): { client: number; engine: number; actors: number } {
    return { client: procStats(process.pid).peakRss, engine: c.engine.stats().peakRss, actors: c.actors.stats().peakRss };
}
