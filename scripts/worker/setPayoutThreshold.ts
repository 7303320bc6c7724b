/**
 * Sets when job earnings are forwarded to the owner: once they reach the threshold (0 = after every payout).
 * npx blueprint run worker/setPayoutThreshold --testnet --tonconnect -- --worker <address> --threshold 1
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { setPayoutThresholdBody, Worker } from '../../wrappers/Worker';
import { deliver, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const worker = provider.open(Worker.createFromAddress(await args.address('worker', 'Worker account address')));
    const threshold = await args.ton('threshold', 'Forward earnings once they reach (TON)');
    const value = toNano('0.05');
    await deliver(provider, args, { to: worker.address, amount: value, body: { cell: setPayoutThresholdBody(threshold) } });
}
