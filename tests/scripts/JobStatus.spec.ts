/**
 * job/status finds a client's jobs from its address alone: from the open_job messages its wallet sent (its own
 * transaction history), whatever the root, the worker or the job id, including the random 64-bit ids the relay
 * draws; --root and --worker only filter.
 */
import { toNano } from '@ton/core';
import { randomBytes } from 'crypto';
import '@ton/test-utils';
import { JobState } from '../../wrappers/Constants';
import { Job, openJobBody } from '../../wrappers/Job';
import { DEFAULT_PRICES, hashOf } from '../../wrappers/testkit';
import { deployForJobs } from '../../wrappers/testkit/jobs';
import { sandboxTransactions, ScriptedUI, SandboxNetworkProvider } from '../../wrappers/testkit/networkProvider';
import { WalletlessNetworkProvider } from '../../scripts/lib/readonly';
import { friendly } from '../../scripts/lib/cli';
import { run as jobOpen } from '../../scripts/job/open';
import { run as jobStatus } from '../../scripts/job/status';

const hex = (v: Buffer) => v.toString('hex');

describe('job/status from the client address alone', () => {
    it('lists the jobs a client opened, including one at a random 64-bit id with another worker; --worker filters', async () => {
        const p = await deployForJobs({ workers: 2 });
        const client = await p.wallet('job status client');
        const [w0, w1] = [p.workers[0].worker.address, p.workers[1].worker.address];
        await jobOpen(new SandboxNetworkProvider(p.blockchain, client), ['--root', p.root.address.toString(), '--worker', w0.toString(), '--client-key', hex(hashOf('k')), '--deposit', '2', '--send']);
        // as the relay opens a job: a random 64-bit id, straight from the client's wallet
        const randomId = randomBytes(8).readBigUInt64BE(0) | (1n << 63n);
        await client.send({
            to: p.root.address,
            value: toNano('3'),
            body: openJobBody({ worker: w1, jobId: randomId, clientKey: hashOf('k'), challenge: p.params.minChallenge, maxPrices: DEFAULT_PRICES }),
        });
        const random = p.blockchain.openContract(Job.createForJob({ root: p.root.address, client: client.address, worker: w1, jobId: randomId }));
        expect(await random.getState()).toBe(JobState.Active);
        const first = Job.createForJob({ root: p.root.address, client: client.address, worker: w0, jobId: 0n });

        const reader = () =>
            new WalletlessNetworkProvider(
                {
                    provider: (a, init) => p.blockchain.provider(a, init?.code && init?.data ? { code: init.code, data: init.data } : undefined),
                    chainTime: async () => p.blockchain.now!,
                    transactions: (a, limit) => sandboxTransactions(p.blockchain, a, limit),
                },
                'testnet',
                new ScriptedUI(),
            );
        const all = reader();
        await jobStatus(all, ['--client', client.address.toString()]);
        const out = all.ui().output.join('\n');
        expect(out).toContain(`${friendly(all, random.address)}: Active, job id ${randomId}`);
        expect(out).toContain(`${friendly(all, first.address)}: Active, job id 0`);
        expect(out).toContain(`2 job(s) opened by ${client.address.toString({ testOnly: true, bounceable: false })}`);

        const one = reader();
        await jobStatus(one, ['--client', client.address.toString(), '--worker', w1.toString(), '--root', p.root.address.toString()]);
        const filtered = one.ui().output.join('\n');
        expect(filtered).toContain(`job id ${randomId}`);
        expect(filtered).not.toContain(friendly(one, first.address));

        // the sandbox provider with a wallet reads the same history
        const own = new SandboxNetworkProvider(p.blockchain, client);
        await jobStatus(own, ['--client', client.address.toString()]);
        expect(own.ui().output.join('\n')).toContain(`job id ${randomId}`);
    });
});
