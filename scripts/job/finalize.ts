/**
 * Anyone settles a closed job once its challenge period is over: the comment "finalize" (the client gets the
 * rest of the deposit back, the worker what its vouchers proved).
 * npx blueprint run job/finalize --testnet --tonconnect -- --job <job address>
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { JobState } from '../../wrappers/Constants';
import { Job } from '../../wrappers/Job';
import { chainTime, deliver, duration, ScriptArgs, utc } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const job = provider.open(Job.createFromAddress(await args.address('job', 'Job address')));
    const data = await job.getJobData();
    if (data.state !== JobState.Closing) throw new Error(`the job is ${JobState[data.state] ?? 'not open'}: close it first (job/close)`);
    const now = await chainTime(provider);
    if (now < data.deadline) provider.ui().write(`warning: the challenge period runs until ${utc(data.deadline)} (${duration(data.deadline - now)} left); the job will refuse until then`);
    await deliver(provider, args, { to: job.address, amount: toNano('0.05'), body: { comment: 'finalize' } });
}
