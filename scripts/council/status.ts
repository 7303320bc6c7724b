/**
 * Prints the council (members, threshold, epoch, periods, guardian) or, with --id, one proposal as a voter
 * needs it: state, readable actions, tallies, deadline, execution time and whether --voter (default: you) voted.
 * No wallet needed: npm run read -- council/status --testnet --council <addr> [--id <n>] [--voter <addr>]
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, fromNano } from '@ton/core';
import { Council, describeAction } from '../../wrappers/Council';
import { Proposal, ProposalState } from '../../wrappers/Proposal';
import { duration, friendly, friendlyAccount, hasWallet, ScriptArgs, utc as time, view } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const c = await council.getCouncilData();
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
