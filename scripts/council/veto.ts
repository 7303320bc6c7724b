/**
 * The guardian vetoes a passed proposal at any time until it is executed (only before the guardian's sunset).
 * npx blueprint run council/veto --testnet --tonconnect -- --council <addr> --id <n>
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { Council, vetoProposalBody } from '../../wrappers/Council';
import { deliver, linkOnlyDone, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const id = await args.integer('id', 'Proposal id');
    const value = toNano('0.05');
    const body = vetoProposalBody(id);
    if (await deliver(provider, args, { to: council.address, amount: value, body: { cell: body }, what: 'veto_proposal' })) {
        provider.ui().write(`Veto of proposal ${id} sent`);
    } else linkOnlyDone(provider, `Veto of proposal ${id}`);
}
