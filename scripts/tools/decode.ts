/**
 * Says in words what a transfer does before a member signs it, or what a proposal will execute:
 *   npm run decode -- 'ton://transfer/EQ…?amount=…&bin=…'      a link received in a chat
 *   npm run decode -- te6cc…                                    a message body as base64 (or base64url) BoC
 *   npm run decode -- EQ… [--testnet|--mainnet|--custom URL]    a proposal's address: reads it from the chain
 * Bodies are read with the wrappers' own parsers (parseRootGovernanceBody, parseCouncilAction, describeAction),
 * so the decoder reads exactly what the contracts and scripts write. Needs no wallet.
 */
import { Address, Cell, fromNano, loadStateInit, Slice, StateInit } from '@ton/core';
import { actionsDict, CouncilAction, describeAction, loadActions, parseCouncilAction } from '../../wrappers/Council';
import { Op } from '../../wrappers/Constants';
import { commentBody, readText } from '../../wrappers/common';
import { Proposal, ProposalState } from '../../wrappers/Proposal';
import { parseRootGovernanceBody } from '../../wrappers/Root';
import { WorkerComments } from '../../wrappers/Worker';
import { AddressView, duration, friendlyAddress, MAINNET_VIEW, utc } from '../../wrappers/format';
import { apiReader, ChainReader, parseRunnerArgs } from '../lib/readonly';

/** What each known text comment asks of the contract it is sent to. */
const COMMENTS: Record<string, string> = {
    yes: 'votes YES on the proposal it is sent to (members only)',
    no: 'votes NO on the proposal it is sent to (members only)',
    execute: 'executes the passed proposal it is sent to (anyone, after the timelock)',
    cancel: 'cancels the proposal it is sent to (its proposer, while voting)',
    cleanup: 'refunds and removes the finished proposal it is sent to (anyone)',
    close: 'closes the job it is sent to (its client): the challenge period starts',
    finalize: 'settles the job it is sent to (anyone, after the challenge period)',
    [WorkerComments.unbond]: 'starts unbonding the worker account it is sent to (its owner)',
    [WorkerComments.cancelUnbond]: 'cancels unbonding of the worker account it is sent to (its owner)',
    [WorkerComments.withdraw]: 'withdraws the stake of the worker account it is sent to (its owner, after unbonding)',
    [WorkerComments.collect]: 'forwards the held job earnings of the worker account it is sent to (its owner)',
};

/** Every op code by value, for bodies the decoder names but does not unfold. */
function opName(op: number): string | undefined {
    for (const [name, value] of Object.entries(Op)) if (value === op) return name;
    return undefined;
}

/** The lines describing a council action, with the hashes in full and periods as durations. */
function actionLines(a: CouncilAction, i: number, view: AddressView): string[] {
    const lines = [`action ${i}: ${describeAction(a, view)}`];
    if (a.kind === 'root' && a.action.kind === 'addImage') {
        lines.push(`  image hash ${a.action.imageHash.toString('hex')}`);
        lines.push(`  label "${a.action.label}" (what the proposer says the image is: check it against the evidence)`);
        if (a.action.supersedes) lines.push(`  supersedes ${a.action.supersedes.toString('hex')}, which stays accepted for ${duration(a.action.grace ?? 0)} after execution and then retires`);
    }
    if (a.kind === 'root' && (a.action.kind === 'addModel' || a.action.kind === 'removeModel')) lines.push(`  model hash ${a.action.modelHash.toString('hex')}`);
    if (a.kind === 'rootRaw') lines.push('  WARNING: this root message cannot be read; do not approve it unless you know its bytes');
    return lines;
}

/** A message body in words. */
export function describeBody(body: Cell | null, amount?: bigint, view: AddressView = MAINNET_VIEW): string[] {
    if (!body || (body.bits.length === 0 && body.refs.length === 0)) return ['a plain transfer with no comment (at a job or worker account: a deposit)'];
    const s: Slice = body.beginParse();
    if (s.remainingBits < 32) return ['an unreadable body (shorter than an op code)'];
    const op = s.loadUint(32);
    if (op === Op.textComment) {
        let text: string;
        try {
            text = s.loadStringTail();
        } catch {
            return ['an unreadable text comment (not whole bytes): do not sign it'];
        }
        const known = COMMENTS[text.trim().toLowerCase()];
        return [known ? `the text comment "${text}": ${known}` : text === '' ? 'an empty comment: a deposit or top-up' : `the text comment "${text}": not a command`];
    }
    if (op === Op.createProposal) {
        s.loadUintBig(64);
        const actions = loadActions(s.loadMaybeRef()).map(parseCouncilAction);
        const evidence = s.loadUintBig(256);
        const description = readText(s.loadRef());
        return [
            `creates a council proposal with ${actions.length} action(s)${amount !== undefined ? ` (${fromNano(amount)} TON attached: the proposal fee, the rest comes back at cleanup)` : ''}`,
            `description: ${description}`,
            evidenceLine(evidence === 0n ? null : Buffer.from(evidence.toString(16).padStart(64, '0'), 'hex')),
            ...actions.flatMap((a, i) => actionLines(a, i, view)),
        ];
    }
    if (op === Op.vetoProposal) {
        s.loadUintBig(64);
        return [`vetoes proposal ${s.loadUint(32)} (the guardian only, at any time until it is executed)`];
    }
    try {
        const action = parseRootGovernanceBody(body);
        return [`a governance message to the root (accepted only from the root's governance):`, ...actionLines({ kind: 'root', value: amount ?? 0n, action }, 0, view).map((l) => l.replace(/^action 0: /, ''))];
    } catch {
        /* not a governance body */
    }
    const name = opName(op);
    return [name ? `the message ${name} (op 0x${op.toString(16).padStart(8, '0')})` : `an unknown op 0x${op.toString(16).padStart(8, '0')}: do not sign it`];
}

/** The evidence hash a proposal carries: what a member compares with the document they were sent. */
function evidenceLine(evidence: Uint8Array | null): string {
    return evidence
        ? `evidence ${Buffer.from(evidence).toString('hex')} (SHA-256 of the document the proposal rests on: hash the document you were sent and compare)`
        : 'evidence: none';
}

/** What a ton://transfer link asks a wallet to send: exactly what the wallet app reads from it. */
export interface TonTransferLink {
    to: Address;
    /** The flag of the address in the link: a wallet app sends bounceable to EQ…/kQ…, non-bounceable to UQ…/0Q…. */
    bounceable: boolean;
    amount: bigint;
    /** The message body: the text comment as a comment cell, or the bin= payload; null for neither. */
    body: Cell | null;
    init: StateInit | null;
}

const base64url = (v: string) => Cell.fromBase64(v.replace(/-/g, '+').replace(/_/g, '/'));

/** Reads a ton://transfer/<address>?amount=…[&text=…|&bin=…][&init=…] link. */
export function parseTonLink(link: string): TonTransferLink {
    const url = new URL(link.replace(/^ton:\/\//, 'https://ton/'));
    const [, kind, dest] = url.pathname.split('/');
    if (kind !== 'transfer' || !dest) throw new Error('not a ton://transfer link');
    const parsed = Address.parseFriendly(dest);
    const text = url.searchParams.get('text');
    const bin = url.searchParams.get('bin');
    const init = url.searchParams.get('init');
    return {
        to: parsed.address,
        bounceable: parsed.isBounceable,
        amount: BigInt(url.searchParams.get('amount') ?? '0'),
        body: bin ? base64url(bin) : text !== null ? commentBody(text) : null,
        init: init ? loadStateInit(base64url(init).beginParse()) : null,
    };
}

/** A ton://transfer link in words: destination, amount, and what its comment or payload does. */
export function describeLink(link: string, testOnly: boolean): string[] {
    const { to, amount, body, init } = parseTonLink(link);
    const lines = [`sends ${fromNano(amount)} TON to ${friendlyAddress(to, { testOnly })}`, ...describeBody(body, amount, { testOnly })];
    if (init) lines.push('and deploys the destination contract (a state init is attached)');
    return lines;
}


/** A proposal read from the chain: state, what it will execute, votes and times. */
export async function describeProposal(reader: ChainReader, address: Address, testOnly: boolean): Promise<string[]> {
    const p = Proposal.createFromAddress(address);
    const provider = reader.provider(address);
    const d = await p.getProposalData(provider);
    const lines = [
        `proposal ${d.id} of council ${friendlyAddress(d.council, { testOnly })}: ${ProposalState[d.state]}`,
        `description: ${d.description}`,
        evidenceLine(d.evidence),
        `proposer ${d.proposer ? friendlyAddress(d.proposer, { testOnly }, 'wallet') : '-'}`,
        `if executed, it will:`,
        ...d.actions.flatMap((a, i) => actionLines(a, i, { testOnly })).map((l) => '  ' + l),
        `votes: yes ${d.yes} / no ${d.no}, threshold ${d.threshold}`,
        `voting until ${utc(d.deadline)}; timelock ${duration(d.timelock)}${d.executeAt ? `; executable from ${utc(d.executeAt)}` : ''}`,
    ];
    if (actionsDict(d.actions).size !== d.actionCount) lines.push(`WARNING: ${d.actionCount} actions stored, ${d.actions.length} readable`);
    return lines;
}

/** What the argument is: a link, an address or a BoC. */
export function classify(input: string): 'link' | 'address' | 'boc' {
    if (input.startsWith('ton://')) return 'link';
    if (Address.isFriendly(input) || Address.isRaw(input)) return 'address';
    return 'boc';
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2).filter((a) => a !== '--');
    const input = argv.find((a) => !a.startsWith('--'));
    if (!input) throw new Error("usage: npm run decode -- <'ton://transfer/…' | base64 BoC | proposal address [--testnet|--mainnet|--custom URL]>");
    const { options } = parseRunnerArgs(['decode/input', ...argv.filter((a) => a !== input)]);
    const testOnly = options.network !== 'mainnet';
    const kind = classify(input);
    const lines =
        kind === 'link'
            ? describeLink(input, testOnly)
            : kind === 'address'
              ? await describeProposal(apiReader(options), Address.parse(input), testOnly)
              : describeBody(Cell.fromBase64(input.replace(/-/g, '+').replace(/_/g, '/')), undefined, { testOnly });
    console.log(lines.join('\n'));
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(e instanceof Error ? e.message : String(e));
        process.exit(1);
    });
}
