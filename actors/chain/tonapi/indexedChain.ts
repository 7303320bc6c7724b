/**
 * The chain layer with an index for the two reads that need one: waiting for a whole trace and following an
 * account from a cursor. Everything else (state, get-methods, sends, config, fees) is the ChainCore over its
 * backend, unchanged. When the index fails (down, rate-limited past the retries, answering nonsense) and
 * `fallback` is on, the same call is answered by ChainCore's polling path, so an indexer outage costs speed only.
 */
import { Address, Transaction } from '@ton/core';
import { ChainBackend } from '../backend';
import { ChainCore, ChainCoreOptions } from '../core';
import { sleep } from '../retry';
import { toChainTransaction } from '../transactions';
import { traceOf } from '../errors';
import { ChainError, ChainTransaction, Cursor, SendResult, Trace } from '../types';
import { ChainIndex } from './tonApiIndex';

export interface IndexedChainOptions extends ChainCoreOptions {
    /** Answer through the polling path when the index fails (default true; tests turn it off to pin the index). */
    fallback?: boolean;
    /**
     * With the fallback on: how long the index may not know a sent message before the wait switches to polling
     * (indexer lag, or an index that keys externals by another hash). Default 10 s.
     */
    indexGraceMs?: number;
}

export class IndexedChain extends ChainCore {
    private readonly fallback: boolean;
    private readonly pollEvery: { first: number; max: number };
    private readonly timeoutMs: number;
    private readonly graceMs: number;
    /** How many calls the index answered and how many fell back to polling (for logs and tests). */
    readonly usage = { indexed: 0, fellBack: 0 };

    constructor(
        backend: ChainBackend,
        readonly index: ChainIndex,
        options: IndexedChainOptions = {},
    ) {
        super(backend, options);
        this.fallback = options.fallback ?? true;
        this.pollEvery = options.pollMs ?? { first: 250, max: 2_000 };
        this.timeoutMs = options.traceTimeoutMs ?? 60_000;
        this.graceMs = options.indexGraceMs ?? 10_000;
    }

    async waitForTrace(address: Address, sent: SendResult, opts: { timeoutMs?: number } = {}): Promise<Trace> {
        const started = Date.now();
        const deadline = started + (opts.timeoutMs ?? this.timeoutMs);
        let delay = this.pollEvery.first;
        for (;;) {
            let found;
            try {
                found = await this.call(() => this.index.traceOf(sent.messageHash));
            } catch (e) {
                if (!this.fallback) throw e;
                this.usage.fellBack++;
                return super.waitForTrace(address, sent, { timeoutMs: Math.max(0, deadline - Date.now()) });
            }
            if (found?.complete) {
                const transactions = found.transactions.map((t) => toChainTransaction(t, workchainOf(t)));
                if (!transactions[0].account.equals(address)) {
                    throw new ChainError('bad_response', `message ${sent.messageHash.toString('hex')} landed on ${transactions[0].account}, not ${address}`);
                }
                this.usage.indexed++;
                return traceOf(transactions);
            }
            if (!found && this.fallback && Date.now() - started > this.graceMs) {
                this.usage.fellBack++;
                return super.waitForTrace(address, sent, { timeoutMs: Math.max(0, deadline - Date.now()) });
            }
            if (Date.now() > deadline) {
                throw new ChainError('timeout', `trace of ${sent.messageHash.toString('hex')} ${found ? 'incomplete' : 'not indexed'} after ${opts.timeoutMs ?? this.timeoutMs} ms`);
            }
            await sleep(delay);
            delay = Math.min(this.pollEvery.max, Math.ceil(delay * 1.5));
        }
    }

    async transactionsSince(address: Address, cursor: Cursor, opts: { limit?: number } = {}): Promise<{ transactions: ChainTransaction[]; cursor: Cursor }> {
        const limit = opts.limit ?? 100;
        let raw;
        try {
            // From just below the cursor, so the cursor's own transaction comes first and proves it is this account's.
            raw = await this.call(() => this.index.transactionsAfter(address, cursor ? cursor.lt - 1n : null, limit + (cursor ? 1 : 0)));
        } catch (e) {
            if (!this.fallback) throw e;
            this.usage.fellBack++;
            return super.transactionsSince(address, cursor, opts);
        }
        if (cursor) {
            const own = raw.find((t) => t.lt === cursor.lt);
            if (!own || !own.hash().equals(cursor.hash)) {
                throw new ChainError('bad_response', `cursor ${cursor.lt}:${cursor.hash.toString('hex')} is not a transaction of ${address}`);
            }
            raw = raw.filter((t) => t.lt > cursor.lt);
        }
        this.usage.indexed++;
        const transactions = raw.slice(0, limit).map((t) => toChainTransaction(t, address.workChain));
        const last = transactions[transactions.length - 1];
        return { transactions, cursor: last ? last.id : cursor };
    }
}

/** The workchain of a transaction's account, from the message that reached it (raw transactions carry none). */
function workchainOf(t: Transaction): number {
    const dest = t.inMessage?.info.dest;
    return dest && Address.isAddress(dest) ? dest.workChain : 0;
}
