/**
 * Cancels an unbonding request (the stake must still be at least the minimum).
 * npx blueprint run worker/cancelUnbond --testnet --tonconnect -- --worker <worker account address>
 * From a plain wallet: the owner's wallet sends the text comment "cancel unbond" to the worker account.
 */
import { NetworkProvider } from '@ton/blueprint';
import { WorkerComments } from '../../wrappers/Worker';
import { runWorkerComment } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    await runWorkerComment(provider, rawArgs, WorkerComments.cancelUnbond);
}
