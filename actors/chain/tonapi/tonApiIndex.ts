/**
 * Indexed reads through TonAPI (@ton-api/client): a whole trace for a message hash, and an account's
 * transactions after a logical time in ascending order. What the toncenter v2 API can only do by walking each
 * account's history page by page (the polling path in ChainCore), an indexer answers in a request or two.
 *
 * Trust: the index is trusted for liveness and completeness only. Every transaction is taken from the raw BOC it
 * returns and checked against the hash it claims, then read with the same code as the polling path
 * (toChainTransaction), so both paths hand callers identical ChainTransactions. Account state and get-methods
 * still go through the v2 API.
 */
import { Address, loadTransaction, Transaction } from '@ton/core';
import { TonApiClient, type Trace as TonApiTrace, type Transaction as TonApiTransaction } from '@ton-api/client';
import { DEFAULT_MAX_IN_FLIGHT, retryAfterMs } from '../http/transport';
import { Slots } from '../http/slots';
import { ChainError } from '../types';

export interface IndexSettings {
    /** TonAPI's base URL (https://tonapi.io, https://testnet.tonapi.io, or the local chain server's URL). */
    endpoint: string;
    apiKey?: string;
    /** Per request, counted from when it goes out (not while it waits for a slot). */
    timeoutMs?: number;
    /** Index calls in flight at once (32 by default); more wait their turn, as on the v2 transport. */
    maxInFlight?: number;
}

/** A trace as the index knows it now: every transaction found, in causal order, and whether any is missing. */
export interface IndexedTrace {
    transactions: Transaction[];
    /** false while a message of the trace has no transaction yet (the indexer has not seen it, or it is in flight). */
    complete: boolean;
}

/** What IndexedChain needs from an index. */
export interface ChainIndex {
    readonly name: string;
    /** The trace started by the message `messageHash`, or null when the index does not know that message yet. */
    traceOf(messageHash: Buffer): Promise<IndexedTrace | null>;
    /** Transactions of `address` with lt > `afterLt` (all when null), oldest first, at most `limit`. */
    transactionsAfter(address: Address, afterLt: bigint | null, limit: number): Promise<Transaction[]>;
}

/** TonAPI's limit for one page of account transactions. */
const MAX_PAGE = 1000;

export class TonApiIndex implements ChainIndex {
    readonly name: string;
    private readonly client: TonApiClient;
    private readonly slots: Slots;

    constructor(private readonly o: IndexSettings) {
        this.name = `tonapi:${o.endpoint}`;
        this.slots = new Slots(o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
        this.client = new TonApiClient({ baseUrl: o.endpoint.replace(/\/+$/, ''), apiKey: o.apiKey, fetch: this.typedFetch });
    }

    /**
     * The client's fetch: transport failures, rate limits and 5xx become the layer's typed errors here (the client
     * keeps them as the cause of what it throws); other answers go to the client, which reads them.
     */
    private readonly typedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const url = String(input instanceof Request ? input.url : input);
        let res: Response;
        try {
            res = await fetch(input, { ...init, signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000) });
        } catch (e) {
            const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
            throw new ChainError('unavailable', `${url}: ${why}`, { cause: e });
        }
        if (res.status === 429) throw new ChainError('rate_limited', `${url}: rate limited`, { retryAfterMs: retryAfterMs(res.headers.get('retry-after')) });
        if (res.status >= 500 || res.status === 408) throw new ChainError('unavailable', `${url}: HTTP ${res.status}`);
        if (res.status === 404) throw new ChainError('not_found', `${url}: ${await errorText(res)}`);
        return res;
    };

    /**
     * One index call, in its slot until its answer is read; unwraps the client's errors: ours (from typedFetch) as
     * they are, anything else as a bad or refused answer.
     */
    private async read<T>(what: string, action: () => Promise<T>): Promise<T> {
        try {
            return await this.slots.run(action);
        } catch (e) {
            if (e instanceof ChainError) throw e;
            const cause = e instanceof Error ? e.cause : undefined;
            if (cause instanceof ChainError) throw cause;
            const status = (cause as { status?: unknown } | undefined)?.status;
            const message = e instanceof Error ? e.message : String(e);
            throw new ChainError(typeof status === 'number' && status >= 400 ? 'rejected' : 'bad_response', `${what}: ${message}`, { cause: e });
        }
    }

    async traceOf(messageHash: Buffer): Promise<IndexedTrace | null> {
        const hex = messageHash.toString('hex');
        let first: TonApiTransaction;
        try {
            // The transaction that received the message; its hash names the trace (TonAPI's trace id is the hash of
            // any transaction in it, and it answers with the whole trace from its root).
            first = await this.read('message', () => this.client.blockchain.getBlockchainTransactionByMessageHash(hex));
        } catch (e) {
            if (e instanceof ChainError && e.code === 'not_found') return null;
            throw e;
        }
        const trace = await this.read('trace', () => this.client.traces.getTrace(first.hash));
        // Breadth first from the root: causal order, as the polling path returns it.
        const transactions: Transaction[] = [];
        let complete = true;
        let level: TonApiTrace[] = [trace];
        while (level.length > 0) {
            const next: TonApiTrace[] = [];
            for (const node of level) {
                const tx = verified(node.transaction);
                transactions.push(tx);
                const children = node.children ?? [];
                // Each internal message sent makes one transaction at its destination; fewer children than messages
                // means part of the trace is still on its way (or not indexed yet).
                const sent = [...tx.outMessages.values()].filter((m) => m.info.type === 'internal').length;
                if (children.length < sent) complete = false;
                next.push(...children);
            }
            level = next;
        }
        // The trace may start earlier than the message asked for (it was caused by another message): keep the part
        // from that message on, as the polling path does.
        const start = transactions.findIndex((t) => t.hash().toString('hex') === first.hash.toLowerCase());
        if (start < 0) throw new ChainError('bad_response', `trace of ${hex} does not contain its own transaction ${first.hash}`);
        return { transactions: start === 0 ? transactions : descendants(transactions, start), complete };
    }

    async transactionsAfter(address: Address, afterLt: bigint | null, limit: number): Promise<Transaction[]> {
        const r = await this.read('transactions', () =>
            this.client.blockchain.getBlockchainAccountTransactions(address, {
                ...(afterLt !== null ? { after_lt: afterLt } : {}),
                limit: Math.max(1, Math.min(limit, MAX_PAGE)),
                sort_order: 'asc',
            }),
        );
        const txs = r.transactions.map(verified);
        for (const t of txs) {
            if (afterLt !== null && t.lt <= afterLt) throw new ChainError('bad_response', `index answered transaction ${t.lt}, asked for lt > ${afterLt}`);
        }
        for (let i = 1; i < txs.length; i++) {
            if (txs[i].lt <= txs[i - 1].lt) throw new ChainError('bad_response', 'index answered transactions out of order');
        }
        return txs;
    }
}

/** The raw transaction of an indexed one, checked against the hash the index gave it. */
function verified(t: TonApiTransaction): Transaction {
    let tx: Transaction;
    try {
        tx = loadTransaction(t.raw.beginParse());
    } catch (e) {
        throw new ChainError('bad_response', `transaction ${t.hash}: raw is not a transaction`, { cause: e });
    }
    if (tx.hash().toString('hex') !== t.hash.toLowerCase()) throw new ChainError('bad_response', `transaction ${t.hash}: raw hashes to ${tx.hash().toString('hex')}`);
    return tx;
}

/**
 * The transactions of `all` (breadth-first from the root) caused by all[start], with it first. A transaction is a
 * child when its in-message is an internal message the parent sent: same source account and creation lt.
 */
function descendants(all: Transaction[], start: number): Transaction[] {
    const out = [all[start]];
    for (let i = 0; i < out.length; i++) {
        const parent = out[i];
        const sentLts = new Set([...parent.outMessages.values()].flatMap((m) => (m.info.type === 'internal' ? [m.info.createdLt] : [])));
        for (const t of all) {
            const info = t.inMessage?.info;
            if (info?.type === 'internal' && sentLts.has(info.createdLt) && info.src.hash.equals(bigintHash(parent.address))) out.push(t);
        }
    }
    return out;
}

function bigintHash(h: bigint): Buffer {
    return Buffer.from(h.toString(16).padStart(64, '0'), 'hex');
}

async function errorText(res: Response): Promise<string> {
    const text = await res.text().catch(() => '');
    try {
        const e = (JSON.parse(text) as { error?: unknown }).error;
        return typeof e === 'string' ? e : text.slice(0, 200);
    } catch {
        return text.slice(0, 200) || `HTTP ${res.status}`;
    }
}
