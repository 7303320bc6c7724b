/**
 * Wallet comments as phones send them: reproductions of the defects docs/protocol.md §10 once listed (fixed:
 * trimmed, case-insensitive commands; invalid commands refused, never deposited).
 */
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { JobState } from '../../wrappers/Constants';
import { commentBody } from '../../wrappers/common';
import { hashOf } from '../../wrappers/testkit';
import { deployCouncil } from '../../wrappers/testkit/council';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';
import { refusalTo } from '../../wrappers/testkit/replies';
import { Errors } from '../../wrappers/Constants';

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

    it('job comments not valid now or from this sender are refused with a reason, never taken as a top-up', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        const stranger = await p.wallet('stranger');
        const deposit = await j.job.getDeposit();
        const r1 = await stranger.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('close') });
        expect(refusalTo(r1, stranger.address)?.error).toBe(Errors.notClient);
        const r2 = await stranger.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('Finalize') });
        expect(refusalTo(r2, stranger.address)?.error).toBe(Errors.notClosing);
        await j.client.send({ to: j.job.address, value: toNano('0.05'), body: commentBody(' CLOSE ') });
        const r3 = await j.client.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('close') });
        expect(refusalTo(r3, j.client.address)?.error).toBe(Errors.jobNotActive);
        const r4 = await stranger.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('finalize') });
        expect(refusalTo(r4, stranger.address)?.error).toBe(Errors.challengeNotOver);
        expect(await j.job.getState()).toBe(JobState.Closing);
        expect(await j.job.getDeposit()).toBe(deposit);
    });
});
