/**
 * On-chain checks at start, and the registration or update that puts this boot's keys on-chain. A worker
 * never serves with an unverifiable setup: each failed check is one BootError line.
 *
 * Checks: the image hash and the model hash are allowed by the root now; the worker account of (root,
 * owner, index) exists and is active; it holds this boot's receipt and encryption keys and this quote's
 * image, model and quote hashes. A restart makes new keys, so the last check fails after every reboot:
 * then the exact update is printed (a ton:// link for any wallet and the Blueprint command), or sent through
 * the configured wallet, and start waits until it is on-chain.
 */
import { Address, Cell } from '@ton/core';
import type { Chain, ChainWallet, Trace } from '../../chain/types';
import { errorNameOf, firstFailure } from '../../chain/errors';
import { parseRefusal, type Prices } from '../../../wrappers/common';
import { OperatorUpdate, operatorUpdateBody, Root, WorkerRegistration, workerRegistrationBody } from '../../../wrappers/Root';
import { Errors, Op, WorkerStatus } from '../../../wrappers/Constants';
import { Worker } from '../../../wrappers/Worker';
import type { Attested, BootKeys } from './attest';
import { BootError } from '../errors';

export interface OnChainInput {
    chain: Chain;
    root: Address;
    owner: Address;
    index: number;
    keys: BootKeys;
    attested: Attested;
    modelHash: Buffer;
    testnet: boolean;
}

export interface WorkerOnChain {
    globalId: number;
    workerAccount: Address;
    /** The prices registered on-chain (what the attestation advertises). */
    prices: Prices;
    endpoint: string;
    payoutThreshold: bigint;
    keysMatch: boolean;
}

export function registrationFor(i: OnChainInput, o: { prices: Prices; endpoint: string; payoutThreshold: bigint }): WorkerRegistration {
    return {
        index: i.index,
        receiptKey: i.keys.receiptPublic,
        encryptionKey: i.keys.encPublic,
        payoutThreshold: o.payoutThreshold,
        attestation: { imageHash: i.attested.imageHash, modelHash: i.modelHash, quoteHash: i.attested.quoteHash },
        prices: o.prices,
        endpoint: o.endpoint,
    };
}

/** A ton:// transfer link carrying a binary body (what Tonkeeper and other wallets open). */
export function tonTransferLink(to: Address, amount: bigint, body: Cell, testnet: boolean): string {
    const bin = body.toBoc().toString('base64url');
    return `ton://transfer/${to.toString({ testOnly: testnet, bounceable: true })}?amount=${amount}&bin=${bin}`;
}

const hex = (v: Buffer) => v.toString('hex');
const ton = (v: bigint) => {
    const s = v.toString().padStart(10, '0');
    return `${s.slice(0, -9)}.${s.slice(-9)}`.replace(/\.?0+$/, '') || '0';
};

/** The Blueprint command an owner can run instead of the link. */
export function blueprintCommand(kind: 'register' | 'update', root: Address, r: WorkerRegistration, testnet: boolean, stake?: bigint): string {
    const p = r.prices;
    return [
        `npx blueprint run worker/${kind} --${testnet ? 'testnet' : 'mainnet'} --tonconnect --`,
        `--root ${root.toString({ testOnly: testnet })} --index ${r.index}`,
        `--receipt-key ${hex(r.receiptKey)} --enc-key ${hex(r.encryptionKey)}`,
        `--image ${hex(r.attestation.imageHash)} --model ${hex(r.attestation.modelHash)} --quote-hash ${hex(r.attestation.quoteHash)}`,
        `--prices ${ton(p.prompt)},${ton(p.cached)},${ton(p.completion)},${ton(p.reasoning)} --endpoint ${r.endpoint}`,
        `--payout-threshold ${ton(r.payoutThreshold)}${stake !== undefined ? ` --stake ${ton(stake)}` : ''}`,
    ].join(' ');
}

export async function checkAllowlists(i: OnChainInput): Promise<void> {
    const root = Root.createFromAddress(i.root);
    const p = i.chain.provider(i.root);
    if (!(await root.getIsImageAllowed(p, i.attested.imageHash)))
        throw new BootError('image_not_allowed', `image hash ${i.attested.imageHash.toString('hex')} is not allowed by the root now`);
    if (!(await root.getIsModelAllowed(p, i.modelHash))) throw new BootError('model_not_allowed', `model hash ${i.modelHash.toString('hex')} is not allowed by the root now`);
}

export async function workerAccountOf(i: OnChainInput): Promise<Address> {
    return Root.createFromAddress(i.root).getWorkerAddress(i.chain.provider(i.root), i.owner, i.index);
}

/** The operator wallet the worker account authorised (null if none, or no account). */
export async function operatorOf(i: OnChainInput): Promise<Address | null> {
    const account = await workerAccountOf(i);
    if ((await i.chain.getAccount(account)).status !== 'active') return null;
    return Worker.createFromAddress(account).getOperator(i.chain.provider(account));
}

/** Reads the worker account; throws when it is missing or not active; reports whether the keys match. */
export async function readWorker(i: OnChainInput): Promise<WorkerOnChain> {
    const globalId = (await i.chain.config()).globalId;
    const workerAccount = await workerAccountOf(i);
    const account = await i.chain.getAccount(workerAccount);
    if (account.status !== 'active') throw new BootError('worker_account_missing', `no worker account at ${workerAccount.toString()} (owner ${i.owner.toString()}, index ${i.index}): register first`);
    const w = Worker.createFromAddress(workerAccount);
    const p = i.chain.provider(workerAccount);
    const state = await w.getState(p);
    if (state.status !== WorkerStatus.Active) throw new BootError('worker_not_active', `worker account ${workerAccount.toString()} is not active (status ${state.status})`);
    const keys = await w.getKeys(p);
    const profile = await w.getProfile(p);
    const earnings = await w.getEarnings(p);
    const keysMatch =
        keys.receiptKey.equals(i.keys.receiptPublic) &&
        keys.encryptionKey.equals(i.keys.encPublic) &&
        profile.imageHash.equals(i.attested.imageHash) &&
        profile.modelHash.equals(i.modelHash) &&
        profile.quoteHash.equals(i.attested.quoteHash);
    return { globalId, workerAccount, prices: profile.prices, endpoint: profile.endpoint, payoutThreshold: earnings.payoutThreshold, keysMatch };
}

export interface PutKeysResult {
    link: string;
    command: string;
    sent: boolean;
}

/** Prints (returns) the update for this boot's keys, or sends it through the wallet. */
export async function putKeysOnChain(i: OnChainInput, kind: 'register' | 'update', reg: WorkerRegistration, wallet: ChainWallet | null, stake?: bigint): Promise<PutKeysResult> {
    const root = Root.createFromAddress(i.root);
    const fees = await root.getFees(i.chain.provider(i.root));
    const value = kind === 'register' ? (stake ?? (await root.getParams(i.chain.provider(i.root))).minStake) + fees.register : fees.update;
    const body = workerRegistrationBody(reg, kind === 'update');
    const link = tonTransferLink(i.root, value, body, i.testnet);
    const command = blueprintCommand(kind, i.root, reg, i.testnet, kind === 'register' ? value - fees.register : undefined);
    if (!wallet) return { link, command, sent: false };
    const sent = await wallet.send([{ to: i.root, value, body, bounce: true }]);
    // The trace starts at the wallet (its external message); waitForKeys then checks the result on the worker account.
    await failFastOnChain(kind, await i.chain.waitForTrace(wallet.address, sent, { timeoutMs: 120_000 }).catch(() => null));
    return { link, command, sent: true };
}

/** The operator's re-attestation for this boot: keys and attestation only (prices, endpoint, threshold stay). */
export function operatorUpdateFor(i: OnChainInput): OperatorUpdate {
    return {
        owner: i.owner,
        index: i.index,
        receiptKey: i.keys.receiptPublic,
        encryptionKey: i.keys.encPublic,
        attestation: { imageHash: i.attested.imageHash, modelHash: i.modelHash, quoteHash: i.attested.quoteHash },
    };
}

/**
 * Sends this boot's keys through the operator wallet the owner authorised (operator_update to the root). The value is
 * the root's fee plus a margin for a price change in between; what is left comes back to the operator with the comment "cocoon: attestation change".
 * The worker account refuses it (a "cocoon-ton: refused: … (error N)" comment to the operator, seen by waitForKeys timing out) unless the
 * owner's set_operator named this wallet.
 */
export async function putKeysOnChainAsOperator(i: OnChainInput, operator: ChainWallet): Promise<void> {
    const fee = await Root.createFromAddress(i.root).getOperatorUpdateFee(i.chain.provider(i.root));
    const body = operatorUpdateBody(operatorUpdateFor(i));
    const sent = await operator.send([{ to: i.root, value: fee + OPERATOR_UPDATE_MARGIN, body, bounce: true }]);
    await failFastOnChain('operator update', await i.chain.waitForTrace(operator.address, sent, { timeoutMs: 120_000 }).catch(() => null));
}

/**
 * A refusal inside a trace. A contract that refuses what a plain wallet sent does not fail its transaction: it
 * answers with a refusal comment ("cocoon-ton: refused: <reason> (error N)"), so the trace succeeds.
 */
export function refusalIn(trace: Trace): { account: Address; reason: string; error: number } | null {
    for (const t of trace.transactions)
        for (const m of t.outMessages) {
            const b = m.body.beginParse();
            if (b.remainingBits < 32 || b.loadUint(32) !== Op.textComment) continue;
            let refusal;
            try {
                refusal = parseRefusal(b.loadStringTail());
            } catch {
                continue;
            }
            if (refusal) return { account: t.account, reason: refusal.reason, error: refusal.error };
        }
    return null;
}

/**
 * A registration or key update whose trace failed on-chain (e.g. out of gas at the worker account) will never put
 * the keys there: one clear line now instead of waiting out waitForKeys. No trace in time: waitForKeys decides.
 */
function failFastOnChain(what: string, trace: Trace | null): void {
    if (!trace) return;
    const refusal = refusalIn(trace);
    if (refusal) {
        const hint = refusal.error === Errors.tooManyRetiredKeys ? ': every restart retires a receipt key, which stays slashable for an unbonding period; the next rotation waits until the oldest expires' : '';
        throw new BootError('keys_not_registered', `the ${what} was refused by ${refusal.account.toString()}: ${refusal.reason} (${errorNameOf(refusal.error) ?? `error ${refusal.error}`})${hint}`);
    }
    if (trace.success) return;
    const failed = firstFailure(trace);
    if (!failed) return; // a bounce: waitForKeys reports the keys missing
    throw new BootError('keys_not_registered', `the ${what} failed on-chain at ${failed.account.toString()} (exit code ${failed.exitCode ?? failed.actionResultCode}${failed.exitCode !== null ? ` ${errorNameOf(failed.exitCode) ?? ''}`.trimEnd() : ''}): this boot's keys are not on-chain`);
}

/** Sent on top of the operator update fee (returned as the change, "cocoon: attestation change"): covers a gas price rise between the read and the send. */
export const OPERATOR_UPDATE_MARGIN = 20_000_000n;

/** Polls until the worker account holds this boot's keys (or throws keys_not_registered after timeoutMs). */
export async function waitForKeys(i: OnChainInput, timeoutMs: number, pollMs = 3_000): Promise<WorkerOnChain> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        try {
            const w = await readWorker(i);
            if (w.keysMatch) return w;
        } catch (e) {
            if (!(e instanceof BootError) || (e.code !== 'worker_account_missing' && e.code !== 'worker_not_active')) throw e;
        }
        if (Date.now() >= until) throw new BootError('keys_not_registered', `the worker account does not hold this boot's keys after ${Math.round(timeoutMs / 1000)} s`);
        await new Promise((r) => setTimeout(r, pollMs));
    }
}
