/**
 * Transaction helpers shared by the contract tests, the gas benchmark and the demo: find the transaction a
 * message caused, read its gas, fees and values, and cost a whole chain of transactions (a flow) started by one
 * send.
 */
import { Address, Transaction } from '@ton/core';
import { SendMessageResult } from '@ton/sandbox';

/** Which inbound messages `txTo` considers: any (internal or external-in), or internal only (skips a wallet's own send). */
export type InboundKind = 'any' | 'internal';

/** The first transaction of `txs` whose inbound message went to `to` (and, if given, opened with `op`), or undefined. */
export function findTxTo(txs: readonly Transaction[], to: Address, op?: number, kind: InboundKind = 'any'): Transaction | undefined {
    return txs.find((t) => {
        const info = t.inMessage?.info;
        if (!info || info.type === 'external-out' || (kind === 'internal' && info.type !== 'internal') || !info.dest.equals(to)) return false;
        if (op === undefined) return true;
        const s = t.inMessage!.body.beginParse();
        return s.remainingBits >= 32 && s.preloadUint(32) === op;
    });
}

/** Like `findTxTo`, but throws when there is no such transaction. */
export function txTo(txs: readonly Transaction[], to: Address, op?: number, kind: InboundKind = 'any'): Transaction {
    const tx = findTxTo(txs, to, op, kind);
    if (!tx) throw new Error(`no transaction to ${to}${op === undefined ? '' : ` with op 0x${op.toString(16)}`}`);
    return tx;
}

/** Compute-phase gas of a transaction (0 when the VM did not run). */
export function gasOf(tx: Transaction): number {
    const d = tx.description;
    if (d.type !== 'generic' || d.computePhase.type !== 'vm') return 0;
    return Number(d.computePhase.gasUsed);
}

/** Compute-phase gas fee of a transaction, nanoton. */
export function computeFeeOf(tx: Transaction): bigint {
    const d = tx.description;
    if (d.type !== 'generic' || d.computePhase.type !== 'vm') return 0n;
    return d.computePhase.gasFees;
}

/** Value carried by the internal message that caused a transaction. */
export function inValue(tx: Transaction): bigint {
    const info = tx.inMessage!.info;
    if (info.type !== 'internal') throw new Error('not internal');
    return info.value.coins;
}

/** Value carried by the i-th internal message a transaction sent. */
export function sentValue(tx: Transaction, i = 0): bigint {
    const m = tx.outMessages.get(i)!;
    if (m.info.type !== 'internal') throw new Error('not internal');
    return m.info.value.coins;
}

/** Forwarding fees of every internal message a transaction sent. */
export function sumForwardFees(tx: Transaction): bigint {
    let s = 0n;
    for (const m of tx.outMessages.values()) if (m.info.type === 'internal') s += m.info.forwardFee;
    return s;
}

/** What a flow (every transaction one send caused) cost. */
export interface ChainCost {
    /** Transactions in the chain, the sender's wallet included. */
    transactions: number;
    /** Compute gas of every transaction in the chain except the first (the sender's own wallet). */
    gas: number;
    /** Gas of each transaction, in order (wallet first). */
    gasPerTransaction: number[];
    /** Every fee burnt by the chain: transaction fees plus forwarding fees carried by its messages, in nanoton. */
    fees: bigint;
}

/**
 * Cost of a whole chain started by one wallet send (or one external message).
 * `includeFirst` counts the first transaction's gas too (set it for external messages to a contract).
 */
export function chainCost(result: SendMessageResult, includeFirst = false): ChainCost {
    let fees = 0n;
    const gasPerTransaction: number[] = [];
    for (const tx of result.transactions) {
        fees += tx.totalFees.coins + sumForwardFees(tx);
        gasPerTransaction.push(gasOf(tx));
    }
    const counted = includeFirst ? gasPerTransaction : gasPerTransaction.slice(1);
    return {
        transactions: result.transactions.length,
        gas: counted.reduce((a, b) => a + b, 0),
        gasPerTransaction,
        fees,
    };
}
