/**
 * A client opens a job escrow with one worker: the transfer goes to the root, which deploys the job with its current
 * job code (the job's address comes from the root, your wallet, the worker account and the job id) with the
 * deposit, your voucher key, the challenge period and the highest prices you accept; the worker account accepts
 * it or the deposit comes back.
 * npx blueprint run job/open --testnet --tonconnect -- --root <addr> --worker <worker account> --client-key <hex>
 *   --deposit 5 [--job-id <n>, default: the first id with no job] [--challenge <seconds>] [--max-prices a,b,c,d]
 *   [--reserve 0.2] [--client <your wallet, needed with --link-only or npm run read>]
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, fromNano } from "@ton/core";
import { Job, openJobBody } from '../../wrappers/Job';
import { Root } from '../../wrappers/Root';
import { Worker } from '../../wrappers/Worker';
import { JobState } from '../../wrappers/Constants';
import { deliver, duration, friendly, hasWallet, ScriptArgs } from '../lib/cli';
import { parsePrices } from '../worker/register';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const worker = provider.open(Worker.createFromAddress(await args.address('worker', 'Worker account address')));
    const clientText = await args.optionalString('client');
    const client = clientText ? Address.parse(clientText) : hasWallet(provider) ? provider.sender().address : undefined;
    if (!client) throw new Error('--client: your wallet address (the job address is derived from it)');
    const params = await root.getParams();
    const jobId = args.has('job-id') ? BigInt(await args.integer('job-id', 'Job id')) : await firstFreeJobId(provider, root.address, client, worker.address);
    const job = Job.createForJob({ root: root.address, client, worker: worker.address, jobId });
    const profile = await worker.getProfile();
    const pricesText = await args.optionalString('max-prices');
    const maxPrices = pricesText ? parsePrices(pricesText) : profile.prices;
    const challenge = await args.integer('challenge', 'Challenge period, seconds', params.minChallenge);
    const deposit = await args.ton('deposit', 'Deposit, TON');
    const reserve = await args.ton('reserve', 'Reserve for the job’s fees, TON (what is unspent comes back)', '0.2');
    const clientKey = await args.hash('client-key', 'Ed25519 public key that signs your vouchers (hex)');
    ui.write(`Job ${jobId} with worker ${friendly(provider, worker.address)} at ${friendly(provider, job.address)}`);
    ui.write(`deposit ${fromNano(deposit)} TON + reserve ${fromNano(reserve)} TON; challenge period ${duration(challenge)}`);
    const body = openJobBody({ worker: worker.address, jobId, clientKey, challenge, maxPrices });
    if (!(await deliver(provider, args, { to: root.address, amount: deposit + reserve, body: { cell: body }, what: 'open_job' }))) return;
    if (await provider.isContractDeployed(job.address)) ui.write(`Job ${jobId} at ${friendly(provider, job.address)}: ${JobState[await provider.open(job).getState()] ?? 'deployed'} (job/status follows it)`);
}

/** The first job id (from 0) whose job account does not exist yet for this client and worker. */
export async function firstFreeJobId(provider: NetworkProvider, root: Address, client: Address, worker: Address): Promise<bigint> {
    for (let jobId = 0n; ; jobId++) {
        const job = Job.createForJob({ root, client, worker, jobId });
        if ((await provider.getContractState(job.address)).state.type === 'uninit') return jobId;
    }
}

