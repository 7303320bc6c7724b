/**
 * Arguments for Blueprint scripts: `npx blueprint run worker/register --testnet --tonconnect -- --root EQ… --index 0`
 * (or without `--`, Blueprint passes what follows the script name). Anything missing is asked for through the
 * provider's UI, so every script also works interactively with --tonconnect, --deeplink and --mnemonic.
 */
import { NetworkProvider, tonDeepLink } from '@ton/blueprint';
import { Address, Cell, fromNano, toNano } from '@ton/core';
import { commentBody } from '../../wrappers/common';

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
export function printWalletLink(provider: NetworkProvider, to: Address, amount: bigint, body: { comment: string } | { cell: Cell }): string {
    const testOnly = provider.network() !== 'mainnet';
    const link =
        'comment' in body
            ? `ton://transfer/${to.toString({ testOnly, bounceable: true })}?amount=${amount}&text=${encodeURIComponent(body.comment)}`
            : tonDeepLink(to, amount, body.cell, undefined, testOnly);
    provider.ui().write(`From any wallet: send ${fromNano(amount)} TON to ${to.toString({ testOnly })}`);
    provider.ui().write('comment' in body ? `with the comment "${body.comment}", or open ${link}` : `with this payload: ${link}`);
    return link;
}

/** Sends a text comment through the provider's sender (what the wallet link above does by hand). */
export async function sendComment(provider: NetworkProvider, to: Address, amount: bigint, comment: string): Promise<void> {
    await provider.sender().send({ to, value: amount, body: commentBody(comment), bounce: true });
}

/** A text comment through the script's sender, after printing the same transfer for a plain wallet. */
export async function sendCommentWithLink(provider: NetworkProvider, to: Address, amount: bigint, comment: string): Promise<void> {
    printWalletLink(provider, to, amount, { comment });
    await sendComment(provider, to, amount, comment);
}

/**
 * The whole of an owner command on a worker account: read --worker, print the plain-wallet link for the
 * comment, send it. The unbond, cancelUnbond, withdraw and collect scripts are this and nothing else.
 */
export async function runWorkerComment(provider: NetworkProvider, rawArgs: string[], comment: string): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    await sendCommentWithLink(provider, await args.address('worker', 'Worker account address'), toNano('0.05'), comment);
}
