/**
 * Wallet comments as phones send them. Each test is a reproduction of a defect the contracts still have (see
 * docs/protocol.md §10 "Not yet"): it is marked `failing`, so it passes while the bug is there and turns red
 * once a contract fix lands; then drop `.failing`.
 */
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { JobState } from '../../wrappers/Constants';
import { commentBody } from '../../wrappers/common';
import { hashOf } from '../../wrappers/testkit';
import { deployCouncil } from '../../wrappers/testkit/council';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';

describe('wallet comments (reproductions of open defects)', () => {
    it('a client’s "Close" (capitalised by the phone) closes the job instead of topping it up', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        await j.client.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('Close') });
        expect(await j.job.getState()).toBe(JobState.Closing);
    });

    it('"Yes" on a proposal counts as a yes vote', async () => {
        const k = await deployCouncil();
        const { proposal } = await k.propose(k.alice, [{ kind: 'root', value: toNano('0.05'), action: { kind: 'retireImage', imageHash: hashOf('x') } }]);
        await k.bob.send({ to: proposal.address, value: toNano('0.05'), body: commentBody('Yes') });
        expect((await proposal.getHasVoted(k.bob.address)).voted).toBe(true);
    });

    it('"withdraw" from a wallet that is not the owner is refused, not added to the stake', async () => {
        const p = await deployForJobs();
        const w = p.workers[0];
        const other = await p.wallet('owner’s other wallet');
        const before = (await w.worker.getState()).stake;
        await other.send({ to: w.worker.address, value: toNano('1'), body: commentBody('withdraw') });
        expect((await w.worker.getState()).stake).toBe(before);
    });
});
