/**
 * The worker's group-committed job updates (LmdbStore.updateJob): a voucher kept and a receipt issued for the
 * same job, queued together, must both survive (each update reads the latest record inside the transaction),
 * and the receipt is written in the same transaction as the job record that counts it.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LmdbStore } from '../../../actors/worker/store/lmdb';

describe('worker store group commit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'worker-store-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps a voucher and a receipt queued together for one job', async () => {
        const store = new LmdbStore(dir);
        const job = '0:' + 'ab'.repeat(32);
        const voucher = { amount: 70n, tokens: 9n, final: false, signature: Buffer.alloc(64, 1), boc: Buffer.from('b5ee9c72', 'hex') };
        const receipt = { job, seqno: 1, signedBoc: Buffer.from('b5ee9c72', 'hex'), cost: 70n, cumulative: 70n, head: Buffer.alloc(32, 3), issuedAtMs: 1 };
        await Promise.all([
            store.updateJob(job, (latest) => ({ ...latest, lastSeqno: 1, cumulative: 70n, head: Buffer.alloc(32, 3) }), receipt),
            store.updateJob(job, (latest) => ({ ...latest, best: voucher })),
        ]);
        const rec = store.getJob(job)!;
        expect(rec.lastSeqno).toBe(1);
        expect(rec.cumulative).toBe(70n);
        expect(rec.best?.amount).toBe(70n);
        expect(store.getReceipt(job, 1)?.cumulative).toBe(70n);
        await store.close();
        const reopened = new LmdbStore(dir);
        expect(reopened.getJob(job)!.best?.amount).toBe(70n);
        await reopened.close();
    });
});
