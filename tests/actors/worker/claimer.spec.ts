/**
 * The claimer against fake ports (a job directory and a claim port that stand for the chain): when it
 * claims, that it records before sending, confirms from the job's `paid`, retries failures, never
 * misses a closing job, claims a final voucher once, and finalizes a closing job after its deadline.
 */
import { Address, beginCell, Cell } from '@ton/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import type { ChainMessage, ChainTransaction, Cursor } from '../../../actors/chain/types';
import { Claimer } from '../../../actors/worker/claimer/claimer';
import type { ClaimPort } from '../../../actors/worker/claimer/types';
import { LmdbStore } from '../../../actors/worker/store/lmdb';
import { newJobRecord } from '../../../actors/worker/store/types';
import type { JobDirectory, JobView } from '../../../actors/worker/types';
import { Op } from '../../../wrappers/Constants';
import { closeJobBody, topUpBody } from '../../../wrappers/Job';
import { buildVoucherCell, extClaimBody, parseVoucherCell } from '../../../wrappers/payloads';

const JOB = Address.parseRaw('0:' + 'ab'.repeat(32));
const CLIENT = Address.parseRaw('0:' + 'cd'.repeat(32));

/** A message as the chain layer reports it (only what the claimer reads matters). */
function message(kind: ChainMessage['kind'], body: Cell, o: { source?: Address; destination?: Address | null } = {}): ChainMessage {
    return { kind, source: o.source ?? null, destination: o.destination === undefined ? JOB : o.destination, value: 0n, forwardFee: 0n, bounce: false, bounced: false, body, hash: body.hash(), createdLt: null };
}

/**
 * The chain as the claimer sees it: the job's state (its terms and deposit, which it reads) and the job's
 * transactions, which it follows. Every change a test makes goes through a transaction.
 */
class FakeChain implements JobDirectory, ClaimPort {
    view: JobView = { address: JOB, state: 'active', worker: JOB, deposit: 1_000_000n, paid: 0n, clientKey: Buffer.alloc(32), prices: null, deadline: 0, challenge: 600, feeBps: 200, nonce: 0n };
    txs: ChainTransaction[] = [];
    sent: bigint[] = [];
    fail = false;
    applyOnSend = true;
    walletAvailable = false;
    chainTime = 1_000;
    finalized: number[] = [];
    reads = 0;
    /** Runs while the claimer waits for the chain (what the session may do meanwhile). */
    whileReading: (() => Promise<void>) | null = null;
    private lt = 1000n;
    async chainNow(): Promise<number> {
        return this.chainTime;
    }
    async finalize(): Promise<void> {
        this.finalized.push(this.chainTime);
    }
    async get(): Promise<JobView> {
        this.reads++;
        await this.whileReading?.();
        return { ...this.view };
    }
    async transactionsSince(_job: Address, cursor: Cursor, opts: { limit?: number } = {}): Promise<{ transactions: ChainTransaction[]; cursor: Cursor }> {
        const fresh = this.txs.filter((t) => !cursor || t.id.lt > cursor.lt).slice(0, opts.limit ?? 100);
        return { transactions: fresh, cursor: fresh.length ? fresh[fresh.length - 1].id : cursor };
    }
    /** Appends a successful transaction of the job at chain time `now`. */
    tx(inMessage: ChainMessage, o: { now?: number; out?: ChainMessage[] } = {}): ChainTransaction {
        this.lt += 10n;
        const t: ChainTransaction = {
            id: { lt: this.lt, hash: Buffer.from(this.lt.toString(16).padStart(64, '0'), 'hex') },
            account: JOB, now: o.now ?? this.chainTime, inMessage, outMessages: o.out ?? [], exitCode: 0, actionResultCode: 0, success: true, bounced: false, totalFees: 0n, gasUsed: 0,
        };
        this.txs.push(t);
        return t;
    }
    /** A claim of `voucherBoc` lands: paid becomes min(amount, deposit), a final voucher closes an active job. */
    land(voucherBoc: Buffer): void {
        const v = parseVoucherCell(Cell.fromBoc(voucherBoc)[0]);
        this.view.paid = v.amount < this.view.deposit ? v.amount : this.view.deposit;
        this.tx(message('external-in', extClaimBody({ voucher: v, signature: Buffer.alloc(64) })));
        if (v.final && this.view.state === 'active') {
            this.view.state = 'closing';
            this.view.deadline = this.chainTime + this.view.challenge;
        }
    }
    /** The client's close_job: the challenge period ends at `deadline` (the transaction is at deadline − challenge). */
    close(deadline: number): void {
        this.view.state = 'closing';
        this.view.deadline = deadline;
        this.tx(message('internal', closeJobBody(), { source: CLIENT }), { now: deadline - this.view.challenge });
    }
    /** The client tops the job up: its deposit grows by `amount`. */
    topUp(amount: bigint): void {
        this.view.deposit += amount;
        this.tx(message('internal', topUpBody(), { source: CLIENT }));
    }
    /** finalize or settle_job: the report to the worker, the account destroyed. */
    settle(): void {
        const report = beginCell().storeUint(Op.jobReport, 32).storeCoins(this.view.paid).storeCoins(0n).storeUint(0n, 64).storeAddress(CLIENT).storeUint(0n, 64).endCell();
        this.tx(message('internal', beginCell().storeUint(Op.finalizeJob, 32).storeUint(0, 64).endCell(), { source: CLIENT }), { out: [message('internal', report, { source: JOB, destination: JOB })] });
        this.view = { ...this.view, state: 'absent' };
    }
    async send(_job: Address, signed: { cell: Cell }): Promise<{ messageHash: Buffer | null }> {
        if (this.fail) throw new Error('node refused');
        const amount = parseVoucherCell(signed.cell).amount;
        this.sent.push(amount);
        if (this.applyOnSend) this.land(signed.cell.toBoc());
        return { messageHash: null };
    }
}

function voucherCell(amount: bigint, final = false): Cell {
    return buildVoucherCell({ globalId: -239, job: JOB, nonce: 0n, amount, tokens: 0n, head: Buffer.alloc(32), final });
}

function voucherRecord(store: LmdbStore, amount: bigint, final = false) {
    const rec = store.getJob(JOB.toRawString()) ?? newJobRecord(JOB.toRawString());
    rec.best = { amount, tokens: 0n, final, signature: Buffer.alloc(64), boc: voucherCell(amount, final).toBoc() };
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
        chain.close(2_000);
        await c.pass();
        expect(chain.sent).toEqual([10n]);
    });

    it('a final voucher is claimed at once; a job gone after it counts as confirmed', async () => {
        const c = make(1_000_000_000n);
        voucherRecord(store, 50n, true);
        await c.pass();
        expect(chain.sent).toEqual([50n]);
        chain.settle();
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
        expect(chain.view.state).toBe('closing'); // the claim of a final voucher is the client's close
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
        chain.close(5_000);
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
        chain.settle();
        await c.pass();
        expect(store.getJob(JOB.toRawString())!.chainState).toBe('gone');
        expect(chain.finalized).toHaveLength(2);
    });

    it('never finalizes with something left to claim, or without a wallet', async () => {
        const c = make(0n);
        voucherRecord(store, 40n);
        chain.applyOnSend = false; // the claim has not landed yet
        chain.close(5_000);
        chain.chainTime = 4_000;
        chain.walletAvailable = true;
        await c.pass(); // sent, inside the window
        chain.chainTime = 9_000;
        await c.pass();
        expect(chain.finalized).toEqual([]);
        chain.land(voucherCell(40n).toBoc()); // landed
        chain.walletAvailable = false;
        await c.pass();
        await c.pass();
        expect(chain.finalized).toEqual([]);
    });

    it('a voucher the session stores while a pass waits for the chain is not overwritten by the claimer', async () => {
        const c = make(1_000_000_000n);
        voucherRecord(store, 100n);
        chain.whileReading = async () => {
            chain.whileReading = null;
            await store.updateJob(JOB.toRawString(), (latest) => ({ ...latest, lastSeqno: 2, best: { ...latest.best!, amount: 200n, boc: voucherCell(200n).toBoc() } }));
        };
        await c.pass();
        const rec = store.getJob(JOB.toRawString())!;
        expect(rec.best!.amount).toBe(200n);
        expect(rec.lastSeqno).toBe(2);
    });

    it('a top-up seen in the job\'s transactions raises what a voucher above the old deposit can still claim', async () => {
        const c = make(0n);
        voucherRecord(store, 1_500_000n); // above the deposit of 1_000_000
        await c.pass(); // claims: the job pays its whole deposit
        await c.pass();
        expect(chain.view.paid).toBe(1_000_000n);
        expect(store.getJob(JOB.toRawString())!.confirmedPaid).toBe(1_000_000n);
        await c.pass();
        expect(chain.sent).toEqual([1_500_000n]); // nothing more to draw
        chain.topUp(1_000_000n);
        await c.pass();
        expect(chain.sent).toEqual([1_500_000n, 1_500_000n]);
        expect(chain.view.paid).toBe(1_500_000n);
        await c.pass();
        expect(store.getJob(JOB.toRawString())!.confirmedPaid).toBe(1_500_000n);
        expect(store.getJob(JOB.toRawString())!.deposit).toBe(2_000_000n);
    });
});
