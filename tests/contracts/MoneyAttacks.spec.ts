/**
 * Attacks on the job escrow's money path, each reproduced as it would be played, then the property that
 * defeats it. One describe per finding; each test failed on the code before its fix (see the commit history).
 * Every action runs under the TON conservation ledger (p.run).
 */
import { Address, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, JobState, Op } from '../../wrappers/Constants';
import { extClaimBody } from '../../wrappers/payloads';
import { claimSplit, Job, JOB_ANSWER_TIMEOUT, jobStateInit, reportableTokens } from '../../wrappers/Job';
import { DEFAULT_PRICES, Ledger, Protocol } from '../../wrappers/testkit';
import { inlineBodyRoom, paddedBody, sendExternal } from '../../wrappers/testkit/externals';
import { deployRejecting } from '../../wrappers/testkit/rejecting';
import { CLAIM_VALUE, CLOSE_VALUE, deployForJobs, FINALIZE_VALUE, OpenedJob, openJob } from '../../wrappers/testkit/jobs';
import { gasOf } from '../../wrappers/testkit/transactions';

const USAGE = { prompt: 200_000, cached: 50_000, completion: 80_000, reasoning: 20_000 };
const MAX_UINT64 = (1n << 64n) - 1n;

async function balanceOf(p: Protocol, a: Address): Promise<bigint> {
    return (await p.blockchain.getContract(a)).balance;
}

async function isActive(p: Protocol, a: Address): Promise<boolean> {
    return (await p.blockchain.getContract(a)).accountState?.type === 'active';
}

describe('money-path attacks', () => {
    let p: Protocol;
    let stranger: SandboxContract<TreasuryContract>;

    beforeEach(async () => {
        p = await deployForJobs();
        stranger = await p.wallet('stranger');
    });

    describe('a client cannot void signed work (unilateral final voucher)', () => {
        let j: OpenedJob;
        beforeEach(async () => {
            j = await openJob(p, { value: toNano('5') });
        });

        it('should not settle on a final voucher at the paid amount: the worker keeps its challenge period and its later voucher pays', async () => {
            j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher()));
            const paid = await j.job.getPaid();
            // The worker serves more; the client signed for it, the worker has not claimed yet.
            j.serve(USAGE);
            const owed = j.voucher();
            // The client signs "final" at what was already paid and submits it itself.
            const cut = j.voucher(paid, { final: true });
            await p.run(() => j.job.sendClaim(j.client.getSender(), CLAIM_VALUE, cut));
            expect(await isActive(p, j.address)).toBe(true);
            expect(await j.job.getState()).toBe(JobState.Closing);
            expect(await j.job.getChallengeDeadline()).toBe(p.blockchain.now! + j.challenge);
            // Inside the challenge period the worker's larger voucher still pays.
            p.advance(j.challenge - 1);
            await p.run(() => j.job.sendExtClaim(owed));
            expect(await j.job.getPaid()).toBe(owed.voucher.amount);
        });

        it('should not settle at once on a final voucher above the paid amount either', async () => {
            j.serve(USAGE);
            const partial = j.voucher(j.cumulative / 2n, { final: true });
            j.serve(USAGE);
            const owed = j.voucher();
            await p.run(() => j.job.sendExtClaim(partial)); // anyone may submit it, the client included
            expect(await isActive(p, j.address)).toBe(true);
            expect(await j.job.getPaid()).toBe(partial.voucher.amount);
            expect(await j.job.getState()).toBe(JobState.Closing);
            await p.run(() => j.job.sendExtClaim(owed));
            expect(await j.job.getPaid()).toBe(owed.voucher.amount);
        });
    });

    describe('no state lacks an exit (a pending job)', () => {
        /** A job whose "worker" is a plain wallet: the offer is swallowed and no answer ever comes. */
        async function pendingJob(): Promise<{ job: SandboxContract<Job>; client: SandboxContract<TreasuryContract> }> {
            const client = await p.wallet('patient client');
            const id = { root: p.root.address, client: client.address, worker: stranger.address, jobId: 5n };
            const job = p.blockchain.openContract(Job.createForJob(id));
            // The root deploys the job (open_job through the root); its offer goes to a wallet that never answers.
            await p.run(() => p.root.sendOpenJob(client.getSender(), toNano('2'), {
                worker: id.worker, jobId: id.jobId, clientKey: Buffer.alloc(32, 1), challenge: 600, maxPrices: DEFAULT_PRICES }));
            expect(await job.getState()).toBe(JobState.Pending);
            return { job, client };
        }

        it('lets the client cancel a job the worker never answered, after the answer timeout, with everything refunded', async () => {
            const { job, client } = await pendingJob();
            const early = await p.run(() => job.sendClose(client.getSender(), CLOSE_VALUE));
            expect(early.result.transactions).toHaveTransaction({ to: job.address, success: false });
            expect(await job.getState()).toBe(JobState.Pending);
            p.advance(JOB_ANSWER_TIMEOUT);
            const held = await balanceOf(p, job.address);
            const cancel = await p.run(() => job.sendClose(client.getSender(), CLOSE_VALUE));
            expect(cancel.result.transactions).toHaveTransaction({ from: job.address, to: client.address, success: true });
            expect(await isActive(p, job.address)).toBe(false);
            // The client got back all the job held and its own message's value, less this chain's fees.
            expect(Ledger.flow(cancel, client.address)).toBe(held - cancel.fees - cancel.forwardFees);
        });

        it('a refund the client refuses waits at the job address and joins the deposit when the client opens the id again', async () => {
            const refusing = await deployRejecting(p.blockchain, 21);
            p.ledger.track(refusing);
            const via = p.blockchain.sender(refusing);
            const id = { root: p.root.address, client: refusing, worker: stranger.address, jobId: 6n };
            const job = p.blockchain.openContract(Job.createForJob(id));
            // The refusing contract opens through the root like any client (the root deploys the job for it).
            const open = (value: bigint) =>
                p.run(() => p.root.sendOpenJob(via, value, {
                    worker: id.worker, jobId: id.jobId, clientKey: Buffer.alloc(32, 2), challenge: 600, maxPrices: DEFAULT_PRICES }));
            await open(toNano('2'));
            expect(await job.getState()).toBe(JobState.Pending);
            p.advance(JOB_ANSWER_TIMEOUT);
            const held = await balanceOf(p, job.address);
            const cancel = await p.run(() => job.sendClose(via, CLOSE_VALUE));
            expect(cancel.result.transactions).toHaveTransaction({ from: refusing, to: job.address, inMessageBounced: true });
            expect(await isActive(p, job.address)).toBe(false);
            const waiting = await balanceOf(p, job.address);
            expect(waiting).toBeGreaterThan(held - toNano('0.01'));
            // The client opens the same id again: a new life, whose deposit counts what was waiting.
            await open(toNano('1'));
            const deposit = await job.getDeposit();
            // Compared with a fresh open of the same value (same root gas and forwarding): the waiting refund on top.
            await p.run(() => p.root.sendOpenJob(via, toNano('1'), {
                worker: id.worker, jobId: 7n, clientKey: Buffer.alloc(32, 2), challenge: 600, maxPrices: DEFAULT_PRICES }));
            const fresh = await p.blockchain.openContract(Job.createForJob({ ...id, jobId: 7n })).getDeposit();
            expect(deposit).toBeLessThanOrEqual(fresh + waiting);
            expect(deposit).toBeGreaterThan(fresh + waiting - toNano('0.001')); // less only the storage rent of the wait
            expect(await job.getNonce()).toBeGreaterThan(0n);
        });

        it('should reject a cancellation by anyone but the client', async () => {
            const { job } = await pendingJob();
            p.advance(JOB_ANSWER_TIMEOUT);
            const e = await p.run(() => job.sendClose(stranger.getSender(), CLOSE_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: job.address, success: false, exitCode: Errors.notClient });
            expect(await job.getState()).toBe(JobState.Pending);
        });
    });

    describe('reputation cannot be frozen or inflated for free', () => {
        it('reports at most the tokens the payment buys at the agreed prices', async () => {
            const j = await openJob(p, { value: toNano('5') });
            const amount = toNano('0.1');
            await p.run(() => j.job.sendExtClaim(j.voucher(amount, { tokens: MAX_UINT64 })));
            await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
            p.advance(j.challenge);
            await p.run(() => j.job.sendFinalize(stranger.getSender(), FINALIZE_VALUE));
            const rep = await j.worker.worker.getReputation();
            expect(rep.jobs).toBe(1);
            expect(rep.tokens).toBe(reportableTokens(amount, MAX_UINT64, j.prices));
            expect(rep.tokens).toBeLessThan(10_000_000n);
        });

        it("saturates the worker's token counter at 2^64 - 1 instead of freezing every later report", async () => {
            // A worker whose cheapest price is 1 nanoton per million tokens: 18,447 TON buys 2^64 - 1 tokens.
            const cheap = { ...DEFAULT_PRICES, cached: 1n };
            const worker = await p.registerWorker(await p.wallet('cheap owner'), 0, { prices: cheap });
            const rich = await p.wallet('rich client', toNano('100000'));
            const settle = async (j: OpenedJob, amount: bigint, tokens: bigint) => {
                await p.run(() => j.job.sendClaim(rich.getSender(), CLAIM_VALUE, j.voucher(amount, { tokens })));
                await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
                p.advance(j.challenge);
                return p.run(() => j.job.sendFinalize(stranger.getSender(), FINALIZE_VALUE));
            };
            const big = await openJob(p, { worker, client: rich, value: toNano('20000') });
            const bigAmount = MAX_UINT64 / 1_000_000n + 1n;
            await settle(big, bigAmount, MAX_UINT64);
            let rep = await worker.worker.getReputation();
            expect(rep).toMatchObject({ jobs: 1, tokens: MAX_UINT64 });
            // One more job: its report still counts (jobs, volume), the token counter stays at its maximum.
            const next = await openJob(p, { worker, client: rich, value: toNano('5') });
            const e = await settle(next, toNano('0.5'), 1000n);
            expect(e.result.transactions).toHaveTransaction({ to: worker.worker.address, op: Op.jobReport, success: true });
            rep = await worker.worker.getReputation();
            expect(rep.jobs).toBe(2);
            expect(rep.tokens).toBe(MAX_UINT64);
        });
    });

    describe('a voucher binds the life of the job it pays', () => {
        it('should pay nothing for a voucher of an earlier life after the client reopens the same job id', async () => {
            const first = await openJob(p, { value: toNano('5') });
            first.serve(USAGE);
            const claimed = first.voucher();
            await p.run(() => first.job.sendExtClaim(claimed));
            await p.run(() => first.job.sendClose(first.client.getSender(), CLOSE_VALUE));
            p.advance(first.challenge);
            await p.run(() => first.job.sendFinalize(stranger.getSender(), FINALIZE_VALUE));
            expect(await isActive(p, first.address)).toBe(false);

            // docs/protocol.md tells clients they may reopen the same id: same address, a new life.
            const second = await openJob(p, { client: first.client, clientKeys: first.clientKeys, jobId: first.id.jobId, value: toNano('5') });
            expect(second.address).toEqualAddress(first.address);
            const before = await balanceOf(p, second.address);
            await expect(second.job.sendExtClaim(claimed)).rejects.toThrow();
            const replay = await p.run(() => second.job.sendClaim(stranger.getSender(), CLAIM_VALUE, claimed));
            expect(replay.result.transactions).toHaveTransaction({ to: second.address, success: false });
            expect(await second.job.getPaid()).toBe(0n);
            expect(await balanceOf(p, second.address)).toBe(before);
            // A voucher of the new life pays.
            second.serve(USAGE);
            await p.run(() => second.job.sendExtClaim(second.voucher()));
            expect(await second.job.getPaid()).toBe(second.cumulative);
        });
    });

    describe('an external claim pays exactly its own costs', () => {
        let j: OpenedJob;
        beforeEach(async () => {
            j = await openJob(p, { value: toNano('5') });
            j.serve(USAGE);
        });

        it('should reject an external claim re-wrapped with its body in a ref, costing the job nothing', async () => {
            const before = await balanceOf(p, j.address);
            const paid = await j.job.getPaid();
            const body = extClaimBody(j.voucher());
            // Padded past the room in the message cell, the body has to travel in a ref: an extra cell the
            // import fee charges for.
            const rewrapped = paddedBody(body, inlineBodyRoom(j.address) - body.bits.length + 1);
            let leak: bigint | undefined;
            try {
                const e = await sendExternal(p.blockchain, j.address, rewrapped);
                // Accepted: how much more than the net the escrow paid (what left it beyond the claim's net).
                const { net } = claimSplit(0n, j.cumulative, p.params.protocolFeeBps);
                leak = before - (await balanceOf(p, j.address)) - net + 0n * BigInt(e.transactions.length);
            } catch {
                // rejected before accept_message: the job paid nothing
            }
            expect({ accepted: leak !== undefined, leak }).toEqual({ accepted: false, leak: undefined });
            expect(await balanceOf(p, j.address)).toBe(before);
            expect(await j.job.getPaid()).toBe(paid);
        });

        it('should reject an external claim with anything after its fields, even inline', async () => {
            const before = await balanceOf(p, j.address);
            await expect(sendExternal(p.blockchain, j.address, paddedBody(extClaimBody(j.voucher()), 8))).rejects.toThrow();
            expect(await balanceOf(p, j.address)).toBe(before);
        });

        it('should reject an external claim carrying a state init', async () => {
            const before = await balanceOf(p, j.address);
            await expect(sendExternal(p.blockchain, j.address, extClaimBody(j.voucher()), { init: jobStateInit(j.id) })).rejects.toThrow();
            expect(await balanceOf(p, j.address)).toBe(before);
        });

        it("charges the claim's gas and import fee to the worker's share: the escrow pays nothing beyond it", async () => {
            const before = await balanceOf(p, j.address);
            const owedBefore = await j.job.getWorkerOwed();
            const e = await p.run(() => j.job.sendExtClaim(j.voucher()));
            const tx = e.result.transactions[0];
            const { net } = claimSplit(0n, j.cumulative, p.params.protocolFeeBps);
            const owedAfter = await j.job.getWorkerOwed();
            const credited = owedAfter - owedBefore;
            const spent = before - (await balanceOf(p, j.address));
            // What left the job (fees, and a payout if the threshold was reached) plus what it now owes the worker
            // never exceeds the net the voucher moved; the difference is the gas bound's slack, kept by the job.
            expect(spent + credited).toBeLessThanOrEqual(net);
            expect(net - (spent + credited)).toBeLessThan(toNano('0.0003'));
            expect(tx.totalFees.coins).toBeGreaterThan(0n);
        });
    });

    describe('cheaper claims', () => {
        it('an external claim below the payout threshold is one transaction of at most 6,000 gas', async () => {
            const worker = await p.registerWorker(await p.wallet('batching owner'), 0, { payoutThreshold: toNano('1') });
            const j = await openJob(p, { worker, value: toNano('10') });
            for (let i = 0; i < 3; i++) {
                j.serve(USAGE);
                const e = await p.run(() => j.job.sendExtClaim(j.voucher()));
                expect(e.result.transactions.length).toBe(1);
                expect(gasOf(e.result.transactions[0])).toBeLessThanOrEqual(6000);
            }
        });
    });
});
