/**
 * Requests unbonding: no new jobs; withdrawal allowed after the unbonding period.
 * npx blueprint run worker/unbond --testnet --tonconnect -- --worker <worker account address>
 * From a plain wallet: the owner's wallet sends the text comment "unbond" to the worker account.
 */
import { NetworkProvider } from '@ton/blueprint';
import { WorkerComments } from '../../wrappers/Worker';
import { runWorkerComment } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    await runWorkerComment(provider, rawArgs, WorkerComments.unbond);
}
