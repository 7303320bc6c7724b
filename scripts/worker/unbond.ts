/**
 * Requests unbonding: no new jobs; withdrawal allowed after the unbonding period.
 * npx blueprint run worker/unbond --testnet --tonconnect -- --worker <worker account address>
 * From a plain wallet: the owner's wallet sends the text comment "unbond" to the worker account.
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { Worker, WorkerComments } from '../../wrappers/Worker';
import { printWalletLink, ScriptArgs, sendComment } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const worker = provider.open(Worker.createFromAddress(await args.address('worker', 'Worker account address')));
    const value = toNano('0.05');
    printWalletLink(provider, worker.address, value, { comment: WorkerComments.unbond });
    await sendComment(provider, worker.address, value, WorkerComments.unbond);
}
