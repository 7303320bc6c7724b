/**
 * The end of a job's life (actors/relay/jobs/lifecycle.ts) against a fake chain: anyone may finalize after the
 * deadline (the worker's claimer does), so a job already settled, or settled by someone else while the relay's
 * own finalize was on its way, is finalized in the store and never an error.
 */
import { Address } from '@ton/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import { newJobRecord } from '../../../actors/relay/core/ledger';
import { finalizeDueJobs } from '../../../actors/relay/jobs/lifecycle';
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
