/**
 * The whole path in one test process, every hop over real HTTP on 127.0.0.1: the protocol in @ton/sandbox
 * (council actions by the governance wallet: the simulated image and the tiny model allowed), the tiny real
 * engine (node-llama-cpp on the CPU), a worker registered with this boot's keys and a simulated TDX quote,
 * and the relay in front with its own wallet and voucher key. Returns an `openai` SDK client for the relay.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import { Address, toNano } from '@ton/core';
import OpenAI from 'openai';
import { SimulatedQuoteProvider } from '../../../../actors/tee';
import { VllmClient } from '../../../../actors/engine/client';
import { modelHash as computeModelHash } from '../../../../actors/engine/modelHash';
import { WorkerApp } from '../../../../actors/worker/app';
import { attest, freshKeys } from '../../../../actors/worker/boot/attest';
import { ChainJobDirectory } from '../../../../actors/worker/chain/jobs';
import { ChainClaimPort } from '../../../../actors/worker/chain/claims';
import { LmdbStore } from '../../../../actors/worker/store/lmdb';
import { systemClock as workerClock } from '../../../../actors/worker/types';
import { ed25519FromSeed } from '../../../../actors/crypto/keys';
import { Relay } from '../../../../actors/relay/relay';
import { RelayStore } from '../../../../actors/relay/store/lmdb';
import { ChainWorkerFacts } from '../../../../actors/relay/chain/facts';
import { createRelayHttpServer } from '../../../../actors/relay/http/server';
import { systemClock } from '../../../../actors/relay/types';
import type { Limits } from '../../../../actors/relay/openai/validate';
import type { Prices } from '../../../../wrappers/common';
import { deployProtocol, Protocol, RegisteredWorker } from '../../../../wrappers/testkit';
import { sandboxGlobalId } from '../../../../wrappers/testkit/jobs';
import { spawnEngine, EngineProcess } from './engineProcess';
import { writeTinyModel } from '../../../../devnet/engine/tinyModel';
import { EmbeddedChain } from '../../../../actors/chain/dev';
import { WalletJobFunding, DEFAULT_FUNDING } from '../../../../actors/relay/chain/funding';
import type { JobFunding } from '../../../../actors/relay/types';
import { SandboxFunding } from './funding';
import { randomBytes } from 'crypto';
import type { Server } from 'http';
import type { AddressInfo } from 'net';

/** 1000 / 2000 TON per million tokens: a short request costs hundredths of a TON (claims pay their gas). */
export const PRICES: Prices = { prompt: toNano('1000'), cached: toNano('250'), completion: toNano('2000'), reasoning: toNano('2000') };
export const MODEL = 'tiny';
export const API_KEY = 'sk-test-relay-key';

export interface RunningWorker {
    reg: RegisteredWorker;
    app: WorkerApp;
    url: string;
    dataDir: string;
    stop(): Promise<void>;
}

export interface RunningRelay {
    relay: Relay;
    store: RelayStore;
    funding: JobFunding;
    /** The wallet that opens this relay's jobs (and receives evidence rewards). */
    walletAddress: Address;
    url: string;
    stop(): Promise<void>;
}

/** Sizing for the load benchmark (the tests use the defaults). */
export interface NetworkOptions {
    workers?: number;
    limits?: Partial<Limits>;
    deposit?: bigint;
    funding?: 'wallet' | 'sandbox';
    /** Serve from this vLLM-shaped engine (e.g. the fast stub) instead of spawning the tiny real one. */
    engine?: { url: string; model: string; maxModelLen?: number };
    /** TON in the relay's wallet (each concurrent stream holds a job with its own deposit). */
    relayBalance?: bigint;
    /** The worker's largest max_tokens (default 64). */
    workerMaxTokens?: number;
    /** How long the worker trusts a job read from the chain (tests: 0, every request reads; production default 2 s). */
    jobFreshnessMs?: number;
}

/** The engine the network serves from: the spawned tiny one, or an external one the caller started and stops. */
export type NetworkEngine = Pick<EngineProcess, 'url' | 'close'>;

export interface Network {
    p: Protocol;
    chain: EmbeddedChain;
    engine: NetworkEngine;
    sim: SimulatedQuoteProvider;
    modelHash: Buffer;
    workers: RunningWorker[];
    relay: Relay;
    relayStore: RelayStore;
    /** The relay's funding: the production W5-wallet adapter over the chain layer (default) or the sandbox one. */
    funding: JobFunding;
    sandboxFunding: SandboxFunding;
    relayUrl: string;
    openai(o?: { apiKey?: string; maxRetries?: number }): OpenAI;
    startWorker(): Promise<RunningWorker>;
    /** The first relay's wallet. */
    relayWallet: Address;
    /** Another relay instance with its own wallet, voucher key and state, in front of the same workers. */
    startRelay(): Promise<RunningRelay>;
    stop(): Promise<void>;
}

export async function startNetwork(o: NetworkOptions = {}): Promise<Network> {
    const p = await deployProtocol({ workers: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'relay-net-'));
    const modelPath = writeTinyModel(join(dir, 'tiny.gguf'));
    // with an external engine the allowlisted hash is still the tiny model's: the worker only reports it
    const modelHash = await computeModelHash(modelPath);
    const servedModel = o.engine?.model ?? MODEL;
    const engine: NetworkEngine = o.engine ? { url: o.engine.url, close: async () => undefined } : await spawnEngine(modelPath, MODEL);
    const sim = new SimulatedQuoteProvider();
    const bc = p.blockchain;
    const chain = EmbeddedChain.over(bc);
    const globalId = sandboxGlobalId(p);

    // the council's votes, as the governance wallet: the simulated image and the tiny model's hash
    const probe = await attest(sim, freshKeys());
    await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'addImage', label: 'test image', imageHash: probe.imageHash }, toNano('0.2')));
    await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'addModel', modelHash, name: servedModel }, toNano('0.2')));

    const workers: RunningWorker[] = [];
    let ownerCount = 0;
    const startWorker = async (): Promise<RunningWorker> => {
        const keys = freshKeys();
        const attested = await attest(sim, keys);
        const owner = await p.wallet(`worker owner ${ownerCount++}`);
        const reg = await p.registerWorker(owner, 0, {
            receiptKey: keys.receiptPublic,
            encryptionKey: keys.encPublic,
            prices: PRICES,
            attestation: { imageHash: attested.imageHash, modelHash, quoteHash: attested.quoteHash },
        });
        const dataDir = mkdtempSync(join(tmpdir(), 'relay-worker-'));
        const engineClient = new VllmClient({ baseUrl: engine.url, servedModelName: servedModel, maxModelLen: o.engine?.maxModelLen ?? 512 });
        const app = new WorkerApp({
            identity: { globalId, workerAccount: reg.worker.address, root: p.root.address, receiptPublic: keys.receiptPublic, receiptSecret: keys.receiptSecret, encPublic: keys.encPublic, encPrivate: keys.encPrivate, modelId: servedModel, modelHash },
            attested,
            receiptSeed: keys.receiptSeed,
            store: new LmdbStore(dataDir),
            jobs: new ChainJobDirectory(chain, { freshnessMs: o.jobFreshnessMs ?? 0 }),
            engine: engineClient,
            claims: new ChainClaimPort(chain, null),
            clock: workerClock,
            log: pino({ level: 'silent' }),
            settings: { prices: PRICES, creditLimit: toNano('1'), maxTokens: o.workerMaxTokens ?? 64, maxRequestBytes: 64 * 1024, bodyTimeoutMs: 2_000, claimThreshold: toNano('1000'), claimVia: 'external', claimConfirmTimeoutMs: 60_000, claimIntervalMs: 3_600_000 },
        });
        const url = await app.listen('127.0.0.1', 0);
        const w: RunningWorker = {
            reg,
            app,
            url,
            dataDir,
            stop: async () => {
                await app.stop({ drainMs: 500, claimWaitMs: 0 }).catch(() => undefined);
                engineClient.close();
            },
        };
        workers.push(w);
        sandboxFunding.workers.set(reg.worker.address.toRawString(), reg);
        return w;
    };

    const relayWallet = await p.wallet('relay wallet', toNano('1000'));
    const voucherSeed = randomBytes(32);
    const voucherKeys = ed25519FromSeed(voucherSeed);
    const sandboxFunding = new SandboxFunding(p, relayWallet, voucherKeys);
    const limits: Limits = { maxBodyBytes: 64 * 1024, maxTokens: 48, requestTimeoutMs: 60_000, ...o.limits };
    const log = pino({ level: process.env.RELAY_TEST_LOG ?? 'silent' });
    const relays: RunningRelay[] = [];

    /** One relay instance: its own wallet (W5 on the chain layer unless given), voucher key, LMDB and HTTP server. */
    const startRelay = async (ro: { sandbox?: SandboxFunding; seed?: Buffer } = {}): Promise<RunningRelay> => {
        const seed = ro.seed ?? randomBytes(32);
        let funding: JobFunding;
        let walletAddress: Address;
        if (ro.sandbox) {
            funding = ro.sandbox;
            walletAddress = ro.sandbox.wallet.address;
        } else {
            const funded = await chain.local.fundedWallet(o.relayBalance ?? toNano('1000'));
            const wallet = await chain.openWallet(funded.mnemonic);
            walletAddress = wallet.address;
            funding = new WalletJobFunding(chain, wallet, p.root.address, { bytes: (n) => randomBytes(n) }, { ...DEFAULT_FUNDING, challenge: p.params.minChallenge });
        }
        const stateDir = mkdtempSync(join(tmpdir(), 'relay-state-'));
        const store = new RelayStore(stateDir);
        const relay = new Relay({
            store,
            facts: new ChainWorkerFacts(chain, p.root.address),
            funding,
            clock: systemClock,
            random: { bytes: (n) => randomBytes(n) },
            log,
            voucherSeed: seed,
            voucherPublic: ed25519FromSeed(seed).publicKey,
            trust: { trustedRoots: [sim.trustAnchor], allowedStatuses: ['NoCollateral'], globalId, root: p.root.address.toRawString() },
            payment: { deposit: o.deposit ?? toNano('5'), maxPrices: PRICES, idleCloseMs: 3_600_000 },
            requestTimeoutMs: limits.requestTimeoutMs,
        });
        relay.addKey(API_KEY, 'test app', null);
        const server: Server = createRelayHttpServer(relay, limits, log);
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        for (const w of workers) await relay.checkWorker(w.reg.worker.address, w.url);
        let stopped = false;
        const r: RunningRelay = {
            relay,
            store,
            funding,
            walletAddress,
            url,
            stop: async () => {
                if (stopped) return;
                stopped = true;
                server.closeAllConnections();
                await new Promise<void>((res) => server.close(() => res()));
                await store.close();
                rmSync(stateDir, { recursive: true, force: true });
            },
        };
        relays.push(r);
        return r;
    };
    const first = await startRelay((o.funding ?? 'wallet') === 'wallet' ? { seed: voucherSeed } : { sandbox: sandboxFunding, seed: voucherSeed });
    const { relay, store: relayStore, funding, url: relayUrl } = first;

    for (let i = 0; i < (o.workers ?? 1); i++) {
        const w = await startWorker();
        await relay.checkWorker(w.reg.worker.address, w.url);
    }

    return {
        p,
        chain,
        engine,
        sim,
        modelHash,
        workers,
        relay,
        relayStore,
        funding,
        sandboxFunding,
        relayUrl,
        openai: (oo = {}) => new OpenAI({ baseURL: `${relayUrl}/v1`, apiKey: oo.apiKey ?? API_KEY, maxRetries: oo.maxRetries ?? 2 }),
        startWorker,
        relayWallet: first.walletAddress,
        startRelay: () => startRelay(),
        stop: async () => {
            for (const r of relays) await r.stop();
            for (const w of workers) {
                await w.stop();
                rmSync(w.dataDir, { recursive: true, force: true });
            }
            await engine.close();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
