/**
 * Discovery of the workers registered at a root, from chain data alone: given only the root's address, find
 * every worker account and keep the list current from a cursor the caller persists.
 *
 * Mechanism: the root emits an event (external-out message, wrappers/events.ts) on every registration and
 * update. Discovery follows the root's transactions (transactionsSince), takes each event's worker address as a
 * *candidate*, and trusts it for nothing: it reads the account itself and keeps it only if the root confirms it
 * (`get_worker_address(owner, index)` of the account's own owner and index is this address) and its state says
 * it belongs to this root. Governance events (council, proposals, the root's allowlist and parameter changes) travel
 * by the same mechanism (contracts/messages.fc emit_event) and decode through the same codec (wrappers/events.ts
 * parseEvent); discovery reads only the worker events among them, nothing under actors/ follows governance yet
 * (docs/governance.md "Events"). Discovery works alike on the local chain server and the public APIs (plain v2 reads).
 *
 * Refresh policy: unbonding, slashes, exits, price and key changes happen on the worker account, not at the
 * root, so they are picked up by re-reading accounts: `refresh()` re-reads every known account (call it on a
 * timer, e.g. every few minutes, and `check()` one worker right before routing a job to it). An account that is
 * gone (exit) or no longer active stays listed with its status, so a caller can tell "left" from "never seen".
 */
import { Address, Contract, openContract, OpenedContract } from '@ton/core';
import { WorkerStatus } from '../../wrappers/Constants';
import { parseRootEvent } from '../../wrappers/events';
import { Root } from '../../wrappers/Root';
import { Worker, WorkerKeys, WorkerProfile, WorkerState } from '../../wrappers/Worker';
import { Chain, ChainError, ChainTransaction, Cursor } from './types';

export interface DiscoveredWorker {
    address: Address;
    /** 'active' = checked and accepting jobs (status Active); 'inactive' = unbonding, slashed, inactive; 'gone' = no account. */
    standing: 'active' | 'inactive' | 'gone';
    state: WorkerState | null;
    keys: WorkerKeys | null;
    profile: WorkerProfile | null;
    /** Chain time of the last check. */
    checkedAt: number;
}

/** What a caller persists between runs (JSON-safe). */
export interface DiscoveryState {
    cursor: { lt: string; hash: string } | null;
    /** Raw addresses of every worker account found so far. */
    workers: string[];
}

export interface SyncResult {
    /** Workers found for the first time in this sync. */
    added: DiscoveredWorker[];
    /** Known workers an event said changed, re-read. */
    updated: DiscoveredWorker[];
    /** Candidates the check refused (not this root's worker account). */
    refused: Address[];
}

export class WorkerDiscovery {
    private cursor: Cursor;
    private readonly known = new Map<string, DiscoveredWorker | null>();
    private readonly root: OpenedContract<Root>;

    constructor(
        private readonly chain: Chain,
        readonly rootAddress: Address,
        saved?: DiscoveryState,
    ) {
        this.root = this.open(Root.createFromAddress(rootAddress));
        this.cursor = saved?.cursor ? { lt: BigInt(saved.cursor.lt), hash: Buffer.from(saved.cursor.hash, 'hex') } : null;
        for (const w of saved?.workers ?? []) this.known.set(Address.parse(w).toRawString(), null);
    }

    private open<T extends Contract>(c: T): OpenedContract<T> {
        return openContract(c, (a) => this.chain.provider(a.address));
    }

    state(): DiscoveryState {
        return {
            cursor: this.cursor ? { lt: this.cursor.lt.toString(), hash: this.cursor.hash.toString('hex') } : null,
            workers: [...this.known.keys()],
        };
    }

    /** Every worker checked so far (after sync/refresh), in discovery order. */
    workers(): DiscoveredWorker[] {
        return [...this.known.values()].filter((w): w is DiscoveredWorker => w !== null);
    }

    /** Reads the root's new transactions and checks every candidate they name. */
    async sync(opts: { pageSize?: number } = {}): Promise<SyncResult> {
        const result: SyncResult = { added: [], updated: [], refused: [] };
        for (;;) {
            const page = await this.chain.transactionsSince(this.rootAddress, this.cursor, { limit: opts.pageSize ?? 100 });
            const candidates = new Map<string, Address>();
            for (const tx of page.transactions) for (const a of candidatesOf(tx)) candidates.set(a.toRawString(), a);
            for (const [key, address] of candidates) {
                const wasKnown = this.known.has(key) && this.known.get(key) !== null;
                const w = await this.check(address);
                if (!w) result.refused.push(address);
                else (wasKnown ? result.updated : result.added).push(w);
            }
            // Advance only after the page's candidates were checked, so a crash re-reads them next time.
            this.cursor = page.cursor;
            if (page.transactions.length === 0) break;
        }
        return result;
    }

    /** Re-reads every known worker account (unbonding, slashes, exits, key and price changes). */
    async refresh(): Promise<DiscoveredWorker[]> {
        const out: DiscoveredWorker[] = [];
        for (const key of [...this.known.keys()]) {
            const w = await this.check(Address.parseRaw(key));
            if (w) out.push(w);
        }
        return out;
    }

    /**
     * Reads one candidate and decides: kept (returned, listed) only if the account's own state names this root and
     * the root derives exactly this address from the account's owner and index. Nothing from an indexer or an
     * event is believed beyond "look here".
     */
    async check(address: Address): Promise<DiscoveredWorker | null> {
        const key = address.toRawString();
        const now = await this.chain.now();
        const account = await this.chain.getAccount(address);
        if (account.status !== 'active') {
            const prior = this.known.get(key);
            if (prior === undefined) return null; // never verified: nothing to say about it
            const gone: DiscoveredWorker = { address, standing: 'gone', state: prior?.state ?? null, keys: null, profile: null, checkedAt: now };
            this.known.set(key, gone);
            return gone;
        }
        const worker = this.open(Worker.createFromAddress(address));
        let state: WorkerState;
        try {
            state = await worker.getState();
        } catch (e) {
            if (e instanceof ChainError && (e.code === 'failed_on_chain' || e.code === 'not_found' || e.code === 'bad_response')) return this.refuse(key);
            throw e;
        }
        if (!state.root.equals(this.rootAddress) || state.status === 0) return this.refuse(key);
        const derived = await this.root.getWorkerAddress(state.owner, state.index);
        if (!derived.equals(address)) return this.refuse(key);
        const [keys, profile] = await Promise.all([worker.getKeys(), worker.getProfile()]);
        const w: DiscoveredWorker = { address, standing: state.status === WorkerStatus.Active ? 'active' : 'inactive', state, keys, profile, checkedAt: now };
        this.known.set(key, w);
        return w;
    }

    private refuse(key: string): null {
        this.known.delete(key);
        return null;
    }
}

/** Worker accounts a root transaction points at: the worker events among its external-out messages. */
function candidatesOf(tx: ChainTransaction): Address[] {
    const out: Address[] = [];
    for (const m of tx.outMessages) {
        if (m.kind === 'external-out') {
            const e = parseRootEvent(m.body);
            if (e) out.push(e.worker);
        }
    }
    return out;
}
