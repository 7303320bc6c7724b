/**
 * The few TonAPI routes the chain layer's index uses (actors/chain/tonapi), served by the local chain server from
 * the embedded chain's own history, so the indexed path runs in tests with no network:
 *
 *   GET /v2/blockchain/messages/{msg_id}/transaction     the transaction that received a message (hash hex/base64url)
 *   GET /v2/traces/{trace_id}                            the whole trace holding a transaction, from its root
 *   GET /v2/blockchain/accounts/{account_id}/transactions?after_lt&before_lt&limit&sort_order
 *
 * Shapes follow TonAPI's OpenAPI schema (snake_case; lt and coin amounts as JSON integers; cells as hex BOCs;
 * addresses raw). Errors are TonAPI's `{"error": "..."}` with 400 or 404. Traces are linked the way an indexer
 * links them: a child is the transaction whose internal in-message has the parent's account as source and the
 * creation lt of one of the parent's out-messages (robust to the sandbox re-serialising a delivered message).
 * Fields the sandbox does not record (end_balance, block ids) are left out or fixed, as noted below.
 */
import { Address, Message, Transaction } from '@ton/core';
import { toChainTransaction } from '../../transactions';
import { LocalChain } from '../localChain';

export class TonApiError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

type Json = Record<string, unknown>;

export class LocalTonApi {
    /** Transactions by their hash and by their in-message's hash, extended as the chain grows. */
    private seen: { source: readonly Transaction[]; count: number; byHash: Map<string, Transaction>; byInMessage: Map<string, Transaction> } | null = null;

    constructor(private readonly chain: LocalChain) {}

    private lookup() {
        const source = this.chain.allTransactions();
        if (!this.seen || this.seen.source !== source || this.seen.count > source.length) this.seen = { source, count: 0, byHash: new Map(), byInMessage: new Map() };
        for (; this.seen.count < source.length; this.seen.count++) {
            const t = source[this.seen.count];
            this.seen.byHash.set(t.hash().toString('hex'), t);
            const inMessage = toChainTransaction(t, workchainOf(t)).inMessage;
            if (inMessage) this.seen.byInMessage.set(inMessage.hash.toString('hex'), t);
        }
        return this.seen;
    }

    /** Answers one GET under /v2/, or undefined when the path is not one of the routes above. */
    async route(path: string, query: URLSearchParams): Promise<Json | undefined> {
        let m = /^\/v2\/blockchain\/messages\/([^/]+)\/transaction$/.exec(path);
        if (m) {
            const hash = parseHash(m[1], 'msg_id');
            const tx = this.lookup().byInMessage.get(hash.toString('hex'));
            if (!tx) throw new TonApiError(404, 'transaction not found');
            return transactionJson(tx);
        }
        m = /^\/v2\/traces\/([^/]+)$/.exec(path);
        if (m) {
            const hash = parseHash(m[1], 'trace_id');
            let tx = this.lookup().byHash.get(hash.toString('hex'));
            if (!tx) throw new TonApiError(404, 'trace not found');
            for (let parent = this.parentOf(tx); parent; parent = this.parentOf(parent)) tx = parent;
            return this.traceJson(tx);
        }
        m = /^\/v2\/blockchain\/accounts\/([^/]+)\/transactions$/.exec(path);
        if (m) return this.accountTransactions(parseAccount(m[1]), query);
        return undefined;
    }

    private async accountTransactions(address: Address, q: URLSearchParams): Promise<Json> {
        const afterLt = optionalLt(q.get('after_lt'), 'after_lt');
        const beforeLt = optionalLt(q.get('before_lt'), 'before_lt');
        const limit = q.get('limit') === null ? 100 : Number(q.get('limit'));
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new TonApiError(400, 'limit: 1 to 1000');
        const order = q.get('sort_order') ?? 'desc';
        if (order !== 'asc' && order !== 'desc') throw new TonApiError(400, 'sort_order: asc or desc');
        // Oldest first from the local chain; TonAPI's default is newest first.
        const all = (await this.chain.transactions(address, { limit: Number.MAX_SAFE_INTEGER })).reverse();
        const inRange = all.filter((t) => (afterLt === null || t.lt > afterLt) && (beforeLt === null || t.lt < beforeLt));
        const page = order === 'asc' ? inRange.slice(0, limit) : inRange.reverse().slice(0, limit);
        return { transactions: page.map(transactionJson) };
    }

    /** The transaction that sent `tx`'s internal in-message, if any. */
    private parentOf(tx: Transaction): Transaction | undefined {
        const info = tx.inMessage?.info;
        if (info?.type !== 'internal') return undefined;
        return this.chain
            .allTransactions()
            .find((p) => hashOfAccount(p).equals(info.src.hash) && workchainOf(p) === info.src.workChain && [...p.outMessages.values()].some((o) => o.info.type === 'internal' && o.info.createdLt === info.createdLt));
    }

    /** The transactions caused by `tx`'s internal out-messages, in out-message order. */
    private childrenOf(tx: Transaction): Transaction[] {
        const source = hashOfAccount(tx);
        const children: Transaction[] = [];
        for (const key of [...tx.outMessages.keys()].sort((a, b) => a - b)) {
            const out = tx.outMessages.get(key)!.info;
            if (out.type !== 'internal') continue;
            const child = this.chain.allTransactions().find((t) => {
                const info = t.inMessage?.info;
                return info?.type === 'internal' && info.createdLt === out.createdLt && info.src.hash.equals(source) && info.dest.equals(out.dest);
            });
            if (child) children.push(child);
        }
        return children;
    }

    private traceJson(tx: Transaction): Json {
        const children = this.childrenOf(tx).map((c) => this.traceJson(c));
        return { transaction: transactionJson(tx), interfaces: [], ...(children.length > 0 ? { children } : {}), emulated: false };
    }
}

/** JSON text with bigints written as JSON integers (TonAPI's lt and amounts), not strings. */
export function tonApiJson(value: unknown): string {
    return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `@@bigint:${v}` : v)).replace(/"@@bigint:(-?\d+)"/g, '$1');
}

function parseHash(v: string, name: string): Buffer {
    const b = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(decodeURIComponent(v).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length !== 32) throw new TonApiError(400, `${name}: expected a 32-byte hash, hex or base64url`);
    return b;
}

function parseAccount(v: string): Address {
    try {
        return Address.parse(decodeURIComponent(v));
    } catch {
        throw new TonApiError(400, `account_id: "${v}" is not an address`);
    }
}

function optionalLt(v: string | null, name: string): bigint | null {
    if (v === null || v === '') return null;
    if (!/^\d+$/.test(v)) throw new TonApiError(400, `${name}: expected a logical time`);
    return BigInt(v);
}

function workchainOf(t: Transaction): number {
    const dest = t.inMessage?.info.dest;
    return dest && Address.isAddress(dest) ? dest.workChain : 0;
}

function hashOfAccount(t: Transaction): Buffer {
    return Buffer.from(t.address.toString(16).padStart(64, '0'), 'hex');
}

function accountJson(a: Address): Json {
    return { address: a.toRawString(), is_scam: false, is_wallet: false };
}

const STATUS = { uninitialized: 'uninit', frozen: 'frozen', active: 'active', 'non-existing': 'nonexist' } as const;

function messageJson(m: Message, hash: Buffer): Json {
    const info = m.info;
    const body = m.body;
    const op = body.bits.length >= 32 ? body.beginParse().loadUint(32) : null;
    const common = {
        hash: hash.toString('hex'),
        raw_body: body.toBoc().toString('hex'),
        ...(op !== null ? { op_code: `0x${op.toString(16).padStart(8, '0')}` } : {}),
    };
    if (info.type === 'internal') {
        return {
            msg_type: 'int_msg',
            created_lt: info.createdLt,
            ihr_disabled: info.ihrDisabled,
            bounce: info.bounce,
            bounced: info.bounced,
            value: info.value.coins,
            fwd_fee: info.forwardFee,
            ihr_fee: info.ihrFee,
            destination: accountJson(info.dest),
            source: accountJson(info.src),
            import_fee: 0n,
            created_at: info.createdAt,
            ...common,
        };
    }
    if (info.type === 'external-in') {
        return { msg_type: 'ext_in_msg', created_lt: 0n, ihr_disabled: true, bounce: false, bounced: false, value: 0n, fwd_fee: 0n, ihr_fee: 0n, destination: accountJson(info.dest), import_fee: info.importFee, created_at: 0, ...common };
    }
    return { msg_type: 'ext_out_msg', created_lt: info.createdLt, ihr_disabled: true, bounce: false, bounced: false, value: 0n, fwd_fee: 0n, ihr_fee: 0n, source: accountJson(info.src), import_fee: 0n, created_at: info.createdAt, ...common };
}

function transactionJson(t: Transaction): Json {
    const account = new Address(workchainOf(t), hashOfAccount(t));
    const c = toChainTransaction(t, account.workChain);
    const d = t.description;
    const generic = d.type === 'generic' ? d : null;
    const compute = d.type === 'generic' || d.type === 'tick-tock' ? d.computePhase : null;
    const action = d.type === 'generic' || d.type === 'tick-tock' ? d.actionPhase : undefined;
    const keys = [...t.outMessages.keys()].sort((a, b) => a - b);
    return {
        hash: t.hash().toString('hex'),
        lt: t.lt,
        account: accountJson(account),
        success: c.success,
        utime: t.now,
        orig_status: STATUS[t.oldStatus],
        end_status: STATUS[t.endStatus],
        total_fees: t.totalFees.coins,
        // The sandbox keeps no per-transaction balance; TonAPI's end_balance is left out rather than invented.
        transaction_type: d.type === 'tick-tock' ? 'TransTickTock' : 'TransOrd',
        state_update_old: t.stateUpdate.oldHash.toString('hex'),
        state_update_new: t.stateUpdate.newHash.toString('hex'),
        ...(t.inMessage && c.inMessage ? { in_msg: messageJson(t.inMessage, c.inMessage.hash) } : {}),
        out_msgs: keys.map((k, i) => messageJson(t.outMessages.get(k)!, c.outMessages[i].hash)),
        // One local "block" per chain: the sandbox has no shard blocks.
        block: `(${account.workChain},8000000000000000,0)`,
        prev_trans_hash: t.prevTransactionHash.toString(16).padStart(64, '0'),
        prev_trans_lt: t.prevTransactionLt,
        ...(compute
            ? {
                  compute_phase:
                      compute.type === 'vm'
                          ? { skipped: false, success: compute.success, gas_fees: compute.gasFees, gas_used: compute.gasUsed, vm_steps: compute.vmSteps, exit_code: compute.exitCode }
                          : { skipped: true, skip_reason: `cskip_${compute.reason === 'no-state' ? 'no_state' : compute.reason === 'bad-state' ? 'bad_state' : 'no_gas'}` },
              }
            : {}),
        ...(generic?.storagePhase ? { storage_phase: { fees_collected: generic.storagePhase.storageFeesCollected, status_change: `acst_${generic.storagePhase.statusChange}` } } : {}),
        ...(generic?.creditPhase ? { credit_phase: { fees_collected: generic.creditPhase.dueFeesColelcted ?? 0n, credit: generic.creditPhase.credit.coins } } : {}),
        ...(action
            ? {
                  action_phase: {
                      success: action.success,
                      result_code: action.resultCode,
                      total_actions: action.totalActions,
                      skipped_actions: action.skippedActions,
                      fwd_fees: action.totalFwdFees ?? 0n,
                      total_fees: action.totalActionFees ?? 0n,
                  },
              }
            : {}),
        aborted: d.type === 'generic' || d.type === 'tick-tock' ? d.aborted : false,
        destroyed: d.type === 'generic' || d.type === 'tick-tock' ? d.destroyed : false,
        raw: t.raw.toBoc().toString('hex'),
    };
}
