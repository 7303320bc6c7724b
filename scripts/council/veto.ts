/**
 * The guardian vetoes a passed proposal at any time until it is executed (only before the guardian's sunset).
 * npx blueprint run council/veto --testnet --tonconnect -- --council <addr> --id <n>
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { Council, vetoProposalBody } from '../../wrappers/Council';
import { chainTime, deliver, linkOnlyDone, ScriptArgs } from '../lib/cli';
import { failOnRefusal } from '../lib/verdict';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const id = await args.integer('id', 'Proposal id');
    const value = toNano('0.05');
    const body = vetoProposalBody(id);
    const sentAt = await chainTime(provider);
    if (await deliver(provider, args, { to: council.address, amount: value, body: { cell: body } })) {
        await failOnRefusal(provider, 'veto_proposal', council.address, body, sentAt); // not the guardian, past its sunset
        provider.ui().write(`Veto of proposal ${id} sent`);
    } else linkOnlyDone(provider, `Veto of proposal ${id}`);
}
