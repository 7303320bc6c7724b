/**
 * Adds stake to a worker account (anyone may). A plain transfer with no comment works too.
 * npx blueprint run worker/addStake --testnet --tonconnect -- --worker <address> --amount 5
 */
import { NetworkProvider } from '@ton/blueprint';
import { Worker, workerOpBody } from '../../wrappers/Worker';
import { Op } from '../../wrappers/Constants';
import { deliver, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const worker = provider.open(Worker.createFromAddress(await args.address('worker', 'Worker account address')));
    const amount = await args.ton('amount', 'Amount to add, TON');
    await deliver(provider, args, { to: worker.address, amount: amount, body: { cell: workerOpBody(Op.addStake) } });
}
