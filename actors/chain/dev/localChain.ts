/**
 * One embedded @ton/sandbox chain as a ChainBackend (dev only): the embedded implementation and the local chain
 * server both read and write through it. It keeps the sandbox's transaction history indexed by account, a clock
 * that either stays where tests put it or follows the wall clock plus an offset (the local server), snapshots
 * to a file, and pre-funded W5 wallets.
 */
import { Address, beginCell, Cell, Dictionary, external, Transaction, TupleItem } from '@ton/core';
import { Blockchain, BlockchainTransaction, createShardAccount, EmulationError, GetMethodError, SmartContract, snapshotFromSerializable, snapshotToSerializable } from '@ton/sandbox';
import type { SerializableSnapshot } from '@ton/sandbox/dist/blockchain/BlockchainSnapshot';
import { mnemonicNew, mnemonicToPrivateKey } from '@ton/crypto';
import { readFileSync, writeFileSync, renameSync } from 'fs';
import { ChainBackend, RawGetMethodResult } from '../backend';
import { configParamOf } from '../core';
import { errorNameOf } from '../errors';
import { feesOf } from '../fees';
import { AccountState, ChainError, FeeEstimate } from '../types';
import { w5Contract } from '../wallet';

export type ClockMode = 'manual' | 'wall';

/** The sandbox keeps every transaction it ran in a protected array (also what its snapshots carry). */
function sandboxTransactions(blockchain: Blockchain): BlockchainTransaction[] {
    return (blockchain as unknown as { transactions: BlockchainTransaction[] }).transactions;
}

export interface FundedWallet {
    mnemonic: string[];
    address: Address;
    balance: bigint;
}

export class LocalChain implements ChainBackend {
    readonly name: string;
    /** Seconds added to the wall clock in 'wall' mode (grows with advance()). */
    private offset = 0;
    private indexed: { source: BlockchainTransaction[]; count: number; byAccount: Map<string, Transaction[]> } | null = null;

    constructor(
        readonly blockchain: Blockchain,
        private readonly clock: ClockMode = 'manual',
        name = 'embedded',
    ) {
        this.name = name;
        if (clock === 'wall') {
            const wall = Math.floor(Date.now() / 1000);
            this.offset = Math.max(0, (blockchain.now ?? wall) - wall);
            this.tick();
        } else if (blockchain.now === undefined) {
            blockchain.now = Math.floor(Date.now() / 1000);
        }
    }

    /** Brings the sandbox clock to the wall clock (+offset) in 'wall' mode; never moves it back. */
    tick(): number {
        if (this.clock === 'wall') {
            const t = Math.floor(Date.now() / 1000) + this.offset;
            if (this.blockchain.now === undefined || this.blockchain.now < t) this.blockchain.now = t;
        }
        return this.blockchain.now!;
    }

    /** Moves chain time forward (challenge periods, unbonding, timelocks in seconds). */
    advance(seconds: number): number {
        if (!Number.isSafeInteger(seconds) || seconds < 0) throw new ChainError('rejected', 'advance: a non-negative whole number of seconds');
        this.offset += seconds;
        this.blockchain.now = this.tick() + (this.clock === 'manual' ? seconds : 0);
        return this.blockchain.now;
    }

    async account(address: Address): Promise<AccountState> {
        this.tick();
        const c = await this.blockchain.getContract(address);
        const state = c.accountState;
        const lastLt = c.lastTransactionLt;
        const lastTransaction = lastLt > 0n ? { lt: lastLt, hash: Buffer.from(c.lastTransactionHash.toString(16).padStart(64, '0'), 'hex') } : null;
        if (!state || (state.type === 'uninit' && c.balance === 0n && !lastTransaction)) {
            return { address, status: 'nonexistent', balance: 0n, codeHash: null, dataHash: null, code: null, data: null, lastTransaction };
        }
        if (state.type === 'active') {
            const code = state.state.code ?? null;
            const data = state.state.data ?? null;
            return { address, status: 'active', balance: c.balance, codeHash: code?.hash() ?? null, dataHash: data?.hash() ?? null, code, data, lastTransaction };
        }
        return { address, status: state.type === 'frozen' ? 'frozen' : 'uninit', balance: c.balance, codeHash: null, dataHash: null, code: null, data: null, lastTransaction };
    }

    async runGetMethod(address: Address, method: string, args: TupleItem[]): Promise<RawGetMethodResult> {
        this.tick();
        const c = await this.blockchain.getContract(address);
        if (c.accountState?.type !== 'active') throw new ChainError('not_found', `${address} has no code to run ${method}`);
        try {
            const r = await this.blockchain.runGetMethod(address, method, args);
            return { exitCode: r.exitCode, stack: r.stack };
        } catch (e) {
            if (e instanceof GetMethodError) return { exitCode: e.exitCode, stack: [] };
            throw e;
        }
    }

    async sendMessage(message: Cell): Promise<void> {
        this.tick();
        try {
            await this.blockchain.sendMessage(message);
        } catch (e) {
            throw notAccepted(e);
        }
    }

    /**
     * Prices an external by running it on a detached copy of the account (a SmartContract the sandbox does not
     * keep), with the chain's config, libraries and time: the same transaction code that will charge it, and
     * nothing is committed. Only the receiving account's transaction is priced, as toncenter's source_fees.
     */
    async estimateExternalFee(address: Address, body: Cell, init: { code: Cell; data: Cell } | undefined, ignoreSignature: boolean): Promise<FeeEstimate> {
        this.tick();
        const probe = new SmartContract((await this.blockchain.getContract(address)).account, this.blockchain);
        try {
            return feesOf(await probe.receiveMessage(external({ to: address, body, init }), { ignoreChksig: ignoreSignature }));
        } catch (e) {
            throw notAccepted(e);
        }
    }

    async transactions(address: Address, opts: { lt?: bigint; hash?: Buffer; limit: number }): Promise<Transaction[]> {
        const all = this.history(address);
        let end = all.length; // all[] is oldest first; return newest first from `end` - 1
        if (opts.lt !== undefined) {
            const i = all.findIndex((t) => t.lt === opts.lt && (!opts.hash || t.hash().equals(opts.hash)));
            if (i < 0) throw new ChainError('not_found', `no transaction ${opts.lt} of ${address}`);
            end = i + 1;
        }
        return all.slice(Math.max(0, end - opts.limit), end).reverse();
    }

    async configParam(id: number): Promise<Cell> {
        return configParamOf(this.blockchain.config, id);
    }

    async now(): Promise<number> {
        return this.tick();
    }

    /** Every transaction the chain ran, oldest first (what the local TonAPI-style index searches). */
    allTransactions(): readonly Transaction[] {
        return sandboxTransactions(this.blockchain);
    }

    /** Every transaction of `address`, oldest first (index kept up to date incrementally). */
    private history(address: Address): Transaction[] {
        const source = sandboxTransactions(this.blockchain);
        if (!this.indexed || this.indexed.source !== source || this.indexed.count > source.length) {
            this.indexed = { source, count: 0, byAccount: new Map() };
        }
        for (; this.indexed.count < source.length; this.indexed.count++) {
            const tx = source[this.indexed.count];
            const dest = tx.inMessage?.info.dest;
            const wc = dest && Address.isAddress(dest) ? dest.workChain : 0;
            const key = `${wc}:${tx.address.toString(16).padStart(64, '0')}`;
            const list = this.indexed.byAccount.get(key) ?? [];
            list.push(tx);
            this.indexed.byAccount.set(key, list);
        }
        const list = this.indexed.byAccount.get(address.toRawString()) ?? [];
        // Sandbox runs are sequential per account, but sort anyway: the history must be in lt order.
        return list.sort((a, b) => (a.lt < b.lt ? -1 : a.lt > b.lt ? 1 : 0));
    }

    /** A W5 wallet (v5r1, this chain's global id, subwallet 0) created active with `balance`, from a fresh mnemonic. */
    async fundedWallet(balance: bigint, mnemonic?: string[]): Promise<FundedWallet> {
        const words = mnemonic ?? (await mnemonicNew(24));
        const keys = await mnemonicToPrivateKey(words);
        const globalId = configParamOf(this.blockchain.config, 19).beginParse().loadInt(32);
        const wallet = w5Contract(keys.publicKey, globalId);
        await this.blockchain.setShardAccount(wallet.address, createShardAccount({ address: wallet.address, code: wallet.init.code, data: wallet.init.data, balance }));
        return { mnemonic: words, address: wallet.address, balance };
    }

    /** Writes the whole chain (accounts, history, time, libraries) to `file` atomically. */
    save(file: string, extra: Record<string, unknown> = {}): void {
        const snapshot = snapshotToSerializable(this.blockchain.snapshot());
        const tmp = `${file}.tmp`;
        writeFileSync(tmp, JSON.stringify({ version: 1, offset: this.offset, snapshot, extra }));
        renameSync(tmp, file);
    }

    /** Restores a chain written by save(); returns what was saved next to it. */
    async load(file: string): Promise<Record<string, unknown>> {
        const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number; offset: number; snapshot: SerializableSnapshot; extra: Record<string, unknown> };
        if (saved.version !== 1) throw new Error(`${file}: unknown snapshot version ${saved.version}`);
        await this.blockchain.loadFrom(snapshotFromSerializable(saved.snapshot));
        this.offset = saved.offset;
        this.indexed = null;
        this.tick();
        return saved.extra;
    }
}

/** A message the sandbox refused, as the layer's typed error (with our named error when the exit code is ours). */
function notAccepted(e: unknown): ChainError {
    if (e instanceof ChainError) return e;
    if (e instanceof EmulationError) {
        const errorName = e.exitCode === undefined ? undefined : errorNameOf(e.exitCode);
        return new ChainError('rejected', `external message not accepted: ${e.error}${e.exitCode !== undefined ? ` (exit code ${e.exitCode}${errorName ? `, ${errorName}` : ''})` : ''}`, {
            exitCode: e.exitCode,
            errorName,
        });
    }
    return new ChainError('rejected', `message not accepted: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** A global id in a config cell: the sandbox's default config is mainnet's (-239); a local testnet uses -3. */
export function withGlobalId(config: Cell, globalId: number): Cell {
    // ConfigParam 19 is `_ global_id:int32 = ConfigParam 19;`
    const dict = Dictionary.loadDirect(Dictionary.Keys.Int(32), Dictionary.Values.Cell(), config);
    dict.set(19, beginCell().storeInt(globalId, 32).endCell());
    return beginCell().storeDictDirect(dict).endCell();
}
