/** Shared vocabulary of the relay: injected clock and randomness, the ports its core talks through. */
import type { Address } from '@ton/core';
import type { Prices } from '../../wrappers/common';

export interface Clock {
    /** Milliseconds since the epoch. */
    now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface Random {
    bytes(n: number): Buffer;
}

/** What the chain says about a worker account and the root's allowlists, read at verification time. */
export interface WorkerOnChain {
    account: Address;
    /** true when the account is active (registered, not unbonding, not slashed out). */
    active: boolean;
    stake: bigint;
    minStake: bigint;
    receiptKey: Buffer;
    encKey: Buffer;
    imageHash: Buffer;
    modelHash: Buffer;
    quoteHash: Buffer;
    prices: Prices;
    endpoint: string;
    imageAllowed: boolean;
    modelAllowed: boolean;
    reputation: { jobs: number; slashes: number };
}

/** A job escrow as the relay needs it after the worker account accepted it. */
export interface OpenedJobInfo {
    address: Address;
    /** The prices agreed on-chain at acceptance (what receipts must be priced at). */
    prices: Prices;
    /** The receipt key the job was accepted with. */
    receiptKey: Buffer;
    deposit: bigint;
    feeBps: number;
    /** This life's nonce (the open_job logical time): every voucher of the job carries it. */
    nonce: bigint;
}

/**
 * The relay's money port: open, top up, close and finalize job escrows through its wallet, and submit
 * evidence. The production adapter (chain/funding.ts) uses the chain layer's W5 wallet; job addresses and
 * message bodies come only from the wrappers.
 */
export interface JobFunding {
    /**
     * Opens a job; `beforeSend` learns the job's address before any TON leaves the wallet, so the caller can
     * record it durably and find the job again after a crash (see `accepted`). Rejects with
     * ChainError('refused_on_chain') and the root's reason when the root refused the open_job (the deposit is back).
     */
    open(worker: Address, deposit: bigint, clientKey: Buffer, maxPrices: Prices, beforeSend?: (job: Address) => void): Promise<OpenedJobInfo>;
    /** What became of a job whose open was sent: null while it does not exist (or no longer), 'pending' before the worker accepted it. */
    accepted(job: Address): Promise<(OpenedJobInfo & { state: number }) | 'pending' | null>;
    topUp(job: Address, amount: bigint): Promise<bigint>;
    close(job: Address): Promise<void>;
    finalize(job: Address): Promise<void>;
    /** Claims a voucher of the job from the relay's wallet (a claim from any wallet pays the job's worker): for a voucher the worker never received. */
    claim(job: Address, signed: Pick<import('../../wrappers/payloads').SignedVoucher, 'voucher' | 'signature'>): Promise<void>;
    /** Reads the job's on-chain accounting (deposit, paid, state). */
    read(job: Address): Promise<{ state: number; deposit: bigint; paid: bigint; deadline: number }>;
    /** True once no job lives at the address (settled by anyone: the worker may finalize before the relay does). */
    settled(job: Address): Promise<boolean>;
    reportEquivocation(worker: Address, a: import('../../wrappers/payloads').SignedCell, b: import('../../wrappers/payloads').SignedCell): Promise<void>;
    reportWrongModel(worker: Address, evidence: import('../../wrappers/payloads').SignedCell): Promise<void>;
}

/** Reads worker facts from the chain (chain/facts.ts over the Chain interface). */
export interface WorkerFacts {
    read(account: Address): Promise<WorkerOnChain>;
}
