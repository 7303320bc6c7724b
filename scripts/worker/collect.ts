/**
 * Forwards the job earnings the worker account holds for its owner now (below the payout threshold).
 * npx blueprint run worker/collect --testnet --tonconnect -- --worker <worker account address>
 * From a plain wallet: the owner's wallet sends the text comment "collect" to the worker account.
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { Worker, WorkerComments } from '../../wrappers/Worker';
import { printWalletLink, ScriptArgs, sendComment } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const worker = provider.open(Worker.createFromAddress(await args.address('worker', 'Worker account address')));
    const value = toNano('0.05');
    printWalletLink(provider, worker.address, value, { comment: WorkerComments.collect });
    await sendComment(provider, worker.address, value, WorkerComments.collect);
}
