/**
 * Withdraws the whole stake and earnings after the unbonding deadline and closes the worker account.
 * npx blueprint run worker/withdraw --testnet --tonconnect -- --worker <worker account address>
 * From a plain wallet: the owner's wallet sends the text comment "withdraw" to the worker account.
 */
import { NetworkProvider } from '@ton/blueprint';
import { WorkerComments } from '../../wrappers/Worker';
import { runWorkerComment } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    await runWorkerComment(provider, rawArgs, WorkerComments.withdraw);
}
