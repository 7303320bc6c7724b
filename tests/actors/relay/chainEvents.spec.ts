/**
 * The chain changes under a running relay: an image the council retires (at once, or at the end of its grace
 * after a successor) makes the relay stop using the worker for new requests; and a worker that signs two
 * different receipts for one job and seqno (or a receipt naming another model) is reported on-chain from the
 * relay's wallet and slashed, the reporter's share arriving in that wallet. Local chain (the embedded chain layer over @ton/sandbox), the
 * relay's production W5-wallet funding adapter, real HTTP and the tiny real engine.
 */
import { Address, Cell, toNano } from '@ton/core';
import { equivocate, installReceiptFault } from '../../../actors/worker/dev/faults';
import { randomBytes } from 'crypto';
import { equivocationEvidenceId, parseSignedReceiptCell } from '../../../wrappers/payloads';
import { Worker } from '../../../wrappers/Worker';
import { JobState, WorkerStatus } from '../../../wrappers/Constants';
import { Job } from '../../../wrappers/Job';
import pino from 'pino';
import { closeIdleJobs } from '../../../actors/relay/jobs/lifecycle';
import { attest, freshKeys } from '../../../actors/worker/boot/attest';
import { startNetwork, Network, MODEL, API_KEY } from './kit/network';

jest.setTimeout(180_000);

const messages = [{ role: 'user' as const, content: 'Describe a lighthouse' }];

describe('relay: chain events', () => {
    let net: Network;
    let imageHash: Buffer;
    beforeAll(async () => {
        net = await startNetwork({ workers: 1 });
        imageHash = Buffer.from((await attest(net.sim, freshKeys())).imageHash);
    });
    afterAll(async () => {
        await net?.stop();
    });

    const account = () => net.workers[0].reg.worker.address;
    const entry = () => net.relay.registry.get(account().toRawString())!;
    const chat = () =>
        fetch(`${net.relayUrl}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: MODEL, messages, max_tokens: 6 }),
        });
    /** A chat answered by a worker whose receipt `fault` rewrites: the relay must refuse it with 502 receipt_rejected. */
    const refusedChat = async (fault: Parameters<typeof installReceiptFault>[0], reason: RegExp) => {
        const restore = installReceiptFault(fault);
        let res: Response;
        try {
            res = await chat();
        } finally {
            restore();
        }
        expect(res.status).toBe(502);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('receipt_rejected');
        expect(body.error.message).toMatch(reason);
    };
    const govern = (action: Parameters<Network['p']['root']['sendGovernance']>[1]) => net.p.run(() => net.p.root.sendGovernance(net.p.governance.getSender(), action, toNano('0.2')));

    it('an image retired by the council: the relay drops the worker on its next check and serves no new request through it', async () => {
        expect((await chat()).status).toBe(200);
        await govern({ kind: 'retireImage', imageHash });
        const dropped = await net.relay.recheck();
        expect(dropped.map((e) => e.account)).toEqual([account().toRawString()]);
        expect(entry().status).toBe('refused');
        expect(entry().reasons.join('\n')).toMatch(new RegExp(`image ${imageHash.toString('hex')} is not allowed on-chain now`));
        const res = await chat();
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('no_worker_available');
        // verification from scratch (a reconnection) refuses it for the same reason
        const again = await net.relay.checkWorker(account());
        expect(again.status).toBe('refused');
        expect(again.reasons.join('\n')).toMatch(/is not allowed on-chain now/);
        // and the relay's status says exactly why, to its operator
        const health = (await (await fetch(`${net.relayUrl}/health`)).json()) as { workers: Array<{ account: string; status: string; reasons: string[] }> };
        const seen = health.workers.find((w) => w.account === account().toRawString());
        expect(seen?.status).toBe('refused');
        expect(seen?.reasons.join('\n')).toMatch(new RegExp(`image ${imageHash.toString('hex')} is not allowed on-chain now`));
    });

    it('an image superseded with a grace period: still used during the grace, dropped once it ends', async () => {
        await govern({ kind: 'addImage', label: 'test image', imageHash }); // the council rolls the retirement back
        expect((await net.relay.checkWorker(account())).status).toBe('verified');
        await govern({ kind: 'addImage', label: 'test image', imageHash: Buffer.alloc(32, 0x5e), supersedes: imageHash, grace: 600 });
        expect(await net.relay.recheck()).toEqual([]);
        expect((await chat()).status).toBe(200);
        net.chain.advance(601);
        expect((await net.relay.recheck()).map((e) => e.account)).toEqual([account().toRawString()]);
        expect(entry().reasons.join('\n')).toMatch(/is not allowed on-chain now/);
        expect((await chat()).status).toBe(503);
    });

    it('a job is never opened for a worker the chain stopped allowing, even before the periodic check', async () => {
        await govern({ kind: 'addImage', label: 'test image', imageHash });
        expect((await net.relay.checkWorker(account())).status).toBe('verified');
        // every open job closed, so the next request needs a new escrow; then the image is retired again
        await net.relay.closeIdle(true);
        await govern({ kind: 'retireImage', imageHash });
        const jobsBefore = net.relayStore.jobs().length;
        expect((await chat()).status).toBe(503);
        expect(net.relayStore.jobs().length).toBe(jobsBefore);
        expect(entry().status).toBe('refused');
        await govern({ kind: 'addImage', label: 'test image', imageHash });
        expect((await net.relay.checkWorker(account())).status).toBe('verified');
    });

    it('close-idle with a voucher the worker never got: the relay claims it on-chain from its wallet, then closes the job', async () => {
        expect((await chat()).status).toBe(200);
        const job = net.relayStore.jobs().find((j) => j.state === 'open' && !j.stopped)!;
        const voucher = net.relayStore.getVoucher(job.address)!;
        expect(voucher.amount).toBe(job.cumulative);
        // as if the relay died between signing and sending, and the worker cannot be reached now
        net.relayStore.putVoucher({ ...voucher, sentAt: null });
        const jp = net.chain.provider(Address.parse(job.address));
        const j = Job.createFromAddress(Address.parse(job.address));
        const paidBefore = (await j.getJobData(jp)).paid;
        expect(paidBefore).toBeLessThan(voucher.amount);
        const closed = await closeIdleJobs({ store: net.relayStore, funding: net.funding, log: pino({ level: 'silent' }), now: Date.now(), idleMs: 0, deliver: null });
        expect(closed.map((c) => c.address)).toContain(job.address);
        // the worker is paid for every receipt the relay accepted before the challenge period starts
        const data = await j.getJobData(jp);
        expect(data.paid).toBe(voucher.amount);
        expect(data.state).toBe(JobState.Closing);
        expect(net.relayStore.getVoucher(job.address)!.sentAt).not.toBeNull();
        expect(net.relayStore.getJob(job.address)!.state).toBe('closing');
    });

    it('equivocation: a second, different receipt for a receipted seqno is reported from the relay wallet; the worker is slashed and the reporter paid', async () => {
        expect((await chat()).status).toBe(200);
        const job = net.relayStore.jobs().find((j) => j.state === 'open' && !j.stopped)!;
        const receipted = job.seqno;
        expect(receipted).toBeGreaterThan(0);
        const w = Worker.createFromAddress(account());
        const wp = net.chain.provider(account());
        const before = await w.getState(wp);
        const repBefore = await w.getReputation(wp);
        const params = await net.p.root.getParams();
        const walletBefore = (await net.chain.getAccount(net.relayWallet)).balance;

        // the hostile worker (the same dev fault switch `npm run demo` starts its cheating worker with): its key
        // signs the next answer's receipt under the seqno it already receipted
        await refusedChat(equivocate, /equivocation/);

        // payment stopped, the worker dropped, the evidence recorded as sent
        const stopped = net.relayStore.getJob(job.address)!;
        expect(stopped.stopped).toMatch(/equivocation/);
        expect(stopped.seqno).toBe(receipted);
        expect(entry().status).toBe('refused');
        expect(net.relayStore.hasEvidence(equivocationEvidenceId(Address.parse(job.address), job.nonce, receipted).toString('hex'))).toBe(true);
        const stored = net.relayStore.receipts(job.address).find((r) => r.seqno === receipted)!;
        expect(parseSignedReceiptCell(Cell.fromBoc(Buffer.from(stored.boc, 'base64'))[0]).receipt.seqno).toBe(receipted);

        // on-chain: slashed by slash_bps of the stake, the reporter's share to the relay wallet
        const after = await w.getState(wp);
        const slash = (before.stake * BigInt(params.slashBps)) / 10_000n;
        const reward = (slash * BigInt(params.reporterBps)) / 10_000n;
        expect(reward).toBeGreaterThan(0n);
        expect(after.stake).toBe(before.stake - slash);
        expect(after.status).toBe(WorkerStatus.Slashed);
        expect((await w.getReputation(wp)).slashes).toBe(repBefore.slashes + 1);
        const gained = (await net.chain.getAccount(net.relayWallet)).balance - walletBefore;
        // the wallet sent 0.1 TON with the report and got the reward plus the report's unspent value back
        expect(gained).toBeGreaterThan(reward - toNano('0.1'));
        expect(gained).toBeLessThanOrEqual(reward);

        // and the slashed worker is not used again
        expect((await net.relay.checkWorker(account())).status).toBe('refused');
        expect((await chat()).status).toBe(503);
    });

    it("wrong model: a receipt its key signed for another model is reported from the relay wallet; the worker is slashed and the reporter paid", async () => {
        // a fresh worker (the first one was slashed above), the only one the relay knows
        const cheat = await net.startWorker();
        const acct = cheat.reg.worker.address;
        net.relay.registry.clear();
        expect((await net.relay.checkWorker(acct, cheat.url)).status).toBe('verified');
        // an honest answer first opens the job, so the wallet's balance moves only by the report after it
        expect((await chat()).status).toBe(200);
        const w = Worker.createFromAddress(acct);
        const wp = net.chain.provider(acct);
        const before = await w.getState(wp);
        const repBefore = await w.getReputation(wp);
        const params = await net.p.root.getParams();
        const walletBefore = (await net.chain.getAccount(net.relayWallet)).balance;

        await refusedChat((r) => ({ ...r, modelHash: randomBytes(32) }), /model/);
        const job = net.relayStore.jobs().find((j) => j.worker === acct.toRawString())!;
        expect(job.stopped).toMatch(/model/);

        // only the honest receipt was accepted and stored
        expect(net.relayStore.receipts(job.address).map((r) => r.seqno)).toEqual([1]);
        // it landed: slashed by slash_bps of the stake, the reporter's share to the relay's wallet
        const after = await w.getState(wp);
        const slash = (before.stake * BigInt(params.slashBps)) / 10_000n;
        const reward = (slash * BigInt(params.reporterBps)) / 10_000n;
        expect(reward).toBeGreaterThan(0n);
        expect(after.status).toBe(WorkerStatus.Slashed);
        expect(after.stake).toBe(before.stake - slash);
        expect((await w.getReputation(wp)).slashes).toBe(repBefore.slashes + 1);
        const gained = (await net.chain.getAccount(net.relayWallet)).balance - walletBefore;
        expect(gained).toBeGreaterThan(reward - toNano('0.1'));
        expect(gained).toBeLessThanOrEqual(reward);
        expect((await net.relay.checkWorker(acct)).status).toBe('refused');
    });
});
