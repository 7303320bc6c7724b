/**
 * Prints one job, or every job of a client with a worker. Finding a client's jobs: a job's address is derived
 * from (root, client wallet, worker account, job id), so this derives the addresses for job ids 0..--scan-1
 * (default 32) and prints those that exist; job/open picks the first free id, so a client's jobs sit at the
 * low ids. Needs no wallet: npm run read -- job/status --testnet --root <addr> --client <addr> --worker <addr>
 * npx blueprint run job/status --testnet -- --job <job address>
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, fromNano } from '@ton/core';
import { JobState } from '../../wrappers/Constants';
import { Job } from '../../wrappers/Job';
import { Root } from '../../wrappers/Root';
import { duration, friendly, ScriptArgs, utc } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const jobText = await args.optionalString('job');
    if (jobText) return printJob(provider, Address.parse(jobText));
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const client = await args.address('client', 'Client wallet address');
    const worker = await args.address('worker', 'Worker account address');
    const scan = await args.integer('scan', 'Job ids to scan', 32);
    let found = 0;
    for (let jobId = 0n; jobId < BigInt(scan); jobId++) {
        const job = Job.createForJob({ root: root.address, client, worker, jobId });
        if ((await provider.getContractState(job.address)).state.type !== 'active') continue;
        found++;
        ui.write(`job ${jobId}:`);
        await printJob(provider, job.address);
    }
    ui.write(`${found} job(s) of ${friendly(provider, client, 'wallet')} with ${friendly(provider, worker)} among ids 0..${scan - 1}`);
}

async function printJob(provider: NetworkProvider, address: Address): Promise<void> {
    const ui = provider.ui();
    const job = provider.open(Job.createFromAddress(address));
    if ((await provider.getContractState(address)).state.type !== 'active') {
        ui.write(`${friendly(provider, address)}: no job (never opened, refused, or finalized and closed)`);
        return;
    }
    const d = await job.getJobData();
    const t = await job.getTerms();
    ui.write(`${friendly(provider, address)}: ${JobState[d.state] ?? 'not opened'}, job id ${t.jobId}`);
    ui.write(`client ${friendly(provider, t.client, 'wallet')}, worker ${friendly(provider, d.worker)}`);
    ui.write(`deposit ${fromNano(d.deposit)} TON, paid ${fromNano(d.paid)} TON, remaining ${fromNano(d.remaining)} TON, ${d.tokens} tokens`);
    ui.write(`challenge period ${duration(t.challenge)}${d.state === JobState.Closing ? `; can be finalized from ${utc(d.deadline)}` : ''}`);
}
