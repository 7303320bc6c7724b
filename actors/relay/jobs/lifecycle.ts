/**
 * The end of a job's life, shared by the running relay (its maintenance timer) and `npm run relay -- close-idle`
 * (an operator pass while the relay is stopped): close the jobs nobody used for a while, which starts their
 * challenge period, then finalize the ones whose period is over so the unspent deposit returns to the wallet.
 * Each state change is written to the store right after its transaction succeeded on-chain.
 */
import { Address, Cell } from '@ton/core';
import type { Logger } from 'pino';
import { parseVoucherCell, type SignedCell } from '../../../wrappers/payloads';
import type { JobRecord } from '../core/ledger';
import type { RelayStore, StoredVoucher } from '../store/lmdb';
import type { JobFunding } from '../types';

/** Hands a signed voucher to the worker (its HTTP endpoint); throws when the worker cannot be reached or refuses it. */
export type VoucherDelivery = (worker: string, voucher: SignedCell) => Promise<void>;

/** What became of a job's undelivered voucher: there was none, the worker has it, the relay claimed it on-chain, or neither (yet). */
export type VoucherOutcome = 'none' | 'delivered' | 'already_paid' | 'claimed' | 'failed';

function signedCellOf(v: StoredVoucher): SignedCell {
    return { cell: Cell.fromBoc(Buffer.from(v.boc, 'base64'))[0], signature: Buffer.from(v.signature, 'hex') };
}

/**
 * A voucher signed but never delivered (the relay died between signing and sending, or the worker was away)
 * pays for receipts the relay accepted, so the worker must get its money. It goes to the worker now; when
 * that fails and `claimIfUndeliverable` is set (a job about to be closed, whose worker may never come back),
 * the relay claims it on-chain from its own wallet: a claim from any wallet pays the job's worker, so every
 * signed receipt is paid before the challenge period starts. Marked sent once the worker or the chain has it.
 */
export async function settleUndeliveredVoucher(o: {
    store: RelayStore;
    funding: JobFunding;
    deliver: VoucherDelivery | null;
    log: Logger;
    now: number;
    job: JobRecord;
    claimIfUndeliverable: boolean;
}): Promise<VoucherOutcome> {
    const v = o.store.getVoucher(o.job.address);
    if (!v || v.sentAt !== null || v.amount === 0n || o.job.state === 'finalized') return 'none';
    const markSent = () => {
        const cur = o.store.getVoucher(o.job.address);
        if (cur && cur.amount === v.amount) o.store.putVoucher({ ...cur, sentAt: o.now });
    };
    let why = 'no way to reach the worker';
    if (o.deliver) {
        try {
            await o.deliver(o.job.worker, signedCellOf(v));
            markSent();
            o.log.info({ job: o.job.address, amount: v.amount }, 'undelivered voucher delivered to the worker');
            return 'delivered';
        } catch (e) {
            why = (e as Error).message;
        }
    }
    if (!o.claimIfUndeliverable) {
        o.log.warn({ job: o.job.address, err: why }, 'undelivered voucher: retrying on the next pass');
        return 'failed';
    }
    const address = Address.parse(o.job.address);
    try {
        // the worker may have claimed it already (delivered, but the relay died before it wrote so)
        if ((await o.funding.read(address)).paid >= v.amount) {
            markSent();
            return 'already_paid';
        }
        const signed = signedCellOf(v);
        await o.funding.claim(address, { voucher: parseVoucherCell(signed.cell), signature: signed.signature });
        markSent();
        o.log.warn({ job: o.job.address, amount: v.amount, undeliverable: why }, 'undelivered voucher claimed on-chain for the worker by the relay');
        return 'claimed';
    } catch (e) {
        o.log.error({ job: o.job.address, undeliverable: why, err: (e as Error).message }, 'undelivered voucher neither delivered nor claimed: the job stays open');
        return 'failed';
    }
}

export interface ClosedJob {
    address: string;
    /** Unix seconds when the challenge period ends (finalize is possible from then on). */
    deadline: number;
}

/**
 * Closes open jobs unused for at least `idleMs` (all open jobs when `idleMs` is 0), skipping those in `busy`.
 * A job with a voucher the worker never got is closed only once the worker has it, by delivery (`deliver`) or
 * by the relay's own claim on-chain (settleUndeliveredVoucher): closing first would leave signed work unpaid
 * whenever the worker cannot be reached within the challenge period.
 */
export async function closeIdleJobs(o: { store: RelayStore; funding: JobFunding; log: Logger; now: number; idleMs: number; busy?: ReadonlySet<string>; deliver?: VoucherDelivery | null }): Promise<ClosedJob[]> {
    const closed: ClosedJob[] = [];
    for (const j of o.store.jobs()) {
        if (j.state !== 'open' || o.busy?.has(j.address)) continue;
        if (o.now - j.lastUsedAt < o.idleMs) continue;
        const voucher = await settleUndeliveredVoucher({ store: o.store, funding: o.funding, deliver: o.deliver ?? null, log: o.log, now: o.now, job: j, claimIfUndeliverable: true });
        if (voucher === 'failed') continue;
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
