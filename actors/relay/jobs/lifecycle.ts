/**
 * The end of a job's life, shared by the running relay (its maintenance timer) and `npm run relay -- close-idle`
 * (an operator pass while the relay is stopped): close the jobs nobody used for a while, which starts their
 * challenge period, then finalize the ones whose period is over so the unspent deposit returns to the wallet.
 * Each state change is written to the store right after its transaction succeeded on-chain.
 */
import { Address } from '@ton/core';
import type { Logger } from 'pino';
import type { RelayStore } from '../store/lmdb';
import type { JobFunding } from '../types';

export interface ClosedJob {
    address: string;
    /** Unix seconds when the challenge period ends (finalize is possible from then on). */
    deadline: number;
}

/** Closes open jobs unused for at least `idleMs` (all open jobs when `idleMs` is 0), skipping those in `busy`. */
export async function closeIdleJobs(o: { store: RelayStore; funding: JobFunding; log: Logger; now: number; idleMs: number; busy?: ReadonlySet<string> }): Promise<ClosedJob[]> {
    const closed: ClosedJob[] = [];
    for (const j of o.store.jobs()) {
        if (j.state !== 'open' || o.busy?.has(j.address)) continue;
        if (o.now - j.lastUsedAt < o.idleMs) continue;
        const addr = Address.parse(j.address);
        await o.funding.close(addr);
        o.store.putJob({ ...j, state: 'closing', closedAt: o.now });
        const { deadline } = await o.funding.read(addr);
        o.log.info({ job: j.address, deadline }, 'job closed; finalize after the challenge period');
        closed.push({ address: j.address, deadline });
    }
    return closed;
}

/** Finalizes closing jobs whose challenge period ended at `chainNow` (unix seconds, the chain's clock). */
export async function finalizeDueJobs(o: { store: RelayStore; funding: JobFunding; log: Logger; chainNow: number }): Promise<string[]> {
    const done: string[] = [];
    for (const j of o.store.jobs()) {
        if (j.state !== 'closing') continue;
        const address = Address.parse(j.address);
        // Anyone may finalize after the deadline (the worker's claimer does): a job already gone is done.
        if (await o.funding.settled(address)) {
            o.store.putJob({ ...j, state: 'finalized' });
            o.log.info({ job: j.address }, 'job already settled on-chain');
            done.push(j.address);
            continue;
        }
        const onChain = await o.funding.read(address);
        if (onChain.deadline > o.chainNow) continue;
        try {
            await o.funding.finalize(address);
        } catch (e) {
            if (!(await o.funding.settled(address))) throw e; // lost a race with another finalize: fine
        }
        o.store.putJob({ ...j, state: 'finalized' });
        o.log.info({ job: j.address }, 'job finalized');
        done.push(j.address);
    }
    return done;
}
