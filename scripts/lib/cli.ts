/**
 * Arguments for Blueprint scripts: `npx blueprint run worker/register --testnet --tonconnect -- --root EQ… --index 0`
 * (or without `--`, Blueprint passes what follows the script name). Anything missing is asked for through the
 * provider's UI, so every script also works interactively with --tonconnect, --deeplink and --mnemonic.
 * Every transfer goes through deliver(): --link-only prints the ton:// link and never sends, --send sends
 * without asking, and otherwise the user picks one of the two.
 */
import { NetworkProvider, tonDeepLink } from '@ton/blueprint';
import { Address, beginCell, Cell, fromNano, StateInit, storeStateInit, toNano } from '@ton/core';
import { commentBody } from '../../wrappers/common';
import { AccountKind, AddressView, duration, friendlyAddress, utc } from '../../wrappers/format';
import { failOnRefusal } from './verdict';

/** One duration and time formatter for the scripts, the decoder and the wrappers' describers. */
export { duration, utc };

export class ScriptArgs {
    private readonly values = new Map<string, string>();
    private readonly flags = new Set<string>();

    constructor(
        private readonly provider: NetworkProvider,
        args: string[],
    ) {
        for (let i = 0; i < args.length; i++) {
            const a = args[i];
            if (!a.startsWith('--')) continue;
            const name = a.slice(2);
            const next = args[i + 1];
            if (next === undefined || next.startsWith('--')) this.flags.add(name);
            else {
                this.values.set(name, next);
                i++;
            }
        }
    }

    has(name: string): boolean {
        return this.flags.has(name) || this.values.has(name);
    }

    async string(name: string, question: string): Promise<string> {
        return this.values.get(name) ?? (await this.provider.ui().input(question));
    }

    async optionalString(name: string): Promise<string | undefined> {
        return this.values.get(name);
    }

    async address(name: string, question: string): Promise<Address> {
        const v = this.values.get(name);
        return v ? Address.parse(v) : await this.provider.ui().inputAddress(question);
    }

    async integer(name: string, question: string, fallback?: number): Promise<number> {
        const v = this.values.get(name) ?? (fallback === undefined ? await this.provider.ui().input(question) : String(fallback));
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got "${v}"`);
        return n;
    }

    /** An amount in TON ("12.5"), returned in nanoton. */
    async ton(name: string, question: string, fallback?: string): Promise<bigint> {
        const v = this.values.get(name) ?? fallback ?? (await this.provider.ui().input(question));
        return toNano(v);
    }

    /** A 32-byte value (hash or public key) as 64 hex characters, with or without 0x. */
    async hash(name: string, question: string): Promise<Buffer> {
        const v = (this.values.get(name) ?? (await this.provider.ui().input(question))).trim().replace(/^0x/, '');
        if (!/^[0-9a-fA-F]{64}$/.test(v)) throw new Error(`--${name}: expected 64 hex characters`);
        return Buffer.from(v, 'hex');
    }
}

/**
 * Shows the exact transfer a plain wallet (Tonkeeper and the like) can make instead of this script: a ton://
 * link with the text comment or the binary body, for the testnet when the script runs on it.
 */
export function printWalletLink(provider: NetworkProvider, to: Address, amount: bigint, body: TransferBody, init?: StateInit): string {
    const testOnly = isTestnet(provider);
    const link =
        'comment' in body && !init
            ? `ton://transfer/${to.toString({ testOnly, bounceable: true })}?amount=${amount}&text=${encodeURIComponent(body.comment)}`
            : tonDeepLink(to, amount, 'comment' in body ? commentBody(body.comment) : body.cell, init ? beginCell().store(storeStateInit(init)).endCell() : undefined, testOnly);
    provider.ui().write(`From any wallet: send ${fromNano(amount)} TON to ${friendly(provider, to)}`);
    provider.ui().write('comment' in body ? `with the comment "${body.comment}", or open ${link}` : `with this payload: ${link}`);
    return link;
}

/**
 * The whole of an owner command on a worker account: read --worker, print the plain-wallet link for the
 * comment, and send it or not (deliver). The unbond, cancelUnbond, withdraw and collect scripts are this.
 */
export async function runWorkerComment(provider: NetworkProvider, rawArgs: string[], comment: string): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    await deliver(provider, args, { to: await args.address('worker', 'Worker account address'), amount: toNano('0.05'), body: { comment } });
}

/** Whether the provider has a wallet to send from (the no-wallet runner in scripts/lib/readonly.ts has none). */
export function hasWallet(provider: NetworkProvider): boolean {
    return !(provider as Partial<WalletlessProvider>).walletless;
}

/** Marks a provider built without a wallet: scripts read through it and print links, never send. */
export interface WalletlessProvider {
    readonly walletless: true;
}

/** The chain's clock, for providers that can read it without asking the local machine. */
export interface ChainClock {
    chainTime(): Promise<number>;
}

/**
 * The chain's current time (unix seconds), never the local clock: the time of the newest masterchain block
 * (TonClient4's last block), or, through an API v2 client, of the elector's newest transaction (the elector
 * runs a tick-tock transaction in every masterchain block), or what the provider itself reports (sandbox,
 * no-wallet runner).
 */
export async function chainTime(provider: NetworkProvider): Promise<number> {
    const clock = provider as Partial<ChainClock>;
    if (typeof clock.chainTime === 'function') return clock.chainTime();
    const api = provider.api() as unknown as Record<string, unknown>;
    if (typeof api.getLastBlock === 'function') {
        const last = (await (api.getLastBlock as () => Promise<{ now: number }>).call(api)).now;
        return last;
    }
    if (typeof api.getTransactions === 'function') {
        const elector = Address.parse('-1:3333333333333333333333333333333333333333333333333333333333333333');
        const txs = await (api.getTransactions as (a: Address, o: { limit: number }) => Promise<{ now: number }[]>).call(api, elector, { limit: 1 });
        if (txs.length) return txs[0].now;
    }
    throw new Error('cannot read the chain time from this API client (use --custom-version v2 or v4)');
}

/** A provider that waits between reads in its own way (the sandbox provider: a step the test drives). */
export interface PollClock {
    sleep(ms: number): Promise<void>;
}

/** Waits `ms` between two reads of the chain: the provider's own sleep when it has one, a timer otherwise. */
export async function pause(provider: NetworkProvider, ms: number): Promise<void> {
    const clock = provider as Partial<PollClock>;
    if (typeof clock.sleep === 'function') return clock.sleep(ms);
    await new Promise((r) => setTimeout(r, ms));
}

/** A provider that says itself whether someone answers its questions (a test's scripted answers do). */
export interface Interactive {
    readonly interactive: boolean;
}

/**
 * Whether the script may ask a question nobody passed as an argument: only Blueprint's own runs in a terminal
 * (the no-wallet runner asks nothing, and with no terminal a question would hang), or a provider that says so.
 */
export function canAsk(provider: NetworkProvider): boolean {
    const own = (provider as Partial<Interactive>).interactive;
    if (typeof own === 'boolean') return own;
    return hasWallet(provider) && process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** testnet links and addresses unless the provider runs on mainnet. */
export function isTestnet(provider: NetworkProvider): boolean {
    return provider.network() !== 'mainnet';
}

/** The address view of the provider's network (test-only off mainnet), for the wrappers' describers. */
export function view(provider: NetworkProvider): AddressView {
    return { testOnly: isTestnet(provider) };
}

/**
 * An address as a wallet app shows it: user-friendly, flagged test-only off mainnet, bounceable for contracts
 * (EQ…/kQ…) and non-bounceable for wallets (UQ…/0Q…), which is how wallets show their own address.
 */
export function friendly(provider: NetworkProvider, address: Address, kind: AccountKind = 'contract'): string {
    return friendlyAddress(address, view(provider), kind);
}

/** A member or voter stored as a basechain account id (hex) in a dictionary, as its wallet shows it. */
export function friendlyAccount(provider: NetworkProvider, accountIdHex: string): string {
    return friendly(provider, new Address(0, Buffer.from(accountIdHex.padStart(64, '0'), 'hex')), 'wallet');
}

export type TransferBody = { comment: string } | { cell: Cell };

export interface Transfer {
    to: Address;
    amount: bigint;
    body: TransferBody;
    /** Deploys the destination (a job escrow opened by its client). */
    init?: StateInit;
    /** What the transfer is, in the failure a refusal makes (default: the op or the comment). */
    what?: string;
    /** The script reads the contract's answer itself (council/propose reads the id or the refusal). */
    readsAnswer?: boolean;
}

/**
 * The last line of a script whose transfer was only printed: what it would have done, and that nothing was sent,
 * never a claim of success (the link may never be opened).
 */
export function linkOnlyDone(provider: NetworkProvider, what: string): void {
    provider.ui().write(`${what}: link printed, nothing sent. It happens once your wallet sends the link (once).`);
}

const SEND = 'send it now from the connected wallet';
const LINK = 'only print the link (I will open it in my wallet)';

/**
 * The one way scripts make a transfer. The ton:// link is always printed; the transfer is then sent by the
 * script's wallet or not at all, and the script says which: --link-only never sends, --send sends without
 * asking, and otherwise the user chooses (a member who both opens the link and lets the script send would pay
 * twice or create two proposals). Without a wallet (scripts/lib/readonly.ts) only the link is printed.
 * Returns whether the script sent it.
 */
export async function deliver(provider: NetworkProvider, args: ScriptArgs, t: Transfer): Promise<boolean> {
    const ui = provider.ui();
    printWalletLink(provider, t.to, t.amount, t.body, t.init);
    let send: boolean;
    if (args.has('link-only') || !hasWallet(provider)) send = false;
    else if (args.has('send')) send = true;
    else send = (await ui.choose('Send it from this script, or only print the link? (not both)', [SEND, LINK], (c) => c)) === SEND;
    if (!send) {
        ui.write('Not sent by this script: open the link above in your wallet to make the transfer (once).');
        return false;
    }
    const body = 'comment' in t.body ? commentBody(t.body.comment) : t.body.cell;
    // The contract's answer is read from its transaction: a refusal (a comment with the value, its transaction a
    // success) fails the script with the contract's reason instead of ending as if the transfer had done its work.
    const sentAt = await chainTime(provider).catch(() => undefined);
    ui.write('Sending from the connected wallet now; do not also open the link.');
    await provider.sender().send({ to: t.to, value: t.amount, body, init: t.init });
    if (t.readsAnswer) return true;
    if (sentAt === undefined) ui.write('Sent; this API client cannot tell the chain time, so the contract\'s answer is not read.');
    else await failOnRefusal(provider, t.what ?? transferName(t.body), t.to, body, sentAt, (ms) => pause(provider, ms));
    return true;
}

/** A transfer's name in a failure: the comment it carries, or its op. */
function transferName(body: TransferBody): string {
    if ('comment' in body) return `"${body.comment}"`;
    const s = body.cell.beginParse();
    return s.remainingBits >= 32 ? `op 0x${s.loadUint(32).toString(16).padStart(8, '0')}` : 'the transfer';
}
