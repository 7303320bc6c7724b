/**
 * The claimer: turns the best voucher of each job into TON on-chain, and makes sure it happens in time.
 *
 * Each pass reads every job that holds an unclaimed voucher afresh from the chain (never from the cache) and
 * claims when: the voucher is final; the job is closing (its challenge period has started: claim at once,
 * so a worker that is up at any point of the period never misses it); the unclaimed amount reaches the
 * threshold; or the worker is shutting down. A claim is recorded before it is sent and confirmed when the
 * job's `paid` reaches it (or the job is gone); one not confirmed within `confirmTimeoutMs` is sent again.
 * A final voucher is the client's close: claiming it starts the challenge period, so it is claimed while the job
 * is still active, once. When a closing job's challenge deadline has passed (chain time) and everything held is
 * claimed, the worker finalizes it through its wallet (when it has one; anyone may), so its earnings and
 * reputation report arrive without waiting for the client. A pass never throws: failures are retried next pass.
 */
import { Address, Cell } from '@ton/core';
import type { Logger } from 'pino';
import { crashPoint } from '../../crashpoint';
import type { WorkerStore, JobRecord } from '../store/types';
import type { Clock, JobDirectory } from '../types';
import type { ClaimerOptions, ClaimPort } from './types';

export interface ClaimerEvents {
    claim?(result: 'sent' | 'confirmed' | 'failed' | 'retry'): void;
    totals?(held: bigint, claimed: bigint): void;
}

export class Claimer {
    private running: Promise<void> | null = null;
    private timer: NodeJS.Timeout | null = null;
    /** When finalize was last sent per job (host ms): re-sent only after `confirmTimeoutMs`. */
    private readonly finalizeSent = new Map<string, number>();

    constructor(
        private readonly store: WorkerStore,
        private readonly jobs: JobDirectory,
        private readonly port: ClaimPort,
        private readonly clock: Clock,
        private readonly o: ClaimerOptions,
        private readonly log: Logger,
        private readonly events: ClaimerEvents = {},
    ) {}

    /** Runs a pass every `intervalMs` until stop(). */
    startLoop(intervalMs: number): void {
        const tick = () => {
            void this.pass().finally(() => {
                if (this.timer) this.timer = setTimeout(tick, intervalMs);
            });
        };
        this.timer = setTimeout(tick, 0);
    }

    stopLoop(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
    }

    /** One pass over every job; concurrent calls share the running pass. */
    pass(opts: { all?: boolean } = {}): Promise<void> {
        if (this.running && !opts.all) return this.running;
        const tracked: Promise<void> = (this.running ?? Promise.resolve())
            .then(() => this.doPass(opts.all ?? false))
            .finally(() => {
                if (this.running === tracked) this.running = null;
            });
        this.running = tracked;
        return tracked;
    }

    /** Claims everything unclaimed now (SIGTERM), then waits up to `timeoutMs` for confirmations. */
    async flush(timeoutMs: number, pollMs = 500): Promise<{ unconfirmed: number }> {
        await this.pass({ all: true });
        const until = this.clock.nowMs() + timeoutMs;
        while (this.clock.nowMs() < until) {
            const open = this.store.jobs().filter((r) => r.pendingClaim);
            if (open.length === 0) break;
            await new Promise((r) => setTimeout(r, pollMs));
            await this.confirmOnly();
        }
        return { unconfirmed: this.store.jobs().filter((r) => r.pendingClaim).length };
    }

    private async confirmOnly(): Promise<void> {
        for (const rec of this.store.jobs()) if (rec.pendingClaim) await this.refresh(rec).catch(() => undefined);
    }

    private unclaimed(rec: JobRecord, deposit: bigint): bigint {
        if (!rec.best) return 0n;
        const claimable = rec.best.amount < deposit ? rec.best.amount : deposit;
        return claimable - rec.confirmedPaid;
    }

    /** Reads the job afresh and records what the chain says; returns its deposit (0 when gone). */
    private async refresh(rec: JobRecord): Promise<bigint> {
        const view = await this.jobs.get(Address.parseRaw(rec.job), { fresh: true });
        if (view.state === 'absent') {
            // Settled (final voucher or finalize) or never opened: nothing more can be claimed.
            if (rec.chainState !== 'unknown' || rec.pendingClaim) {
                if (rec.pendingClaim) this.events.claim?.('confirmed');
                rec.chainState = 'gone';
                if (rec.pendingClaim && rec.best) rec.confirmedPaid = rec.pendingClaim.amount;
                rec.pendingClaim = null;
                this.store.putJob(rec);
            }
            return 0n;
        }
        rec.chainState = view.state === 'closing' ? 'closing' : 'active';
        rec.deadline = view.deadline;
        rec.confirmedPaid = view.paid;
        if (rec.pendingClaim) {
            const target = rec.pendingClaim.amount < view.deposit ? rec.pendingClaim.amount : view.deposit;
            if (view.paid >= target) {
                this.log.info({ job: rec.job, paid: view.paid.toString() }, 'claim confirmed on-chain');
                this.events.claim?.('confirmed');
                rec.pendingClaim = null;
            }
        }
        this.store.putJob(rec);
        return view.deposit;
    }

    private async doPass(all: boolean): Promise<void> {
        let held = 0n;
        let claimed = 0n;
        for (const rec of this.store.jobs()) {
            if (!rec.best || rec.chainState === 'gone') {
                if (rec.best) {
                    held += rec.best.amount;
                    claimed += rec.confirmedPaid;
                }
                continue;
            }
            try {
                await this.claimIfDue(rec, all);
            } catch (e) {
                this.log.warn({ job: rec.job, err: (e as Error).message }, 'claim pass failed for a job; retrying next pass');
            }
            held += rec.best.amount;
            claimed += rec.confirmedPaid;
        }
        this.events.totals?.(held, claimed);
    }

    private async claimIfDue(rec: JobRecord, all: boolean): Promise<void> {
        const deposit = await this.refresh(rec);
        if (rec.chainState === 'gone' || !rec.best) return;
        const unclaimed = this.unclaimed(rec, deposit);
        // A final voucher closes an active job even when paid already equals it; once closing, it has done that.
        const finalDue = rec.best.final && rec.chainState === 'active';
        if (unclaimed <= 0n && !finalDue) {
            await this.finalizeIfDue(rec);
            return;
        }
        if (rec.pendingClaim && rec.pendingClaim.amount === rec.best.amount) {
            if (this.clock.nowMs() - rec.pendingClaim.sentAtMs < this.o.confirmTimeoutMs) return;
            this.events.claim?.('retry');
        }
        const due = finalDue || all || rec.chainState === 'closing' || unclaimed >= this.o.threshold;
        if (!due) return;
        const via = this.o.preferWallet && this.port.walletAvailable ? 'wallet' : 'external';
        const attempts = (rec.pendingClaim?.attempts ?? 0) + 1;
        // Recorded before it is sent: a crash right after still knows a claim may be in flight.
        rec.pendingClaim = { amount: rec.best.amount, via, sentAtMs: this.clock.nowMs(), messageHash: null, attempts, lastError: null };
        this.store.putJob(rec);
        crashPoint('worker.claim.recorded');
        const cell = Cell.fromBoc(rec.best.boc)[0];
        try {
            const { messageHash } = await this.port.send(Address.parseRaw(rec.job), { cell, signature: rec.best.signature }, via);
            rec.pendingClaim.messageHash = messageHash;
            crashPoint('worker.claim.sent');
            this.events.claim?.('sent');
            this.log.info({ job: rec.job, amount: rec.best.amount.toString(), via, attempts }, 'claim sent');
        } catch (e) {
            rec.pendingClaim.lastError = (e as Error).message;
            rec.pendingClaim.sentAtMs = 0; // retry on the next pass
            this.events.claim?.('failed');
            this.log.warn({ job: rec.job, err: (e as Error).message, via }, 'claim failed; will retry');
        }
        this.store.putJob(rec);
    }

    /** Closing, past its deadline on chain time, nothing left to claim, a wallet to pay the gas: finalize. */
    private async finalizeIfDue(rec: JobRecord): Promise<void> {
        if (rec.chainState !== 'closing' || rec.pendingClaim || !this.port.walletAvailable) return;
        const last = this.finalizeSent.get(rec.job);
        if (last !== undefined && this.clock.nowMs() - last < this.o.confirmTimeoutMs) return;
        if ((await this.port.chainNow()) <= rec.deadline) return;
        this.finalizeSent.set(rec.job, this.clock.nowMs());
        try {
            await this.port.finalize(Address.parseRaw(rec.job));
            this.log.info({ job: rec.job }, 'challenge period over: finalize sent');
        } catch (e) {
            this.finalizeSent.delete(rec.job);
            this.log.warn({ job: rec.job, err: (e as Error).message }, 'finalize failed; will retry');
        }
    }
}
