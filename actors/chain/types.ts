/**
 * The one interface the actors (worker, relay), the demo and scripts use to read and write the chain.
 * Three implementations share it and one conformance suite: embedded (@ton/sandbox in-process, dev-only
 * entry), HTTP (toncenter v2 JSON-RPC through @ton/ton's TonClient, plus @ton-api/client for indexed reads),
 * and the local chain server (`npm run localnet`), which speaks the same HTTP API over an embedded chain.
 *
 * Rules every implementation keeps:
 * - transient failures (network, 5xx, rate limits) are retried with backoff inside the implementation;
 *   callers never sleep in loops of their own;
 * - every failure surfaces as a `ChainError` with a `code` from `ChainErrorCode`;
 * - addresses are @ton/core `Address` values; amounts are nanoton `bigint`.
 */
import type { Address, Cell, ContractProvider, Sender, TupleItem, TupleReader } from '@ton/core';

export type AccountStatus = 'active' | 'uninit' | 'frozen' | 'nonexistent';

export interface AccountState {
    address: Address;
    status: AccountStatus;
    balance: bigint;
    /** Hashes of the code and data cells (32 bytes each), null when the account has none. */
    codeHash: Buffer | null;
    dataHash: Buffer | null;
    /** Code and data themselves, when the account is active. */
    code: Cell | null;
    data: Cell | null;
    /** The last transaction of the account, null for one that never had one. */
    lastTransaction: TransactionId | null;
}

export interface TransactionId {
    lt: bigint;
    /** 32-byte transaction hash. */
    hash: Buffer;
}

/** A transaction as the actors need to see it: what came in, what went out, and how it ended. */
export interface ChainTransaction {
    id: TransactionId;
    account: Address;
    /** Unix time of the transaction (chain time, not the local clock). */
    now: number;
    /** Incoming message: null for a tick-tock transaction. */
    inMessage: ChainMessage | null;
    outMessages: ChainMessage[];
    /** Compute phase exit code; null when the compute phase was skipped. */
    exitCode: number | null;
    /** Action phase result code; null when there was no action phase. */
    actionResultCode: number | null;
    /** true when compute and action phases both succeeded. */
    success: boolean;
    /** Whether the incoming message was a bounce. */
    bounced: boolean;
    totalFees: bigint;
    /** Gas the compute phase used; 0 when it was skipped. */
    gasUsed: number;
}

export interface ChainMessage {
    kind: 'internal' | 'external-in' | 'external-out';
    /** null for external-in (no source) */
    source: Address | null;
    /** null for external-out (no destination, or an external address) */
    destination: Address | null;
    value: bigint;
    /**
     * Internal messages: the forwarding fee the message carries (`fwd_fee`), which its sender paid besides the
     * value and besides the action fee counted in its transaction's `totalFees`; 0 for other kinds. What an
     * account lost to a transaction is its `totalFees` plus, for each message it sent, value + forwardFee.
     */
    forwardFee: bigint;
    bounce: boolean;
    bounced: boolean;
    body: Cell;
    /** Hash of the whole message cell (what a trace is keyed by). */
    hash: Buffer;
    /**
     * For internal messages, the logical time the sender created it: with the source it names the message even
     * where a node re-serialises it on delivery (the sandbox does, for a state init the sender stored in a ref).
     */
    createdLt: bigint | null;
}

/** The result of waiting for a message and everything it caused. */
export interface Trace {
    /** Every transaction of the trace, in causal order (root first). */
    transactions: ChainTransaction[];
    /** true when every transaction in it succeeded and nothing was refused (bounces and refusal comments count as failures). */
    success: boolean;
}

/** Typed get-method argument and result: @ton/core's tuple items. */
export type GetMethodArgs = TupleItem[];

export interface GetMethodResult {
    exitCode: number;
    stack: TupleReader;
}

/** Live chain config the fee helpers need (ConfigParams 19, 21, 25). */
export interface ChainConfig {
    /** ConfigParam 19: -239 on mainnet, -3 on testnet; the sandbox uses the mainnet value. */
    globalId: number;
    /** Basechain gas price, nanoton per gas unit * 2^16 as stored in ConfigParam 21 (flat price excluded). */
    gasPrices: Cell;
    /** Basechain forwarding prices, ConfigParam 25 as a cell. */
    msgForwardPrices: Cell;
}

/**
 * What an external message would cost the account it is sent to, as toncenter's `estimateFee` reports it (the
 * `source_fees`): the import fee of the message, the storage fee due, the gas of the compute phase and the
 * forwarding fees of the messages it sends. Nanoton.
 */
export interface FeeEstimate {
    inForwardFee: bigint;
    storageFee: bigint;
    gasFee: bigint;
    forwardFee: bigint;
    /** The sum of the four: what the account's balance pays besides the values it sends. */
    total: bigint;
}

/** Where a follower resumes: the last transaction it has already handed to the caller. */
export type Cursor = TransactionId | null;

export interface SendResult {
    /** Hash of the message sent (external-in message cell, or the wallet's external). */
    messageHash: Buffer;
}

/** An internal message a wallet is asked to send. */
export interface InternalMessage {
    to: Address;
    value: bigint;
    body?: Cell;
    bounce?: boolean;
    init?: { code: Cell; data: Cell };
}

/** A wallet the layer signs and sends with (W5 / WalletContractV5R1 from a mnemonic). */
export interface ChainWallet {
    readonly address: Address;
    /** Sends up to 4 messages in one wallet transaction; seqno handling is inside (two calls never collide). */
    send(messages: InternalMessage[]): Promise<SendResult>;
    balance(): Promise<bigint>;
    /** A @ton/core Sender over this wallet, so the wrappers' send* methods sign with it (same queue and seqno). */
    sender(): ChainSender;
}

/** A Sender that records what each send returned, in order, so a caller can wait for the trace. */
export interface ChainSender extends Sender {
    readonly sent: SendResult[];
}

export type ChainErrorCode =
    | 'not_found' //          account or transaction does not exist
    | 'rate_limited' //       the API refused for rate (retryAfterMs set); raised only once retries are exhausted
    | 'timeout' //            the operation or the wait did not finish in time
    | 'rejected' //           the node refused a message (e.g. an external that threw before accept_message)
    | 'failed_on_chain' //    a transaction in the trace failed (exitCode and errorName set)
    | 'refused_on_chain' //   a contract answered with a refusal comment (exitCode and errorName: the refusal's error)
    | 'unavailable' //        endpoint down or unreachable after retries
    | 'bad_response'; //      the endpoint answered something that does not parse

export class ChainError extends Error {
    constructor(
        readonly code: ChainErrorCode,
        message: string,
        readonly details: {
            retryAfterMs?: number;
            exitCode?: number;
            /** The named error from wrappers/Constants.ts (Errors), when the exit code is one of ours. */
            errorName?: string;
            transaction?: ChainTransaction;
            cause?: unknown;
        } = {},
    ) {
        super(message);
        this.name = 'ChainError';
    }
}

export interface Chain {
    /** A short label for logs ("embedded", "http:https://…", "localnet:http://127.0.0.1:8081"). */
    readonly name: string;

    getAccount(address: Address): Promise<AccountState>;
    runGetMethod(address: Address, method: string, args?: GetMethodArgs): Promise<GetMethodResult>;
    /** A ContractProvider over this chain, so the wrappers' get* and send* methods work unchanged. */
    provider(address: Address, init?: { code: Cell; data: Cell }): ContractProvider;

    /** Sends an external-in message (e.g. a gasless ext_claim). Resolves once the node accepted it. */
    sendExternal(address: Address, body: Cell, init?: { code: Cell; data: Cell }): Promise<SendResult>;
    /** Opens a wallet from a 24-word mnemonic (W5R1 on this chain's global id). */
    openWallet(mnemonic: string[]): Promise<ChainWallet>;

    /**
     * Waits until the message `messageHash` sent to/through `address` and every message it caused have been
     * processed, or until `timeoutMs`. Throws ChainError('timeout') when not done in time.
     */
    waitForTrace(address: Address, sent: SendResult, opts?: { timeoutMs?: number }): Promise<Trace>;

    /**
     * New transactions of `address` after `cursor`, oldest first, at most `limit`. The caller persists the
     * cursor it gets back (the id of the last transaction returned, or the cursor given when none is new).
     */
    transactionsSince(address: Address, cursor: Cursor, opts?: { limit?: number }): Promise<{ transactions: ChainTransaction[]; cursor: Cursor }>;

    /** Chain time now (the last block's time); never the local clock. */
    now(): Promise<number>;
    config(): Promise<ChainConfig>;

    /**
     * Emulates an external message to `address` on the current state, without sending it, and reports its fees
     * (toncenter's `estimateFee`). Throws ChainError('rejected') when the account would not accept it.
     * `ignoreSignature` emulates a signature check that passes (to price a message before signing it).
     */
    estimateExternalFee(address: Address, body: Cell, opts?: { init?: { code: Cell; data: Cell }; ignoreSignature?: boolean }): Promise<FeeEstimate>;
}
