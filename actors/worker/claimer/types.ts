import type { Address, Cell } from '@ton/core';

/** How a claim reaches the job: an external message (no wallet, gas from the payout) or the owner's wallet. */
export type ClaimVia = 'external' | 'wallet';

/** The one thing the claimer needs from the chain besides reading jobs. */
export interface ClaimPort {
    readonly walletAvailable: boolean;
    send(job: Address, signed: { cell: Cell; signature: Buffer }, via: ClaimVia): Promise<{ messageHash: Buffer | null }>;
    /** The chain's time (unix seconds): challenge deadlines are chain time, not this host's clock. */
    chainNow(): Promise<number>;
    /** Sends finalize_job through the wallet (anyone may, once the challenge deadline has passed). */
    finalize(job: Address): Promise<void>;
}

export interface ClaimerOptions {
    /** Claim once min(best voucher, deposit) − paid reaches this (nanoton). Final vouchers, closing jobs and shutdown claim at any amount. */
    threshold: bigint;
    /** Re-send a claim not seen on-chain after this long. */
    confirmTimeoutMs: number;
    /** Use the wallet (when configured) instead of external messages. */
    preferWallet: boolean;
}
