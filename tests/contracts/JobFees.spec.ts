/**
 * The job escrow's fee checks read gas and forwarding prices from the live config (contracts/gas.fc): at
 * current prices and at gas ×3 / forwarding ×2, the advertised reserve is exactly what an open needs, the
 * worker's answer, a payout and the settlement report all run on what the job attaches, and an external
 * claim never costs the escrow more than the net payout.
 */
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { JobState, Op } from '../../wrappers/Constants';
import { claimSplit, Job } from '../../wrappers/Job';
import { DEFAULT_PRICES, Protocol } from '../../wrappers/testkit';
import { CLOSE_VALUE, deployForJobs, FINALIZE_VALUE, openJob } from '../../wrappers/testkit/jobs';
import { configWithPrices } from '../../wrappers/testkit/sizes';
import { findTxTo, inValue, txTo } from '../../wrappers/testkit/transactions';

const USAGE = { prompt: 200_000, cached: 0, completion: 80_000, reasoning: 0 };

describe.each([
    ['current prices', 1n, 1n],
    ['gas ×3, forwarding ×2', 3n, 2n],
])('job fees at %s', (_name, gasFactor, fwdFactor) => {
    let p: Protocol;

    beforeEach(async () => {
        p = await deployForJobs();
        p.blockchain.setConfig(configWithPrices(p.blockchain.config, gasFactor, fwdFactor));
    });

    it('the reserve plus one nanoton opens a job the worker accepts; the reserve alone goes back', async () => {
        const probe = await openJob(p, { value: toNano('5') }); // any job answers get_reserve at these prices
        const reserve = await probe.job.getReserve();
        const client = await p.wallet('exact client');
        const open = async (jobId: bigint, value: bigint) => {
            const job = p.blockchain.openContract(Job.createForJob({ root: p.root.address, client: client.address, worker: probe.worker.worker.address, jobId }));
            const entry = await p.run(() => p.root.sendOpenJob(client.getSender(), value, { worker: probe.worker.worker.address, jobId, clientKey: probe.clientKeys.publicKey, challenge: p.params.minChallenge, maxPrices: DEFAULT_PRICES }));
            return { job, entry };
        };
        // The root's transaction is paid out of the client's value before the rest reaches the job: measure it once.
        const first = await open(899n, toNano('1'));
        const rootTx = findTxTo(first.entry.result.transactions, p.root.address);
        const toJob = txTo(first.entry.result.transactions, first.job.address);
        const rootCost = toNano('1') - inValue(toJob);
        expect(rootTx).toBeDefined();
        const refused = await open(900n, reserve + rootCost);
        expect(refused.entry.result.transactions).toHaveTransaction({ from: refused.job.address, to: client.address, success: true });
        expect((await p.blockchain.getContract(refused.job.address)).accountState?.type ?? 'uninit').not.toBe('active');
        const accepted = await open(901n, reserve + rootCost + 1n);
        expect(accepted.entry.result.transactions).toHaveTransaction({ from: probe.worker.worker.address, to: accepted.job.address, op: Op.jobAccepted, success: true });
        expect(await accepted.job.getState()).toBe(JobState.Active);
        expect(await accepted.job.getDeposit()).toBe(1n);
        // The reserve also carries the close and the settlement, and the refund leaves nothing behind.
        await p.run(() => accepted.job.sendClose(client.getSender(), CLOSE_VALUE));
        p.advance(p.params.minChallenge);
        const settled = await p.run(() => accepted.job.sendFinalize(client.getSender(), FINALIZE_VALUE));
        expect(settled.result.transactions).toHaveTransaction({ from: accepted.job.address, to: client.address, success: true });
        expect((await p.blockchain.getContract(accepted.job.address)).accountState?.type ?? 'uninit').not.toBe('active');
    });

    it('an external claim costs the escrow at most the net payout, and the settlement report runs on its attached value', async () => {
        const j = await openJob(p, { value: toNano('3') });
        j.serve(USAGE);
        const before = (await p.blockchain.getContract(j.address)).balance;
        const { net } = claimSplit(0n, j.cumulative, p.params.protocolFeeBps);
        const claim = await p.run(() => j.job.sendExtClaim(j.voucher()));
        expect(claim.result.transactions).toHaveTransaction({ to: j.worker.worker.address, op: Op.jobPayout, success: true });
        expect(before - (await p.blockchain.getContract(j.address)).balance).toBeLessThanOrEqual(net);
        await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
        p.advance(p.params.minChallenge);
        const settled = await p.run(() => j.job.sendFinalize(j.client.getSender(), FINALIZE_VALUE));
        expect(settled.result.transactions).toHaveTransaction({ to: j.worker.worker.address, op: Op.jobReport, success: true });
        expect((await j.worker.worker.getReputation()).jobs).toBe(1);
    });
});
