// The example of docs/testing.md, kept here so the documentation cannot go stale.
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { Errors, WorkerStatus } from '../../wrappers/Constants';
import { WorkerComments } from '../../wrappers/Worker';
import { deployProtocol, DEFAULT_PARAMS, Ledger, refusalTo } from '../../wrappers/testkit';

describe('my first cocoon-ton test', () => {
    it('a worker unbonds from a plain wallet and leaves with its stake', async () => {
        const p = await deployProtocol({ workers: 1 });
        const { owner, worker } = p.workers[0];

        await p.run(() => worker.sendComment(owner.getSender(), WorkerComments.unbond, toNano('0.05')));
        expect((await worker.getState()).status).toBe(WorkerStatus.Unbonding);

        // Too early: a text command is never lost, the worker answers the wallet with a readable refusal.
        let e = await p.run(() => worker.sendComment(owner.getSender(), WorkerComments.withdraw, toNano('0.05')));
        expect(refusalTo(e.result, owner.address)?.error).toBe(Errors.unbondNotDue);

        p.advance(DEFAULT_PARAMS.unbondingPeriod);
        e = await p.run(() => worker.sendComment(owner.getSender(), WorkerComments.withdraw, toNano('0.05')));
        expect(Ledger.flow(e, owner.address)).toBeGreaterThan(DEFAULT_PARAMS.minStake);
    });
});
