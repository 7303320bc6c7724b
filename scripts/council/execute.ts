/**
 * Anyone executes a passed proposal once its timelock is over: the text comment "execute" with enough TON
 * for the actions (the proposal's get_execute_value) and a margin; the rest comes back.
 * npx blueprint run council/execute --testnet --tonconnect -- --council <addr> --id <n>
 */
import { NetworkProvider } from '@ton/blueprint';
import { fromNano, toNano } from '@ton/core';
import { Council, describeAction } from '../../wrappers/Council';
import { Proposal, ProposalState } from '../../wrappers/Proposal';
import { chainTime, deliver, duration, linkOnlyDone, ScriptArgs, utc, view } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const id = await args.integer('id', 'Proposal id');
    const proposal = provider.open(Proposal.createFromAddress(await council.getProposalAddress(id)));
    const d = await proposal.getProposalData();
    if (d.state !== ProposalState.Passed) throw new Error(`proposal ${id} is ${ProposalState[d.state]}, not Passed`);
    // The proposal itself refuses an early execute (and the value comes back); this is only a warning, made
    // against the chain's clock: a local clock that runs fast or slow would warn falsely or stay silent.
    const now = await chainTime(provider);
    if (now < d.executeAt) ui.write(`warning: the timelock runs until ${utc(d.executeAt)} (chain time now ${utc(now)}, ${duration(d.executeAt - now)} left)`);
    const value = (await proposal.getExecuteValue()) + toNano('0.05');
    ui.write(`Proposal ${id} will: ${d.actions.map((a) => describeAction(a, view(provider))).join('; ')} (${fromNano(value)} TON, the rest comes back)`);
    if (await deliver(provider, args, { to: proposal.address, amount: value, body: { comment: 'execute' } })) ui.write(`Execution of proposal ${id} sent`);
    else linkOnlyDone(provider, `Execution of proposal ${id}`);
}
