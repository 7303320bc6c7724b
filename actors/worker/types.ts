/**
 * Types shared by the worker's concerns. Amounts are nanoton bigint, keys and hashes 32-byte Buffers,
 * addresses @ton/core Address values (raw strings "<wc>:<hex>" as map keys and in the store).
 */
import type { Address } from '@ton/core';
import type { Prices } from '../../wrappers/common';

/** What the worker needs to know about a job escrow, read from the chain (ports/jobs.ts). */
export interface JobView {
    address: Address;
    /** 'absent': no account or not yet opened; 'pending': waiting for the worker account's answer. */
    state: 'absent' | 'pending' | 'active' | 'closing';
    /** The worker account the job is for. */
    worker: Address | null;
    /** Total the job can ever pay, nanoton (cumulative vouchers are capped at it). */
    deposit: bigint;
    /** What the job has paid out to the worker so far (the highest voucher claimed). */
    paid: bigint;
    /** Ed25519 key that signs the client's vouchers (32 bytes). */
    clientKey: Buffer;
    /** The worker's prices agreed at acceptance; null before acceptance. */
    prices: Prices | null;
    /** Unix time the challenge period ends (0 while the job is active). */
    deadline: number;
    /** Challenge period, seconds. */
    challenge: number;
    feeBps: number;
    /** This life's nonce (the open_job logical time): a voucher of another life of the address pays nothing. */
    nonce: bigint;
}

/** Reads jobs from the chain, with a short cache (see chain/jobs.ts for the freshness). */
export interface JobDirectory {
    get(job: Address, opts?: { fresh?: boolean }): Promise<JobView>;
}

/** The worker's identity for this boot. */
export interface WorkerIdentity {
    globalId: number;
    workerAccount: Address;
    root: Address;
    /** Ed25519 receipt key: public (32) and the 64-byte secret (seed ‖ public). */
    receiptPublic: Buffer;
    receiptSecret: Buffer;
    /** X25519 key requests are sealed to. */
    encPublic: Buffer;
    encPrivate: Buffer;
    modelId: string;
    modelHash: Buffer;
}

/** Clock and randomness, injected so the core is testable. */
export interface Clock {
    /** Milliseconds since the epoch. */
    nowMs(): number;
}
export const systemClock: Clock = { nowMs: () => Date.now() };
