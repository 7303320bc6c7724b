/**
 * The load benchmark's processes, one per actor so CPU time and peak memory are measured per actor from
 * /proc: the engine (the fast stub or the tiny real model), the local chain server (`npm run localnet`, the
 * protocol deployed at genesis), a worker (`npm run worker -- register`, simulated quote) and the relay
 * (`npm run relay -- start`), started with the same launchers as `npm run demo` (devnet/network/launch.ts):
 * the council allows the simulated image and the model, the worker registers with stake, the relay discovers
 * and verifies it. `phase()` runs one load round against a target and returns the client's figures with each
 * process's CPU spent during it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { ChildProcess } from 'child_process';
import { spawnEngineProcess } from '../../devnet/engine/process';
import { writeTinyModel } from '../../devnet/engine/tinyModel';
import { addRelayKey, allowImageAndModel, freePort, Processes, simulatedRootPem, startLocalChain, startRelay, startWorker } from '../../devnet/network/launch';
import { modelHash as computeModelHash } from '../../actors/engine/modelHash';
import { SimulatedQuoteProvider } from '../../actors/tee';
import { attest, freshKeys } from '../../actors/worker/boot/attest';
import { startChild, procStats, type Child, type ProcStats } from './child';
import { percentile, runLoad, type LoadOptions, type LoadResult, type LoadTarget } from './driver';

export interface ClusterOptions {
    /** The fast stub (answerWords chunks, chunkDelayMs apart) or the tiny real model (node-llama-cpp, CPU). */
    engine: { kind: 'stub'; answerWords: number; chunkDelayMs: number } | { kind: 'tiny' };
    maxTokens: number;
    /** Deposit of each job, TON (default 10: ~100 stub requests; a top-up mid-run makes the worker refuse for up to 2 s). */
    depositTon?: number;
    /** Jobs the relay will hold at once (one per concurrent stream); the local chain's wallets hold plenty. */
    maxConcurrency: number;
}

type EngineInfo = { url: string; model: string };

/** The actors measured one by one. */
export const ACTORS = ['relay', 'worker', 'engine', 'chain'] as const;
export type ActorName = (typeof ACTORS)[number];

export interface ActorProcess {
    name: string;
    pid: number;
    stats(): ProcStats;
}

export interface Cluster {
    actors: Record<ActorName, ActorProcess>;
    engineTarget: LoadTarget;
    relayTarget: LoadTarget;
    stop(): Promise<void>;
}

/** Prices of the benchmark worker, TON per million tokens (prompt, cached, completion, reasoning). */
const PRICES = '1000,250,2000,2000';

async function startEngine(o: ClusterOptions['engine'], modelPath: string): Promise<Child<EngineInfo>> {
    if (o.kind === 'stub') return startChild<EngineInfo>('stub engine', 'bench/load/stubEngineMain.ts', [String(o.answerWords), String(o.chunkDelayMs)]);
    const e = await spawnEngineProcess(modelPath, 'tiny', ['--sequences', '2']);
    return { name: 'tiny engine', info: { url: e.url, model: 'tiny' }, child: e.child, stats: () => procStats(e.child.pid!), stop: () => e.close() };
}

function actor(name: string, child: ChildProcess): ActorProcess {
    const pid = child.pid!;
    return { name, pid, stats: () => procStats(pid) };
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
    const processes = new Processes();
    // the model file the worker hashes (and the council allows); the stub engine only reports serving it
    const modelPath = writeTinyModel(join(dir, 'tiny.gguf'));
    let engine: Child<EngineInfo> | null = null;
    const stop = async () => {
        await processes.stopAll();
        await engine?.stop();
        rmSync(dir, { recursive: true, force: true });
    };
    try {
        engine = await startEngine(o.engine, modelPath);
        const lc = await startLocalChain(processes, { wallets: 5 });
        const modelHash = await computeModelHash(modelPath);
        const imageHash = (await attest(new SimulatedQuoteProvider(), freshKeys())).imageHash;
        await allowImageAndModel(lc, { imageHash, modelHash, model: engine.info.model });
        const workerDir = join(dir, 'worker');
        const ownerFile = join(dir, 'owner.mnemonic');
        writeFileSync(ownerFile, lc.dev.wallets[3].mnemonic, { mode: 0o600 });
        const worker = await startWorker(processes, {
            lc, mode: 'register', ownerMnemonicFile: ownerFile, engineUrl: engine.info.url, model: engine.info.model, modelPath, prices: PRICES, port: await freePort(), dataDir: workerDir,
            extraArgs: ['--max-tokens', String(o.maxTokens), '--claim-threshold', '1000', '--credit-limit', '1', '--log-level', 'warn'],
        });
        const relayDir = join(dir, 'relay');
        const apiKey = await addRelayKey(processes, relayDir, 'bench');
        const relay = await startRelay(processes, {
            lc, port: await freePort(), dataDir: relayDir, mnemonicFile: join(dir, 'relay.mnemonic'), mnemonic: lc.dev.wallets[4].mnemonic,
            deposit: String(o.depositTon ?? 10), maxPrices: PRICES, maxTokens: o.maxTokens, simulatedRootPem: simulatedRootPem(workerDir),
        });
        if (!relay.listening.workers.some((w) => w.status === 'verified')) throw new Error(`the relay verified no worker: ${JSON.stringify(relay.listening.workers)}`);
        return {
            actors: {
                relay: actor('relay', relay.child),
                worker: actor('worker', worker.child),
                engine: actor(engine.name, engine.child),
                chain: actor('local chain', processes.get('localnet')!.child),
            },
            engineTarget: { baseUrl: engine.info.url, model: engine.info.model },
            relayTarget: { baseUrl: relay.baseURL.replace(/\/v1$/, ''), model: engine.info.model, apiKey },
            stop,
        };
    } catch (e) {
        await stop();
        throw e;
    }
}

export interface PhaseResult {
    load: LoadResult;
    /** CPU ms per completed request, per process: the load client and each actor; `actors` = relay + worker + chain. */
    cpuPerRequest: { client: number; actors: number } & Record<ActorName, number>;
    ttft: { p50: number; p99: number };
    gap: { p50: number; p99: number };
    e2e: { p50: number; p99: number };
    requestsPerSecond: number;
    tokensPerSecond: number;
}

function selfCpuMs(): number {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
}

function cpuOf(c: Cluster): Record<ActorName, number> {
    return { relay: c.actors.relay.stats().cpuMs, worker: c.actors.worker.stats().cpuMs, engine: c.actors.engine.stats().cpuMs, chain: c.actors.chain.stats().cpuMs };
}

export async function phase(c: Cluster, target: LoadTarget, o: LoadOptions): Promise<PhaseResult> {
    const before = cpuOf(c);
    const s0 = selfCpuMs();
    const load = await runLoad(target, o);
    const after = cpuOf(c);
    const n = Math.max(1, load.completed);
    const per = (a: ActorName) => (after[a] - before[a]) / n;
    return {
        load,
        cpuPerRequest: { client: (selfCpuMs() - s0) / n, relay: per('relay'), worker: per('worker'), engine: per('engine'), chain: per('chain'), actors: per('relay') + per('worker') + per('chain') },
        ttft: { p50: percentile(load.ttftMs, 50), p99: percentile(load.ttftMs, 99) },
        gap: { p50: percentile(load.gapMs, 50), p99: percentile(load.gapMs, 99) },
        e2e: { p50: percentile(load.e2eMs, 50), p99: percentile(load.e2eMs, 99) },
        requestsPerSecond: load.completed / (load.wallMs / 1000),
        tokensPerSecond: load.completionTokens / (load.wallMs / 1000),
    };
}

/** Peak RSS (VmHWM, bytes) of the load client (this process) and of each actor's process. */
export function peakMemory(c: Cluster): { client: number } & Record<ActorName, number> {
    return { client: procStats(process.pid).peakRss, relay: c.actors.relay.stats().peakRss, worker: c.actors.worker.stats().peakRss, engine: c.actors.engine.stats().peakRss, chain: c.actors.chain.stats().peakRss };
}

/** Current RSS (bytes) of each actor's process. */
export function currentMemory(c: Cluster): Record<ActorName, number> {
    return { relay: c.actors.relay.stats().rss, worker: c.actors.worker.stats().rss, engine: c.actors.engine.stats().rss, chain: c.actors.chain.stats().rss };
}

/** "relay 12 MiB, worker …" in ACTORS order. */
export function formatPerActor(m: Record<ActorName, number>, unit: (x: number) => string): string {
    return ACTORS.map((a) => `${a} ${unit(m[a])}`).join(', ');
}
