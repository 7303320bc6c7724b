/** ClaimPort over the chain layer: ext_claim as an external message, or claim through the owner's wallet. */
import { Address, toNano } from '@ton/core';
import type { Chain, ChainTransaction, ChainWallet, Cursor } from '../../chain/types';
import { claimBody, extClaimBody, parseVoucherCell, type SignedCell } from '../../../wrappers/payloads';
import { finalizeJobBody } from '../../../wrappers/Job';
import type { ClaimPort, ClaimVia } from '../claimer/types';

/** What an internal claim attaches: its gas; what is left rides back with the payout (docs/protocol.md §9.4). */
export const WALLET_CLAIM_VALUE = toNano('0.02');
/** What finalize_job attaches from the wallet: the settlement's gas and messages; the rest returns with the refund. */
export const WALLET_FINALIZE_VALUE = toNano('0.05');

export class ChainClaimPort implements ClaimPort {
    constructor(
        private readonly chain: Chain,
        private readonly wallet: ChainWallet | null,
    ) {}

    get walletAvailable(): boolean {
        return this.wallet !== null;
    }

    async send(job: Address, stored: SignedCell, via: ClaimVia): Promise<{ messageHash: Buffer | null }> {
        // A claim carries the voucher's fields inline (one exact layout), not the signed cell itself.
        const signed = { voucher: parseVoucherCell(stored.cell), signature: stored.signature };
        if (via === 'wallet') {
            if (!this.wallet) throw new Error('no wallet configured');
            const r = await this.wallet.send([{ to: job, value: WALLET_CLAIM_VALUE, body: claimBody(signed), bounce: true }]);
            return { messageHash: r.messageHash };
        }
        const r = await this.chain.sendExternal(job, extClaimBody(signed));
        return { messageHash: r.messageHash };
    }

    chainNow(): Promise<number> {
        return this.chain.now();
    }

    transactionsSince(job: Address, cursor: Cursor, opts?: { limit?: number }): Promise<{ transactions: ChainTransaction[]; cursor: Cursor }> {
        return this.chain.transactionsSince(job, cursor, opts);
    }

    async finalize(job: Address): Promise<void> {
        if (!this.wallet) throw new Error('no wallet configured');
        await this.wallet.send([{ to: job, value: WALLET_FINALIZE_VALUE, body: finalizeJobBody(), bounce: true }]);
    }
}
