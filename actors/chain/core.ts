/**
 * The Chain interface built once over a ChainBackend: retries, the ContractProvider adapter, W5 wallets,
 * external sends, traces, cursors and config. Implementations only differ in their backend, so the embedded
 * chain, the local server and the public APIs behave the same by construction.
 */
import { Address, beginCell, Cell, ContractProvider, Dictionary, external, storeMessage, Transaction, TupleReader } from '@ton/core';
import { mnemonicToPrivateKey } from '@ton/crypto';
import { ChainBackend } from './backend';
import { asChainError, traceOf } from './errors';
import { chainProvider } from './provider';
import { DEFAULT_RETRY, RetryPolicy, sleep, withRetry } from './retry';
import { toChainTransaction } from './transactions';
import {
    ChainMessage,
    AccountState,
    Chain,
    ChainConfig,
    ChainError,
    ChainTransaction,
    ChainWallet,
    Cursor,
    FeeEstimate,
    GetMethodArgs,
    GetMethodResult,
    SendResult,
    Trace,
} from './types';
import { W5Wallet, w5Contract } from './wallet';

export interface ChainCoreOptions {
    retry?: RetryPolicy;
    /** Default for waitForTrace. */
    traceTimeoutMs?: number;
    /** First and longest pause between polls while waiting for a trace or a seqno. */
    pollMs?: { first: number; max: number };
}

const PAGE = 16;

/** A message a trace still waits for: where it lands, its hash, and who sent it at which lt. */
interface ExpectedMessage {
    address: Address;
    hash: Buffer;
    /** The sending transaction's lt: the receiving one is later, so a search never reads further back. */
    afterLt: bigint | null;
    from?: { source: Address; createdLt: bigint | null };
}

export class ChainCore implements Chain {
    readonly name: string;
    private readonly retry: RetryPolicy;
    private readonly traceTimeoutMs: number;
    private readonly poll: { first: number; max: number };
    private configCache?: Promise<ChainConfig>;

    constructor(
        protected readonly backend: ChainBackend,
        options: ChainCoreOptions = {},
    ) {
        this.name = backend.name;
        this.retry = options.retry ?? DEFAULT_RETRY;
        this.traceTimeoutMs = options.traceTimeoutMs ?? 60_000;
        this.poll = options.pollMs ?? { first: 250, max: 2_000 };
    }

    protected call<T>(action: () => Promise<T>): Promise<T> {
        return withRetry(async () => {
            try {
                return await action();
            } catch (e) {
                throw asChainError(e);
            }
        }, this.retry);
    }

    getAccount(address: Address): Promise<AccountState> {
        return this.call(() => this.backend.account(address));
    }

    async runGetMethod(address: Address, method: string, args: GetMethodArgs = []): Promise<GetMethodResult> {
        const r = await this.call(() => this.backend.runGetMethod(address, method, args));
        return { exitCode: r.exitCode, stack: new TupleReader(r.stack) };
    }

    provider(address: Address, init?: { code: Cell; data: Cell }): ContractProvider {
        return chainProvider(this, (a, lt, hash, limit) => this.call(() => this.backend.transactions(a, { lt, hash, limit })), address, init);
    }

    async sendExternal(address: Address, body: Cell, init?: { code: Cell; data: Cell }): Promise<SendResult> {
        const message = beginCell()
            .store(storeMessage(external({ to: address, body, init })))
            .endCell();
        // A rejected external is a verdict, not a transport error: withRetry does not repeat it.
        await this.call(() => this.backend.sendMessage(message));
        return { messageHash: message.hash() };
    }

    async openWallet(mnemonic: string[]): Promise<ChainWallet> {
        const keys = await mnemonicToPrivateKey(mnemonic);
        const { globalId } = await this.config();
        return new W5Wallet(this, w5Contract(keys.publicKey, globalId), keys);
    }

    async waitForTrace(address: Address, sent: SendResult, opts: { timeoutMs?: number } = {}): Promise<Trace> {
        const deadline = Date.now() + (opts.timeoutMs ?? this.traceTimeoutMs);
        // Where each still-missing transaction is expected: its account, the hash of the message that causes it,
        // and a lower bound on its lt (the sending transaction's), so a search never reads further back.
        let pending: ExpectedMessage[] = [{ address, hash: sent.messageHash, afterLt: null }];
        const transactions: ChainTransaction[] = [];
        let delay = this.poll.first;
        while (pending.length > 0) {
            const next: typeof pending = [];
            let progress = false;
            for (const p of pending) {
                const tx = await this.findByInMessage(p);
                if (!tx) {
                    next.push(p);
                    continue;
                }
                progress = true;
                transactions.push(tx);
                for (const m of tx.outMessages) {
                    if (m.kind === 'internal' && m.destination) {
                        next.push({ address: m.destination, hash: m.hash, afterLt: tx.id.lt, from: { source: tx.account, createdLt: m.createdLt } });
                    }
                }
            }
            pending = next;
            if (pending.length === 0) break;
            if (Date.now() > deadline) {
                throw new ChainError('timeout', `trace of ${sent.messageHash.toString('hex')} incomplete: ${pending.length} message(s) not processed yet`, {});
            }
            if (!progress) {
                await sleep(delay);
                delay = Math.min(this.poll.max, Math.ceil(delay * 1.5));
            }
        }
        return traceOf(transactions);
    }

    /**
     * The transaction of `address` whose in-message hash is `hash` (or, for an internal message, whose in-message
     * has the same source and creation lt: one sender transaction never creates two messages at one lt). Without a
     * lower bound (the trace's first transaction), only the newest few pages are searched: the message was sent
     * moments ago.
     */
    private async findByInMessage(want: ExpectedMessage): Promise<ChainTransaction | undefined> {
        const { address, hash, afterLt, from: sender } = want;
        const matches = (m: ChainMessage | null): boolean =>
            !!m &&
            (m.hash.equals(hash) ||
                (!!sender && sender.createdLt !== null && m.kind === 'internal' && m.createdLt === sender.createdLt && !!m.source?.equals(sender.source)));
        const maxPages = afterLt === null ? 4 : Number.MAX_SAFE_INTEGER;
        let from: { lt: bigint; hash: Buffer } | undefined;
        for (let page = 0; page < maxPages; page++) {
            const txs = await this.call(() => this.backend.transactions(address, { ...from, limit: PAGE }));
            for (const raw of txs) {
                if (afterLt !== null && raw.lt <= afterLt) return undefined;
                const tx = toChainTransaction(raw, address.workChain);
                if (matches(tx.inMessage)) return tx;
            }
            const last = txs[txs.length - 1];
            if (txs.length < PAGE || !last || last.prevTransactionLt === 0n) return undefined;
            from = { lt: last.prevTransactionLt, hash: bigintHash(last.prevTransactionHash) };
        }
        return undefined;
    }

    async transactionsSince(address: Address, cursor: Cursor, opts: { limit?: number } = {}): Promise<{ transactions: ChainTransaction[]; cursor: Cursor }> {
        const limit = opts.limit ?? 100;
        // Walk back from the newest transaction to the cursor, then hand out the oldest `limit` of what is new.
        const fresh: Transaction[] = [];
        let from: { lt: bigint; hash: Buffer } | undefined;
        walk: for (;;) {
            const txs = await this.call(() => this.backend.transactions(address, { ...from, limit: PAGE }));
            for (const tx of txs) {
                if (cursor && tx.lt <= cursor.lt) {
                    if (tx.lt === cursor.lt && !tx.hash().equals(cursor.hash)) {
                        throw new ChainError('bad_response', `cursor ${cursor.lt}:${cursor.hash.toString('hex')} is not a transaction of ${address}`);
                    }
                    break walk;
                }
                fresh.push(tx);
            }
            const last = txs[txs.length - 1];
            if (txs.length < PAGE || !last || last.prevTransactionLt === 0n) break;
            from = { lt: last.prevTransactionLt, hash: bigintHash(last.prevTransactionHash) };
        }
        const transactions = fresh
            .reverse()
            .slice(0, limit)
            .map((t) => toChainTransaction(t, address.workChain));
        const lastTx = transactions[transactions.length - 1];
        return { transactions, cursor: lastTx ? lastTx.id : cursor };
    }

    now(): Promise<number> {
        return this.call(() => this.backend.now());
    }

    config(): Promise<ChainConfig> {
        // The global id never changes; prices do, rarely: cache the global id only.
        const globalId = (this.configCache ??= this.readConfig()).then((c) => c.globalId);
        return Promise.all([globalId, this.call(() => this.backend.configParam(21)), this.call(() => this.backend.configParam(25))]).then(
            ([g, gasPrices, msgForwardPrices]) => ({ globalId: g, gasPrices, msgForwardPrices }),
        );
    }

    estimateExternalFee(address: Address, body: Cell, opts: { init?: { code: Cell; data: Cell }; ignoreSignature?: boolean } = {}): Promise<FeeEstimate> {
        return this.call(() => this.backend.estimateExternalFee(address, body, opts.init, opts.ignoreSignature ?? false));
    }

    private async readConfig(): Promise<ChainConfig> {
        try {
            const p19 = await this.call(() => this.backend.configParam(19));
            return { globalId: p19.beginParse().loadInt(32), gasPrices: Cell.EMPTY, msgForwardPrices: Cell.EMPTY };
        } catch (e) {
            this.configCache = undefined;
            throw e;
        }
    }
}

function bigintHash(h: bigint): Buffer {
    return Buffer.from(h.toString(16).padStart(64, '0'), 'hex');
}

/** Reads ConfigParam `id` out of a whole config dictionary cell (the sandbox's `blockchain.config`). */
export function configParamOf(config: Cell, id: number): Cell {
    const dict = Dictionary.loadDirect(Dictionary.Keys.Int(32), Dictionary.Values.Cell(), config);
    const v = dict.get(id);
    if (!v) throw new ChainError('not_found', `ConfigParam ${id} is not set`);
    return v;
}
