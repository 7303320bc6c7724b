/**
 * What a contract answered a transfer a script just sent. A contract refuses what a wallet sends (a text command or a
 * binary payload such as open_job or create_proposal) with a refusal comment and the value, and its own transaction
 * succeeds, so "sent" is not "done": the script reads the contract's transaction and reports a refusal as a failure.
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, Cell, Transaction } from '@ton/core';
import { describeRefusal } from '../../actors/chain/errors';
import { commentOf, parseRefusal, Refusal } from '../../wrappers/common';
import { accountTransactions } from './history';

export type Verdict = { kind: 'accepted' } | { kind: 'refused'; refusal: Refusal } | { kind: 'unknown' };

/** The refusal comment `tx` sent back to `to`, if any. */
export function refusalSentTo(tx: Transaction, to: Address): Refusal | undefined {
    for (const m of tx.outMessages.values()) {
        if (m.info.type !== 'internal' || !m.info.dest.equals(to)) continue;
        const text = commentOf(m.body);
        const r = text === undefined ? undefined : parseRefusal(text);
        if (r) return r;
    }
    return undefined;
}

/**
 * The verdict of `contract` on the message `body` that `wallet` sent at or after `sentAt` (chain time): its transaction
 * of that message answered with a refusal comment, or without one; 'unknown' if it is not on-chain within the polls.
 */
export async function contractVerdict(
    provider: NetworkProvider,
    contract: Address,
    wallet: Address,
    body: Cell,
    sentAt: number,
    o: { attempts: number; intervalMs: number; sleep: (ms: number) => Promise<void> } = { attempts: 60, intervalMs: 2_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
): Promise<Verdict> {
    const hash = body.hash();
    for (let attempt = 0; attempt < o.attempts; attempt++) {
        for (const tx of await accountTransactions(provider, contract, 50)) {
            const info = tx.inMessage?.info;
            if (!info || info.type !== 'internal' || !info.src.equals(wallet) || info.createdAt < sentAt) continue;
            if (!tx.inMessage!.body.hash().equals(hash)) continue;
            const refusal = refusalSentTo(tx, wallet);
            return refusal ? { kind: 'refused', refusal } : { kind: 'accepted' };
        }
        if (attempt + 1 < o.attempts) await o.sleep(o.intervalMs);
    }
    return { kind: 'unknown' };
}

/** Throws (the script fails) with the contract's reason when it refused `what`; says so when it is not on-chain yet. */
export async function failOnRefusal(
    provider: NetworkProvider,
    what: string,
    contract: Address,
    body: Cell,
    sentAt: number,
    sleep: (ms: number) => Promise<void>,
): Promise<void> {
    const wallet = provider.sender().address;
    if (!wallet) return; // a connection that does not say its address: nothing to match the reply with
    let v: Verdict;
    try {
        v = await contractVerdict(provider, contract, wallet, body, sentAt, { attempts: 60, intervalMs: 2_000, sleep });
    } catch (e) {
        // an API client that cannot read an account's transactions: the transfer was sent, its outcome is unread
        provider.ui().write(`Sent; the outcome could not be read (${(e as Error).message}): check the contract's state.`);
        return;
    }
    if (v.kind === 'refused') throw new Error(`${what} refused on-chain: ${describeRefusal({ account: contract, ...v.refusal })}; the value came back to the wallet, less fees`);
    if (v.kind === 'unknown') provider.ui().write(`Not processed on-chain yet: check again later (${what}).`);
}
