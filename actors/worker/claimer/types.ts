import type { Address } from '@ton/core';
import type { ChainTransaction, Cursor } from '../../chain/types';
import type { SignedCell } from '../../../wrappers/payloads';

/** How a claim reaches the job: an external message (no wallet, gas from the payout) or the owner's wallet. */
export type ClaimVia = 'external' | 'wallet';

/** The one thing the claimer needs from the chain besides reading jobs. */
export interface ClaimPort {
    readonly walletAvailable: boolean;
    send(job: Address, signed: SignedCell, via: ClaimVia): Promise<{ messageHash: Buffer | null }>;
    /** The chain's time (unix seconds): challenge deadlines are chain time, not this host's clock. */
    chainNow(): Promise<number>;
    /** Sends finalize_job through the wallet (anyone may, once the challenge deadline has passed). */
    finalize(job: Address): Promise<void>;
    /** The job's transactions after `cursor`, oldest first (the chain layer's `transactionsSince`). */
    transactionsSince(job: Address, cursor: Cursor, opts?: { limit?: number }): Promise<{ transactions: ChainTransaction[]; cursor: Cursor }>;
}

export interface ClaimerOptions {
    /** Claim once min(best voucher, deposit) − paid reaches this (nanoton). Final vouchers, closing jobs and shutdown claim at any amount. */
    threshold: bigint;
    /** Re-send a claim not seen on-chain after this long. */
    confirmTimeoutMs: number;
    /** Use the wallet (when configured) instead of external messages. */
    preferWallet: boolean;
}
