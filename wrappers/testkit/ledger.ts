/**
 * TON conservation, checked to the nanoton around every action a test performs.
 *
 * For a closed sandbox the identity is:
 *   value that entered from outside (injected internal messages)
 *     = change of the balances of every account involved + fees of every transaction
 *       + forwarding fees still carried by the internal messages created (paid to validators on import).
 * A protocol bug cannot break this identity inside TVM, but a test that forgets an account, or a payout
 * that lands somewhere the test did not expect, shows up here as an unexplained difference; the per-account
 * `flows` then let each test assert exactly who gained and who paid.
 */
import { Address } from '@ton/core';
import { Blockchain, BlockchainTransaction, SendMessageResult } from '@ton/sandbox';

export interface LedgerEntry {
    /** Everything the action did, as the sandbox returned it. */
    result: SendMessageResult;
    /** Balance change of each account touched or tracked, keyed by raw address string. */
    flows: Map<string, bigint>;
    /** Sum of the transactions' total fees. */
    fees: bigint;
    /** Forwarding fees carried inside messages (collected by validators, not by any transaction). */
    forwardFees: bigint;
    /** Value injected from outside the sandbox (an internal message not sent by any account). */
    entered: bigint;
}

export class ConservationError extends Error {}

function addressOfTransaction(tx: BlockchainTransaction): Address {
    const info = tx.inMessage?.info;
    if (!info || info.type === 'external-out') throw new ConservationError('transaction without an inbound message');
    return info.dest as Address;
}

export class Ledger {
    private readonly tracked = new Map<string, Address>();
    private lastEntry: LedgerEntry | undefined;

    constructor(private readonly blockchain: Blockchain) {}

    /** Adds accounts whose balance is part of every check (wallets, contracts). */
    track(...addresses: Address[]): void {
        for (const a of addresses) this.tracked.set(a.toRawString(), a);
    }

    private async balances(addresses: Iterable<Address>): Promise<Map<string, bigint>> {
        const out = new Map<string, bigint>();
        for (const a of addresses) out.set(a.toRawString(), (await this.blockchain.getContract(a)).balance);
        return out;
    }

    /**
     * Runs `action`, then checks conservation over every tracked account and every account any of its
     * transactions touched. Accounts seen for the first time are tracked from then on; their balance
     * before the action is read from the sandbox snapshot taken before it.
     */
    async run(action: () => Promise<SendMessageResult>, opts: { known?: Iterable<Address>; injected?: () => bigint } = {}): Promise<LedgerEntry> {
        const snapshot = this.blockchain.snapshot();
        // Accounts the caller expects the action to touch have their "before" balances read now; any other
        // account touched is read from the snapshot (restoring a snapshot is the costly part of a check).
        let before = new Map<string, bigint>();
        if (opts.known) {
            const expected = new Map(this.tracked);
            for (const a of opts.known) expected.set(a.toRawString(), a);
            before = await this.balances(expected.values());
        }
        const result = await action();
        const touched = new Map(this.tracked);
        for (const tx of result.transactions) {
            const a = addressOfTransaction(tx);
            touched.set(a.toRawString(), a);
        }
        const after = await this.balances(touched.values());
        const unread = [...touched].filter(([key]) => !before.has(key)).map(([, a]) => a);
        if (unread.length > 0) {
            // Read "before" balances from the snapshot taken before the action, for every account involved.
            const current = this.blockchain.snapshot();
            await this.blockchain.loadFrom(snapshot);
            for (const [key, balance] of await this.balances(unread)) before.set(key, balance);
            await this.blockchain.loadFrom(current);
        }

        let fees = 0n;
        let forwardFees = 0n;
        let entered = 0n;
        for (const tx of result.transactions) {
            fees += tx.totalFees.coins;
            for (const msg of tx.outMessages.values()) {
                if (msg.info.type === 'internal') forwardFees += msg.info.forwardFee;
            }
        }
        const first = result.transactions[0]?.inMessage?.info;
        if (first && first.type === 'internal') {
            // A chain that starts with an internal message was injected by the test (blockchain.sender or
            // sendMessage): no transaction in the sandbox paid for it, so its value entered from outside.
            entered += first.value.coins;
        }
        // Further messages the action injected mid-run (a race between two injected chains).
        entered += opts.injected?.() ?? 0n;

        const flows = new Map<string, bigint>();
        let delta = 0n;
        for (const [key, a] of touched) {
            const d = (after.get(key) ?? 0n) - (before.get(key) ?? 0n);
            flows.set(key, d);
            delta += d;
            this.tracked.set(key, a);
        }
        const unexplained = entered - delta - fees - forwardFees;
        if (unexplained !== 0n) {
            throw new ConservationError(
                `TON not conserved: entered ${entered}, balances changed by ${delta}, fees ${fees}, ` +
                    `forwarding fees ${forwardFees}; unexplained ${unexplained} nanoton`,
            );
        }
        this.lastEntry = { result, flows, fees, forwardFees, entered };
        return this.lastEntry;
    }

    /** Balance change of one account in an entry (0 if it was not involved). */
    static flow(entry: LedgerEntry, address: Address): bigint {
        return entry.flows.get(address.toRawString()) ?? 0n;
    }
}
