/**
 * The request path, free of HTTP: admit a request envelope (network, job on-chain, seqno, voucher, credit),
 * open the sealed request, run it on the engine with max_tokens capped by what the job can pay, stream the
 * answer as padded sealed frames, and end with a receipt that was stored before it is sent.
 *
 * Ordering rules that keep money and evidence safe:
 * - A piggybacked voucher is verified and stored first (it is the client's payment, whatever happens next).
 * - One request per job at a time; seqno = last + 1. A seqno answered with a receipt is never served again.
 * - Usage is bounds-checked before signing; a usage that breaks the bounds is never signed.
 * - The receipt and the job's new cumulative/head are one durable LMDB transaction before the trailer leaves.
 */
import { crashPoint } from '../../crashpoint';
import { Address } from '@ton/core';
import { openRequest } from '../../crypto/request';
import { x25519PrivateKey } from '../../crypto/keys';
import type { EngineClient, EngineErrorInfo, EngineResult } from '../../engine/types';
import { decodeInnerRequest, decodeRequestEnvelope, requestHash, SealedStreamWriter, WireError, WireVoucher, type RequestEnvelope, type VoucherAck } from '../../wire';
import type { Prices } from '../../../wrappers/common';
import { ZERO_HEAD, type TokenCounts } from '../../../wrappers/payloads';
import { newJobRecord, JobRecord, StoredVoucher, WorkerStore } from '../store/types';

import { Clock, JobDirectory, JobView, WorkerIdentity } from '../types';
import { budgetOf, planRequest } from './pricing';
import { issueReceipt, usageViolation } from './receipts';
import { verifyVoucher } from './signatures';

/** Observations for metrics and the claimer; all optional. */
export interface SessionEvents {
    request?(outcome: string): void;
    tokens?(t: TokenCounts): void;
    earned?(cost: bigint): void;
    engineFirstByte?(ms: number): void;
    voucherStored?(job: string, amount: bigint, final: boolean): void;
    paddingBytes?(payload: number, wire: number): void;
}

export interface SessionOptions {
    identity: WorkerIdentity;
    store: WorkerStore;
    jobs: JobDirectory;
    engine: EngineClient;
    clock: Clock;
    creditLimit: bigint;
    /** Hard cap on max_tokens per request, whatever the budget allows. */
    maxTokens: number;
    events?: SessionEvents;
}

/** What the HTTP adapter streams after a 200. */
export interface ResponseStream {
    frames: AsyncIterable<Buffer>;
}

function engineInfo(e: unknown): EngineErrorInfo | null {
    const info = (e as { info?: EngineErrorInfo } | null)?.info;
    return info && typeof info.status === 'number' ? info : null;
}

function clientMaxTokens(body: Record<string, unknown>): number | null {
    const v = body.max_completion_tokens ?? body.max_tokens;
    return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;
}

export class WorkerSession {
    private readonly inFlight = new Set<string>();
    private readonly encKey;
    private draining = false;

    constructor(private readonly o: SessionOptions) {
        this.encKey = x25519PrivateKey(o.identity.encPrivate);
    }

    /** Stop admitting requests (shutdown); streams already running finish. */
    drain(): void {
        this.draining = true;
    }

    get busyJobs(): number {
        return this.inFlight.size;
    }

    private record(job: string): JobRecord {
        return this.o.store.getJob(job) ?? newJobRecord(job);
    }

    private async jobFor(address: Address, fresh = false): Promise<JobView> {
        try {
            return await this.o.jobs.get(address, { fresh });
        } catch (e) {
            throw new WireError('chain_unavailable', `could not read the job from the chain: ${(e as Error).message}`, { retryable: true });
        }
    }

    private checkJobServes(view: JobView): Prices {
        if (view.state === 'absent') throw new WireError('job_not_found', `no open job escrow at ${view.address.toRawString()}`);
        if (!view.worker || !view.worker.equals(this.o.identity.workerAccount)) throw new WireError('job_wrong_worker', 'the job is for another worker account');
        if (view.state !== 'active' || !view.prices) throw new WireError('job_not_open', `the job is ${view.state}, not active`);
        return view.prices;
    }

    /**
     * Whether `head` is a head of this job's receipt chain as this worker signed it: the genesis (zero: a voucher that
     * acknowledges no receipt, e.g. a prepayment), the current head, or the head after any earlier receipt (a client may
     * lag behind). Walks back from the newest receipt, where vouchers almost always point.
     */
    private isOwnHead(rec: JobRecord, head: Buffer): boolean {
        if (head.equals(ZERO_HEAD) || head.equals(rec.head)) return true;
        for (let seqno = rec.lastSeqno - 1; seqno >= 1; seqno--) {
            if (this.o.store.getReceipt(rec.job, seqno)?.head.equals(head)) return true;
        }
        return false;
    }

    /**
     * Verifies a voucher against the job's client key and keeps it when it is the best one. Durable before
     * it returns. `envelopeJob` is the job of the request that carried it (must be the same job).
     */
    async acceptVoucher(w: WireVoucher, envelopeJob?: string): Promise<VoucherAck> {
        const v = w.voucher;
        if (v.globalId !== this.o.identity.globalId) throw new WireError('wrong_network', `voucher is for network ${v.globalId}, this worker is on ${this.o.identity.globalId}`);
        const job = v.job.toRawString();
        if (envelopeJob !== undefined && job !== envelopeJob) throw new WireError('bad_voucher', 'the piggybacked voucher is for another job');
        const view = await this.jobFor(v.job);
        if (view.state === 'absent') throw new WireError('job_not_found', `no open job escrow at ${job}`);
        if (!view.worker || !view.worker.equals(this.o.identity.workerAccount)) throw new WireError('job_wrong_worker', 'the job is for another worker account');
        if (v.nonce !== view.nonce) throw new WireError('bad_voucher', `the voucher is for life ${v.nonce} of this job address, the open one is ${view.nonce}`);
        if (!verifyVoucher(w, view.clientKey)) throw new WireError('bad_voucher', "the voucher signature is not the job's client key");
        const rec = this.record(job);
        if (!this.isOwnHead(rec, v.head))
            throw new WireError('bad_voucher', "the voucher's head is not a head of this worker's receipt chain for the job (it acknowledges receipts this worker never signed)");
        const best = rec.best?.amount ?? -1n;
        if (v.amount < best) throw new WireError('voucher_backwards', `voucher ${v.amount} is below the best held (${best})`);
        const upgradesToFinal = v.amount === best && v.final && !rec.best?.final;
        if (v.amount === best && !upgradesToFinal) return { job, best: best.toString(), accepted: false };
        const kept: StoredVoucher = { amount: v.amount, tokens: v.tokens, final: v.final, signature: w.signature, boc: w.cell.toBoc({ idx: false, crc32: false }) };
        let accepted = false;
        let bestHeld = kept.amount;
        await this.o.store.updateJob(job, (latest) => {
            // decided again on the latest record: another delivery of this job's vouchers may have landed first
            const held = latest.best?.amount ?? -1n;
            if (v.amount < held || (v.amount === held && !(v.final && !latest.best?.final))) {
                bestHeld = held;
                return latest;
            }
            accepted = true;
            return { ...latest, best: kept, finalSeen: latest.finalSeen || v.final };
        });
        if (!accepted) return { job, best: bestHeld.toString(), accepted: false };
        crashPoint('worker.voucher.stored');
        this.o.events?.voucherStored?.(job, v.amount, v.final);
        return { job, best: v.amount.toString(), accepted: true };
    }

    /**
     * Admits and starts one request. Throws WireError for every refusal before the stream (the adapter
     * answers JSON with its status); otherwise the stream is ready to send with a 200.
     */
    async start(body: Buffer, signal: AbortSignal): Promise<ResponseStream> {
        if (this.draining) throw new WireError('not_ready', 'the worker is shutting down', { retryable: true });
        const env = decodeRequestEnvelope(body);
        if (env.globalId !== this.o.identity.globalId) throw new WireError('wrong_network', `request is for network ${env.globalId}, this worker is on ${this.o.identity.globalId}`);
        if (env.voucher) await this.acceptVoucher(env.voucher, env.job);

        const rec = this.record(env.job);
        if (env.seqno <= rec.lastSeqno) {
            const stored = this.o.store.getReceipt(env.job, env.seqno);
            throw new WireError('seqno_replayed', `seqno ${env.seqno} was served already; the stored receipt is attached`, {
                receipt: stored ? stored.signedBoc.toString('base64') : undefined,
            });
        }
        if (this.inFlight.has(env.job)) throw new WireError('job_busy', 'a request of this job is being served');
        if (env.seqno !== rec.lastSeqno + 1) throw new WireError('seqno_gap', `seqno ${env.seqno} is not the next one`, { expected: rec.lastSeqno + 1 });
        if (rec.finalSeen) throw new WireError('job_not_open', 'a final voucher settled this job');

        this.inFlight.add(env.job);
        let handedOff = false;
        try {
            // Open for this worker, and in the life this record's receipt chain started in (receipts bind it).
            const servable = (v: JobView): Prices => {
                const p = this.checkJobServes(v);
                if (rec.nonce !== null && rec.nonce !== v.nonce)
                    throw new WireError('job_not_open', `this worker's receipts for this address are of an earlier life of the job (nonce ${rec.nonce}); the open life is ${v.nonce}: open a new job id`);
                return p;
            };
            let view = await this.jobFor(Address.parseRaw(env.job));
            let prices = servable(view);
            const opened = this.open(env);
            const inner = decodeInnerRequest(opened.plaintext);
            const planFor = (v: JobView, p: Prices) =>
                planRequest({
                    budget: budgetOf({ deposit: v.deposit, paid: v.paid, cumulative: rec.cumulative, bestVoucher: rec.best?.amount ?? 0n, creditLimit: this.o.creditLimit }),
                    prices: p,
                    innerBytes: opened.plaintext.length,
                    clientMaxTokens: clientMaxTokens(inner.body),
                    maxTokens: this.o.maxTokens,
                });
            let plan = planFor(view, prices);
            if ('refused' in plan && plan.refused === 'insufficient_deposit') {
                // The job view may be cached from before the client's top-up landed: read the chain once more
                // before refusing (under load a relay tops up and sends at once; found by npm run bench at 500 streams).
                view = await this.jobFor(Address.parseRaw(env.job), true);
                prices = servable(view);
                plan = planFor(view, prices);
            }
            if ('refused' in plan) {
                const why = plan.refused === 'insufficient_deposit' ? 'the deposit left cannot pay this request' : 'unpaid receipts would pass the credit limit; send a voucher';
                throw new WireError(plan.refused, why);
            }
            const writer = new SealedStreamWriter(opened.responseSealer);
            const t0 = this.o.clock.nowMs();
            let result: EngineResult;
            try {
                result = await this.o.engine.run({ kind: inner.kind, body: inner.body, maxTokensCap: plan.maxTokens, signal });
            } catch (e) {
                const info = engineInfo(e);
                if (info && info.status >= 400 && info.status < 500 && info.status !== 499) {
                    // The engine refused this request (e.g. prompt too long): say so inside the sealed stream.
                    const frame = writer.error(
                        new WireError('engine_refused', info.message, { engineStatus: info.status, engineType: info.type, engineParam: info.param }),
                        null,
                    );
                    this.o.events?.request?.('engine_refused');
                    handedOff = true;
                    this.inFlight.delete(env.job);
                    return { frames: (async function* () { yield frame; })() };
                }
                throw new WireError('engine_unavailable', `the engine did not serve the request${info ? `: ${info.type}` : ''}`, { retryable: true });
            }
            this.o.events?.engineFirstByte?.(this.o.clock.nowMs() - t0);
            handedOff = true;
            return { frames: this.stream(env, view.nonce, prices, plan, opened.plaintext, writer, result) };
        } finally {
            if (!handedOff) this.inFlight.delete(env.job);
        }
    }

    private open(env: RequestEnvelope) {
        try {
            return openRequest({
                recipientPrivateKey: this.encKey,
                jobAddress: env.job,
                seqno: env.seqno,
                receiptKey: this.o.identity.receiptPublic,
                enc: env.enc,
                ciphertext: env.ciphertext,
            });
        } catch {
            throw new WireError('cannot_decrypt', 'the sealed request does not open for this job, seqno and worker key');
        }
    }

    private async *stream(
        env: RequestEnvelope,
        nonce: bigint,
        prices: Prices,
        plan: { promptBound: number; maxTokens: number },
        plaintext: Buffer,
        writer: SealedStreamWriter,
        result: EngineResult,
    ): AsyncGenerator<Buffer> {
        let streamError: WireError | null = null;
        try {
            try {
                for await (const chunk of result.chunks) yield* writer.data(chunk.bytes);
            } catch (e) {
                streamError = new WireError('engine_failed', `the engine failed mid-stream: ${(e as Error).message}`);
            }
            const outcome = await result.done.catch((e: unknown) => ({ usage: { counts: { prompt: 0, cached: 0, completion: 0, reasoning: 0 }, source: 'none' as const }, finishReason: null, error: engineInfo(e) ?? { status: 502, type: 'EngineError', message: String(e), param: null } }));
            if (outcome.error?.type === 'InvalidUsage') {
                // The engine client found counts that break the bounds (notes §5): the engine is not trusted for
                // this answer, so nothing is signed, whatever was streamed.
                this.o.events?.request?.('usage_out_of_bounds');
                yield writer.error(new WireError('usage_out_of_bounds', `the engine's token counts break the bounds (${outcome.error.message}); nothing is signed`), null);
                return;
            }
            if (outcome.error && !streamError) streamError = new WireError('engine_failed', `the engine failed mid-stream: ${outcome.error.type}`);
            const counts = outcome.usage.counts;
            // Nothing served = no completion token reached the client: then nothing is signed (the seqno stays free).
            const served = writer.payloadBytes > 0 && outcome.usage.source !== 'none' && counts.completion > 0;
            if (!served) {
                this.o.events?.request?.(streamError ? 'engine_failed' : 'no_usage');
                yield writer.error(streamError ?? new WireError('engine_failed', 'the engine answered without token counts; nothing is billed'), null);
                return;
            }
            const violation = usageViolation(counts, plan);
            if (violation) {
                this.o.events?.request?.('usage_out_of_bounds');
                yield writer.error(new WireError('usage_out_of_bounds', `the engine's token counts break the bounds (${violation}); nothing is signed`), null);
                return;
            }
            // Re-read the record: a voucher may have arrived while the answer streamed.
            const current = this.record(env.job);
            const issued = issueReceipt(
                {
                    globalId: this.o.identity.globalId,
                    job: Address.parseRaw(env.job),
                    nonce,
                    seqno: env.seqno,
                    modelHash: this.o.identity.modelHash,
                    tokens: counts,
                    prices,
                    previousCumulative: current.cumulative,
                    previousHead: current.head,
                    requestHash: requestHash(plaintext),
                    responseHash: writer.responseHash(),
                },
                this.o.identity.receiptSecret,
            );
            // durable before the receipt leaves; the update keeps a voucher that arrived meanwhile
            await this.o.store.updateJob(
                env.job,
                (latest) => ({ ...latest, nonce, lastSeqno: env.seqno, cumulative: issued.cumulative, head: issued.head }),
                {
                    job: env.job,
                    seqno: env.seqno,
                    signedBoc: issued.signedCell.toBoc({ idx: false, crc32: false }),
                    cost: issued.cost,
                    cumulative: issued.cumulative,
                    head: issued.head,
                    issuedAtMs: this.o.clock.nowMs(),
                },
            );
            crashPoint('worker.receipt.committed');
            this.o.events?.tokens?.(counts);
            this.o.events?.earned?.(issued.cost);
            this.o.events?.request?.(streamError ? 'engine_failed' : 'served');
            this.o.events?.paddingBytes?.(writer.payloadBytes, writer.wireBytes);
            yield streamError ? writer.error(streamError, issued.signedCell) : writer.end(issued.signedCell, { finishReason: outcome.finishReason, usageSource: outcome.usage.source });
        } finally {
            this.inFlight.delete(env.job);
        }
    }
}

