/**
 * A member votes on a proposal with the text comment "yes" or "no" (any wallet can send it by hand).
 * npx blueprint run council/vote --testnet --tonconnect -- --council <addr> --id <n> --vote yes|no
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { Council } from '../../wrappers/Council';
import { deliver, friendly, linkOnlyDone, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const id = await args.integer('id', 'Proposal id');
    const vote = (await args.string('vote', 'Vote: yes or no')).trim().toLowerCase();
    if (vote !== 'yes' && vote !== 'no') throw new Error(`--vote: expected yes or no, got "${vote}"`);
    const proposal = await council.getProposalAddress(id);
    // the unspent part comes back
    if (await deliver(provider, args, { to: proposal, amount: toNano('0.05'), body: { comment: vote } })) provider.ui().write(`Voted ${vote} on proposal ${id} (${friendly(provider, proposal)})`);
    else linkOnlyDone(provider, `Vote ${vote} on proposal ${id} (${friendly(provider, proposal)})`);
}
