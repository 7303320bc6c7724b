/**
 * An account's transaction history, for scripts that find things from an address alone (job/status finds a
 * client's jobs from the open_job messages its wallet sent). Read through whatever the run has: the provider's
 * own `transactions` (the sandbox provider, the no-wallet runner), or Blueprint's API client (API v2 or v4).
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, Transaction } from '@ton/core';
import { Op } from '../../wrappers/Constants';
import { Job } from '../../wrappers/Job';

/** Something that reads an account's transactions, newest first. */
export interface TransactionHistory {
    transactions(address: Address, limit: number): Promise<Transaction[]>;
}

type V2Client = { getTransactions(a: Address, o: { limit: number; lt?: string; hash?: string; inclusive?: boolean; archival?: boolean }): Promise<Transaction[]> };
type V4Client = {
    getLastBlock(): Promise<{ last: { seqno: number } }>;
    getAccountLite(seqno: number, a: Address): Promise<{ account: { last: { lt: string; hash: string } | null } }>;
    getAccountTransactions(a: Address, lt: bigint, hash: Buffer): Promise<{ tx: Transaction }[]>;
};

/** Pages through an API v2 client (toncenter), archival, newest first. */
export async function v2Transactions(c: V2Client, address: Address, limit: number): Promise<Transaction[]> {
    const out: Transaction[] = [];
    let from: { lt: string; hash: string } | undefined;
    while (out.length < limit) {
        const page = await c.getTransactions(address, { limit: Math.min(100, limit - out.length), archival: true, ...(from ? { ...from, inclusive: false } : {}) });
        out.push(...page);
        if (page.length === 0) break;
        const last = page[page.length - 1];
        from = { lt: last.lt.toString(), hash: last.hash().toString('base64') };
    }
    return out.slice(0, limit);
}

/** Pages through an API v4 client (TonClient4) from the account's last transaction, newest first. */
export async function v4Transactions(c: V4Client, address: Address, limit: number): Promise<Transaction[]> {
    const { last } = await c.getLastBlock();
    let cursor = (await c.getAccountLite(last.seqno, address)).account.last;
    const out: Transaction[] = [];
    while (cursor && out.length < limit) {
        const page = (await c.getAccountTransactions(address, BigInt(cursor.lt), Buffer.from(cursor.hash, 'base64'))).map((t) => t.tx);
        out.push(...page);
        const oldest = page[page.length - 1];
        cursor = oldest && oldest.prevTransactionLt ? { lt: oldest.prevTransactionLt.toString(), hash: bigintHash(oldest.prevTransactionHash) } : null;
    }
    return out.slice(0, limit);
}

const bigintHash = (h: bigint) => Buffer.from(h.toString(16).padStart(64, '0'), 'hex').toString('base64');

/** The account's transactions, newest first, at most `limit`, through what this run can read. */
export async function accountTransactions(provider: NetworkProvider, address: Address, limit: number): Promise<Transaction[]> {
    const own = provider as Partial<TransactionHistory>;
    if (typeof own.transactions === 'function') return own.transactions(address, limit);
    const api = provider.api() as unknown as Record<string, unknown>;
    if (typeof api.getAccountTransactions === 'function') return v4Transactions(api as unknown as V4Client, address, limit);
    if (typeof api.getTransactions === 'function') return v2Transactions(api as unknown as V2Client, address, limit);
    throw new Error('cannot read transactions through this API client (use --custom-version v2 or v4)');
}

/** A job a client opened: from the open_job message its wallet sent to a root. */
export interface OpenedJobRecord {
    root: Address;
    worker: Address;
    jobId: bigint;
    /** The job's address, derived from (root, client, worker, job id) as the root derives it. */
    job: Address;
    /** When the client's wallet sent the open_job (unix seconds). */
    sentAt: number;
}

/**
 * Every open_job the client's wallet sent in `txs` (its own transactions), newest first, once per job address:
 * the job id and the worker are in the body, the root is the destination. Jobs opened at any id (job/open's
 * small ids, the relay's random 64-bit ones) are found alike.
 */
export function jobsOpenedBy(client: Address, txs: Transaction[]): OpenedJobRecord[] {
    const seen = new Set<string>();
    const out: OpenedJobRecord[] = [];
    for (const tx of txs) {
        for (const m of tx.outMessages.values()) {
            if (m.info.type !== 'internal') continue;
            const s = m.body.beginParse();
            if (s.remainingBits < 32 + 64 + 267 + 64 || s.loadUint(32) !== Op.openJob) continue;
            s.skip(64); // query_id
            let worker: Address;
            try {
                worker = s.loadAddress();
            } catch {
                continue; // not an open_job after all (an unrelated body that starts with the same 32 bits)
            }
            const jobId = s.loadUintBig(64);
            const root = m.info.dest;
            const job = Job.createForJob({ root, client, worker, jobId }).address;
            if (seen.has(job.toRawString())) continue;
            seen.add(job.toRawString());
            out.push({ root, worker, jobId, job, sentAt: tx.now });
        }
    }
    return out;
}
