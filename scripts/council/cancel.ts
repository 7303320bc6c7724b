/**
 * The proposer cancels its proposal while voting: the text comment "cancel".
 * npx blueprint run council/cancel --testnet --tonconnect -- --council <addr> --id <n>
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { Council } from '../../wrappers/Council';
import { deliver, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const id = await args.integer('id', 'Proposal id');
    const proposal = await council.getProposalAddress(id);
    await deliver(provider, args, { to: proposal, amount: toNano('0.05'), body: { comment: 'cancel' } });
}
