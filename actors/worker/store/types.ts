/** What the worker keeps across restarts (and `kill -9`): see store/lmdb.ts for the layout. */
export interface StoredVoucher {
    amount: bigint;
    tokens: bigint;
    final: boolean;
    signature: Buffer;
    /** BoC of the voucher cell as received. */
    boc: Buffer;
}

export interface ClaimAttempt {
    /** The voucher amount the claim carries. */
    amount: bigint;
    via: 'external' | 'wallet';
    sentAtMs: number;
    messageHash: Buffer | null;
    attempts: number;
    lastError: string | null;
}

export interface JobRecord {
    /** Raw address "<wc>:<hex>". */
    job: string;
    /** Last seqno answered with a receipt (0: none yet). */
    lastSeqno: number;
    /** Cumulative cost of every receipt issued, nanoton. */
    cumulative: bigint;
    /** Head of the receipt chain after the last receipt. */
    head: Buffer;
    /** The best (highest) voucher held. */
    best: StoredVoucher | null;
    /** A claim sent and not yet seen on-chain. */
    pendingClaim: ClaimAttempt | null;
    /** What the job had paid out when last read (the highest amount claimed and confirmed). */
    confirmedPaid: bigint;
    /** Chain state last seen: 'closing' jobs have a deadline; 'gone' jobs are settled and need nothing more. */
    chainState: 'unknown' | 'active' | 'closing' | 'gone';
    deadline: number;
    /** A final voucher arrived: serve nothing more, claim it at once. */
    finalSeen: boolean;
}

export interface ReceiptRecord {
    job: string;
    seqno: number;
    /** BoC of the signed_receipt cell. */
    signedBoc: Buffer;
    cost: bigint;
    cumulative: bigint;
    head: Buffer;
    issuedAtMs: number;
}

export function newJobRecord(job: string): JobRecord {
    return {
        job,
        lastSeqno: 0,
        cumulative: 0n,
        head: Buffer.alloc(32),
        best: null,
        pendingClaim: null,
        confirmedPaid: 0n,
        chainState: 'unknown',
        deadline: 0,
        finalSeen: false,
    };
}

export interface WorkerStore {
    getJob(job: string): JobRecord | null;
    jobs(): JobRecord[];
    getReceipt(job: string, seqno: number): ReceiptRecord | null;
    /** Atomically (one durable transaction) writes a receipt and the job record that counts it. */
    commitReceipt(receipt: ReceiptRecord, job: JobRecord): void;
    /** Durably writes a job record (voucher, claim progress, cursor). */
    putJob(job: JobRecord): void;
    /**
     * The per-request write (a voucher kept, a receipt issued): `update` gets the job's latest record inside
     * one transaction, so it never overwrites a concurrent change to other fields; with `receipt`, the
     * receipt is written in the same transaction. Resolves once durable. Writes queued together by
     * concurrent requests share one commit and flush, off the event loop.
     */
    updateJob(job: string, update: (latest: JobRecord) => JobRecord, receipt?: ReceiptRecord): Promise<void>;
    close(): Promise<void>;
}
