/**
 * Forwards the job earnings the worker account holds for its owner now (below the payout threshold).
 * npx blueprint run worker/collect --testnet --tonconnect -- --worker <worker account address>
 * From a plain wallet: the owner's wallet sends the text comment "collect" to the worker account.
 */
import { NetworkProvider } from '@ton/blueprint';
import { WorkerComments } from '../../wrappers/Worker';
import { runWorkerComment } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    await runWorkerComment(provider, rawArgs, WorkerComments.collect);
}
