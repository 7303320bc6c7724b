/**
 * The fees a transaction charged, split the way toncenter's `estimateFee` reports them. The local chain prices
 * an external by emulating it and reading the emulated transaction with this; tests read the transaction the
 * chain really ran with the same function, so an estimate and a charge are compared field by field.
 */
import { Transaction } from '@ton/core';
import { FeeEstimate } from './types';

export function feesOf(tx: Transaction): FeeEstimate {
    const d = tx.description;
    if (d.type !== 'generic') throw new Error(`fees of a ${d.type} transaction are not an external's fees`);
    const storageFee = d.storagePhase?.storageFeesCollected ?? 0n;
    const gasFee = d.computePhase.type === 'vm' ? d.computePhase.gasFees : 0n;
    const forwardFee = d.actionPhase?.totalFwdFees ?? 0n;
    // total_fees = import fee + storage + gas + the action fees the validators keep (a part of forwardFee);
    // the import fee of an external is not stored anywhere else in the transaction.
    const actionFees = d.actionPhase?.totalActionFees ?? 0n;
    const inForwardFee = tx.totalFees.coins - storageFee - gasFee - actionFees;
    return { inForwardFee, storageFee, gasFee, forwardFee, total: inForwardFee + storageFee + gasFee + forwardFee };
}
