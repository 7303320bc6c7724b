/**
 * The worker's state in LMDB (one environment under <dataDir>/state). Every write is a synchronous
 * transaction: it is durable before the caller acknowledges anything (a receipt is stored before its
 * trailer is sent, a voucher before its ack), so `kill -9` at any point loses nothing acknowledged.
 *
 * Keys: "job/<raw address>" → JobRecord, "rcpt/<raw address>/<seqno, 10 digits>" → ReceiptRecord.
 * Values are JSON with amounts as decimal strings and bytes as hex (readable with any LMDB tool).
 */
import { open, RootDatabase } from 'lmdb';
import { join } from 'path';
import { mkdirSync } from 'fs';
import { ClaimAttempt, JobRecord, newJobRecord, ReceiptRecord, StoredVoucher, WorkerStore } from './types';

type Json = Record<string, unknown>;

const hex = (b: Buffer) => b.toString('hex');
const buf = (s: unknown) => Buffer.from(String(s), 'hex');
const big = (s: unknown) => BigInt(String(s));

function voucherToJson(v: StoredVoucher | null): Json | null {
    return v && { amount: v.amount.toString(), tokens: v.tokens.toString(), final: v.final, signature: hex(v.signature), boc: hex(v.boc) };
}
function voucherFromJson(j: Json | null): StoredVoucher | null {
    return j && { amount: big(j.amount), tokens: big(j.tokens), final: Boolean(j.final), signature: buf(j.signature), boc: buf(j.boc) };
}
function claimToJson(c: ClaimAttempt | null): Json | null {
    return c && { ...c, amount: c.amount.toString(), messageHash: c.messageHash && hex(c.messageHash) };
}
function claimFromJson(j: Json | null): ClaimAttempt | null {
    return (
        j && {
            amount: big(j.amount),
            via: j.via === 'wallet' ? 'wallet' : 'external',
            sentAtMs: Number(j.sentAtMs),
            messageHash: j.messageHash ? buf(j.messageHash) : null,
            attempts: Number(j.attempts),
            lastError: (j.lastError as string | null) ?? null,
        }
    );
}

function jobToJson(r: JobRecord): Json {
    return {
        job: r.job,
        lastSeqno: r.lastSeqno,
        cumulative: r.cumulative.toString(),
        head: hex(r.head),
        best: voucherToJson(r.best),
        pendingClaim: claimToJson(r.pendingClaim),
        confirmedPaid: r.confirmedPaid.toString(),
        chainState: r.chainState,
        deadline: r.deadline,
        finalSeen: r.finalSeen,
    };
}
function jobFromJson(j: Json): JobRecord {
    return {
        job: String(j.job),
        lastSeqno: Number(j.lastSeqno),
        cumulative: big(j.cumulative),
        head: buf(j.head),
        best: voucherFromJson(j.best as Json | null),
        pendingClaim: claimFromJson(j.pendingClaim as Json | null),
        confirmedPaid: big(j.confirmedPaid),
        chainState: j.chainState as JobRecord['chainState'],
        deadline: Number(j.deadline),
        finalSeen: Boolean(j.finalSeen),
    };
}
function receiptToJson(r: ReceiptRecord): Json {
    return { ...r, signedBoc: hex(r.signedBoc), cost: r.cost.toString(), cumulative: r.cumulative.toString(), head: hex(r.head) };
}
function receiptFromJson(j: Json): ReceiptRecord {
    return {
        job: String(j.job),
        seqno: Number(j.seqno),
        signedBoc: buf(j.signedBoc),
        cost: big(j.cost),
        cumulative: big(j.cumulative),
        head: buf(j.head),
        issuedAtMs: Number(j.issuedAtMs),
    };
}

const jobKey = (job: string) => `job/${job}`;
const receiptKey = (job: string, seqno: number) => `rcpt/${job}/${String(seqno).padStart(10, '0')}`;

export class LmdbStore implements WorkerStore {
    private readonly db: RootDatabase<Json, string>;

    constructor(dataDir: string) {
        const path = join(dataDir, 'state');
        mkdirSync(path, { recursive: true });
        this.db = open<Json, string>({ path, encoding: 'json', compression: false });
    }

    getJob(job: string): JobRecord | null {
        const j = this.db.get(jobKey(job));
        return j ? jobFromJson(j) : null;
    }

    jobs(): JobRecord[] {
        const out: JobRecord[] = [];
        for (const { value } of this.db.getRange({ start: 'job/', end: 'job0' })) out.push(jobFromJson(value));
        return out;
    }

    getReceipt(job: string, seqno: number): ReceiptRecord | null {
        const j = this.db.get(receiptKey(job, seqno));
        return j ? receiptFromJson(j) : null;
    }

    /** Every receipt of a job in seqno order (status, audits, tests). */
    receipts(job: string): ReceiptRecord[] {
        const out: ReceiptRecord[] = [];
        for (const { value } of this.db.getRange({ start: `rcpt/${job}/`, end: `rcpt/${job}0` })) out.push(receiptFromJson(value));
        return out;
    }

    commitReceipt(receipt: ReceiptRecord, job: JobRecord): void {
        this.db.transactionSync(() => {
            this.db.putSync(receiptKey(receipt.job, receipt.seqno), receiptToJson(receipt));
            this.db.putSync(jobKey(job.job), jobToJson(job));
        });
    }

    async updateJob(job: string, update: (latest: JobRecord) => JobRecord, receipt?: ReceiptRecord): Promise<void> {
        // the read happens when the transaction runs, after every write queued before it (group commit: a
        // flush per request on the event loop was the worker's bottleneck under load, see bench/load.ts)
        await this.db.transaction(() => {
            const j = this.db.get(jobKey(job));
            const next = update(j ? jobFromJson(j) : newJobRecord(job));
            if (receipt) void this.db.put(receiptKey(receipt.job, receipt.seqno), receiptToJson(receipt));
            void this.db.put(jobKey(job), jobToJson(next));
        });
    }

    putJob(job: JobRecord): void {
        this.db.transactionSync(() => {
            this.db.putSync(jobKey(job.job), jobToJson(job));
        });
    }

    async close(): Promise<void> {
        await this.db.close();
    }
}
