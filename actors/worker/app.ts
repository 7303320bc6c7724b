/**
 * A running worker assembled from explicit parts (the session, the HTTP adapter, the claimer, metrics).
 * main.ts builds the parts from the configuration; tests build them directly.
 */
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import type { Logger } from 'pino';
import type { EngineClient } from '../engine/types';
import { signNonce } from '../tee';
import { BUCKETS, WIRE_VERSION, type AttestationDoc, type FreshnessProof } from '../wire';
import type { Prices } from '../../wrappers/common';
import type { Attested } from './boot/attest';
import { Claimer } from './claimer/claimer';
import type { ClaimPort, ClaimVia } from './claimer/types';
import { WorkerSession } from './core/session';
import { createWorkerHttpServer } from './http/server';
import { WorkerMetrics } from './metrics';
import type { WorkerStore } from './store/types';
import type { Clock, JobDirectory, WorkerIdentity } from './types';

export const SOFTWARE_VERSION = 'cocoon-ton-worker/0.1.0';
/** A request head must arrive within this (slow clients and connections that never send a request are closed). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
/** Longer than clients keep idle sockets (undici: 4 s), so a client never reuses a socket the worker is closing. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface WorkerSettings {
    prices: Prices;
    creditLimit: bigint;
    maxTokens: number;
    maxRequestBytes: number;
    bodyTimeoutMs: number;
    /** Time a client has to send its request head (default 30 s). */
    headersTimeoutMs?: number;
    /** Time an idle keep-alive connection stays open (default 65 s). */
    keepAliveTimeoutMs?: number;
    claimThreshold: bigint;
    claimVia: ClaimVia;
    claimConfirmTimeoutMs: number;
    claimIntervalMs: number;
    collateral?: unknown;
}

export interface WorkerParts {
    identity: WorkerIdentity;
    attested: Attested;
    /** 32-byte Ed25519 seed of the receipt key (signs freshness nonces). */
    receiptSeed: Buffer;
    store: WorkerStore;
    jobs: JobDirectory;
    engine: EngineClient;
    claims: ClaimPort;
    clock: Clock;
    log: Logger;
    settings: WorkerSettings;
}

export class WorkerApp {
    readonly metrics = new WorkerMetrics();
    readonly session: WorkerSession;
    readonly claimer: Claimer;
    private server: Server | null = null;

    constructor(private readonly p: WorkerParts) {
        this.session = new WorkerSession({
            identity: p.identity,
            store: p.store,
            jobs: p.jobs,
            engine: p.engine,
            clock: p.clock,
            creditLimit: p.settings.creditLimit,
            maxTokens: p.settings.maxTokens,
            events: {
                ...this.metrics.sessionEvents(),
                voucherStored: (_job, _amount, final) => {
                    if (final) void this.claimer.pass();
                },
            },
        });
        this.claimer = new Claimer(
            p.store,
            p.jobs,
            p.claims,
            p.clock,
            { threshold: p.settings.claimThreshold, confirmTimeoutMs: p.settings.claimConfirmTimeoutMs, preferWallet: p.settings.claimVia === 'wallet' },
            p.log.child({ part: 'claimer' }),
            {
                claim: (result) => this.metrics.claims.inc({ result }),
                totals: (held, claimed) => {
                    this.metrics.vouchersHeld.set(Number(held));
                    this.metrics.vouchersClaimed.set(Number(claimed));
                },
            },
        );
    }

    /** The state store (status, tests). */
    get store(): WorkerStore {
        return this.p.store;
    }

    attestation(): AttestationDoc {
        const { identity: id, attested: a, settings: s } = this.p;
        return {
            wireVersion: WIRE_VERSION,
            software: SOFTWARE_VERSION,
            quoteProvider: a.kind,
            simulated: a.kind === 'simulated',
            quote: a.quote.toString('base64'),
            quoteHash: a.quoteHash.toString('hex'),
            collateral: s.collateral ?? null,
            imageHash: a.imageHash.toString('hex'),
            receiptKey: id.receiptPublic.toString('hex'),
            encKey: id.encPublic.toString('hex'),
            workerAccount: id.workerAccount.toRawString(),
            root: id.root.toRawString(),
            globalId: id.globalId,
            model: { id: id.modelId, hash: id.modelHash.toString('hex') },
            prices: { prompt: s.prices.prompt.toString(), cached: s.prices.cached.toString(), completion: s.prices.completion.toString(), reasoning: s.prices.reasoning.toString() },
            creditLimit: s.creditLimit.toString(),
            maxRequestBytes: s.maxRequestBytes,
            buckets: [...BUCKETS],
        };
    }

    freshness(nonce: Buffer): FreshnessProof {
        return {
            nonce: nonce.toString('hex'),
            quoteHash: this.p.attested.quoteHash.toString('hex'),
            receiptKey: this.p.identity.receiptPublic.toString('hex'),
            signature: signNonce(this.p.receiptSeed, nonce, this.p.attested.quoteHash).toString('hex'),
        };
    }

    /** Listens and starts the claimer loop; resolves with the base URL. */
    async listen(host: string, port: number): Promise<string> {
        this.server = createWorkerHttpServer({
            session: this.session,
            attestation: () => this.attestation(),
            freshness: (n) => this.freshness(n),
            health: async () => {
                const engine = await this.p.engine.health().catch(() => false);
                return { ok: engine, engine, busyJobs: this.session.busyJobs, quoteProvider: this.p.attested.kind };
            },
            metrics: this.metrics,
            quoteProvider: this.p.attested.kind,
            maxRequestBytes: this.p.settings.maxRequestBytes,
            bodyTimeoutMs: this.p.settings.bodyTimeoutMs,
            timeouts: { headersTimeoutMs: this.p.settings.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, keepAliveTimeoutMs: this.p.settings.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS },
            log: this.p.log.child({ part: 'http' }),
        });
        const server = this.server;
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(port, host, () => resolve());
        });
        this.claimer.startLoop(this.p.settings.claimIntervalMs);
        const a = server.address() as AddressInfo;
        return `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
    }

    /**
     * Graceful stop (SIGTERM): refuse new requests, let running streams finish (up to `drainMs`), claim every
     * unclaimed voucher and wait for the confirmations (up to `claimWaitMs`), close the store.
     */
    async stop(opts: { drainMs?: number; claimWaitMs?: number } = {}): Promise<{ unconfirmed: number }> {
        this.session.drain();
        this.claimer.stopLoop();
        const server = this.server;
        if (server) {
            const closed = new Promise<void>((r) => server.close(() => r()));
            const until = this.p.clock.nowMs() + (opts.drainMs ?? 30_000);
            while (this.session.busyJobs > 0 && this.p.clock.nowMs() < until) await new Promise((r) => setTimeout(r, 50));
            server.closeAllConnections();
            await closed;
        }
        const r = await this.claimer.flush(opts.claimWaitMs ?? 60_000);
        await this.p.store.close();
        return r;
    }
}
