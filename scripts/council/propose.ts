/**
 * A council member proposes one action (run it again for another proposal; tests and the wrapper take up to 8).
 * npx blueprint run council/propose --testnet --tonconnect -- --council <addr> --description "text or URL + hash"
 *   [--evidence <hex SHA-256 of the release notes / reference quote / measurement manifest>: required to add an image or a model]
 *   --action <action> [action arguments] [--value <TON attached to a root action, default 0.05>]
 * Root actions (sent by the council to the root): add-image --image <hex> --label <words> [--supersedes <hex> --grace <seconds>],
 *   retire-image --image, add-model --model <hex> --name <org/model@rev:hash>, remove-model --model,
 *   set-params [--min-stake ... as root/deploy], set-code [--worker-boc <file>] [--job-boc <file>],
 *   propose-governance --to <addr>, withdraw-handover (withdraws a pending offer), accept-governance,
 *   withdraw --amount <TON> --to <addr> (from the root's treasury), pause|unpause --what registrations|jobs|all,
 *   slash --owner <addr> --index <n> [--amount <TON>] [--bps <n>] --reason <hex>
 * Council changes: add-member --member <addr> --weight <n>, remove-member --member, set-weight --member --weight,
 *   set-threshold --threshold <n>, set-periods --voting-days <n> --timelock-days <n> --window-days <n>,
 *   set-guardian --guardian <addr>|none --sunset-days <n>, cancel-proposal --id <n> (a queued proposal),
 *   withdraw-surplus --amount <TON> --to <addr> (the council's own balance)
 * Then [--send | --link-only] [--proposer <your wallet, when it is not connected>] [--wait <minutes, default 5> | --no-wait]:
 * whoever sends the transfer (this script, or a wallet that opens the printed link), the script waits for the council
 * to process it and prints the id and address the chain gave the proposal (scripts/lib/proposals.ts says how it
 * recognises its own). Without waiting: council/status --council <addr> --proposer <your wallet> lists them.
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, Cell, fromNano, toNano } from '@ton/core';
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { Council, CouncilAction, createProposalBody, describeAction, needsEvidence } from '../../wrappers/Council';
import { pauseFlagsNamed, RootGovernanceAction } from '../../wrappers/Root';
import { canAsk, chainTime, deliver, duration, friendly, hasWallet, ScriptArgs, view } from '../lib/cli';
import { lastLt, waitForCreation } from '../lib/proposals';
import { readParams } from '../root/deploy';
import { readGovernanceAction } from '../root/governance';

const ROOT_ACTIONS = ['add-image', 'retire-image', 'add-model', 'remove-model', 'propose-governance', 'accept-governance', 'withdraw', 'slash'];

function readBoc(file: string | undefined): Cell | undefined {
    return file ? Cell.fromBoc(readFileSync(file))[0] : undefined;
}

/** Reads one council action from the arguments; `chainNow` is the chain's time (a guardian's sunset counts from it). */
export async function readCouncilAction(args: ScriptArgs, chainNow: () => Promise<number>): Promise<CouncilAction> {
    const action = await args.string('action', 'Action (add-image, retire-image, add-model, remove-model, set-params, set-code, propose-governance, withdraw-handover, accept-governance, withdraw, slash, pause, unpause, add-member, remove-member, set-weight, set-threshold, set-periods, set-guardian, cancel-proposal, withdraw-surplus)');
    const rootAction = async (a: RootGovernanceAction): Promise<CouncilAction> => ({ kind: 'root', value: await args.ton('value', 'TON attached to the root action', '0.05'), action: a });
    if (ROOT_ACTIONS.includes(action)) {
        return rootAction(await readGovernanceAction(new ScriptArgsWith(args, 'action', action)));
    }
    switch (action) {
        case 'set-params':
            return rootAction({ kind: 'setParams', params: await readParams(args) });
        case 'withdraw-handover':
            // a pending handover offer withdrawn: propose_governance with no address
            return rootAction({ kind: 'proposeGovernance', newGovernance: null });
        case 'pause':
        case 'unpause':
            return rootAction({ kind: action, flags: pauseFlagsNamed(await args.string('what', 'Which (registrations, jobs, all)')) });
        case 'cancel-proposal':
            return { kind: 'cancelProposal', id: await args.integer('id', 'Id of the queued proposal to cancel') };
        case 'withdraw-surplus':
            // the council's own balance above what it keeps (not the root's treasury: that is --action withdraw)
            return { kind: 'withdraw', amount: await args.ton('amount', 'Amount, TON'), to: await args.address('to', 'Recipient') };
        case 'set-code':
            return rootAction({ kind: 'setCode', workerCode: readBoc(await args.optionalString('worker-boc')), jobCode: readBoc(await args.optionalString('job-boc')) });
        case 'add-member':
            return { kind: 'addMember', member: await args.address('member', 'Member address'), weight: await args.integer('weight', 'Weight') };
        case 'remove-member':
            return { kind: 'removeMember', member: await args.address('member', 'Member address') };
        case 'set-weight':
            return { kind: 'setWeight', member: await args.address('member', 'Member address'), weight: await args.integer('weight', 'New weight') };
        case 'set-threshold':
            return { kind: 'setThreshold', threshold: BigInt(await args.integer('threshold', 'New threshold')) };
        case 'set-periods':
            return {
                kind: 'setPeriods',
                votingPeriod: (await args.integer('voting-days', 'Voting period, days')) * 86_400,
                timelock: (await args.integer('timelock-days', 'Timelock, days')) * 86_400,
                executionWindow: (await args.integer('window-days', 'Execution window, days')) * 86_400,
            };
        case 'set-guardian': {
            const g = await args.string('guardian', 'Guardian address (or none)');
            if (g === 'none') return { kind: 'setGuardian', guardian: null, sunset: 0 };
            return { kind: 'setGuardian', guardian: Address.parse(g), sunset: (await chainNow()) + (await args.integer('sunset-days', 'Sunset, days from now', 365)) * 86_400 };
        }
        default:
            throw new Error(`unknown action "${action}"`);
    }
}

/** The same arguments with one value fixed (readGovernanceAction asks for --action again). */
class ScriptArgsWith extends ScriptArgs {
    constructor(private readonly inner: ScriptArgs, private readonly name: string, private readonly value: string) {
        super(undefined as never, []);
    }
    override has(name: string) { return this.inner.has(name); }
    override async string(name: string, q: string) { return name === this.name ? this.value : this.inner.string(name, q); }
    override async optionalString(name: string) { return name === this.name ? this.value : this.inner.optionalString(name); }
    override async address(name: string, q: string) { return this.inner.address(name, q); }
    override async integer(name: string, q: string, f?: number) { return this.inner.integer(name, q, f); }
    override async ton(name: string, q: string, f?: string) { return this.inner.ton(name, q, f); }
    override async hash(name: string, q: string) { return this.inner.hash(name, q); }
}

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const action = await readCouncilAction(args, () => chainTime(provider));
    const description = await args.string('description', 'Description (short text, or a URL and the hash of the full text)');
    // An image or a model enters the allowlists only with the hash of the document it rests on.
    const evidence =
        needsEvidence([action]) || args.has('evidence')
            ? await args.hash('evidence', 'Evidence: SHA-256 (hex) of the release notes, reference quote or measurement manifest')
            : null;
    if (evidence) ui.write(`Evidence: ${evidence.toString('hex')}`);
    const fee = await council.getProposalFee();
    const value = fee + toNano('0.05');
    ui.write(`New proposal: ${describeAction(action, view(provider))}`);
    ui.write(`Attach ${fromNano(value)} TON (proposal fee ${fromNano(fee)} TON); what the proposal does not spend comes back at cleanup.`);
    // A random query_id makes this run's body unique: its hash names this transfer among the council's
    // transactions, even next to an identical proposal from the same member (scripts/lib/proposals.ts).
    const body = createProposalBody([action], description, randomBytes(8).readBigUInt64BE(), evidence);
    const after = await lastLt(provider, council.address);
    const sent = await deliver(provider, args, { to: council.address, amount: value, body: { cell: body }, readsAnswer: true });
    const proposer = await proposerOf(provider, args);
    const later = `council/status --council ${friendly(provider, council.address)} --proposer ${proposer ? friendly(provider, proposer, 'wallet') : '<your wallet address>'}`;
    if (!proposer || args.has('no-wait')) {
        ui.write(`Its id is given by the council when it processes the transfer; find it with ${later}`);
        return;
    }
    const minutes = await args.integer('wait', 'Minutes to wait for the proposal', DEFAULT_WAIT_MINUTES);
    ui.write(`${sent ? 'Waiting' : 'Waiting for your wallet to send it, then'} for the council to create it (up to ${duration(minutes * 60)}; --no-wait to skip)...`);
    const found = await waitForCreation(provider, council.address, proposer, body, after, { waitMs: minutes * 60_000, intervalMs: POLL_MS });
    if (found.length === 0) {
        ui.write(`No proposal from ${friendly(provider, proposer, 'wallet')} with this payload within ${duration(minutes * 60)}. Once sent, find it with ${later}`);
        return;
    }
    const created = found.flatMap((c) => (c.kind === 'created' ? [c] : []));
    const refused = found.flatMap((c) => (c.kind === 'refused' ? [c.reason] : []));
    if (created.length === 0) throw new Error(`the council refused the proposal: ${refused.join(', ')}; the value came back to ${friendly(provider, proposer, 'wallet')}`);
    ui.write(`Proposal ${created[0].id} at ${friendly(provider, created[0].proposal)}`);
    // the link opened twice: the council created a second proposal from the same payload
    if (created.length > 1) ui.write(`The same transfer was sent again and created proposal(s) ${created.slice(1).map((c) => c.id).join(', ')} too: cancel the extra one(s) with council/cancel.`);
}

/** How long council/propose waits for its proposal by default, and how often it reads the council meanwhile. */
const DEFAULT_WAIT_MINUTES = 5;
const POLL_MS = 5_000;

/**
 * The wallet the proposal comes from: --proposer, else the connected wallet's address (TON Connect, mnemonic),
 * else (a deep link, or no wallet) asked for, only when a terminal can answer. Undefined when unknown.
 */
async function proposerOf(provider: NetworkProvider, args: ScriptArgs): Promise<Address | undefined> {
    const given = await args.optionalString('proposer');
    if (given) return Address.parse(given);
    const connected = hasWallet(provider) ? provider.sender().address : undefined;
    if (connected) return connected;
    if (args.has('no-wait') || !canAsk(provider)) return undefined;
    const typed = (await provider.ui().input('Your wallet address, to read the new proposal id back (empty to skip)')).trim();
    return typed ? Address.parse(typed) : undefined;
}
