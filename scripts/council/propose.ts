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
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, beginCell, Cell, fromNano, OpenedContract, toNano } from '@ton/core';
import { readFileSync } from 'fs';
import { actionsDict, Council, CouncilAction, createProposalBody, describeAction, needsEvidence } from '../../wrappers/Council';
import { Proposal } from '../../wrappers/Proposal';
import { pauseFlagsNamed, RootGovernanceAction } from '../../wrappers/Root';
import { chainTime, deliver, friendly, ScriptArgs, view } from '../lib/cli';
import { readParams } from '../root/deploy';
import { readGovernanceAction } from '../root/governance';
import { failOnRefusal } from '../lib/verdict';

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
    const { nextId: before } = await council.getCouncilData();
    const fee = await council.getProposalFee();
    const value = fee + toNano('0.05');
    ui.write(`New proposal: ${describeAction(action, view(provider))}`);
    ui.write(`Attach ${fromNano(value)} TON (proposal fee ${fromNano(fee)} TON); what the proposal does not spend comes back at cleanup.`);
    const body = createProposalBody([action], description, 0n, evidence);
    const sentAt = await chainTime(provider);
    if (!(await deliver(provider, args, { to: council.address, amount: value, body: { cell: body } }))) {
        ui.write(`Its id is given when the council processes it (the next free id is ${before} now, unless another member proposes first): find it with council/status.`);
        return;
    }
    await failOnRefusal(provider, 'create_proposal', council.address, body, sentAt); // e.g. not a member: the reason, not a 2-minute wait
    const id = await findOwnProposal(provider, council, before, provider.sender().address, body);
    ui.write(`Proposal ${id} at ${friendly(provider, await council.getProposalAddress(id))}`);
}

/**
 * The id the council gave to the proposal this script sent, read once the transaction is confirmed: among the
 * proposals created since `from`, the one whose proposer is this wallet and whose actions are the ones sent.
 * (Reading next_id before sending is wrong when two members propose at once.)
 */
export async function findOwnProposal(provider: NetworkProvider, council: OpenedContract<Council>, from: number, proposer: Address | undefined, sent: Cell): Promise<number> {
    const actionsHash = sent.refs[0]?.hash().toString('hex');
    for (let attempt = 0; attempt < 60; attempt++) {
        const { nextId } = await council.getCouncilData();
        for (let id = nextId - 1; id >= from; id--) {
            const p = provider.open(Proposal.createFromAddress(await council.getProposalAddress(id)));
            if (!(await provider.isContractDeployed(p.address))) continue;
            const d = await p.getProposalData();
            const sameActions = beginCell().storeDictDirect(actionsDict(d.actions)).endCell().hash().toString('hex') === actionsHash;
            if (proposer && d.proposer?.equals(proposer) && sameActions) return id;
        }
        await new Promise((r) => setTimeout(r, 2_000)); // not yet processed on a real network
    }
    throw new Error('the proposal did not appear within two minutes: find it with council/status');
}
