/**
 * Prints one job, or every job a client opened. A client's jobs are found from its address alone: its wallet's
 * own transactions hold every open_job it sent (the root is the destination, the worker and the job id are in
 * the body), so jobs at any id are found, the relay's random 64-bit ids included. --root and --worker only
 * filter; --history is how many of the wallet's newest transactions to read (default 1000).
 * Needs no wallet: npm run read -- job/status --testnet --client <addr> [--root <addr>] [--worker <addr>]
 *                  npm run read -- job/status --testnet --job <job address>
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, fromNano } from '@ton/core';
import { JobState } from '../../wrappers/Constants';
import { Job } from '../../wrappers/Job';
import { duration, friendly, ScriptArgs, utc } from '../lib/cli';
import { accountTransactions, jobsOpenedBy } from '../lib/history';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const jobText = await args.optionalString('job');
    if (jobText) return printJob(provider, Address.parse(jobText));
    const client = await args.address('client', 'Client wallet address');
    const rootText = await args.optionalString('root');
    const workerText = await args.optionalString('worker');
    const root = rootText ? Address.parse(rootText) : undefined;
    const worker = workerText ? Address.parse(workerText) : undefined;
    const depth = await args.integer('history', 'Transactions of the client to read', 1000);
    const txs = await accountTransactions(provider, client, depth);
    const jobs = jobsOpenedBy(client, txs).filter((j) => (!root || j.root.equals(root)) && (!worker || j.worker.equals(worker)));
    for (const j of jobs) {
        ui.write(`job ${j.jobId} with ${friendly(provider, j.worker)} at root ${friendly(provider, j.root)}, opened ${utc(j.sentAt)}:`);
        await printJob(provider, j.job);
    }
    const filters = [root ? `at root ${friendly(provider, root)}` : '', worker ? `with ${friendly(provider, worker)}` : ''].filter(Boolean).join(' ');
    const reach = txs.length < depth ? 'its whole history' : `its newest ${depth} transactions (--history for more)`;
    ui.write(`${jobs.length} job(s) opened by ${friendly(provider, client, 'wallet')}${filters ? ' ' + filters : ''}, found in ${reach}`);
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
