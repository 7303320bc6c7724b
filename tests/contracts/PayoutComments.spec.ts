/**
 * Every payout and refund a plain wallet receives says what it is: a text comment the wallet shows, never an
 * unknown binary operation. One test per comment the contracts send (grep '"cocoon:' contracts/*.fc); "stake
 * withdrawn", "payout" (collect) and "job closed" are checked through the scripts' links (WalletLinks.spec.ts).
 */
import { Address, toNano } from '@ton/core';
import { internal, SendMessageResult } from '@ton/sandbox';
import '@ton/test-utils';
import { equivocationBody } from '../../wrappers/payloads';
import { commentBody } from '../../wrappers/common';
import { JobState } from '../../wrappers/Constants';
import { Job, openJobBody } from '../../wrappers/Job';
import { DEFAULT_PRICES, hashOf } from '../../wrappers/testkit';
import { deployForJobs, CLOSE_VALUE, openJob } from '../../wrappers/testkit/jobs';
import { deployCouncil } from '../../wrappers/testkit/council';
import { commentOf } from '../../wrappers/testkit/replies';

const USAGE = { prompt: 300_000, cached: 0, completion: 100_000, reasoning: 0 };

/** The text comments of the messages `result` delivered to `to`. */
function commentsTo(result: SendMessageResult, to: Address): string[] {
    return result.transactions.filter((t) => t.inMessage?.info.dest instanceof Address && t.inMessage.info.dest.equals(to)).map((t) => commentOf(t.inMessage!.body) ?? '<binary>');
}

describe('payouts and refunds carry their text comment', () => {
    it('a settled job: the client gets "cocoon: job settled", the worker\'s owner "cocoon: payout"', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        j.serve(USAGE);
        await p.run(() => j.job.sendExtClaim(j.voucher()));
        j.serve(USAGE);
        const final = j.voucher(undefined, { final: true });
        const { result } = await p.run(() => j.job.sendSettle(j.client.getSender(), CLOSE_VALUE, final, j.countersign(final)));
        expect(commentsTo(result, j.client.address)).toContain('cocoon: job settled');
        expect(commentsTo(result, j.worker.owner.address)).toContain('cocoon: payout');
    });

    it('proven equivocation: the reporter gets "cocoon: evidence reward"; the next client of the slashed worker "cocoon: job refused"', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        const reporter = await p.wallet('reporter');
        const body = equivocationBody(j.receipt({ seqno: 3, cost: 1000n }), j.receipt({ seqno: 3, cost: 2000n }));
        const { result } = await p.run(() => j.worker.worker.sendRaw(reporter.getSender(), body, toNano('0.1')));
        expect(commentsTo(result, reporter.address)).toContain('cocoon: evidence reward');
        const next = await openJob(p, { allowRefusal: true });
        expect(commentsTo(next.opened.result, next.client.address)).toContain('cocoon: job refused');
    });

    it('a job whose worker never answered, closed by its client after the answer timeout: "cocoon: job cancelled"', async () => {
        const p = await deployForJobs();
        const client = await p.wallet('unanswered client');
        const worker = p.workers[0].worker.address;
        const open = internal({
            from: client.address,
            to: p.root.address,
            value: toNano('3'),
            body: openJobBody({ worker, jobId: 5n, clientKey: hashOf('k'), challenge: p.params.minChallenge, maxPrices: DEFAULT_PRICES }),
        });
        // the root deploys the job and the job sends its offer; the offer is never delivered (the worker never answers)
        const job = p.blockchain.openContract(Job.createForJob({ root: p.root.address, client: client.address, worker, jobId: 5n }));
        const steps = await p.blockchain.sendMessageIter(open);
        for await (const tx of steps) if (tx.inMessage?.info.dest instanceof Address && tx.inMessage.info.dest.equals(job.address)) break;
        // The offer still waits in the sandbox's message queue: drop it, as a lost message (nothing else is queued).
        const queue = (p.blockchain as unknown as { defaultQueueManager: { messageQueue: unknown[] } }).defaultQueueManager.messageQueue;
        expect(queue).toHaveLength(1);
        queue.length = 0;
        expect(await job.getState()).toBe(JobState.Pending);
        p.advance(3_600 + 1);
        const r = await client.send({ to: job.address, value: toNano('0.05'), body: commentBody('close') });
        expect(commentsTo(r, client.address)).toContain('cocoon: job cancelled');
    });

    it('a treasury withdrawal by governance reaches its recipient as "cocoon: treasury withdrawal"', async () => {
        const k = await deployCouncil();
        await k.root.sendDeploy(k.outsider.getSender(), toNano('5')); // a donation: the treasury has something to give
        const to = await k.wallet('treasury recipient');
        const { result } = await k.enact([{ kind: 'root', value: toNano('0.05'), action: { kind: 'withdrawTreasury', amount: toNano('1'), to: to.address } }]);
        expect(commentsTo(result, to.address)).toContain('cocoon: treasury withdrawal');
    });
});
