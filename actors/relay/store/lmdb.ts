/**
 * Relay state in LMDB: jobs (accounting, pending requests), every checked receipt, the last voucher per job,
 * API keys and their usage. Every write is durable before the relay acknowledges anything to the app or sends
 * the next voucher, so a crash loses nothing acknowledged: single writes are synchronous (putSync); the
 * per-request writes go through `writeTogether`, one transaction awaited until it is flushed.
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

/**
 * A worker the relay stopped paying: one of its receipts failed a check. Kept until the operator clears it
 * (`relay workers forget`), so neither a maintenance pass nor a restart verifies it again and opens a new escrow.
 */
export interface BarredWorker {
    /** Raw address of the worker account. */
    account: string;
    reason: string;
    /** When the receipt was refused, ms since the epoch. */
    at: number;
}

/** A job open sent from the wallet and not yet known to be accepted (written before the TON leaves). */
export interface OpeningRecord {
    address: string;
    worker: string;
    sentAt: number;
}

export class RelayStore {
    private readonly db: RootDatabase<string, string>;
    /** Set while a writeTogether callback runs inside its transaction: puts join that transaction. */
    private inTransaction = false;
    private jobCache: Map<string, JobRecord> | null = null;

    constructor(path: string) {
        this.db = open<string, string>({ path, encoding: 'string' });
    }

    private put(key: string, v: unknown): void {
        if (this.inTransaction) void this.db.put(key, encode(v));
        else this.db.putSync(key, encode(v));
    }

    /**
     * Runs `writes` (puts and the reads they depend on) in one transaction and resolves once it is committed
     * and flushed. Transactions queued by concurrent requests in the same event-loop turn share one commit and
     * one flush, done off the event loop (group commit): a flush per record on the main thread was the relay's
     * bottleneck under load (bench/load.ts). `writes` runs later, when the transaction starts, and sees every
     * earlier write, so a read-modify-write inside it (an API key's usage) never loses an update.
     */
    async writeTogether(writes: () => void): Promise<void> {
        await this.db.transaction(() => {
            this.inTransaction = true;
            try {
                writes();
            } finally {
                this.inTransaction = false;
            }
        });
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
        this.jobCache?.set(j.address, decode<JobRecord>(encode(j)));
    }
    getJob(address: string): JobRecord | undefined {
        return this.get<JobRecord>(`job:${address}`);
    }
    /**
     * Every job, from a copy kept in memory and written through by putJob: the relay looks for a free job on
     * every request, and decoding every record each time cost ~10 ms per request with 500 open jobs. The
     * records are shared: treat them as read-only (the relay writes new objects with putJob).
     */
    jobs(): JobRecord[] {
        if (!this.jobCache) this.jobCache = new Map(this.list<JobRecord>('job:').map((j) => [j.address, j]));
        return [...this.jobCache.values()];
    }

    putReceipt(r: StoredReceipt): void {
        this.put(`rcpt:${r.job}:${String(r.seqno).padStart(10, '0')}`, r);
    }
    getReceipt(job: string, seqno: number): StoredReceipt | undefined {
        return this.get<StoredReceipt>(`rcpt:${job}:${String(seqno).padStart(10, '0')}`);
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
    async commitReceipt(
        c: { receipt: StoredReceipt; keyId: string | null; charge: (k: ApiKeyRecord) => ApiKeyRecord; voucher: StoredVoucher; job: JobRecord },
        midway: () => void = () => undefined,
    ): Promise<void> {
        await this.writeTogether(() => {
            this.putReceipt(c.receipt);
            // charged on the key's latest record, inside the transaction: concurrent charges all count
            const k = c.keyId ? this.getKey(c.keyId) : undefined;
            if (k) this.putKey(c.charge(k));
            midway();
            this.putVoucher(c.voucher);
            this.putJob(c.job);
        });
    }

    putOpening(o: OpeningRecord): void {
        this.put(`open:${o.address}`, o);
    }
    openings(): OpeningRecord[] {
        return this.list<OpeningRecord>('open:');
    }
    /** The job record replaces the opening in one transaction (or the opening is dropped: the job never came). */
    async settleOpening(address: string, job: JobRecord | null): Promise<void> {
        await this.writeTogether(() => {
            if (job) this.putJob(job);
            void this.db.remove(`open:${address}`);
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

    putBarred(b: BarredWorker): void {
        this.put(`bar:${b.account}`, b);
    }
    getBarred(account: string): BarredWorker | undefined {
        return this.get<BarredWorker>(`bar:${account}`);
    }
    barred(): BarredWorker[] {
        return this.list<BarredWorker>('bar:');
    }
    /** Clears a bar; false when the worker was not barred. */
    clearBarred(account: string): boolean {
        if (this.getBarred(account) === undefined) return false;
        this.db.removeSync(`bar:${account}`);
        return true;
    }

    /** Evidence submitted on-chain (kept so it is sent once). */
    putEvidence(id: string, what: string): void {
        this.put(`evid:${id}`, { what });
    }
    hasEvidence(id: string): boolean {
        return this.get(`evid:${id}`) !== undefined;
    }

    /** Raw address of the wallet whose jobs this store holds (store/instance.ts). */
    getOwner(): string | undefined {
        return this.get<{ wallet: string }>('meta:owner')?.wallet;
    }
    setOwner(wallet: string): void {
        this.put('meta:owner', { wallet });
    }

    async close(): Promise<void> {
        await this.db.close();
    }
}
