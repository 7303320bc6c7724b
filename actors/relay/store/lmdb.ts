/**
 * Relay state in LMDB: jobs (accounting, pending requests), every checked receipt, the last voucher per job,
 * API keys and their usage. Every write is synchronous (putSync) and happens before the relay acknowledges
 * anything to the app or signs the next voucher, so a crash loses nothing acknowledged.
 */
import { open, type RootDatabase } from 'lmdb';
import type { JobRecord } from '../core/ledger';
import type { ApiKeyRecord } from '../core/keys';

/** JSON with bigint and Buffer kept exact. */
function encode(v: unknown): string {
    return JSON.stringify(v, function (this: Record<string, unknown>, k, value: unknown) {
        const raw = this[k];
        if (typeof raw === 'bigint') return { $b: raw.toString() };
        if (Buffer.isBuffer(raw)) return { $h: raw.toString('hex') };
        return value;
    });
}
function decode<T>(s: string): T {
    return JSON.parse(s, (_k, v: unknown) => {
        if (v && typeof v === 'object' && '$b' in v) return BigInt((v as { $b: string }).$b);
        if (v && typeof v === 'object' && '$h' in v) return Buffer.from((v as { $h: string }).$h, 'hex');
        return v;
    }) as T;
}

export interface StoredReceipt {
    job: string;
    seqno: number;
    /** base64 BoC of the signed receipt cell. */
    boc: string;
    cost: bigint;
    cumulative: bigint;
    tokens: { prompt: number; cached: number; completion: number; reasoning: number };
}

export interface StoredVoucher {
    job: string;
    amount: bigint;
    final: boolean;
    /** base64 BoC of the voucher cell and hex signature. */
    boc: string;
    signature: string;
    sentAt: number | null;
}

/** A job open sent from the wallet and not yet known to be accepted (written before the TON leaves). */
export interface OpeningRecord {
    address: string;
    worker: string;
    sentAt: number;
}

export class RelayStore {
    private readonly db: RootDatabase<string, string>;

    constructor(path: string) {
        this.db = open<string, string>({ path, encoding: 'string' });
    }

    private put(key: string, v: unknown): void {
        this.db.putSync(key, encode(v));
    }
    private get<T>(key: string): T | undefined {
        const s = this.db.get(key);
        return s === undefined ? undefined : decode<T>(s);
    }
    private list<T>(prefix: string): T[] {
        const out: T[] = [];
        for (const { value } of this.db.getRange({ start: prefix, end: prefix + '\uffff' })) out.push(decode<T>(value));
        return out;
    }

    putJob(j: JobRecord): void {
        this.put(`job:${j.address}`, j);
    }
    getJob(address: string): JobRecord | undefined {
        return this.get<JobRecord>(`job:${address}`);
    }
    jobs(): JobRecord[] {
        return this.list<JobRecord>('job:');
    }

    putReceipt(r: StoredReceipt): void {
        this.put(`rcpt:${r.job}:${String(r.seqno).padStart(10, '0')}`, r);
    }
    receipts(job: string): StoredReceipt[] {
        return this.list<StoredReceipt>(`rcpt:${job}:`);
    }

    putVoucher(v: StoredVoucher): void {
        this.put(`vchr:${v.job}`, v);
    }
    getVoucher(job: string): StoredVoucher | undefined {
        return this.get<StoredVoucher>(`vchr:${job}`);
    }

    /**
     * Everything one accepted receipt changes, in one LMDB transaction: the receipt, the key's charge, the
     * voucher and the job. A crash leaves all of it or none (the receipt then comes back as seqno_replayed
     * and is accounted once), never a charged key with an unadvanced job.
     */
    commitReceipt(c: { receipt: StoredReceipt; key: ApiKeyRecord | null; voucher: StoredVoucher; job: JobRecord }, midway: () => void = () => undefined): void {
        this.db.transactionSync(() => {
            this.put(`rcpt:${c.receipt.job}:${String(c.receipt.seqno).padStart(10, '0')}`, c.receipt);
            if (c.key) this.put(`key:${c.key.id}`, c.key);
            midway();
            this.put(`vchr:${c.voucher.job}`, c.voucher);
            this.put(`job:${c.job.address}`, c.job);
        });
    }

    putOpening(o: OpeningRecord): void {
        this.put(`open:${o.address}`, o);
    }
    openings(): OpeningRecord[] {
        return this.list<OpeningRecord>('open:');
    }
    /** The job record replaces the opening in one transaction (or the opening is dropped: the job never came). */
    settleOpening(address: string, job: JobRecord | null): void {
        this.db.transactionSync(() => {
            if (job) this.put(`job:${job.address}`, job);
            this.db.removeSync(`open:${address}`);
        });
    }

    putKey(k: ApiKeyRecord): void {
        this.put(`key:${k.id}`, k);
    }
    getKey(id: string): ApiKeyRecord | undefined {
        return this.get<ApiKeyRecord>(`key:${id}`);
    }
    keys(): ApiKeyRecord[] {
        return this.list<ApiKeyRecord>('key:');
    }

    /** Evidence submitted on-chain (kept so it is sent once). */
    putEvidence(id: string, what: string): void {
        this.put(`evid:${id}`, { what });
    }
    hasEvidence(id: string): boolean {
        return this.get(`evid:${id}`) !== undefined;
    }

    async close(): Promise<void> {
        await this.db.close();
    }
}
