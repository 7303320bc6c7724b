/**
 * Adds to a job's deposit (anyone may): a plain transfer with an empty comment.
 * npx blueprint run job/topup --testnet --tonconnect -- --job <job address> --amount 2
 */
import { NetworkProvider } from '@ton/blueprint';
import { deliver, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const job = await args.address('job', 'Job address');
    const amount = await args.ton('amount', 'Amount to add, TON');
    await deliver(provider, args, { to: job, amount, body: { comment: '' } });
}
