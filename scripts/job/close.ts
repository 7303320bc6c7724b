/**
 * The client closes its job: the comment "close" starts the challenge period; after it anyone finalizes.
 * npx blueprint run job/close --testnet --tonconnect -- --job <job address>
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { JobState } from '../../wrappers/Constants';
import { Job } from '../../wrappers/Job';
import { deliver, friendly, hasWallet, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const job = provider.open(Job.createFromAddress(await args.address('job', 'Job address')));
    const state = await job.getState();
    if (state !== JobState.Active) throw new Error(`the job is ${JobState[state] ?? 'not open'}: only an active job can be closed`);
    const terms = await job.getTerms();
    if (hasWallet(provider) && provider.sender().address && !terms.client.equals(provider.sender().address!)) {
        ui.write(`warning: only the client ${friendly(provider, terms.client, 'wallet')} can close this job`);
    }
    await deliver(provider, args, { to: job.address, amount: toNano('0.05'), body: { comment: 'close' } });
}
