/**
 * Prints the council (members, threshold, epoch, periods, guardian) or, with --id, one proposal as a voter
 * needs it: state, readable actions, tallies, deadline, execution time and whether --voter (default: you) voted;
 * or, with --proposer, every proposal that wallet created (ids, states, what they do), found in the council's
 * last --history transactions (default 1000).
 * No wallet needed: npm run read -- council/status --testnet --council <addr> [--id <n>] [--voter <addr>] [--proposer <addr>]
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, fromNano, OpenedContract } from '@ton/core';
import { Council, describeAction } from '../../wrappers/Council';
import { Proposal, ProposalState } from '../../wrappers/Proposal';
import { duration, friendly, friendlyAccount, hasWallet, ScriptArgs, utc as time, view } from '../lib/cli';
import { creationsBy } from '../lib/proposals';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const c = await council.getCouncilData();
    const proposer = await args.optionalString('proposer');
    if (proposer && !args.has('id')) {
        await listProposalsBy(provider, council, Address.parse(proposer), await args.integer('history', 'Council transactions to search', 1_000));
        return;
    }
    if (!args.has('id')) {
        ui.write(`root ${friendly(provider, c.root)}; epoch ${c.epoch}; next proposal id ${c.nextId}`);
        ui.write(`threshold ${c.threshold} of total weight ${c.totalWeight}; ${c.memberCount} members`);
        for (const [id, w] of c.members) ui.write(`  member ${friendlyAccount(provider, id)} weight ${w}`);
        ui.write(`voting period ${duration(c.votingPeriod)}; timelock ${duration(c.timelock)}; execution window ${duration(c.executionWindow)}`);
        ui.write(c.guardian ? `guardian ${friendly(provider, c.guardian, 'wallet')} until ${time(c.guardianSunset)}` : 'no guardian');
        ui.write(`proposal fee ${fromNano(await council.getProposalFee())} TON`);
        return;
    }
    const id = await args.integer('id', 'Proposal id');
    const proposal = provider.open(Proposal.createFromAddress(await council.getProposalAddress(id)));
    const d = await proposal.getProposalData();
    ui.write(`proposal ${id} (${friendly(provider, proposal.address)}): ${ProposalState[d.state]}`);
    ui.write(`description: ${d.description}`);
    ui.write(`evidence: ${d.evidence ? d.evidence.toString('hex') : 'none'}`);
    d.actions.forEach((a, i) => ui.write(`  action ${i}: ${describeAction(a, view(provider))}`));
    ui.write(`yes ${d.yes} / no ${d.no} of threshold ${d.threshold} (epoch ${d.epoch}${d.epoch !== c.epoch ? `, council is at ${c.epoch}: can no longer execute` : ''})`);
    ui.write(`voting until ${time(d.deadline)}; passed ${time(d.passedAt)}; executable from ${time(d.executeAt)} until ${time(d.expiresAt)}`);
    const voterText = await args.optionalString('voter');
    const voter = voterText ? Address.parse(voterText) : hasWallet(provider) ? provider.sender().address : undefined;
    if (voter) {
        const v = await proposal.getHasVoted(voter);
        ui.write(`${friendly(provider, voter, 'wallet')}: ${v.voted ? `voted ${v.yes ? 'yes' : 'no'}` : 'has not voted'}`);
    }
    if (d.state === ProposalState.Passed) ui.write(`execute with ${fromNano(await proposal.getExecuteValue())} TON or more, before ${time(d.expiresAt)}`);
    if (d.state === ProposalState.Executing) ui.write(`executing since ${time(d.attemptAt)}: waiting for the council's answer`);
}

/**
 * The proposals `proposer` created (and the creations the council refused), oldest first, from the council's last
 * `history` transactions: each with its id, address, current state and actions. A proposal cleaned up since is no
 * longer on chain: its id is still listed.
 */
async function listProposalsBy(provider: NetworkProvider, council: OpenedContract<Council>, proposer: Address, history: number): Promise<void> {
    const ui = provider.ui();
    const who = friendly(provider, proposer, 'wallet');
    const found = await creationsBy(provider, council.address, proposer, history);
    ui.write(`proposals created by ${who} (in the council's last ${history} transactions): ${found.filter((f) => f.kind === 'created').length}`);
    for (const f of found) {
        if (f.kind === 'refused') {
            ui.write(`refused at ${time(f.at)}: ${f.reason} (the value went back)`);
            continue;
        }
        const head = `proposal ${f.id} (${friendly(provider, f.proposal)}): `;
        if (!(await provider.isContractDeployed(f.proposal))) {
            ui.write(`${head}cleaned up (created ${time(f.at)})`);
            continue;
        }
        const d = await provider.open(Proposal.createFromAddress(f.proposal)).getProposalData();
        ui.write(`${head}${ProposalState[d.state]}, created ${time(f.at)}, yes ${d.yes} / no ${d.no} of ${d.threshold}: ${d.description}`);
        d.actions.forEach((a, i) => ui.write(`  action ${i}: ${describeAction(a, view(provider))}`));
    }
}
