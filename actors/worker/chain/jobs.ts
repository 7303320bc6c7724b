/**
 * Jobs as the chain says they are, through the chain layer (actors/chain Chain) and the job codec
 * (wrappers/Job.ts parseJobStorage). Answers are cached for `freshnessMs` (default 2 s): a job's deposit only
 * grows while it is active, so a stale answer can only under-state what the worker may serve; a close or
 * settlement shows up within the freshness (the claimer reads with fresh: true).
 */
import { Address } from '@ton/core';
import type { Chain } from '../../chain/types';
import { JobState } from '../../../wrappers/Constants';
import { parseJobStorage } from '../../../wrappers/Job';
import { Clock, JobDirectory, JobView, systemClock } from '../types';

export const DEFAULT_JOB_FRESHNESS_MS = 2_000;

export function absentJob(address: Address): JobView {
    return { address, state: 'absent', worker: null, deposit: 0n, paid: 0n, clientKey: Buffer.alloc(32), prices: null, deadline: 0, challenge: 0, feeBps: 0, nonce: 0n };
}

export class ChainJobDirectory implements JobDirectory {
    private readonly cache = new Map<string, { at: number; view: JobView }>();

    constructor(
        private readonly chain: Chain,
        private readonly opts: { freshnessMs?: number; clock?: Clock; maxEntries?: number } = {},
    ) {}

    async get(job: Address, o: { fresh?: boolean } = {}): Promise<JobView> {
        const clock = this.opts.clock ?? systemClock;
        const key = job.toRawString();
        const hit = this.cache.get(key);
        if (!o.fresh && hit && clock.nowMs() - hit.at < (this.opts.freshnessMs ?? DEFAULT_JOB_FRESHNESS_MS)) return hit.view;
        const view = await this.read(job);
        if (this.cache.size >= (this.opts.maxEntries ?? 10_000)) this.cache.clear();
        this.cache.set(key, { at: clock.nowMs(), view });
        return view;
    }

    private async read(job: Address): Promise<JobView> {
        const account = await this.chain.getAccount(job);
        if (account.status !== 'active' || !account.data) return absentJob(job);
        let storage;
        try {
            storage = parseJobStorage(account.data);
        } catch {
            return absentJob(job); // not a job escrow (some other contract at that address)
        }
        if (!storage) return absentJob(job);
        const state = storage.state === JobState.Active ? 'active' : storage.state === JobState.Closing ? 'closing' : 'pending';
        return {
            address: job,
            state,
            worker: storage.worker,
            deposit: storage.deposit,
            paid: storage.paid,
            clientKey: storage.terms.clientKey,
            prices: storage.terms.acceptance?.workerPrices ?? null,
            deadline: storage.deadline,
            challenge: storage.terms.challenge,
            feeBps: storage.terms.feeBps,
            nonce: storage.terms.nonce,
        };
    }
}
