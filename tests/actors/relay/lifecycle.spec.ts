/**
 * The end of a job's life (actors/relay/jobs/lifecycle.ts) against a fake chain: anyone may finalize after the
 * deadline (the worker's claimer does), so a job already settled, or settled by someone else while the relay's
 * own finalize was on its way, is finalized in the store and never an error. And a job is closed only once its
 * worker holds the last voucher signed for it: an undelivered one is delivered first, or claimed on-chain by
 * the relay when the worker cannot be reached (what `npm run relay -- close-idle` and the running relay do).
 */
import { Address } from '@ton/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import { newJobRecord, voucherFor } from '../../../actors/relay/core/ledger';
import { closeIdleJobs, finalizeDueJobs, type VoucherDelivery } from '../../../actors/relay/jobs/lifecycle';
import { signVoucher } from '../../../actors/crypto/payloads';
import type { SignedCell, Voucher } from '../../../wrappers/payloads';
import { RelayStore } from '../../../actors/relay/store/lmdb';
import type { JobFunding } from '../../../actors/relay/types';

const JOB = Address.parseRaw('0:' + 'cd'.repeat(32));
const WORKER = Address.parseRaw('0:' + 'ef'.repeat(32));
const PRICES = { prompt: 1n, cached: 1n, completion: 1n, reasoning: 1n };

class FakeFunding {
    gone = false;
    /** The worker finalizes first: the relay's own finalize then fails on-chain. */
    raceLost = false;
    finalized = 0;
    async settled(): Promise<boolean> {
        return this.gone;
    }
    async read() {
        return { state: 3, deposit: 10n, paid: 5n, deadline: 1_000 };
    }
    async finalize(): Promise<void> {
        if (this.raceLost) {
            this.gone = true;
            throw new Error('a transaction to the job failed on-chain');
        }
        this.finalized++;
        this.gone = true;
    }
}

describe('relay job lifecycle: finalize', () => {
    let dir: string;
    let store: RelayStore;
    let funding: FakeFunding;
    const run = (chainNow: number) =>
        finalizeDueJobs({ store, funding: funding as unknown as JobFunding, log: pino({ level: 'silent' }), chainNow });

    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), 'relay-lifecycle-'));
        store = new RelayStore(dir);
        funding = new FakeFunding();
        const j = newJobRecord({ address: JOB, worker: WORKER, prices: PRICES, receiptKey: Buffer.alloc(32), deposit: 10n, feeBps: 200, nonce: 1n, now: 0 });
        store.putJob({ ...j, state: 'closing', closedAt: 0 });
    });
    afterEach(async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
    });

    it('waits for the deadline, then finalizes once', async () => {
        expect(await run(999)).toEqual([]);
        expect(await run(1_000)).toEqual([JOB.toRawString()]);
        expect(funding.finalized).toBe(1);
        expect(store.getJob(JOB.toRawString())!.state).toBe('finalized');
        expect(await run(2_000)).toEqual([]);
    });

    it('a job someone else already finalized is done, with no transaction', async () => {
        funding.gone = true;
        expect(await run(1_001)).toEqual([JOB.toRawString()]);
        expect(funding.finalized).toBe(0);
        expect(store.getJob(JOB.toRawString())!.state).toBe('finalized');
    });

    it('losing the race to another finalize is not an error', async () => {
        funding.raceLost = true;
        expect(await run(1_001)).toEqual([JOB.toRawString()]);
        expect(store.getJob(JOB.toRawString())!.state).toBe('finalized');
    });

    it('a finalize that fails while the job is still there is an error (retried on the next pass)', async () => {
        funding.finalize = async () => {
            throw new Error('node refused');
        };
        await expect(run(1_001)).rejects.toThrow('node refused');
        expect(store.getJob(JOB.toRawString())!.state).toBe('closing');
    });
});

describe('relay job lifecycle: close-idle and undelivered vouchers', () => {
    const VOUCHER_SEED = Buffer.alloc(32, 7);
    let dir: string;
    let store: RelayStore;
    /** The chain as close-idle sees it: what was claimed for the worker and when the job was closed. */
    let events: string[];
    let paid: bigint;
    let claimed: { voucher: Voucher; signature: Buffer }[];
    let claimFails: boolean;
    const funding = () =>
        ({
            close: async () => {
                events.push('close');
            },
            read: async () => ({ state: 2, deposit: 10_000n, paid, deadline: 1_000 }),
            claim: async (_job: Address, signed: { voucher: Voucher; signature: Buffer }) => {
                if (claimFails) throw new Error('the claim failed on-chain');
                events.push('claim');
                claimed.push(signed);
                paid = signed.voucher.amount;
            },
        }) as unknown as JobFunding;
    /** A job with two accepted receipts: the voucher for 700 was signed and stored, never sent. */
    const signedButUndelivered = () => {
        const j = { ...newJobRecord({ address: JOB, worker: WORKER, prices: PRICES, receiptKey: Buffer.alloc(32), deposit: 10_000n, feeBps: 200, nonce: 1n, now: 0 }), seqno: 2, cumulative: 700n, tokens: 12n, vouchered: 700n };
        const v = signVoucher(voucherFor(j, -239), VOUCHER_SEED);
        store.putJob(j);
        store.putVoucher({ job: JOB.toRawString(), amount: 700n, final: false, boc: v.cell.toBoc({ idx: false, crc32: false }).toString('base64'), signature: v.signature.toString('hex'), sentAt: null });
        return v;
    };
    const closeIdle = (deliver: VoucherDelivery | null) => closeIdleJobs({ store, funding: funding(), log: pino({ level: 'silent' }), now: 5_000, idleMs: 0, deliver });

    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), 'relay-close-idle-'));
        store = new RelayStore(dir);
        events = [];
        paid = 0n;
        claimed = [];
        claimFails = false;
    });
    afterEach(async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
    });

    it('delivers the undelivered voucher to the worker before it closes the job', async () => {
        const v = signedButUndelivered();
        const got: { worker: string; voucher: SignedCell }[] = [];
        const deliver: VoucherDelivery = async (worker, voucher) => {
            events.push('deliver');
            got.push({ worker, voucher });
        };
        expect((await closeIdle(deliver)).map((c) => c.address)).toEqual([JOB.toRawString()]);
        expect(events).toEqual(['deliver', 'close']);
        expect(got).toHaveLength(1);
        expect(got[0].worker).toBe(WORKER.toRawString());
        expect(got[0].voucher.cell.hash().equals(v.cell.hash())).toBe(true);
        expect(got[0].voucher.signature.equals(v.signature)).toBe(true);
        expect(store.getVoucher(JOB.toRawString())!.sentAt).toBe(5_000);
        expect(store.getJob(JOB.toRawString())!.state).toBe('closing');
    });

    it('a worker that cannot be reached is paid by the relay claiming the voucher on-chain, then the job closes', async () => {
        const v = signedButUndelivered();
        const unreachable: VoucherDelivery = async () => {
            throw new Error('connect ECONNREFUSED');
        };
        await closeIdle(unreachable);
        expect(events).toEqual(['claim', 'close']);
        expect(claimed).toHaveLength(1);
        expect(claimed[0].voucher.amount).toBe(700n);
        expect(claimed[0].signature.equals(v.signature)).toBe(true);
        expect(paid).toBe(700n); // every accepted receipt is paid before the challenge period starts
        expect(store.getVoucher(JOB.toRawString())!.sentAt).toBe(5_000);
        expect(store.getJob(JOB.toRawString())!.state).toBe('closing');
    });

    it('with no way to reach the worker (no delivery configured) the voucher is claimed on-chain too', async () => {
        signedButUndelivered();
        await closeIdle(null);
        expect(events).toEqual(['claim', 'close']);
    });

    it('a voucher the worker already claimed is not claimed again', async () => {
        signedButUndelivered();
        paid = 700n;
        await closeIdle(null);
        expect(events).toEqual(['close']);
        expect(store.getVoucher(JOB.toRawString())!.sentAt).toBe(5_000);
    });

    it('neither delivered nor claimed: the job stays open (retried on the next pass), never closed with the worker unpaid', async () => {
        signedButUndelivered();
        claimFails = true;
        expect(await closeIdle(null)).toEqual([]);
        expect(events).toEqual([]);
        expect(store.getJob(JOB.toRawString())!.state).toBe('open');
        expect(store.getVoucher(JOB.toRawString())!.sentAt).toBeNull();
        claimFails = false;
        expect((await closeIdle(null)).map((c) => c.address)).toEqual([JOB.toRawString()]);
        expect(events).toEqual(['claim', 'close']);
    });

    it('a delivered voucher needs nothing before the close', async () => {
        signedButUndelivered();
        store.putVoucher({ ...store.getVoucher(JOB.toRawString())!, sentAt: 1 });
        await closeIdle(async () => {
            throw new Error('must not be called');
        });
        expect(events).toEqual(['close']);
    });
});
