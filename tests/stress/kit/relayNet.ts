/**
 * The relay in front of two workers, every hop over real HTTP on 127.0.0.1, fast: the protocol in @ton/sandbox
 * (the simulated image allowed by governance), a real worker (WorkerApp) on the stub engine, a hostile worker
 * (hostileWorker.ts) registered with its own keys, and the relay with sandbox funding. `use('good' | 'hostile')`
 * makes the relay see only that worker, so a catalogue row reaches the worker it attacks and the good request
 * after it reaches the honest one.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { randomBytes } from 'crypto';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import pino from 'pino';
import { Address, toNano } from '@ton/core';
import { SimulatedQuoteProvider } from '../../../actors/tee';
import { WorkerApp, type WorkerSettings } from '../../../actors/worker/app';
import { attest, freshKeys } from '../../../actors/worker/boot/attest';
import { ChainJobDirectory } from '../../../actors/worker/chain/jobs';
import { ChainClaimPort } from '../../../actors/worker/chain/claims';
import { LmdbStore } from '../../../actors/worker/store/lmdb';
import { systemClock as workerClock } from '../../../actors/worker/types';
import { ed25519FromSeed } from '../../../actors/crypto/keys';
import { Relay, type RegistryEntry } from '../../../actors/relay/relay';
import { RelayStore } from '../../../actors/relay/store/lmdb';
import { ChainWorkerFacts } from '../../../actors/relay/chain/facts';
import { createRelayHttpServer } from '../../../actors/relay/http/server';
import { systemClock } from '../../../actors/relay/types';
import type { Limits } from '../../../actors/relay/openai/validate';
import { EmbeddedChain } from '../../../actors/chain/dev';
import { deployProtocol, type Protocol, type RegisteredWorker } from '../../../wrappers/testkit';
import { sandboxGlobalId } from '../../../wrappers/testkit/jobs';
import type { Prices } from '../../../wrappers/common';
import { StubEngine } from '../../actors/worker/kit/stubEngine';
import { engineClientFor } from '../../actors/worker/kit/engineClient';
import { SandboxFunding } from '../../actors/relay/kit/funding';
import { HostileWorker } from './hostileWorker';

export const PRICES: Prices = { prompt: toNano('1000'), cached: toNano('250'), completion: toNano('2000'), reasoning: toNano('2000') };
export const API_KEY = 'sk-stress-relay-key';
export const MODEL = 'stub-model';

export interface StressNet {
    p: Protocol;
    relay: Relay;
    relayStore: RelayStore;
    /** The relay's LMDB directory (a second RelayStore on it sees what the relay wrote, as a restarted relay would). */
    relayDir: string;
    /** A new relay with the same wallet, voucher key, chain and settings over `store`: the relay after a restart. */
    newRelay(store: RelayStore, o?: { maxPrices?: Prices }): Relay;
    /** The relay's sandbox funding (every job it opened is in `opened`). */
    funding: SandboxFunding;
    /** Raw addresses of the two worker accounts. */
    accounts: Record<'good' | 'hostile', string>;
    relayUrl: string;
    relayServer: Server;
    engine: StubEngine;
    hostile: HostileWorker;
    limits: Limits;
    /** The relay sees only this worker from now on (its verified entry, failures and any bar forgotten). */
    use(which: 'good' | 'hostile'): void;
    /** Marks every open job of that worker stopped in the relay's records, so its next request opens a fresh job. */
    retireJobs(which: 'good' | 'hostile'): void;
    stop(): Promise<void>;
}

const WORKER_SETTINGS = (prices: Prices): WorkerSettings => ({
    prices,
    creditLimit: toNano('1'),
    maxTokens: 64,
    maxRequestBytes: 64 * 1024,
    bodyTimeoutMs: 2_000,
    claimThreshold: toNano('1000'),
    claimVia: 'external',
    claimConfirmTimeoutMs: 60_000,
    claimIntervalMs: 3_600_000,
});

export async function startStressNet(limits: Limits): Promise<StressNet> {
    const p = await deployProtocol({ workers: 0 });
    const chain = EmbeddedChain.over(p.blockchain);
    const globalId = sandboxGlobalId(p);
    const sim = new SimulatedQuoteProvider();
    const probe = await attest(sim, freshKeys());
    await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'addImage', label: 'test image', imageHash: probe.imageHash }, toNano('0.2')));
    const engine = new StubEngine();
    await engine.start();
    const dirs: string[] = [];

    const relayWallet = await p.wallet('relay wallet', toNano('100000'));
    const voucherSeed = randomBytes(32);
    const voucherKeys = ed25519FromSeed(voucherSeed);
    const funding = new SandboxFunding(p, relayWallet, voucherKeys);

    /** Registers a worker with fresh keys and a simulated quote; returns its app (not listening) and keys. */
    const makeWorker = async (label: string) => {
        const keys = freshKeys();
        const attested = await attest(sim, keys);
        const reg: RegisteredWorker = await p.registerWorker(await p.wallet(label), 0, {
            receiptKey: keys.receiptPublic,
            encryptionKey: keys.encPublic,
            prices: PRICES,
            attestation: { imageHash: attested.imageHash, modelHash: p.modelHash, quoteHash: attested.quoteHash },
        });
        funding.workers.set(reg.worker.address.toRawString(), reg);
        const dataDir = mkdtempSync(join(tmpdir(), 'stress-worker-'));
        dirs.push(dataDir);
        const app = new WorkerApp({
            identity: { globalId, workerAccount: reg.worker.address, root: p.root.address, receiptPublic: keys.receiptPublic, receiptSecret: keys.receiptSecret, encPublic: keys.encPublic, encPrivate: keys.encPrivate, modelId: MODEL, modelHash: p.modelHash },
            attested,
            receiptSeed: keys.receiptSeed,
            store: new LmdbStore(dataDir),
            jobs: new ChainJobDirectory(chain, { freshnessMs: 0 }),
            engine: engineClientFor(engine.url, MODEL),
            claims: new ChainClaimPort(chain, null),
            clock: workerClock,
            log: pino({ level: 'silent' }),
            settings: WORKER_SETTINGS(PRICES),
        });
        return { keys, reg, app };
    };

    const good = await makeWorker('good worker owner');
    const goodUrl = await good.app.listen('127.0.0.1', 0);
    const bad = await makeWorker('hostile worker owner');
    const hostile = new HostileWorker({ keys: bad.keys, globalId, modelHash: p.modelHash, prices: PRICES, attestation: () => bad.app.attestation(), freshness: (n) => bad.app.freshness(n), jobNonce: async (job) => (await new ChainJobDirectory(chain, { freshnessMs: 0 }).get(Address.parseRaw(job))).nonce });
    await hostile.start();

    const relayDir = mkdtempSync(join(tmpdir(), 'stress-relay-'));
    dirs.push(relayDir);
    const relayStore = new RelayStore(relayDir);
    const log = pino({ level: process.env.RELAY_TEST_LOG ?? 'silent' });
    const newRelay = (store: RelayStore, o: { maxPrices?: Prices } = {}) => new Relay({
        store,
        facts: new ChainWorkerFacts(chain, p.root.address),
        funding,
        clock: systemClock,
        random: { bytes: (n) => randomBytes(n) },
        log,
        voucherSeed,
        voucherPublic: voucherKeys.publicKey,
        trust: { trustedRoots: [sim.trustAnchor], allowedStatuses: ['NoCollateral'], globalId, root: p.root.address.toRawString() },
        payment: { deposit: toNano('5'), maxPrices: o.maxPrices ?? PRICES, idleCloseMs: 3_600_000 },
        requestTimeoutMs: limits.requestTimeoutMs,
        maxAnswerBytes: 1 << 20,
    });
    const relay = newRelay(relayStore);
    relay.addKey(API_KEY, 'stress app', null);
    const relayServer = createRelayHttpServer(relay, limits, log);
    await new Promise<void>((r) => relayServer.listen(0, '127.0.0.1', r));
    const relayUrl = `http://127.0.0.1:${(relayServer.address() as AddressInfo).port}`;

    const entries: Record<'good' | 'hostile', RegistryEntry> = {
        good: await relay.checkWorker(good.reg.worker.address, goodUrl),
        hostile: await relay.checkWorker(bad.reg.worker.address, hostile.url),
    };
    for (const [k, e] of Object.entries(entries)) if (e.status !== 'verified') throw new Error(`${k} worker not verified: ${e.reasons.join('; ')}`);
    const verified = { good: { ...entries.good }, hostile: { ...entries.hostile } };

    return {
        p,
        relay,
        relayStore,
        relayDir,
        newRelay,
        funding,
        accounts: { good: verified.good.account, hostile: verified.hostile.account },
        relayUrl,
        relayServer,
        engine,
        hostile,
        limits,
        use: (which) => {
            const e = verified[which];
            // a row before may have had its receipt refused, which bars the worker: each row starts clear
            relay.forgetBar(e.account);
            relay.registry.clear();
            relay.registry.set(e.account, { ...e, failures: 0 });
        },
        retireJobs: (which) => {
            for (const j of relayStore.jobs()) if (j.worker === verified[which].account && j.state === 'open' && !j.stopped) relayStore.putJob({ ...j, stopped: 'retired by the stress test' });
        },
        stop: async () => {
            relayServer.closeAllConnections();
            await new Promise<void>((r) => relayServer.close(() => r()));
            await hostile.stop();
            await good.app.stop({ drainMs: 500, claimWaitMs: 0 }).catch(() => undefined);
            await bad.app.store.close().catch(() => undefined);
            await relayStore.close();
            await engine.stop();
            for (const d of dirs) rmSync(d, { recursive: true, force: true });
        },
    };
}
