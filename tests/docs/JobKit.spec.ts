// The job-kit example of docs/testing.md, kept here so the documentation cannot go stale.
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { Errors } from '../../wrappers/Constants';
import { claimSplit, feesOf } from '../../wrappers/Job';
import { Ledger } from '../../wrappers/testkit';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';

describe('my first job test', () => {
    it('the worker claims a voucher by external message; a replay is refused', async () => {
        const p = await deployForJobs(); // one registered worker, payout threshold 0
        const j = await openJob(p, { value: toNano('5') }); // value = deposit + the job's reserve
        // The worker's next signed receipt. An external claim must pay more than its own gas (else Errors.payoutBelowGas).
        j.serve({ prompt: 200_000, cached: 50_000, completion: 80_000, reasoning: 20_000 });
        const voucher = j.voucher(); // the client's signed cumulative voucher for everything served

        const e = await p.run(() => j.job.sendExtClaim(voucher));
        const { net } = claimSplit(0n, j.cumulative, p.params.protocolFeeBps);
        const owner = j.worker.owner.address;
        // The escrow pays at most `net`; the gas of the external claim and the import fee come out of it, so
        // the owner receives a little less than `net`. The protocol fee stays in the escrow until settlement.
        expect(Ledger.flow(e, owner)).toBeGreaterThan(0n);
        expect(Ledger.flow(e, owner)).toBeLessThan(net);
        expect((await j.job.getJobData()).feesOwed).toBe(feesOf(j.cumulative, p.params.protocolFeeBps));

        // A refused external message is not a transaction: sendMessage throws with the exit code.
        await expect(j.job.sendExtClaim(voucher)).rejects.toThrow(`Exit code: ${Errors.voucherNotNewer}`);
    });
});
