/**
 * What an implementation must provide: the few raw reads and the one write everything else in the layer is
 * built from (ChainCore adds providers, wallets, traces, cursors, config and retries on top). The embedded
 * sandbox and the HTTP API each implement this once.
 */
import { Address, Cell, Transaction, TupleItem } from '@ton/core';
import { AccountState, FeeEstimate } from './types';

export interface RawGetMethodResult {
    exitCode: number;
    stack: TupleItem[];
}

export interface ChainBackend {
    readonly name: string;
    /** A nonexistent account is `status: 'nonexistent'`, never an error. */
    account(address: Address): Promise<AccountState>;
    /** Throws ChainError('not_found') when the account has no code to run. */
    runGetMethod(address: Address, method: string, args: TupleItem[]): Promise<RawGetMethodResult>;
    /** Hands a whole external-in message cell to the node; throws ChainError('rejected') if it refuses it. */
    sendMessage(message: Cell): Promise<void>;
    /** Transactions of `address`, newest first, starting at (lt, hash) inclusive when given. */
    transactions(address: Address, opts: { lt?: bigint; hash?: Buffer; limit: number }): Promise<Transaction[]>;
    /** The value cell of one config parameter. */
    configParam(id: number): Promise<Cell>;
    /** Chain time of the last block. */
    now(): Promise<number>;
    /** The fees of an external message emulated on the current state (toncenter's estimateFee); nothing is sent. */
    estimateExternalFee(address: Address, body: Cell, init: { code: Cell; data: Cell } | undefined, ignoreSignature: boolean): Promise<FeeEstimate>;
}
