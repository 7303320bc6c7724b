/**
 * Proposals found from the council's own transactions: the one a member's transfer created (council/propose reads
 * its id back, whoever sent the transfer: the script, or a wallet that opened the printed link), and every proposal
 * a member created (council/status --proposer).
 *
 * Why the council's transactions and not the proposals themselves: a proposal does not keep the create_proposal's
 * query_id, and two proposals with the same proposer, actions, description and evidence are indistinguishable
 * once created. The council's transaction that processed a create_proposal carries the exact message (its body
 * hash and its sender) and tells the outcome: the id in its proposal_created event and the proposal it deployed,
 * or the exit code it refused with (the value bounced back). council/propose puts a random query_id in each body,
 * so the body hash names one run's transfer, even when the same member opens two identical proposals at once.
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, Cell, Transaction } from '@ton/core';
import { errorNameOf } from '../../actors/chain/errors';
import { Op } from '../../wrappers/Constants';
import { governanceEventsOf } from '../../wrappers/events';
import { pause } from './cli';
import { accountTransactions } from './history';

/** What the council did with one create_proposal. */
export type Creation =
    | { kind: 'created'; id: number; proposal: Address; proposer: Address; bodyHash: Buffer; lt: bigint; at: number }
    | { kind: 'refused'; exitCode: number; reason: string; proposer: Address; bodyHash: Buffer; lt: bigint; at: number };

/** The exit code a transaction failed with (compute or action phase), or null when it succeeded. */
function failureOf(tx: Transaction): number | null {
    const d = tx.description;
    if (d.type !== 'generic') return null;
    if (d.computePhase.type === 'skipped') return -1;
    if (!d.computePhase.success) return d.computePhase.exitCode;
    if (d.actionPhase && !d.actionPhase.success) return d.actionPhase.resultCode;
    return d.aborted ? -1 : null;
}

/** The create_proposal the council processed in `tx`, and its outcome; null for any other transaction. */
export function creationIn(tx: Transaction): Creation | null {
    const m = tx.inMessage;
    if (!m || m.info.type !== 'internal') return null;
    const s = m.body.beginParse();
    if (s.remainingBits < 32 || s.loadUint(32) !== Op.createProposal) return null;
    const common = { proposer: m.info.src, bodyHash: m.body.hash(), lt: tx.lt, at: tx.now };
    const failed = failureOf(tx);
    if (failed !== null) return { kind: 'refused', exitCode: failed, reason: errorNameOf(failed) ?? `exit code ${failed}`, ...common };
    const created = governanceEventsOf(tx.outMessages.values()).find((e) => e.event.kind === 'proposalCreated');
    const deploy = [...tx.outMessages.values()].find((o) => o.info.type === 'internal' && o.init);
    if (!created || created.event.kind !== 'proposalCreated' || !deploy || deploy.info.type !== 'internal') return null;
    return { kind: 'created', id: created.event.id, proposal: deploy.info.dest, ...common };
}

/** The council's last transaction's logical time (0 for an account with none), to read only what came after. */
export async function lastLt(provider: NetworkProvider, council: Address): Promise<bigint> {
    return (await provider.getContractState(council)).last?.lt ?? 0n;
}

/**
 * The council's transactions after logical time `after`, newest first: read in growing pages until the page
 * reaches `after` (a busy council may have processed many messages between two reads), at most `max`.
 */
async function transactionsAfter(provider: NetworkProvider, council: Address, after: bigint, max = 1_000): Promise<Transaction[]> {
    for (let limit = 20; ; limit *= 4) {
        const txs = await accountTransactions(provider, council, Math.min(limit, max));
        const reached = txs.length < limit || txs[txs.length - 1].lt <= after || limit >= max;
        if (reached) return txs.filter((t) => t.lt > after);
    }
}

/**
 * The creations, oldest first, of the create_proposal whose body is exactly `body` sent from `proposer`, among the
 * council's transactions after `after`. More than one means the same transfer was sent twice (a link opened twice).
 */
export async function creationsOf(provider: NetworkProvider, council: Address, proposer: Address, body: Cell, after: bigint): Promise<Creation[]> {
    const hash = body.hash();
    return (await transactionsAfter(provider, council, after))
        .map(creationIn)
        .filter((c): c is Creation => c !== null && c.proposer.equals(proposer) && c.bodyHash.equals(hash))
        .reverse();
}

export interface WaitOptions {
    /** How long to wait in total, milliseconds. */
    waitMs: number;
    /** Between two reads of the council's transactions, milliseconds. */
    intervalMs: number;
}

/**
 * Reads the council's transactions until the transfer `body` from `proposer` shows up, or `waitMs` of waits
 * (counted as intervals, so the bound holds whatever the clock: a provider's own `sleep` may be a test's step)
 * have passed. Returns the creations found (oldest first), or an empty list at the end of the wait.
 */
export async function waitForCreation(provider: NetworkProvider, council: Address, proposer: Address, body: Cell, after: bigint, o: WaitOptions): Promise<Creation[]> {
    const polls = Math.ceil(o.waitMs / o.intervalMs);
    for (let i = 0; ; i++) {
        const found = await creationsOf(provider, council, proposer, body, after);
        if (found.length > 0 || i >= polls) return found;
        await pause(provider, o.intervalMs);
    }
}

/** Every create_proposal from `proposer` among the council's last `limit` transactions, oldest first. */
export async function creationsBy(provider: NetworkProvider, council: Address, proposer: Address, limit: number): Promise<Creation[]> {
    return (await accountTransactions(provider, council, limit))
        .map(creationIn)
        .filter((c): c is Creation => c !== null && c.proposer.equals(proposer))
        .reverse();
}
