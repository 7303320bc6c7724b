/**
 * The claimer over the embedded chain (@ton/sandbox through the chain layer), following each job's
 * transactions from the cursor in its LMDB record: the client's unilateral close is noticed from its
 * transaction and the best voucher claimed before the deadline; a worker restarted after the close (a new
 * store and claimer over the same directory, as after `kill -9`) resumes from its cursor and still claims in
 * time; no transaction is ever processed twice, even by a chain that hands old ones out again.
 */
import { Address } from '@ton/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import { EmbeddedChain } from '../../../actors/chain/dev/embedded';
import type { Chain, ChainTransaction, Cursor } from '../../../actors/chain/types';
import { ChainClaimPort } from '../../../actors/worker/chain/claims';
import { ChainJobDirectory } from '../../../actors/worker/chain/jobs';
import { Claimer } from '../../../actors/worker/claimer/claimer';
import type { ClaimPort } from '../../../actors/worker/claimer/types';
import { LmdbStore } from '../../../actors/worker/store/lmdb';
import type { JobDirectory, JobView } from '../../../actors/worker/types';
import { systemClock } from '../../../actors/worker/types';
import { deployForJobs, openJob, CLOSE_VALUE, type OpenedJob } from '../../../wrappers/testkit/jobs';
import type { Protocol } from '../../../wrappers/testkit';
import { commentBody } from '../../../wrappers/common';

jest.setTimeout(120_000);

const NEVER = 10n ** 18n; // a threshold no voucher here reaches: only the close makes a claim due

/** Counts the job-state reads, so a test can show the claimer learnt of the close from a transaction. */
class CountingDirectory implements JobDirectory {
    reads = 0;
    constructor(private readonly inner: JobDirectory) {}
    get(job: Address, o?: { fresh?: boolean }): Promise<JobView> {
        this.reads++;
        return this.inner.get(job, o);
    }
}

/** A chain port that ignores the cursor it is given (as a careless indexer might): every page starts at the job's first transaction. */
class ForgetfulPort implements ClaimPort {
    constructor(private readonly inner: ClaimPort) {}
    get walletAvailable() {
        return this.inner.walletAvailable;
    }
    send: ClaimPort['send'] = (job, signed, via) => this.inner.send(job, signed, via);
    chainNow = () => this.inner.chainNow();
    finalize = (job: Address) => this.inner.finalize(job);
    transactionsSince(job: Address, _cursor: Cursor, opts?: { limit?: number }): Promise<{ transactions: ChainTransaction[]; cursor: Cursor }> {
        return this.inner.transactionsSince(job, null, opts);
    }
}

describe('claimer following job transactions on the embedded chain', () => {
    let p: Protocol;
    let chain: Chain;
    let dir: string;
    let store: LmdbStore;
    let j: OpenedJob;
    let seen: bigint[];

    const claimer = (o: { directory?: JobDirectory; port?: ClaimPort } = {}) =>
        new Claimer(store, o.directory ?? new ChainJobDirectory(chain, { freshnessMs: 0 }), o.port ?? new ChainClaimPort(chain, null), systemClock, { threshold: NEVER, confirmTimeoutMs: 60_000, preferWallet: false }, pino({ level: 'silent' }), {
            transaction: (_job, lt) => seen.push(lt),
        });

    /** The client's voucher for `amount`, stored as the worker's best (what the session does when it arrives). */
    const holdVoucher = async (amount: bigint) => {
        const v = j.voucher(amount);
        await store.updateJob(j.address.toRawString(), (r) => ({ ...r, chainState: 'active', best: { amount, tokens: v.voucher.tokens, final: false, signature: v.signature, boc: v.cell.toBoc() } }));
    };
    const paid = async () => (await j.job.getJobData()).paid;
    const closeByClient = async () => {
        await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
        return (await j.job.getJobData()).deadline;
    };
    const lastTransaction = async (): Promise<ChainTransaction> => {
        let all: ChainTransaction[] = [];
        let cursor: Cursor = null;
        for (;;) {
            const r = await chain.transactionsSince(j.address, cursor, { limit: 100 });
            if (r.transactions.length === 0) return all[all.length - 1];
            all = r.transactions;
            cursor = r.cursor;
        }
    };

    beforeEach(async () => {
        p = await deployForJobs();
        chain = EmbeddedChain.over(p.blockchain);
        j = await openJob(p);
        dir = mkdtempSync(join(tmpdir(), 'claimer-follow-'));
        store = new LmdbStore(dir);
        seen = [];
    });
    afterEach(async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
    });

    it('notices the client\'s unilateral close from its transaction and claims the best voucher before the deadline', async () => {
        const amount = (await j.job.getJobData()).deposit / 3n;
        await holdVoucher(amount);
        const directory = new CountingDirectory(new ChainJobDirectory(chain, { freshnessMs: 0 }));
        const c = claimer({ directory });
        await c.pass();
        expect(await paid()).toBe(0n); // below the threshold, the job active: nothing due
        const readsBefore = directory.reads;

        const deadline = await closeByClient();
        const close = await lastTransaction();
        p.blockchain.now = deadline - 30; // late in the window: 30 s left
        await c.pass();
        const rec = store.getJob(j.address.toRawString())!;
        expect(rec.chainState).toBe('closing');
        expect(rec.deadline).toBe(close.now + j.challenge); // the deadline it saw in the close transaction
        expect(rec.deadline).toBe(deadline);
        expect(directory.reads).toBe(readsBefore); // learnt from the transaction, not from a state read
        expect(await paid()).toBe(amount); // claimed inside the window
        expect(p.blockchain.now!).toBeLessThan(deadline);
        await c.pass();
        expect(store.getJob(j.address.toRawString())!.pendingClaim).toBeNull();
        expect(store.getJob(j.address.toRawString())!.confirmedPaid).toBe(amount);
    });

    it('a close sent as a phone-capitalised comment (" Close ") is a close too, as the contract reads it, not a top-up', async () => {
        const amount = (await j.job.getJobData()).deposit / 3n;
        await holdVoucher(amount);
        const c = claimer();
        await c.pass();
        await p.run(() => j.client.send({ to: j.job.address, value: CLOSE_VALUE, body: commentBody(' Close ') }));
        const deadline = (await j.job.getJobData()).deadline;
        expect(deadline).toBeGreaterThan(0); // the contract took it as the close
        p.blockchain.now = deadline - 30;
        await c.pass();
        const rec = store.getJob(j.address.toRawString())!;
        expect(rec.chainState).toBe('closing');
        expect(rec.deadline).toBe(deadline);
        expect(await paid()).toBe(amount); // claimed inside the window
    });

    it('a worker restarted after the close resumes from its cursor and still claims in time', async () => {
        const amount = (await j.job.getJobData()).deposit / 4n;
        await holdVoucher(amount);
        await claimer().pass();
        const cursor = store.getJob(j.address.toRawString())!.cursor;
        expect(cursor).not.toBeNull();
        const before = [...seen];
        await store.close(); // the worker is down (kill -9: nothing but the store survives)

        const deadline = await closeByClient();
        const close = await lastTransaction();
        p.blockchain.now = deadline - 5;
        store = new LmdbStore(dir);
        expect(store.getJob(j.address.toRawString())!.cursor).toEqual(cursor); // the cursor survived
        seen = [];
        await claimer().pass();
        expect(seen[0]).toBe(close.id.lt); // resumed right after its cursor: the close is the first it processed
        expect(seen.every((lt) => lt > cursor!.lt)).toBe(true);
        expect(seen.some((lt) => before.includes(lt))).toBe(false);
        expect(store.getJob(j.address.toRawString())!.deadline).toBe(deadline);
        expect(await paid()).toBe(amount);
    });

    it('never processes a transaction twice, across passes, restarts and a chain that hands old transactions out again', async () => {
        const amount = (await j.job.getJobData()).deposit / 5n;
        await holdVoucher(amount);
        const c1 = claimer({ port: new ForgetfulPort(new ChainClaimPort(chain, null)) });
        await c1.pass();
        await c1.pass();
        await closeByClient();
        await c1.pass(); // claims
        await c1.pass(); // sees the claim land
        await store.close();
        store = new LmdbStore(dir);
        const c2 = claimer({ port: new ForgetfulPort(new ChainClaimPort(chain, null)) });
        await c2.pass();
        await c2.pass();
        expect(await paid()).toBe(amount);
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(seen); // in order
        // every transaction of the job, once: opening, acceptance, the close, the claim
        const all: bigint[] = [];
        let cursor: Cursor = null;
        for (;;) {
            const r = await chain.transactionsSince(j.address, cursor, { limit: 100 });
            if (r.transactions.length === 0) break;
            all.push(...r.transactions.map((t) => t.id.lt));
            cursor = r.cursor;
        }
        expect(seen).toEqual(all);
        expect(store.getJob(j.address.toRawString())!.cursor!.lt).toBe(all[all.length - 1]);
    });
});
