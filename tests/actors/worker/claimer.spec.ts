/**
 * The claimer against fake ports (a job directory and a claim port that stand for the chain): when it
 * claims, that it records before sending, confirms from the job's `paid`, retries failures, never
 * misses a closing job, claims a final voucher once, and finalizes a closing job after its deadline.
 */
import { Address, beginCell } from '@ton/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import { Claimer } from '../../../actors/worker/claimer/claimer';
import type { ClaimPort } from '../../../actors/worker/claimer/types';
import { LmdbStore } from '../../../actors/worker/store/lmdb';
import { newJobRecord } from '../../../actors/worker/store/types';
import type { JobDirectory, JobView } from '../../../actors/worker/types';

const JOB = Address.parseRaw('0:' + 'ab'.repeat(32));

class FakeChain implements JobDirectory, ClaimPort {
    view: JobView = { address: JOB, state: 'active', worker: JOB, deposit: 1_000_000n, paid: 0n, clientKey: Buffer.alloc(32), prices: null, deadline: 0, challenge: 600, feeBps: 200, nonce: 0n };
    sent: bigint[] = [];
    fail = false;
    applyOnSend = true;
    walletAvailable = false;
    chainTime = 1_000;
    finalized: number[] = [];
    async chainNow(): Promise<number> {
        return this.chainTime;
    }
    async finalize(): Promise<void> {
        this.finalized.push(this.chainTime);
    }
    async get(): Promise<JobView> {
        return { ...this.view };
    }
    async send(_job: Address, signed: { cell: unknown }): Promise<{ messageHash: Buffer | null }> {
        if (this.fail) throw new Error('node refused');
        const amount = BigInt((signed as { cell: { beginParse(): { loadUintBig(n: number): bigint } } }).cell.beginParse().loadUintBig(64));
        this.sent.push(amount);
        if (this.applyOnSend) this.view.paid = amount < this.view.deposit ? amount : this.view.deposit;
        return { messageHash: null };
    }
}

function voucherRecord(store: LmdbStore, amount: bigint, final = false) {
    const rec = store.getJob(JOB.toRawString()) ?? newJobRecord(JOB.toRawString());
    // the claimer only carries the BoC; here a cell whose first 64 bits are the amount stands for it
    rec.best = { amount, tokens: 0n, final, signature: Buffer.alloc(64), boc: beginCell().storeUint(amount, 64).endCell().toBoc() };
    store.putJob(rec);
}

describe('claimer', () => {
    let dir: string;
    let store: LmdbStore;
    let chain: FakeChain;
    let now: number;
    const make = (threshold: bigint) => new Claimer(store, chain, chain, { nowMs: () => now }, { threshold, confirmTimeoutMs: 10_000, preferWallet: false }, pino({ level: 'silent' }));

    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), 'claimer-'));
        store = new LmdbStore(dir);
        chain = new FakeChain();
        now = 1_000_000;
    });
    afterEach(async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
    });

    it('waits for the threshold, then claims and confirms from the job', async () => {
        const c = make(500n);
        voucherRecord(store, 100n);
        await c.pass();
        expect(chain.sent).toEqual([]);
        voucherRecord(store, 600n);
        await c.pass();
        expect(chain.sent).toEqual([600n]);
        expect(store.getJob(JOB.toRawString())!.pendingClaim!.amount).toBe(600n);
        await c.pass();
        const rec = store.getJob(JOB.toRawString())!;
        expect(rec.pendingClaim).toBeNull();
        expect(rec.confirmedPaid).toBe(600n);
    });

    it('claims any amount at once when the job is closing (the challenge window is never missed)', async () => {
        const c = make(1_000_000_000n);
        voucherRecord(store, 10n);
        await c.pass();
        expect(chain.sent).toEqual([]);
        chain.view.state = 'closing';
        chain.view.deadline = 2_000;
        await c.pass();
        expect(chain.sent).toEqual([10n]);
    });

    it('a final voucher is claimed at once; a job gone after it counts as confirmed', async () => {
        const c = make(1_000_000_000n);
        voucherRecord(store, 50n, true);
        await c.pass();
        expect(chain.sent).toEqual([50n]);
        chain.view.state = 'absent';
        await c.pass();
        const rec = store.getJob(JOB.toRawString())!;
        expect(rec.chainState).toBe('gone');
        expect(rec.pendingClaim).toBeNull();
    });

    it('a failed send is recorded and retried on the next pass; an unconfirmed claim is re-sent after the timeout', async () => {
        const c = make(0n);
        voucherRecord(store, 70n);
        chain.fail = true;
        await c.pass();
        expect(store.getJob(JOB.toRawString())!.pendingClaim!.lastError).toBe('node refused');
        chain.fail = false;
        chain.applyOnSend = false; // sent, but never lands
        await c.pass();
        expect(chain.sent).toEqual([70n]);
        await c.pass();
        expect(chain.sent).toEqual([70n]); // still waiting for the confirmation
        now += 11_000;
        await c.pass();
        expect(chain.sent).toEqual([70n, 70n]);
    });

    it('flush (SIGTERM) claims below the threshold too', async () => {
        const c = make(1_000_000_000n);
        voucherRecord(store, 5n);
        const r = await c.flush(1_000, 10);
        expect(chain.sent).toEqual([5n]);
        expect(r.unconfirmed).toBe(0);
    });

    it('a final voucher closes the job once: no claim again while it is closing', async () => {
        const c = make(1_000_000_000n);
        voucherRecord(store, 50n, true);
        await c.pass();
        expect(chain.sent).toEqual([50n]);
        chain.view.state = 'closing'; // the claim of a final voucher is the client's close
        chain.view.deadline = 2_000;
        await c.pass();
        await c.pass();
        expect(chain.sent).toEqual([50n]);
        expect(store.getJob(JOB.toRawString())!.pendingClaim).toBeNull();
    });

    it('finalizes a closing job through the wallet once its deadline has passed on chain time, and only then', async () => {
        const c = make(0n);
        chain.walletAvailable = true;
        voucherRecord(store, 40n);
        await c.pass(); // claimed
        await c.pass(); // confirmed
        chain.view.state = 'closing';
        chain.view.deadline = 5_000;
        chain.chainTime = 5_000; // host time is irrelevant: the deadline is chain time
        await c.pass();
        expect(chain.finalized).toEqual([]);
        chain.chainTime = 5_001;
        await c.pass();
        await c.pass(); // not again before the confirmation timeout
        expect(chain.finalized).toEqual([5_001]);
        now += 11_000;
        chain.chainTime = 5_100;
        await c.pass(); // still closing: sent again
        expect(chain.finalized).toEqual([5_001, 5_100]);
        chain.view.state = 'absent';
        await c.pass();
        expect(store.getJob(JOB.toRawString())!.chainState).toBe('gone');
        expect(chain.finalized).toHaveLength(2);
    });

    it('never finalizes with something left to claim, or without a wallet', async () => {
        const c = make(0n);
        voucherRecord(store, 40n);
        chain.applyOnSend = false; // the claim has not landed yet
        chain.view.state = 'closing';
        chain.view.deadline = 5_000;
        chain.chainTime = 9_000;
        chain.walletAvailable = true;
        await c.pass();
        expect(chain.finalized).toEqual([]);
        chain.view.paid = 40n; // landed
        chain.walletAvailable = false;
        await c.pass();
        await c.pass();
        expect(chain.finalized).toEqual([]);
    });
});
