/**
 * The relay's serving core: the worker registry (verification before first use and on every reconnection),
 * selection with failover before the first byte, one request at a time per job with sequence numbers, the
 * receipt check before the next voucher, vouchers sent at once, API-key caps and usage, and job escrows
 * opened, topped up, closed and finalized through the JobFunding port. HTTP stays in http/.
 */
import { Address, Cell } from '@ton/core';
import type { Logger } from 'pino';
import { ChainError } from '../chain/types';
import { signVoucher, verifyReceipt } from '../crypto/payloads';
import { sealForWorker, WireError, type StreamEvent } from '../wire';
import { buildSignedReceiptCell, equivocationEvidenceId, parseSignedReceiptCell, wrongModelEvidenceId, type SignedCell, type SignedReceipt } from '../../wrappers/payloads';
import type { Prices } from '../../wrappers/common';
import { crashPoint } from '../crashpoint';
import { Errors } from '../../wrappers/Constants';
import { JobRefusedByWorker } from './chain/funding';
import { RelayError } from './errors';
import { CapReservations, capRefusal, charge, keyId, newApiKey, type ApiKeyRecord } from './core/keys';
import { applyReceipt, headroom, newJobRecord, voucherFor, worstCaseCost, type JobRecord } from './core/ledger';
import { isEquivocation, receiptProblems } from './core/receipts';
import { rank, servesModel, withinPrices, type Candidate } from './core/selection';
import { chainProblems, verifyWorker, type TrustSettings, type VerifiedWorker } from './core/verify';
import { closeIdleJobs, finalizeDueJobs, settleUndeliveredVoucher, type VoucherDelivery } from './jobs/lifecycle';
import { SSE_DONE, SseRewriter, usageOf } from './openai/shape';
import { deadline } from './deadline';
import type { ValidRequest } from './openai/validate';
import type { BarredWorker, RelayStore } from './store/lmdb';
import type { Clock, JobFunding, Random, WorkerFacts } from './types';
import { fetchAttestation, fetchFreshness, postRequest, postVoucher, WorkerUnreachable } from './workers/client';
import type { CollateralProvider } from './workers/collateral';

export interface PaymentSettings {
    /** Deposit of a new job, and of each top-up, nanoton. */
    deposit: bigint;
    /** Highest prices the relay accepts when it opens a job. */
    maxPrices: Prices;
    /** Close a job nobody used for this long. */
    idleCloseMs: number;
    /**
     * After the root refused an open_job for a reason not about the worker (job openings paused, library unpaid),
     * no job is opened for this long (default DEFAULT_REFUSED_OPEN_COOLDOWN_MS): each refused open costs its fees.
     */
    refusedOpenCooldownMs?: number;
}

export const DEFAULT_REFUSED_OPEN_COOLDOWN_MS = 60_000;

/** Root refusals about the chain, not the worker: every open would be refused alike until governance acts. */
const CHAIN_WIDE_REFUSALS: ReadonlyMap<number, 'job_openings_paused' | 'chain_refused'> = new Map([
    [Errors.jobOpeningsPaused, 'job_openings_paused'],
    [Errors.libraryUnfunded, 'chain_refused'],
]);

export interface RelayDeps {
    store: RelayStore;
    facts: WorkerFacts;
    funding: JobFunding;
    clock: Clock;
    random: Random;
    log: Logger;
    /** 32-byte Ed25519 seed of the voucher key (the job's client key). */
    voucherSeed: Buffer;
    voucherPublic: Buffer;
    trust: TrustSettings;
    /** The relay's own collateral for workers whose attestation staples none (optional: else offline checks only). */
    collateral?: CollateralProvider;
    payment: PaymentSettings;
    requestTimeoutMs: number;
    /** Largest non-streamed answer the relay holds for a client (default DEFAULT_MAX_ANSWER_BYTES): a worker that streams without end is cut off. */
    maxAnswerBytes?: number;
}

/** A non-streamed answer of a few thousand tokens is well under 1 MiB; 16 MiB leaves room and bounds memory. */
export const DEFAULT_MAX_ANSWER_BYTES = 16 << 20;

export interface RegistryEntry {
    account: string;
    url: string;
    status: 'verified' | 'refused' | 'unreachable';
    reasons: string[];
    worker: VerifiedWorker | null;
    latencyMs: number;
    failures: number;
    checkedAt: number;
}

/** Where a streamed answer goes (the HTTP adapter starts the response on the first write). */
export interface StreamSink {
    /**
     * Writes one SSE event. A promise means the client's buffer is full: nothing more is read from the worker
     * until it settles (backpressure reaches the worker and its engine); it rejects when the client read
     * nothing for too long (client_timeout), which ends the stream and cuts the worker's answer.
     */
    write(s: string): void | Promise<void>;
    readonly started: boolean;
}

export interface Served {
    /** The OpenAI JSON body (non-streamed requests). */
    json: Record<string, unknown> | null;
    worker: VerifiedWorker;
}

/** An open_job that has not produced a job account after this long never will (it bounced or was never sent). */
const OPEN_LANDS_WITHIN_MS = 10 * 60_000;

/** How soon a worker that could not be reached is verified again on demand. */
const REVERIFY_AFTER_MS = 3_000;

/** Nothing was served or signed: the next worker may be tried. */
class BeforeFirstByte extends Error {}

export class Relay {
    readonly registry = new Map<string, RegistryEntry>();
    private readonly busy = new Set<string>();
    /** Jobs whose open this process has sent and not yet recorded (recoverOpenings leaves them alone). */
    private readonly opening = new Set<string>();
    /** Models some worker was verified for: a request for one gets 503 (retry later) when none is up, not 404. */
    private readonly knownModels = new Set<string>();
    /** Worst-case costs of the requests in flight, by API key (counted against the key's cap). */
    private readonly reservations = new CapReservations();
    /** A refusal of the relay's challenge period is the relay's own configuration: logged as an error once. */
    private challengeRefusalLogged = false;
    /** Set when the root refused an open for a chain-wide reason: no open is sent before `until`. */
    private opensPaused: { until: number; code: 'job_openings_paused' | 'chain_refused'; why: string } | null = null;

    constructor(private readonly d: RelayDeps) {}

    // ------------------------------------------------------------------------------------------ API keys

    addKey(secret: string, name: string, cap: bigint | null): ApiKeyRecord {
        const k = newApiKey(secret, name, cap, this.d.clock.now());
        this.d.store.putKey(k);
        return k;
    }

    /** The key record of a Bearer secret; throws 401 unless it exists and is not revoked. */
    authenticate(secret: string | null): ApiKeyRecord {
        if (!secret) throw new RelayError('invalid_api_key', 'missing API key: send Authorization: Bearer <key>');
        const k = this.d.store.getKey(keyId(secret));
        if (!k || k.revoked) throw new RelayError('invalid_api_key', 'invalid API key');
        return k;
    }

    revokeKey(id: string): void {
        const k = this.d.store.getKey(id);
        if (k) this.d.store.putKey({ ...k, revoked: true });
    }

    // ------------------------------------------------------------------------------------------ workers

    /** Verifies a worker (first use, reconnection, or a periodic check) and records why it fails, if it does. */
    async checkWorker(account: Address, url?: string): Promise<RegistryEntry> {
        // One check per worker at a time: every request that meets an unreachable worker re-verifies it, and
        // under hundreds of concurrent streams each would start its own (chain reads, an attestation and a
        // freshness fetch, quote verification), loading the worker and the relay with checks instead of requests.
        const key = account.toRawString();
        const running = this.checking.get(key);
        if (running) return running;
        const check = this.verifyWorker(account, url).finally(() => this.checking.delete(key));
        this.checking.set(key, check);
        return check;
    }

    /** Checks already running, by worker account (checkWorker joins them). */
    private readonly checking = new Map<string, Promise<RegistryEntry>>();

    private async verifyWorker(account: Address, url?: string): Promise<RegistryEntry> {
        const key = account.toRawString();
        const prev = this.registry.get(key);
        const entry: RegistryEntry = { account: key, url: url ?? prev?.url ?? '', status: 'unreachable', reasons: [], worker: null, latencyMs: prev?.latencyMs ?? 0, failures: 0, checkedAt: this.d.clock.now() };
        const bar = this.d.store.getBarred(key);
        if (bar) {
            // not contacted at all: passing verification again must not earn it a new escrow
            entry.status = 'refused';
            entry.reasons = [barReason(bar)];
            if (prev?.status !== 'refused') this.d.log.warn({ worker: key, reason: entry.reasons[0] }, 'worker barred');
            this.registry.set(key, entry);
            return entry;
        }
        try {
            const onChain = await this.d.facts.read(account);
            if (!entry.url) entry.url = onChain.endpoint;
            const doc = await fetchAttestation(entry.url);
            const nonce = this.d.random.bytes(32);
            const freshness = await fetchFreshness(entry.url, nonce);
            const at = new Date(this.d.clock.now());
            // the worker's stapled collateral when it sent some, else the relay's own source (if configured)
            const own = doc.collateral === null && this.d.collateral ? await this.d.collateral.forQuote(Buffer.from(doc.quote, 'base64'), at) : null;
            const v = verifyWorker({ url: entry.url, doc, nonce, freshness, onChain, trust: this.d.trust, at, ownCollateral: own });
            if (v.ok) {
                entry.status = 'verified';
                entry.worker = v.worker;
                this.knownModels.add(v.worker.modelId);
                this.knownModels.add(v.worker.modelId.split('@')[0]);
                this.d.log.info({ worker: key, url: entry.url, model: v.worker.modelId, simulated: v.worker.simulated }, 'worker verified');
            } else {
                entry.status = 'refused';
                entry.reasons = v.reasons;
                this.d.log.warn({ worker: key, url: entry.url, reasons: v.reasons }, 'worker refused');
            }
        } catch (e) {
            entry.status = 'unreachable';
            entry.reasons = [`cannot verify: ${(e as Error).message}`];
            this.d.log.warn({ worker: key, url: entry.url, reason: entry.reasons[0] }, 'worker unreachable');
        }
        this.registry.set(key, entry);
        return entry;
    }

    /**
     * One discovery pass over the workers the chain layer found (main.ts's maintenance timer and startup):
     * workers no longer active are forgotten, new or dropped ones verified (a worker barred after a refused
     * receipt stays refused without being contacted), then the verified ones rechecked against the chain.
     */
    async discovered(found: { address: Address; standing: 'active' | 'inactive' | 'gone' }[], urls: Record<string, string> = {}): Promise<void> {
        for (const w of found) {
            const key = w.address.toRawString();
            const known = this.registry.get(key);
            if (w.standing !== 'active') {
                if (known) {
                    this.registry.delete(key);
                    this.d.log.warn({ worker: key, standing: w.standing }, 'worker forgotten: its account is no longer active');
                }
                continue;
            }
            if (!known?.worker) await this.checkWorker(w.address, urls[key]);
        }
        // workers already in use: the allowlists and accounts may have changed since they were verified
        await this.recheck();
    }

    /**
     * Reads the chain again for every verified worker and stops using those it no longer allows (image retired
     * by the council or out of its grace, model removed, account slashed, unbonding or below the minimum stake,
     * keys rotated). Run by the maintenance timer and before a new job is opened; requests in flight finish.
     */
    async recheck(): Promise<RegistryEntry[]> {
        const dropped: RegistryEntry[] = [];
        for (const e of [...this.registry.values()]) {
            if (!e.worker) continue;
            const w = e.worker;
            let reasons: string[];
            try {
                reasons = chainProblems(w, await this.d.facts.read(Address.parse(w.account)));
            } catch (err) {
                reasons = [`cannot read the worker account: ${(err as Error).message}`];
            }
            if (reasons.length === 0 || e.worker !== w) continue;
            e.worker = null;
            e.status = 'refused';
            e.reasons = reasons;
            e.checkedAt = this.d.clock.now();
            this.d.log.warn({ worker: e.account, reasons }, 'worker dropped: the chain no longer allows it');
            dropped.push(e);
        }
        return dropped;
    }

    /** Models served by at least one verified worker (each allowlisted on-chain, or it would not be verified). */
    models(): { id: string; hash: string; workers: number }[] {
        const m = new Map<string, { id: string; hash: string; workers: number }>();
        for (const e of this.registry.values()) {
            if (!e.worker) continue;
            const id = e.worker.modelId;
            const cur = m.get(id) ?? { id, hash: e.worker.modelHash.toString('hex'), workers: 0 };
            cur.workers++;
            m.set(id, cur);
        }
        return [...m.values()];
    }

    // ------------------------------------------------------------------------------------------ serving

    /** Verified workers serving `model`, best first (the order serve() tries them in). */
    candidates(model: string): Candidate[] {
        const verified: Candidate[] = [...this.registry.values()].filter((e) => e.worker && !this.d.store.getBarred(e.account)).map((e) => ({ worker: e.worker!, latencyMs: e.latencyMs, failures: e.failures }));
        return rank(verified, model, this.d.payment.maxPrices);
    }

    async serve(req: ValidRequest, key: ApiKeyRecord, sink: StreamSink | null, clientSignal: AbortSignal): Promise<Served> {
        await this.reverifyUnreachable();
        const cands = this.candidates(req.model);
        const reverified = new Set<string>();
        if (cands.length === 0) {
            if (!this.knownModels.has(req.model)) throw new RelayError('unknown_model', `the model '${req.model}' is not served by any verified worker`, 'model');
            const dear = [...this.registry.values()].filter((e) => e.worker && servesModel(e.worker, req.model) && !withinPrices(e.worker.onChain.prices, this.d.payment.maxPrices));
            if (dear.length > 0) throw new RelayError('no_worker_available', `every verified worker serving '${req.model}' asks more than the relay's highest prices (--max-prices)`);
        }
        // the whole request, every worker tried included; disposed when it is over (see deadline.ts for why
        // not AbortSignal.any with AbortSignal.timeout)
        const limit = deadline(clientSignal, this.d.requestTimeoutMs);
        const signal = limit.signal;
        // this request's reservation under the key's cap (the worst case at the prices of the worker being tried)
        let reserved = 0n;
        try {
            const failures: string[] = [];
            for (const c of cands) {
                const worst = worstCaseCost(c.worker.onChain.prices, req.maxPrompt, req.maxTokens + 1);
                // checked and reserved with no await between: concurrent requests of a key see each other's holds
                const refusal = capRefusal(this.d.store.getKey(key.id) ?? key, worst, this.reservations.of(key.id) - reserved);
                if (refusal) throw new RelayError('spending_cap_reached', refusal);
                reserved = this.reservations.move(key.id, reserved, worst);
                let job: JobRecord;
                try {
                    job = await this.acquireJob(c.worker, worst);
                } catch (e) {
                    if (e instanceof RelayError) throw e;
                    failures.push(`${c.worker.account}: no job (${(e as Error).message})`);
                    continue;
                }
                try {
                    return await this.attempt(c.worker, job.address, req, key.id, sink, signal);
                } catch (e) {
                    if (e instanceof BeforeFirstByte && !signal.aborted) {
                        failures.push(`${c.worker.account}: ${e.message}`);
                        this.markFailure(c.worker.account);
                        // a reconnection (a restart, new keys): verified again now, and tried once more if it passes
                        if (!reverified.has(c.worker.account)) {
                            reverified.add(c.worker.account);
                            const again = await this.checkWorker(Address.parse(c.worker.account));
                            if (again.worker) cands.push({ worker: again.worker, latencyMs: again.latencyMs, failures: again.failures });
                        }
                        continue;
                    }
                    if (limit.timedOut()) throw new RelayError('request_timeout', `no answer within ${this.d.requestTimeoutMs} ms`);
                    throw e;
                } finally {
                    this.busy.delete(job.address);
                }
            }
            throw new RelayError('no_worker_available', `no verified worker could serve '${req.model}'${failures.length ? ': ' + failures.join('; ') : ''}`);
        } finally {
            // released after the request ended: an accepted receipt was charged to the key before this point
            this.reservations.move(key.id, reserved, 0n);
            limit.dispose();
        }
    }

    /**
     * Workers that failed before the first byte or could not be reached are verified again before a request
     * is refused for want of one (at most every few seconds each), not only on the next discovery pass.
     */
    private async reverifyUnreachable(): Promise<void> {
        const now = this.d.clock.now();
        for (const e of [...this.registry.values()]) {
            if (e.worker || e.status !== 'unreachable' || now - e.checkedAt < REVERIFY_AFTER_MS) continue;
            await this.checkWorker(Address.parse(e.account));
        }
    }

    private markFailure(account: string): void {
        const e = this.registry.get(account);
        if (e) {
            e.failures++;
            // a worker that failed before the first byte is verified again before its next use
            if (e.failures >= 1) {
                e.worker = null;
                e.status = 'unreachable';
                e.reasons = ['failed before the first byte; re-verification pending'];
            }
        }
    }

    /** A job of this worker that is free, open, unstopped and can pay `worst`; tops up or opens one if needed. */
    private async acquireJob(w: VerifiedWorker, worst: bigint): Promise<JobRecord> {
        // none of its jobs, old or new: candidates() already leaves it out, this guards every other way in
        if (this.d.store.getBarred(w.account)) throw new Error('payment to this worker is stopped (a receipt of it was refused)');
        const mine = this.d.store.jobs().filter((j) => j.worker === w.account && j.state === 'open' && !j.stopped && j.receiptKey.equals(w.receiptKey));
        for (const j of mine) {
            if (this.busy.has(j.address)) continue;
            this.busy.add(j.address);
            if (headroom(j) >= worst) return j;
            try {
                const deposit = await this.d.funding.topUp(Address.parse(j.address), this.d.payment.deposit);
                const up = { ...this.d.store.getJob(j.address)!, deposit };
                this.d.store.putJob(up);
                this.d.log.info({ job: j.address, deposit }, 'job topped up');
                if (headroom(up) >= worst) return up;
            } catch (e) {
                this.d.log.warn({ job: j.address, err: (e as Error).message }, 'top-up failed');
            }
            this.busy.delete(j.address);
        }
        if (this.d.payment.deposit < worst) throw new RelayError('invalid_request', `the request could cost up to ${worst} nanoton, above the relay's job deposit`, 'max_tokens');
        const paused = this.opensPaused;
        if (paused && this.d.clock.now() < paused.until) throw new RelayError(paused.code, `no new job can be opened now: ${paused.why}; retry after ${new Date(paused.until).toISOString()}`);
        // money goes into a new escrow only for a worker the chain allows at this moment, at prices the relay
        // accepts (prices may have changed since verification: open_job would be refused on-chain)
        const now = await this.d.facts.read(Address.parse(w.account));
        if (!withinPrices(now.prices, this.d.payment.maxPrices)) throw new Error("the worker's prices on-chain are above the relay's highest prices (--max-prices)");
        const problems = chainProblems(w, now);
        if (problems.length > 0) {
            const e = this.registry.get(w.account);
            if (e) Object.assign(e, { worker: null, status: 'refused', reasons: problems, checkedAt: this.d.clock.now() });
            throw new Error(`the chain no longer allows this worker: ${problems.join('; ')}`);
        }
        // the opening is on disk before the TON leaves: a crash before the job record still finds the job; and
        // it is marked in flight, so the periodic recovery pass leaves it to this request until it is recorded
        let openingJob: string | null = null;
        try {
            const opened = await this.d.funding.open(Address.parse(w.account), this.d.payment.deposit, this.d.voucherPublic, this.d.payment.maxPrices, (a) => {
                openingJob = a.toRawString();
                this.opening.add(openingJob);
                this.d.store.putOpening({ address: openingJob, worker: w.account, sentAt: this.d.clock.now() });
            });
            const j = newJobRecord({ address: opened.address, worker: Address.parse(w.account), prices: opened.prices, receiptKey: opened.receiptKey, deposit: opened.deposit, feeBps: opened.feeBps, nonce: opened.nonce, now: this.d.clock.now() });
            // busy before the record becomes visible: a concurrent request must never pick this job up as free
            this.busy.add(j.address);
            await this.d.store.settleOpening(j.address, j);
            this.d.log.info({ job: j.address, worker: w.account, deposit: j.deposit }, 'job opened');
            if (!opened.receiptKey.equals(w.receiptKey)) {
                this.busy.delete(j.address);
                throw new Error('the job was accepted with another receipt key');
            }
            return j;
        } catch (e) {
            // the root refused the open_job with a comment (paused, library unpaid…): no job will ever come, and the
            // deposit is back with the wallet, so the opening is dropped now instead of waiting out the recovery pass
            if (openingJob !== null && (e instanceof JobRefusedByWorker || (e instanceof ChainError && e.code === 'refused_on_chain'))) await this.d.store.settleOpening(openingJob, null);
            throw this.refusedOpen(w, e);
        } finally {
            // an open that failed (a timeout waiting for it on-chain) is the recovery pass's from now on
            if (openingJob !== null) this.opening.delete(openingJob);
        }
    }

    /**
     * What a refused open means for the next ones. A root refusal about the chain (openings paused, library unpaid)
     * stops every open for the cool-down and answers 503 with the reason; a refusal about the worker (its account
     * refused the offer, or the root refused it, e.g. off basechain) stops choosing that worker until a verification
     * pass finds it usable. Any other error is returned as it is.
     */
    private refusedOpen(w: VerifiedWorker, e: unknown): unknown {
        let reason: string;
        if (e instanceof JobRefusedByWorker) {
            reason = e.message;
            if (e.reason === 'challenge' && !this.challengeRefusalLogged) {
                this.challengeRefusalLogged = true;
                this.d.log.error({ worker: w.account, job: e.job.toRawString() }, "the worker refused the relay's challenge period: check the relay's funding challenge against the worker's limits");
            }
        } else if (e instanceof ChainError && e.code === 'refused_on_chain') {
            const chainWide = e.details.exitCode === undefined ? undefined : CHAIN_WIDE_REFUSALS.get(e.details.exitCode);
            if (chainWide) {
                const until = this.d.clock.now() + (this.d.payment.refusedOpenCooldownMs ?? DEFAULT_REFUSED_OPEN_COOLDOWN_MS);
                this.opensPaused = { until, code: chainWide, why: e.message };
                this.d.log.error({ until: new Date(until).toISOString(), err: e.message }, 'the root refuses job openings: no open is sent during the cool-down');
                return new RelayError(chainWide, `no new job can be opened now: ${e.message}; retry after ${new Date(until).toISOString()}`);
            }
            reason = `the root refused the open: ${e.message}`;
        } else return e;
        const entry = this.registry.get(w.account);
        if (entry) Object.assign(entry, { worker: null, status: 'refused', reasons: [reason], checkedAt: this.d.clock.now() });
        this.d.log.warn({ worker: w.account, reason }, 'worker not chosen until verified again: the chain refused its job');
        return e;
    }

    private latestVoucher(job: string): SignedCell | null {
        const v = this.d.store.getVoucher(job);
        return v ? { signature: Buffer.from(v.signature, 'hex'), cell: Cell.fromBoc(Buffer.from(v.boc, 'base64'))[0] } : null;
    }

    private async attempt(w: VerifiedWorker, jobAddr: string, req: ValidRequest, keyIdent: string, sink: StreamSink | null, signal: AbortSignal): Promise<Served> {
        const g = this.d.trust.globalId;
        let job = this.d.store.getJob(jobAddr)!;
        let res: Response;
        let sealed: ReturnType<typeof sealForWorker>;
        const t0 = this.d.clock.now();
        for (;;) {
            const seqno = job.pending ? job.pending.seqno : job.seqno + 1;
            sealed = sealForWorker({ encKey: w.encKey, receiptKey: w.receiptKey, globalId: g, job: jobAddr, seqno, request: { kind: req.kind, body: req.body }, voucher: this.latestVoucher(jobAddr) });
            const prevPending = job.pending;
            job = { ...job, pending: { seqno, requestHash: sealed.requestHash, maxCompletion: req.maxTokens + 1, maxPrompt: req.maxPrompt, apiKeyId: keyIdent } };
            // written ahead of sending: a client that leaves while the request is on its way must not leave a
            // seqno the worker served but the relay never recorded (every later request of the job would fail)
            const pending = job;
            await this.d.store.writeTogether(() => this.d.store.putJob(pending));
            try {
                res = await postRequest(w.url, sealed.body, signal);
                break;
            } catch (e) {
                if (e instanceof WireError && e.code === 'seqno_replayed' && prevPending && typeof e.details.receipt === 'string') {
                    // the previous request was served but its receipt never reached us (client gone, stream cut)
                    const stored = parseSignedReceiptCell(Cell.fromBoc(Buffer.from(e.details.receipt, 'base64'))[0]);
                    job = await this.account(w, { ...job, pending: prevPending }, stored, null);
                    continue;
                }
                if (e instanceof WorkerUnreachable) throw new BeforeFirstByte(e.message);
                if (e instanceof WireError) {
                    // cannot_decrypt: the worker no longer holds the keys it was verified with (it restarted)
                    if (e.details.retryable || e.code === 'job_busy' || e.code === 'cannot_decrypt' || e.status >= 500) throw new BeforeFirstByte(`${e.code}: ${e.message}`);
                    if (e.code === 'engine_refused' || e.code === 'bad_inner_request') throw new RelayError('invalid_request', e.message);
                    throw new RelayError('worker_failed', `worker refused: ${e.code}: ${e.message}`);
                }
                throw e;
            }
        }
        const entry = this.registry.get(w.account);
        if (entry) entry.latencyMs = entry.latencyMs === 0 ? this.d.clock.now() - t0 : Math.round(entry.latencyMs * 0.8 + (this.d.clock.now() - t0) * 0.2);

        const extra: Record<string, unknown> = w.simulated ? { cocoon: { simulated: true, worker: w.account } } : { cocoon: { simulated: false, worker: w.account } };
        const rewriter = new SseRewriter(extra);
        const data: Buffer[] = [];
        const maxAnswer = this.d.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
        let held = 0;
        let final: StreamEvent | null = null;
        try {
            for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
                for (const ev of sealed.reader.push(chunk)) {
                    if (ev.type === 'data') {
                        if (req.stream && sink) {
                            for (const s of rewriter.push(ev.bytes)) {
                                const full = sink.write(s);
                                if (full) await full; // a slow reader: the worker's body waits unread meanwhile
                            }
                        } else {
                            held += ev.bytes.length;
                            // leaving the loop cancels the worker's body: nothing more is read or held
                            if (held > maxAnswer) throw new RelayError('worker_failed', `the worker's answer is larger than ${maxAnswer} bytes`);
                            data.push(ev.bytes);
                        }
                    } else final = ev;
                }
            }
            sealed.reader.finish();
        } catch (e) {
            // the stream broke (client gone, worker gone, or a frame that does not open): the receipt is
            // fetched with the next request of this job (seqno_replayed), and billed only if it checks out
            if (signal.aborted || (e instanceof RelayError && e.code === 'client_timeout')) throw e;
            throw new RelayError('worker_failed', `the worker's answer broke off: ${(e as Error).message}`);
        }
        if (!final) throw new RelayError('worker_failed', 'the worker ended the answer without a trailer');
        if (final.type === 'error') {
            if (final.receipt) await this.account(w, job, final.receipt, sealed.reader.responseHash());
            else this.d.store.putJob({ ...this.d.store.getJob(jobAddr)!, pending: null });
            if (!final.receipt && (!sink || !sink.started) && final.error.details.retryable) throw new BeforeFirstByte(final.error.message);
            if (final.error.code === 'engine_refused') throw new RelayError('invalid_request', `the engine refused the request: ${final.error.message}`);
            throw new RelayError('worker_failed', `the worker failed: ${final.error.code}: ${final.error.message}`);
        }
        if (final.type !== 'end') throw new RelayError('worker_failed', 'unexpected trailer');
        const receipt = final.receipt;
        await this.account(w, job, receipt, sealed.reader.responseHash());
        const usage = usageOf(receipt.receipt);
        if (req.stream && sink) {
            if (req.includeUsage) sink.write(rewriter.usageChunk(usage));
            sink.write(SSE_DONE);
            return { json: null, worker: w };
        }
        let body: Record<string, unknown>;
        try {
            body = JSON.parse(Buffer.concat(data).toString('utf8')) as Record<string, unknown>;
        } catch {
            throw new RelayError('worker_failed', 'the worker answered a body that is not JSON');
        }
        return { json: { ...body, usage, ...extra }, worker: w };
    }

    /**
     * Checks a receipt against the job and the pending request, then (only if it passes) stores it, advances
     * the job, charges the key, signs the voucher for the new cumulative and sends it to the worker at once.
     * A failing receipt stops payment to the job and submits the evidence the contracts accept.
     */
    private async account(w: VerifiedWorker, job: JobRecord, s: SignedReceipt, responseHash: Buffer | null): Promise<JobRecord> {
        const p = job.pending;
        if (!p) throw new RelayError('internal', 'a receipt arrived for a job with no request pending');
        const problems = receiptProblems(s, {
            receiptKey: job.receiptKey,
            globalId: this.d.trust.globalId,
            job: Address.parse(job.address),
            nonce: job.nonce,
            seqno: p.seqno,
            modelHash: w.modelHash,
            prices: job.prices,
            previousCumulative: job.cumulative,
            previousHead: job.head,
            requestHash: p.requestHash,
            responseHash,
            maxCompletion: p.maxCompletion,
            maxPrompt: p.maxPrompt,
        });
        const stored = this.d.store.getReceipt(job.address, s.receipt.seqno);
        if (stored) {
            const prev = parseSignedReceiptCell(Cell.fromBoc(Buffer.from(stored.boc, 'base64'))[0]);
            if (isEquivocation(prev, s)) problems.push('a second, different receipt for an already receipted seqno (equivocation)');
        }
        if (problems.length > 0) {
            const stoppedJob = { ...job, stopped: problems.join('; '), pending: null };
            this.d.store.putJob(stoppedJob);
            // the worker, not only this job: barred on disk, so no maintenance pass or restart pays it again
            const bar: BarredWorker = { account: w.account, reason: `receipt refused on job ${job.address}: ${problems.join('; ')}`, at: this.d.clock.now() };
            this.d.store.putBarred(bar);
            this.d.log.error({ job: job.address, worker: w.account, problems }, 'receipt refused: payment to this worker stopped');
            const entry = this.registry.get(w.account);
            if (entry) {
                entry.worker = null;
                entry.status = 'refused';
                entry.reasons = [barReason(bar)];
            }
            await this.submitEvidence(w, job, s, stored ? parseSignedReceiptCell(Cell.fromBoc(Buffer.from(stored.boc, 'base64'))[0]) : null);
            throw new RelayError('receipt_rejected', `the worker's receipt was refused: ${problems.join('; ')}`);
        }
        const r = s.receipt;
        const now = this.d.clock.now();
        const next = applyReceipt(job, s, now);
        const voucher = signVoucher(voucherFor(next, this.d.trust.globalId), this.d.voucherSeed);
        const withVoucher = { ...next, vouchered: voucher.voucher.amount };
        crashPoint('relay.receipt.checked');
        // the receipt, the key's usage, the voucher and the job in one durable transaction before the voucher leaves
        await this.d.store.commitReceipt(
            {
                receipt: { job: job.address, seqno: r.seqno, boc: signedBoc(s), cost: r.cost, cumulative: r.cumulative, tokens: r.tokens },
                keyId: p.apiKeyId ?? null,
                charge: (k) => charge(k, r.cost, r.tokens.prompt, r.tokens.completion),
                voucher: { job: job.address, amount: voucher.voucher.amount, final: false, boc: voucher.cell.toBoc({ idx: false, crc32: false }).toString('base64'), signature: voucher.signature.toString('hex'), sentAt: null },
                job: withVoucher,
            },
            () => crashPoint('relay.receipt.midway'),
        );
        crashPoint('relay.voucher.signed');
        try {
            await postVoucher(w.url, voucher);
            const sentAt = this.d.clock.now();
            await this.d.store.writeTogether(() => {
                const v = this.d.store.getVoucher(job.address);
                if (v && v.amount === voucher.voucher.amount) this.d.store.putVoucher({ ...v, sentAt });
            });
        } catch (e) {
            // it rides along with the next request of the job instead
            this.d.log.warn({ job: job.address, err: (e as Error).message }, 'voucher not delivered; it goes with the next request');
        }
        return withVoucher;
    }

    private async submitEvidence(w: VerifiedWorker, job: JobRecord, s: SignedReceipt, earlier: SignedReceipt | null): Promise<void> {
        const worker = Address.parse(w.account);
        // only receipts validly signed by the worker's key are evidence the contracts accept
        if (!verifyReceipt(s, job.receiptKey)) return;
        try {
            if (earlier && isEquivocation(earlier, s)) {
                const id = equivocationEvidenceId(s.receipt.job, s.receipt.nonce, s.receipt.seqno).toString('hex');
                if (!this.d.store.hasEvidence(id)) {
                    await this.d.funding.reportEquivocation(worker, earlier, s);
                    this.d.store.putEvidence(id, 'equivocation');
                    this.d.log.warn({ worker: w.account, job: job.address, seqno: s.receipt.seqno }, 'equivocation reported on-chain');
                }
            } else if (!s.receipt.modelHash.equals(w.modelHash)) {
                const id = wrongModelEvidenceId(s.cell).toString('hex');
                if (!this.d.store.hasEvidence(id)) {
                    await this.d.funding.reportWrongModel(worker, s);
                    this.d.store.putEvidence(id, 'wrong_model');
                    this.d.log.warn({ worker: w.account, job: job.address }, 'wrong-model evidence reported on-chain');
                }
            }
        } catch (e) {
            this.d.log.error({ worker: w.account, err: (e as Error).message }, 'evidence submission failed');
        }
    }

    // ------------------------------------------------------------------------------------------ job lifecycle

    /**
     * After a restart: every job whose open left the wallet but was never recorded (the relay died while it
     * waited for the acceptance) becomes a job record again, so its deposit is used, closed and refunded like
     * any other. An open that never produced a job is forgotten once it had ample time to land.
     */
    async recoverOpenings(): Promise<string[]> {
        const adopted: string[] = [];
        for (const o of this.d.store.openings()) {
            if (this.opening.has(o.address)) continue; // its request records it
            if (this.d.store.getJob(o.address)) {
                await this.d.store.settleOpening(o.address, null);
                continue;
            }
            const r = await this.d.funding.accepted(Address.parse(o.address));
            if (r === 'pending') continue;
            if (r === null) {
                if (this.d.clock.now() - o.sentAt > OPEN_LANDS_WITHIN_MS) await this.d.store.settleOpening(o.address, null);
                continue;
            }
            const j = newJobRecord({ address: r.address, worker: Address.parse(o.worker), prices: r.prices, receiptKey: r.receiptKey, deposit: r.deposit, feeBps: r.feeBps, nonce: r.nonce, now: this.d.clock.now() });
            await this.d.store.settleOpening(o.address, r.state === 3 ? { ...j, state: 'closing', closedAt: this.d.clock.now() } : j);
            this.d.log.warn({ job: o.address, deposit: r.deposit }, 'job opened before a restart recovered');
            adopted.push(o.address);
        }
        return adopted;
    }

    /**
     * Vouchers signed but never delivered (the relay died between signing and sending, and the job may never
     * carry another request: its worker restarted with new keys) go to the worker now: the receipts they pay
     * for were accepted, so the worker must be able to claim them.
     */
    async deliverVouchers(): Promise<number> {
        let delivered = 0;
        for (const j of this.d.store.jobs()) {
            const r = await settleUndeliveredVoucher({ store: this.d.store, funding: this.d.funding, deliver: this.deliverVoucher, log: this.d.log, now: this.d.clock.now(), job: j, claimIfUndeliverable: false });
            if (r === 'delivered') delivered++;
        }
        return delivered;
    }

    /** Posts a voucher to the worker's endpoint (the verified one, else the one on-chain). */
    private readonly deliverVoucher: VoucherDelivery = async (worker, voucher) => {
        const url = this.registry.get(worker)?.url || (await this.d.facts.read(Address.parse(worker))).endpoint;
        await postVoucher(url, voucher);
    };

    /**
     * Closes jobs unused for idleCloseMs (starts their challenge period); `force` closes every free open job.
     * A voucher the worker never got goes to it first, or is claimed on-chain by the relay when the worker
     * cannot be reached, so the worker is paid for every accepted receipt.
     */
    async closeIdle(force = false): Promise<string[]> {
        await this.deliverVouchers();
        const closed = await closeIdleJobs({ store: this.d.store, funding: this.d.funding, log: this.d.log, now: this.d.clock.now(), idleMs: force ? 0 : this.d.payment.idleCloseMs, busy: this.busy, deliver: this.deliverVoucher });
        return closed.map((c) => c.address);
    }

    /** Finalizes closing jobs whose challenge period ended (the refund comes back to the wallet). */
    async finalizeDue(chainNow: number): Promise<string[]> {
        return finalizeDueJobs({ store: this.d.store, funding: this.d.funding, log: this.d.log, chainNow });
    }

    /**
     * The operator's pardon of a barred worker (`relay workers forget`): it is verified again on the next
     * discovery pass. False when it was not barred.
     */
    forgetBar(account: string): boolean {
        const cleared = this.d.store.clearBarred(account);
        if (cleared) {
            const e = this.registry.get(account);
            if (e && !e.worker) this.registry.delete(account);
            this.d.log.warn({ worker: account }, 'worker bar cleared by the operator');
        }
        return cleared;
    }

    status(): { workers: RegistryEntry[]; jobs: JobRecord[]; barred: BarredWorker[] } {
        return { ...this.workerStatus(), jobs: this.d.store.jobs() };
    }

    /** The workers and why each is or is not used (what `GET /health` shows: no job records read). */
    workerStatus(): { workers: RegistryEntry[]; barred: BarredWorker[] } {
        return { workers: [...this.registry.values()], barred: this.d.store.barred() };
    }
}

/** How the registry, the log and `relay status` name a barred worker. */
export function barReason(b: BarredWorker): string {
    return `payment stopped ${new Date(b.at).toISOString()}: ${b.reason} (clear with \`relay workers forget ${b.account}\`)`;
}

function signedBoc(s: SignedReceipt): string {
    // the signed_receipt cell: the same form the worker sends and the contracts take as evidence
    return buildSignedReceiptCell(s).toBoc({ idx: false, crc32: false }).toString('base64');
}
