/**
 * The gas benchmark is a list of scenarios; each measures whole transaction chains and states the budget
 * each operation must stay under. `npm run bench:gas` prints and writes them to docs/gas.md;
 * tests/contracts/GasBudgets.spec.ts runs the same scenarios and fails when a measurement exceeds its budget.
 */
import { ChainCost } from '../../wrappers/testkit/transactions';

// The flow helpers live in the test kit; the scenarios re-export them for the benchmark and the demo.
export type { ChainCost } from '../../wrappers/testkit/transactions';
export { chainCost } from '../../wrappers/testkit/transactions';

export interface GasRow extends ChainCost {
    /** Short operation name, e.g. "register worker". */
    operation: string;
    /** Upper bound for `gas`; a measurement above it fails the budget test. */
    gasBudget: number;
    /** Optional upper bound for `fees` in nanoton (the protocol's fee targets). */
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
