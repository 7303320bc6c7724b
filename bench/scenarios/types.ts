/**
 * The gas benchmark is a list of scenarios; each measures whole transaction chains and states the budget
 * each operation must stay under. `npm run bench:gas` prints and writes them to docs/gas.md;
 * tests/contracts/GasBudgets.spec.ts runs the same scenarios and fails when a measurement exceeds its budget.
 */
import { SendMessageResult } from '@ton/sandbox';

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

export interface GasRow extends ChainCost {
    /** Short operation name, e.g. "register worker". */
    operation: string;
    /** Upper bound for `gas`; a measurement above it fails the budget test. */
    gasBudget: number;
    /** Optional upper bound for `fees` in nanoton (targets from the issues). */
    feeBudget?: bigint;
    /** Free text shown in the table (what the chain contains). */
    note?: string;
    /**
     * Gas constants of contracts/gas.fc that this measurement backs: the transaction at `transaction`
     * (index in the chain, the wallet's is 0) must not use more gas than the constant says.
     */
    handlers?: Array<{ constant: string; transaction: number }>;
}

export interface Scenario {
    /** Section heading in docs/gas.md. */
    title: string;
    /** Runs on a fresh sandbox and returns one row per operation. */
    run(): Promise<GasRow[]>;
}

function gasOf(tx: SendMessageResult['transactions'][number]): number {
    const d = tx.description;
    if (d.type !== 'generic' || d.computePhase.type !== 'vm') return 0;
    return Number(d.computePhase.gasUsed);
}

/**
 * Cost of a whole chain started by one wallet send (or one external message).
 * `includeFirst` counts the first transaction's gas too (set it for external messages to a contract).
 */
export function chainCost(result: SendMessageResult, includeFirst = false): ChainCost {
    let fees = 0n;
    const gasPerTransaction: number[] = [];
    for (const tx of result.transactions) {
        fees += tx.totalFees.coins;
        for (const msg of tx.outMessages.values()) {
            if (msg.info.type === 'internal') fees += msg.info.forwardFee;
        }
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
