/**
 * One worker in-process over real HTTP on 127.0.0.1: the protocol in @ton/sandbox (the worker account
 * registered with this boot's keys), a simulated TDX quote, the stub engine, an LMDB store in a temp dir.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import { Address, toNano } from '@ton/core';
import { SimulatedQuoteProvider } from '../../../../actors/tee';
import type { EngineClient } from '../../../../actors/engine/types';
import { WorkerApp, WorkerSettings } from '../../../../actors/worker/app';
import { attest, freshKeys, BootKeys } from '../../../../actors/worker/boot/attest';
import { ChainJobDirectory } from '../../../../actors/worker/chain/jobs';
import { ChainClaimPort } from '../../../../actors/worker/chain/claims';
import { LmdbStore } from '../../../../actors/worker/store/lmdb';
import { systemClock, WorkerIdentity } from '../../../../actors/worker/types';
import { Prices } from '../../../../wrappers/common';
import { deployProtocol, DEFAULT_PRICES, Protocol, RegisteredWorker } from '../../../../wrappers/testkit';
import { openJob, OpenedJob, sandboxGlobalId } from '../../../../wrappers/testkit/jobs';
import { TestClient } from './client';
import { engineClientFor } from './engineClient';
import { EmbeddedChain } from '../../../../actors/chain/dev/embedded';
import { StubEngine } from './stubEngine';

export interface Harness {
    p: Protocol;
    worker: RegisteredWorker;
    keys: BootKeys;
    sim: SimulatedQuoteProvider;
    engine: StubEngine;
    app: WorkerApp;
    url: string;
    client: TestClient;
    dataDir: string;
    identity: WorkerIdentity;
    openJob(o?: { value?: bigint }): Promise<OpenedJob>;
    /** Stops the app (graceful) and starts a new one over the same data directory, with the same keys. */
    restart(): Promise<void>;
    stop(): Promise<void>;
}

export interface HarnessOptions {
    settings?: Partial<WorkerSettings>;
    /** The worker's registered prices (jobs are opened with these as their maximum). */
    prices?: Prices;
    answerWords?: number;
    engineClient?: (url: string) => EngineClient;
    /** Serve from this engine (e.g. the real tiny engine) instead of the stub; the stub still starts, idle. */
    engine?: { url: string; model: string };
    /** How long the worker trusts a job read from the chain (0: always read; the worker's default is 2 s). */
    jobFreshnessMs?: number;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
    const p = await deployProtocol({ workers: 0 });
    const keys = freshKeys();
    const owner = await p.wallet('worker owner');
    const prices = o.prices ?? DEFAULT_PRICES;
    const worker = await p.registerWorker(owner, 0, { receiptKey: keys.receiptPublic, encryptionKey: keys.encPublic, prices });
    const sim = new SimulatedQuoteProvider();
    const attested = await attest(sim, keys);
    const engine = new StubEngine({ answerWords: o.answerWords });
    await engine.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'worker-test-'));
    const identity: WorkerIdentity = {
        globalId: sandboxGlobalId(p),
        workerAccount: worker.worker.address,
        root: p.root.address,
        receiptPublic: keys.receiptPublic,
        receiptSecret: keys.receiptSecret,
        encPublic: keys.encPublic,
        encPrivate: keys.encPrivate,
        modelId: o.engine?.model ?? engine.model,
        modelHash: p.modelHash,
    };
    const chain = EmbeddedChain.over(p.blockchain);
    const settings: WorkerSettings = {
        prices,
        creditLimit: toNano('0.1'),
        maxTokens: 256,
        maxRequestBytes: 64 * 1024,
        bodyTimeoutMs: 1_000,
        claimThreshold: toNano('1000'),
        claimVia: 'external',
        claimConfirmTimeoutMs: 60_000,
        claimIntervalMs: 3_600_000,
        ...o.settings,
    };
    const make = () =>
        new WorkerApp({
            identity,
            attested,
            receiptSeed: keys.receiptSeed,
            store: new LmdbStore(dataDir),
            jobs: new ChainJobDirectory(chain, { freshnessMs: o.jobFreshnessMs ?? 0 }),
            engine: (o.engineClient ?? ((u) => engineClientFor(u, o.engine?.model ?? engine.model)))(o.engine?.url ?? engine.url),
            claims: new ChainClaimPort(chain, null),
            clock: systemClock,
            log: pino({ level: 'silent' }),
            settings,
        });
    const h: Harness = {
        p,
        worker,
        keys,
        sim,
        engine,
        app: make(),
        url: '',
        client: null as unknown as TestClient,
        dataDir,
        identity,
        openJob: (oo = {}) => openJob(p, { worker, value: oo.value, maxPrices: prices }),
        restart: async () => {
            await h.app.stop({ drainMs: 1_000, claimWaitMs: 0 });
            h.app = make();
            h.url = await h.app.listen('127.0.0.1', 0);
            h.client = new TestClient(h.url, [sim.trustAnchor]);
            await h.client.attest();
        },
        stop: async () => {
            await h.app.stop({ drainMs: 1_000, claimWaitMs: 0 }).catch(() => undefined);
            await engine.stop();
            rmSync(dataDir, { recursive: true, force: true });
        },
    };
    h.url = await h.app.listen('127.0.0.1', 0);
    h.client = new TestClient(h.url, [sim.trustAnchor]);
    return h;
}

export function rawJob(a: Address): string {
    return a.toRawString();
}
