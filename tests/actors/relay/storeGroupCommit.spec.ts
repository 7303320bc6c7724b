/**
 * The relay's group-committed writes (RelayStore.writeTogether): concurrent requests of one API key must
 * each be charged (the read-modify-write runs inside the transaction, after every earlier queued write), the
 * writes are durable once awaited, and the in-memory job list follows every putJob.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { RelayStore } from '../../../actors/relay/store/lmdb';
import { charge, newApiKey } from '../../../actors/relay/core/keys';
import type { JobRecord } from '../../../actors/relay/core/ledger';

describe('RelayStore group commit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-store-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('charges every one of 100 concurrent requests of one key', async () => {
        const store = new RelayStore(join(dir, 'a'));
        const key = newApiKey('sk-secret', 'app', null, 0);
        store.putKey(key);
        await Promise.all(
            Array.from({ length: 100 }, () =>
                store.writeTogether(() => {
                    const k = store.getKey(key.id)!;
                    store.putKey(charge(k, 5n, 10, 20));
                }),
            ),
        );
        const k = store.getKey(key.id)!;
        expect(k.requests).toBe(100);
        expect(k.spent).toBe(500n);
        expect(k.completionTokens).toBe(2000);
        await store.close();
        const reopened = new RelayStore(join(dir, 'a'));
        expect(reopened.getKey(key.id)!.requests).toBe(100);
        await reopened.close();
    });

    it('lists jobs written inside and outside transactions, as reopened from disk', async () => {
        const store = new RelayStore(join(dir, 'b'));
        const job = (address: string, seqno: number) => ({ address, seqno, state: 'open' }) as unknown as JobRecord;
        store.putJob(job('0:01', 1));
        expect(store.jobs().map((j) => j.seqno)).toEqual([1]);
        await store.writeTogether(() => store.putJob(job('0:01', 2)));
        await store.writeTogether(() => store.putJob(job('0:02', 7)));
        expect(store.jobs().map((j) => [j.address, j.seqno])).toEqual([['0:01', 2], ['0:02', 7]]);
        await store.close();
        const reopened = new RelayStore(join(dir, 'b'));
        expect(reopened.jobs().map((j) => [j.address, j.seqno])).toEqual([['0:01', 2], ['0:02', 7]]);
        await reopened.close();
    });
});
