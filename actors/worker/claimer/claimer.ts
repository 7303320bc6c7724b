/**
 * The claimer: turns the best voucher of each job into TON on-chain, and makes sure it happens in time.
 *
 * It follows each job it holds a voucher for through the job account's transactions (follow.ts), from a
 * cursor kept in the job's record: each pass asks the chain for what is new since the cursor, processes it in
 * order (claims landed, the client's close or final voucher, top-ups, a bounced payout, the settlement) and
 * writes what it derived (paid, closing and its deadline, gone) together with the new cursor in one durable
 * write, so a restart resumes exactly there and never processes a transaction twice. The job's state is read
 * only for what transactions do not carry: its challenge period and deposit (once, and after each top-up).
 *
 * It claims when: the voucher is final; the job is closing (its challenge period started: claim at once); the
 * unclaimed amount reaches the threshold; or the worker is shutting down. A claim is recorded before it is sent
 * and confirmed when the job's `paid` reaches it (or the job is settled); one not confirmed within
 * `confirmTimeoutMs` is sent again, sooner in a closing job (half the time left before its deadline), and the
 * loop runs often enough (a quarter of the shortest challenge period held) that a close is seen with most of
 * its window left. A final voucher is the client's close: claiming it starts the challenge period, so it is
 * claimed while the job is still active, once. When a closing job's challenge deadline has passed (chain time)
 * and everything held is claimed, the worker finalizes it through its wallet (when it has one; anyone may), so
 * its earnings and reputation report arrive without waiting for the client. A pass never throws: failures are
 * retried next pass. The claimer writes only its own fields of a job record, onto the latest record, so a
 * voucher or receipt the session stores meanwhile is never overwritten.
 */
import { Address, Cell } from '@ton/core';
import type { Logger } from 'pino';
import { crashPoint } from '../../crashpoint';
import { CLAIMER_FIELDS, type WorkerStore, type JobRecord } from '../store/types';
import type { Clock, JobDirectory } from '../types';
import { jobEventOf, type JobEvent } from './follow';
import type { ClaimerOptions, ClaimPort } from './types';

/** Transactions asked for per call while catching up with a job. */
const FOLLOW_PAGE = 50;
/** The loop never sleeps less than this, whatever the deadlines. */
const MIN_LOOP_MS = 250;

export interface ClaimerEvents {
    claim?(result: 'sent' | 'confirmed' | 'failed' | 'retry'): void;
    totals?(held: bigint, claimed: bigint): void;
    /** Each job transaction processed (once per transaction, ever): its lt and the event it was, if any. */
    transaction?(job: string, lt: bigint, event: JobEvent['kind'] | null): void;
}

export class Claimer {
    private running: Promise<void> | null = null;
    private timer: NodeJS.Timeout | null = null;
    /** When finalize was last sent per job (host ms): re-sent only after `confirmTimeoutMs`. */
    private readonly finalizeSent = new Map<string, number>();
    /** How soon the next pass must run (host ms), from the challenge periods and deadlines of the last pass. */
    private nextPassMs = Number.POSITIVE_INFINITY;

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
                if (this.timer) this.timer = setTimeout(tick, Math.max(MIN_LOOP_MS, Math.min(intervalMs, this.nextPassMs)));
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
        for (const rec of this.store.jobs()) if (rec.pendingClaim && rec.chainState !== 'gone') await this.follow(rec).catch(() => undefined);
    }

    private unclaimed(rec: JobRecord, deposit: bigint): bigint {
        if (!rec.best) return 0n;
        const claimable = rec.best.amount < deposit ? rec.best.amount : deposit;
        return claimable - rec.confirmedPaid;
    }

    /** Writes the claimer's fields of `rec` onto the latest stored record (the session may have written since). */
    private async save(rec: JobRecord): Promise<void> {
        await this.store.updateJob(rec.job, (latest) => {
            const next: JobRecord = { ...latest };
            for (const f of CLAIMER_FIELDS) (next as unknown as Record<string, unknown>)[f] = rec[f];
            return next;
        });
    }

    /** Reads the job's terms and deposit (its transactions carry neither): once, and after each top-up. */
    private async readTerms(rec: JobRecord): Promise<boolean> {
        const view = await this.jobs.get(Address.parseRaw(rec.job), { fresh: true });
        if (view.state === 'absent') return false;
        rec.challenge = view.challenge;
        rec.deposit = view.deposit;
        return true;
    }

    private apply(rec: JobRecord, e: JobEvent): void {
        const closeAt = (now: number) => {
            if (rec.chainState === 'active' || rec.chainState === 'unknown') {
                rec.chainState = 'closing';
                rec.deadline = now + rec.challenge;
            }
        };
        switch (e.kind) {
            case 'claimed': {
                const paid = e.amount < rec.deposit ? e.amount : rec.deposit;
                if (paid > rec.confirmedPaid) rec.confirmedPaid = paid;
                if (e.final) closeAt(e.now);
                return;
            }
            case 'closed':
                return closeAt(e.now);
            case 'payout-bounced':
                // the contract ends the window now (or keeps an earlier deadline)
                rec.deadline = rec.chainState === 'closing' ? Math.min(rec.deadline, e.now) : e.now;
                rec.chainState = 'closing';
                return;
            case 'settled':
                rec.chainState = 'gone';
                if (e.paid > rec.confirmedPaid) rec.confirmedPaid = e.paid;
                return;
            case 'topped-up':
                return; // the new deposit was read when the event was seen (readTerms)
        }
    }

    /**
     * Catches up with the job's transactions since the record's cursor and confirms a pending claim from
     * what they say. Each page is written (derived state and cursor together) before the next is asked for.
     */
    private async follow(rec: JobRecord): Promise<void> {
        if (rec.challenge === 0 && !(await this.readTerms(rec))) {
            // not (or no longer) an account: settled before we ever followed it, or never opened
            const { transactions } = await this.port.transactionsSince(Address.parseRaw(rec.job), rec.cursor, { limit: FOLLOW_PAGE });
            if (transactions.length === 0) {
                if (rec.chainState !== 'unknown' || rec.pendingClaim) this.markGone(rec);
                await this.save(rec);
                return;
            }
        }
        if (rec.chainState === 'unknown') rec.chainState = 'active'; // the voucher came from an open job
        for (;;) {
            const r = await this.port.transactionsSince(Address.parseRaw(rec.job), rec.cursor, { limit: FOLLOW_PAGE });
            const fresh = r.transactions.filter((t) => !rec.cursor || t.id.lt > rec.cursor.lt);
            if (fresh.length === 0) break;
            for (const tx of fresh) {
                const e = jobEventOf(tx);
                // a top-up's new deposit is read at once, so a claim after it in this page is capped by the right one
                if (e?.kind === 'topped-up') await this.readTerms(rec);
                if (e) this.apply(rec, e);
                rec.cursor = tx.id;
                this.events.transaction?.(rec.job, tx.id.lt, e?.kind ?? null);
                if (e) this.log.info({ job: rec.job, lt: tx.id.lt.toString(), event: e.kind, state: rec.chainState, deadline: rec.deadline }, 'job transaction');
            }
            this.confirm(rec);
            await this.save(rec);
            if (r.transactions.length < FOLLOW_PAGE) break;
        }
        this.confirm(rec);
    }

    private markGone(rec: JobRecord): void {
        if (rec.pendingClaim) {
            this.events.claim?.('confirmed');
            rec.confirmedPaid = rec.pendingClaim.amount;
        }
        rec.chainState = 'gone';
        rec.pendingClaim = null;
    }

    /** A pending claim is confirmed once the job's `paid` reaches it, or the job is settled. */
    private confirm(rec: JobRecord): void {
        if (!rec.pendingClaim) return;
        const target = rec.pendingClaim.amount < rec.deposit ? rec.pendingClaim.amount : rec.deposit;
        if (rec.chainState === 'gone' || rec.confirmedPaid >= target) {
            this.log.info({ job: rec.job, paid: rec.confirmedPaid.toString() }, 'claim confirmed on-chain');
            this.events.claim?.('confirmed');
            rec.pendingClaim = null;
        }
    }

    private async doPass(all: boolean): Promise<void> {
        let held = 0n;
        let claimed = 0n;
        this.nextPassMs = Number.POSITIVE_INFINITY;
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
            // a close must be seen with most of its window left: look again within a quarter of the period
            if (rec.chainState === 'active' && rec.challenge > 0) this.nextPassMs = Math.min(this.nextPassMs, (rec.challenge * 1000) / 4);
        }
        this.events.totals?.(held, claimed);
    }

    private async claimIfDue(rec: JobRecord, all: boolean): Promise<void> {
        await this.follow(rec);
        if (rec.chainState === 'gone' || !rec.best) return;
        const unclaimed = this.unclaimed(rec, rec.deposit);
        // A final voucher closes an active job even when paid already equals it; once closing, it has done that.
        const finalDue = rec.best.final && rec.chainState === 'active';
        if (unclaimed <= 0n && !finalDue) {
            await this.finalizeIfDue(rec);
            return;
        }
        let resendAfterMs = this.o.confirmTimeoutMs;
        if (rec.chainState === 'closing') {
            // The window is chain time: a claim after the deadline is refused, one still unconfirmed is re-sent
            // at half the time left, so a lost claim gets another try before the window shuts.
            const left = rec.deadline - (await this.port.chainNow());
            if (left <= 0) {
                this.log.warn({ job: rec.job, unclaimed: unclaimed.toString(), deadline: rec.deadline }, 'challenge period over with a voucher unclaimed');
                return;
            }
            resendAfterMs = Math.min(resendAfterMs, (left * 1000) / 2);
            this.nextPassMs = Math.min(this.nextPassMs, (left * 1000) / 4);
        }
        if (rec.pendingClaim && rec.pendingClaim.amount === rec.best.amount) {
            if (this.clock.nowMs() - rec.pendingClaim.sentAtMs < resendAfterMs) return;
            this.events.claim?.('retry');
        }
        const due = finalDue || all || rec.chainState === 'closing' || unclaimed >= this.o.threshold;
        if (!due) return;
        const via = this.o.preferWallet && this.port.walletAvailable ? 'wallet' : 'external';
        const attempts = (rec.pendingClaim?.attempts ?? 0) + 1;
        const best = rec.best;
        // Recorded before it is sent: a crash right after still knows a claim may be in flight.
        rec.pendingClaim = { amount: best.amount, via, sentAtMs: this.clock.nowMs(), messageHash: null, attempts, lastError: null };
        await this.save(rec);
        crashPoint('worker.claim.recorded');
        const cell = Cell.fromBoc(best.boc)[0];
        try {
            const { messageHash } = await this.port.send(Address.parseRaw(rec.job), { cell, signature: best.signature }, via);
            rec.pendingClaim.messageHash = messageHash;
            crashPoint('worker.claim.sent');
            this.events.claim?.('sent');
            this.log.info({ job: rec.job, amount: best.amount.toString(), via, attempts }, 'claim sent');
        } catch (e) {
            rec.pendingClaim.lastError = (e as Error).message;
            rec.pendingClaim.sentAtMs = 0; // retry on the next pass
            this.events.claim?.('failed');
            this.log.warn({ job: rec.job, err: (e as Error).message, via }, 'claim failed; will retry');
        }
        await this.save(rec);
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
