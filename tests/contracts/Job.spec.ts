/**
 * Job escrow (contracts/job.fc): the full life of a job against real root and worker accounts, every
 * rejection, every bounce path, and the get-methods. Every action runs under the TON conservation ledger
 * (p.run), and money assertions are exact to the nanoton.
 */
import { Address, beginCell, Cell, contractAddress, Message, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, JobState, Op, Tags, WorkerStatus } from '../../wrappers/Constants';
import { commentBody } from '../../wrappers/common';
import { refusalFrom, refusalTo } from '../../wrappers/testkit/replies';
import { loadCode } from '../../wrappers/code';
import { claimSplit, feesOf, initJobBody, Job, jobAddress, jobInitData, jobOfferBody, jobStateInit, parseJobPayoutBody,
    parseJobReportBody, parseJobStorage } from '../../wrappers/Job';
import { installBody } from '../../wrappers/stub';
import { GlobalId, SignedVoucher, ZERO_HEAD } from '../../wrappers/payloads';
import { DEFAULT_PRICES, ed25519FromLabel, Ledger, Protocol } from '../../wrappers/testkit';
import { gasConstant, gasConstantsIn } from '../../wrappers/testkit/gas';
import { computeFeeOf, gasOf, inValue, sentValue, sumForwardFees, txTo } from '../../wrappers/testkit/transactions';
import { CLAIM_VALUE, CLOSE_VALUE, deployForJobs, FINALIZE_VALUE, OpenedJob, openJob } from '../../wrappers/testkit/jobs';

const USAGE = { prompt: 200_000, cached: 50_000, completion: 80_000, reasoning: 20_000 };

async function balanceOf(p: Protocol, a: Address): Promise<bigint> {
    return (await p.blockchain.getContract(a)).balance;
}

async function accountType(p: Protocol, a: Address): Promise<string | undefined> {
    return (await p.blockchain.getContract(a)).accountState?.type;
}

describe('Job', () => {
    let p: Protocol;
    let j: OpenedJob;
    let stranger: SandboxContract<TreasuryContract>;
    const gasSeen: Record<string, number> = {};
    const see = (name: string, gas: number) => (gasSeen[name] = Math.max(gasSeen[name] ?? 0, gas));

    beforeEach(async () => {
        p = await deployForJobs();
        stranger = await p.wallet('stranger');
        j = await openJob(p, { value: toNano('5') });
    });

    afterAll(() => {
        console.log('job gas (max seen per handler):', gasSeen);
    });

    describe('open', () => {
        it('deploys, asks the worker account, and becomes active with its answer', async () => {
            const txs = j.opened.result.transactions;
            expect(txs).toHaveTransaction({ from: j.client.address, to: p.root.address, success: true, op: Op.openJob });
            expect(txs).toHaveTransaction({ from: p.root.address, to: j.address, deploy: true, success: true, op: Op.install });
            expect(txs).toHaveTransaction({ from: j.address, to: j.worker.worker.address, success: true, op: Op.jobOffer });
            expect(txs).toHaveTransaction({ from: j.worker.worker.address, to: j.address, success: true, op: Op.jobAccepted });
            see('job_open', gasOf(txTo(txs, j.address, Op.install)));
            see('job_answer', gasOf(txTo(txs, j.address, Op.jobAccepted)));
            see('job_worker_offer', gasOf(txTo(txs, j.worker.worker.address, Op.jobOffer)));

            const reserve = await j.job.getReserve();
            const data = await j.job.getJobData();
            expect(data.state).toBe(JobState.Active);
            // Nothing was at the address before: the deposit is what the root forwarded, less the reserve.
            expect(data.deposit).toBe(inValue(txTo(txs, j.address, Op.install)) - reserve);
            expect(data.paid).toBe(0n);
            expect(data.remaining).toBe(data.deposit);
            expect(data.head.equals(ZERO_HEAD)).toBe(true);
            expect(data.worker).toEqualAddress(j.worker.worker.address);
            // The job never holds less than it still owes plus what it keeps for itself.
            expect(await balanceOf(p, j.address)).toBeGreaterThan(data.deposit);

            const keys = await j.job.getKeys();
            expect(keys.clientKey).toEqual(j.clientKeys.publicKey);
            expect(keys.receiptKey).toEqual(j.worker.receiptKeys.publicKey);
            const prices = await j.job.getPrices();
            expect(prices.maxPrices).toEqual(DEFAULT_PRICES);
            expect(prices.workerPrices).toEqual(j.worker.registration.prices);
            const terms = await j.job.getTerms();
            expect(terms.feeBps).toBe(p.params.protocolFeeBps);
            expect(terms.challenge).toBe(p.params.minChallenge);
            expect(terms.jobId).toBe(j.id.jobId);
            expect(await j.job.getChallengeDeadline()).toBe(0);
            expect(await j.job.getRemaining()).toBe(data.deposit);
            expect(await j.job.getDeposit()).toBe(data.deposit);
            expect(await j.job.getPaid()).toBe(0n);
        });

        it('has the code-independent address the worker account derives, and runs the code the root installed', async () => {
            expect(jobAddress(j.id)).toEqualAddress(j.address);
            const fromRoot = await p.blockchain.runGetMethod(p.root.address, 'get_job_address', [
                { type: 'slice', cell: beginCell().storeAddress(j.client.address).endCell() },
                { type: 'slice', cell: beginCell().storeAddress(j.worker.worker.address).endCell() },
                { type: 'int', value: j.id.jobId },
            ]);
            expect(fromRoot.stackReader.readAddress()).toEqualAddress(j.address);
            const state = (await p.blockchain.getContract(j.address)).accountState;
            expect(state?.type === 'active' && state.state.code?.equals(p.codes.job)).toBe(true);
        });

        it('counts value that reached the address before open_job into the deposit', async () => {
            const client = await p.wallet('early client');
            const id = { root: p.root.address, client: client.address, worker: j.worker.worker.address, jobId: 77n };
            const job = p.blockchain.openContract(Job.createForJob(id));
            await p.run(() => stranger.send({ to: job.address, value: toNano('1'), bounce: false }));
            const early = await balanceOf(p, job.address);
            const clientKeys = ed25519FromLabel('early');
            const e = await p.run(() => p.root.sendOpenJob(client.getSender(), toNano('2'), { worker: id.worker, jobId: id.jobId, clientKey: clientKeys.publicKey, challenge: 600, maxPrices: DEFAULT_PRICES }));
            const before = early + inValue(txTo(e.result.transactions, job.address, Op.install));
            expect(await job.getDeposit()).toBe(before - (await job.getReserve()));
            expect(await job.getState()).toBe(JobState.Active);
        });

        it('should refuse and refund everything when the worker is not active', async () => {
            await p.run(() => j.worker.worker.sendRequestUnbond(j.worker.owner.getSender(), toNano('0.05')));
            expect((await j.worker.worker.getState()).status).toBe(WorkerStatus.Unbonding);
            const r = await openJob(p, { allowRefusal: true });
            const txs = r.opened.result.transactions;
            const refusal = txTo(txs, r.address, Op.jobRefused);
            expect(refusal.inMessage!.body.beginParse().skip(96).loadUint(32)).toBe(Errors.workerNotActive);
            expect(txs).toHaveTransaction({ from: r.address, to: r.client.address, success: true });
            expect(await accountType(p, r.address)).not.toBe('active');
            // The client lost exactly the fees of the chain, nothing else; the worker kept nothing.
            const entry = r.opened;
            expect(Ledger.flow(entry, r.client.address)).toBe(-(entry.fees + entry.forwardFees));
            expect(Ledger.flow(entry, r.worker.worker.address)).toBe(0n);
            see('job_answer', gasOf(refusal));
        });

        it('should refuse when the client maximum prices are below the worker prices', async () => {
            const r = await openJob(p, { allowRefusal: true, maxPrices: { ...DEFAULT_PRICES, completion: DEFAULT_PRICES.completion - 1n } });
            const refusal = txTo(r.opened.result.transactions, r.address, Op.jobRefused);
            expect(refusal.inMessage!.body.beginParse().skip(96).loadUint(32)).toBe(Errors.pricesTooLow);
            expect(await accountType(p, r.address)).not.toBe('active');
            expect(Ledger.flow(r.opened, r.client.address)).toBe(-(r.opened.fees + r.opened.forwardFees));
        });

        it('should refuse a challenge period outside the root bounds', async () => {
            for (const challenge of [p.params.minChallenge - 1, p.params.maxChallenge + 1]) {
                const r = await openJob(p, { allowRefusal: true, challenge });
                const refusal = txTo(r.opened.result.transactions, r.address, Op.jobRefused);
                expect(refusal.inMessage!.body.beginParse().skip(96).loadUint(32)).toBe(Errors.challengeOutOfRange);
                expect(await accountType(p, r.address)).not.toBe('active');
            }
        });

        it('a job code deployed by anyone but the root never opens (and its offer would not be recognised)', async () => {
            // The job code at the address derived from that code, opened by its client directly (the pre-stub way).
            const client = await p.wallet('forger');
            const init = { code: loadCode('Job'), data: jobInitData({ root: p.root.address, client: client.address, worker: j.worker.worker.address, jobId: 1n }) };
            const forged = contractAddress(0, init);
            const body = initJobBody({ clientKey: ed25519FromLabel('forger').publicKey, challenge: 600, maxPrices: DEFAULT_PRICES });
            const entry = await p.run(() => client.send({ to: forged, value: toNano('2'), init, body }));
            expect(entry.result.transactions).toHaveTransaction({ from: client.address, to: forged, success: false, exitCode: Errors.notRoot });
            expect(entry.result.transactions).not.toHaveTransaction({ to: j.worker.worker.address });
            // The failed deploy may leave the code at that address, but it never opened (and can't: only the root may).
            expect(Number((await p.blockchain.runGetMethod(forged, 'get_state')).stackReader.readBigNumber())).toBe(0);
            // The same contract asking the worker account anyway: not a job of this root.
            const offer = await p.run(() => j.worker.worker.sendRaw(p.blockchain.sender(forged), jobOfferBody({ queryId: 0n, client: client.address, jobId: 1n, challenge: 600, maxPrices: DEFAULT_PRICES }), toNano('0.05')));
            expect(offer.result.transactions).toHaveTransaction({ to: j.worker.worker.address, success: false, exitCode: Errors.notJob });
        });

        it('only the root installs code at a job address: anyone else is refused by the stub', async () => {
            const id = { ...j.id, jobId: 999n };
            const job = p.blockchain.openContract(Job.createForJob(id));
            const body = installBody(loadCode('Job'), initJobBody({ clientKey: j.clientKeys.publicKey, challenge: 600, maxPrices: DEFAULT_PRICES }));
            const entry = await p.run(() => stranger.send({ to: job.address, value: toNano('2'), init: jobStateInit(id), body }));
            expect(entry.result.transactions).toHaveTransaction({ from: stranger.address, to: job.address, success: false, exitCode: Errors.notRoot });
            expect(entry.result.transactions).toHaveTransaction({ from: job.address, to: stranger.address, inMessageBounced: true });
            expect(await job.getState().catch(() => 0)).toBe(0);
            expect(await balanceOf(p, job.address)).toBe(0n);
        });

        it('should refund when the worker address has no account (offer bounces)', async () => {
            const client = await p.wallet('lost client');
            const nowhere = Address.parse('0:' + '11'.repeat(32));
            const id = { root: p.root.address, client: client.address, worker: nowhere, jobId: 1n };
            const job = p.blockchain.openContract(Job.createForJob(id));
            const entry = await p.run(() => p.root.sendOpenJob(client.getSender(), toNano('2'), { worker: nowhere, jobId: 1n, clientKey: j.clientKeys.publicKey, challenge: 600, maxPrices: DEFAULT_PRICES }));
            expect(entry.result.transactions).toHaveTransaction({ to: job.address, inMessageBounced: true, success: true });
            expect(await accountType(p, job.address)).not.toBe('active');
            expect(Ledger.flow(entry, client.address)).toBe(-(entry.fees + entry.forwardFees));
        });

        it('the client of a job is whoever sent open_job to the root', async () => {
            const e = await p.run(() => p.root.sendOpenJob(stranger.getSender(), toNano('2'), { worker: j.worker.worker.address, jobId: j.id.jobId, clientKey: j.clientKeys.publicKey, challenge: 600, maxPrices: DEFAULT_PRICES }));
            const theirs = jobAddress({ ...j.id, client: stranger.address });
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: theirs, deploy: true, success: true });
            expect(e.result.transactions).not.toHaveTransaction({ to: j.address });
            expect((await p.blockchain.openContract(Job.createForJob({ ...j.id, client: stranger.address })).getTerms()).client).toEqualAddress(stranger.address);
        });

        it('a deposit that does not cover the reserve goes back to the client, and no job remains', async () => {
            const reserve = await j.job.getReserve();
            const id = { ...j.id, jobId: 1000n };
            const job = p.blockchain.openContract(Job.createForJob(id));
            const entry = await p.run(() => p.root.sendOpenJob(j.client.getSender(), reserve, { worker: id.worker, jobId: id.jobId, clientKey: j.clientKeys.publicKey, challenge: 600, maxPrices: DEFAULT_PRICES }));
            expect(entry.result.transactions).toHaveTransaction({ from: p.root.address, to: job.address, success: true });
            expect(entry.result.transactions).toHaveTransaction({ from: job.address, to: j.client.address, success: true });
            expect(await accountType(p, job.address)).not.toBe('active');
            expect(Ledger.flow(entry, j.client.address)).toBe(-(entry.fees + entry.forwardFees));
        });

        it('a second open_job of the same id refunds its value and leaves the job as it was', async () => {
            const before = await j.job.getJobData();
            const entry = await p.run(() => p.root.sendOpenJob(j.client.getSender(), toNano('1'), { worker: j.id.worker, jobId: j.id.jobId, clientKey: j.clientKeys.publicKey, challenge: 600, maxPrices: DEFAULT_PRICES }));
            expect(entry.result.transactions).toHaveTransaction({ from: p.root.address, to: j.address, op: Op.install, success: true });
            expect(entry.result.transactions).toHaveTransaction({ from: j.address, to: j.client.address, success: true });
            const after = await j.job.getJobData();
            expect({ ...after, worker: after.worker.toRawString() }).toEqual({ ...before, worker: before.worker.toRawString() });
            expect(Ledger.flow(entry, j.client.address)).toBe(-(entry.fees + entry.forwardFees));
        });

        it('open_job with a malformed body or a worker off the basechain is refused by the root with a comment', async () => {
            const bad = beginCell().storeUint(Op.openJob, 32).storeUint(0, 64).storeAddress(j.worker.worker.address).endCell();
            let e = await p.run(() => p.root.sendRaw(j.client.getSender(), bad, toNano('1')));
            expect(refusalFrom(e.result, p.root.address)).toBe(Errors.cellUnderflow);
            const masterchainWorker = Address.parse('-1:' + '22'.repeat(32));
            e = await p.run(() => p.root.sendOpenJob(j.client.getSender(), toNano('1'), { worker: masterchainWorker, jobId: 5n, clientKey: j.clientKeys.publicKey, challenge: 600, maxPrices: DEFAULT_PRICES }));
            expect(refusalFrom(e.result, p.root.address)).toBe(Errors.workerNotBasechain);
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: j.client.address, inMessageBounced: false });
        });

        it('should reject answers that do not come from its worker account', async () => {
            const body = beginCell().storeUint(Op.jobRefused, 32).storeUint(0, 64).storeUint(1, 32).endCell();
            const entry = await p.run(() => stranger.send({ to: j.address, value: toNano('0.05'), body }));
            expect(entry.result.transactions).toHaveTransaction({ to: j.address, success: false, exitCode: Errors.notWorker });
            expect(await j.job.getState()).toBe(JobState.Active);
        });
    });

    describe('claims', () => {
        it('pays growing vouchers by external message: exact amounts, fees derived, reputation counted at settlement', async () => {
            const owner = j.worker.owner.address;
            let paid = 0n;
            for (let i = 0; i < 4; i++) {
                j.serve(USAGE);
                const signed = j.voucher();
                const before = await balanceOf(p, j.address);
                const entry = await p.run(() => j.job.sendExtClaim(signed));
                const txs = entry.result.transactions;
                const jobTx = txs[0];
                see('job_ext_claim', gasOf(jobTx));
                see('job_worker_payout', gasOf(txTo(txs, j.worker.worker.address, Op.jobPayout)));
                const { net } = claimSplit(paid, j.cumulative, p.params.protocolFeeBps);
                // Payout threshold 0: the job pays the worker's share at once, less this claim's own costs.
                const payout = parseJobPayoutBody(jobTx.outMessages.get(0)!.body);
                expect(payout.nonce).toBe(j.nonce);
                expect(payout.amount).toBeLessThan(net);
                expect(await j.job.getWorkerOwed()).toBe(0n);
                // The escrow pays no gas: its balance drops by exactly what it sent plus its own fees, and
                // that is at most net (the gas constant over-charges a little, in the escrow's favour).
                const after = await balanceOf(p, j.address);
                expect(before - after).toBe(sentValue(jobTx) + jobTx.totalFees.coins + sumForwardFees(jobTx));
                expect(before - after).toBeLessThanOrEqual(net);
                expect(before - after).toBeGreaterThan(net - toNano('0.0003'));
                // The worker account keeps nothing: all of it goes on to the owner's wallet.
                expect(Ledger.flow(entry, j.worker.worker.address)).toBe(0n);
                const ownerTx = txTo(txs, owner);
                expect(Ledger.flow(entry, owner)).toBe(inValue(ownerTx) - ownerTx.totalFees.coins);
                paid = j.cumulative;
                const data = await j.job.getJobData();
                expect(data.paid).toBe(paid);
                expect(data.feesOwed).toBe(feesOf(paid, p.params.protocolFeeBps));
                expect(data.head.equals(j.head)).toBe(true);
                expect(data.tokens).toBe(j.tokens);
                expect(data.remaining).toBe(data.deposit - paid);
            }
            // Reputation is counted once, from the job's own report when it settles.
            expect(await j.worker.worker.getReputation()).toMatchObject({ jobs: 0, volume: 0n, tokens: 0n });
            await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
            p.advance(p.params.minChallenge);
            const settled = await p.run(() => j.job.sendFinalize(stranger.getSender(), FINALIZE_VALUE));
            const reportTx = txTo(settled.result.transactions, j.worker.worker.address, Op.jobReport);
            expect(reportTx.description.type === 'generic' && reportTx.description.aborted).toBe(false);
            const report = parseJobReportBody(reportTx.inMessage!.body);
            expect(report).toMatchObject({ paid, fees: feesOf(paid, p.params.protocolFeeBps), tokens: j.tokens, jobId: j.id.jobId });
            expect(report.client).toEqualAddress(j.client.address);
            const rep = await j.worker.worker.getReputation();
            expect(rep.jobs).toBe(1);
            expect(rep.volume).toBe(paid - feesOf(paid, p.params.protocolFeeBps));
            expect(rep.tokens).toBe(j.tokens);
        });

        it('pays a claim sent from any wallet; the claimer value joins the worker earnings', async () => {
            j.serve(USAGE);
            const signed = j.voucher();
            const { net } = claimSplit(0n, j.cumulative, p.params.protocolFeeBps);
            const before = await balanceOf(p, j.address);
            const entry = await p.run(() => j.job.sendClaim(stranger.getSender(), CLAIM_VALUE, signed));
            const txs = entry.result.transactions;
            const jobTx = txTo(txs, j.address, Op.claim);
            see('job_claim', gasOf(jobTx));
            // The payout is net plus the claimer's value less the gas bound; the escrow loses at most net.
            const payout = parseJobPayoutBody(jobTx.outMessages.get(0)!.body);
            expect(payout.amount).toBeGreaterThan(net);
            const drop = before - (await balanceOf(p, j.address));
            expect(drop).toBeLessThanOrEqual(net);
            expect(drop).toBe(payout.amount + computeFeeOf(jobTx) - CLAIM_VALUE);
            expect(inValue(jobTx)).toBe(CLAIM_VALUE);
            expect(txs).toHaveTransaction({ from: j.worker.worker.address, to: j.worker.owner.address, success: true });
            expect(await j.job.getPaid()).toBe(j.cumulative);
        });

        it('caps a voucher above the deposit at the deposit', async () => {
            const deposit = await j.job.getDeposit();
            const signed = j.voucher(deposit * 2n);
            await p.run(() => j.job.sendClaim(stranger.getSender(), CLAIM_VALUE, signed));
            expect(await j.job.getPaid()).toBe(deposit);
            expect(await j.job.getRemaining()).toBe(0n);
            // Nothing more can be drawn.
            const again = j.voucher(deposit * 3n);
            await expect(j.job.sendExtClaim(again)).rejects.toThrow(`Exit code: ${Errors.voucherNotNewer}`);
        });

        it('accepts top-ups from anyone: op, plain transfer, empty comment or a deposit word; refuses other texts', async () => {
            const deposit = await j.job.getDeposit();
            const e1 = await p.run(() => j.job.sendTopUp(stranger.getSender(), toNano('1')));
            const t1 = txTo(e1.result.transactions, j.address);
            see('job_top_up', gasOf(t1));
            const d1 = await j.job.getDeposit();
            expect(d1 - deposit).toBeGreaterThan(toNano('1') - toNano('0.005'));
            expect(d1 - deposit).toBeLessThanOrEqual(toNano('1') - computeFeeOf(t1));
            await p.run(() => stranger.send({ to: j.address, value: toNano('1'), bounce: true }));
            const d2 = await j.job.getDeposit();
            expect(d2 - d1).toBe(d1 - deposit); // same gas charge for an empty body
            await p.run(() => stranger.send({ to: j.address, value: toNano('1'), body: commentBody(' Top up') }));
            const d3 = await j.job.getDeposit();
            expect(d3 - d2).toBeGreaterThan(toNano('1') - toNano('0.005'));
            // any other text is refused with its value and a reason, never taken as a deposit
            const e4 = await p.run(() => stranger.send({ to: j.address, value: toNano('1'), body: commentBody('for the GPU') }));
            expect(refusalTo(e4.result, stranger.address)?.error).toBe(Errors.notACommand);
            expect(await j.job.getDeposit()).toBe(d3);
        });

        it('pays vouchers signed in TypeScript whose head commits to the receipt chain', async () => {
            const r1 = j.serve(USAGE);
            const r2 = j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher()));
            const { chainHeadOf } = await import('../../wrappers/payloads');
            expect((await j.job.getJobData()).head.equals(chainHeadOf([r1.cell, r2.cell]))).toBe(true);
        });
    });

    describe('rejections', () => {
        beforeEach(() => {
            j.serve(USAGE);
        });

        async function rejectExt(signed: SignedVoucher, code: number) {
            const before = await balanceOf(p, j.address);
            const data = await j.job.getJobData();
            await expect(j.job.sendExtClaim(signed)).rejects.toThrow(`Exit code: ${code}`);
            // A failing external costs the job nothing and changes nothing.
            expect(await balanceOf(p, j.address)).toBe(before);
            const now = await j.job.getJobData();
            expect({ ...now, worker: now.worker.toString() }).toEqual({ ...data, worker: data.worker.toString() });
        }

        async function rejectInt(signed: SignedVoucher, code: number) {
            const before = await balanceOf(p, j.address);
            const entry = await p.run(() => j.job.sendClaim(stranger.getSender(), CLAIM_VALUE, signed));
            expect(entry.result.transactions).toHaveTransaction({ from: stranger.address, to: j.address, success: false, aborted: true, exitCode: code });
            expect(entry.result.transactions).toHaveTransaction({ from: j.address, to: stranger.address, inMessageBounced: true });
            expect(await balanceOf(p, j.address)).toBe(before);
        }

        it('should reject a bad signature', async () => {
            const signed = j.voucher();
            const bad = { ...signed, signature: Buffer.from(signed.signature).fill(7, 0, 8) };
            await rejectExt(bad, Errors.badSignature);
            await rejectInt(bad, Errors.badSignature);
        });

        it("should reject a voucher signed with another key (the worker's own, say)", async () => {
            const signed = j.voucher(undefined, { secretKey: j.worker.receiptKeys.secretKey });
            await rejectExt(signed, Errors.badSignature);
            await rejectInt(signed, Errors.badSignature);
        });

        it('should reject a stale or equal amount, and a replay of the same voucher', async () => {
            const signed = j.voucher();
            await p.run(() => j.job.sendExtClaim(signed));
            await rejectExt(signed, Errors.voucherNotNewer); // replay, external
            await rejectInt(signed, Errors.voucherNotNewer); // replay, internal
            await rejectExt(j.voucher(j.cumulative - 1n), Errors.voucherNotNewer); // stale
            await rejectExt(j.voucher(j.cumulative), Errors.voucherNotNewer); // equal, freshly signed
        });

        // The job rebuilds the signed voucher from its own tag, network, address and nonce: a voucher signed for
        // anything else does not verify there.
        it('should reject a voucher with the wrong tag (a receipt tag)', async () => {
            const signed = j.voucher(undefined, { tag: Tags.receipt });
            await rejectExt(signed, Errors.badSignature);
            await rejectInt(signed, Errors.badSignature);
        });

        it('should reject a voucher for another network', async () => {
            expect(j.globalId).toBe(GlobalId.mainnet);
            const signed = j.voucher(undefined, { globalId: GlobalId.testnet });
            await rejectExt(signed, Errors.badSignature);
            await rejectInt(signed, Errors.badSignature);
        });

        it('should reject a voucher for another life of the job (another nonce)', async () => {
            const signed = j.voucher(undefined, { nonce: j.nonce - 1n });
            await rejectExt(signed, Errors.badSignature);
            await rejectInt(signed, Errors.badSignature);
        });

        it('should reject a voucher for another job', async () => {
            const other = await openJob(p, { client: j.client, clientKeys: j.clientKeys, jobId: 4242n });
            const signed = j.voucher(undefined, { job: other.address, nonce: other.nonce });
            await rejectExt(signed, Errors.badSignature);
            await rejectInt(signed, Errors.badSignature);
            // ...and the voucher is good where it belongs.
            await p.run(() => other.job.sendExtClaim(signed));
            expect(await other.job.getPaid()).toBe(j.cumulative);
        });

        it('should reject an external claim whose payout would not cover its own gas', async () => {
            await rejectExt(j.voucher(1000n), Errors.payoutBelowGas);
        });

        it('should reject an internal claim whose value does not pay its gas', async () => {
            const entry = await p.run(() => j.job.sendClaim(stranger.getSender(), toNano('0.002'), j.voucher()));
            expect(entry.result.transactions).toHaveTransaction({ to: j.address, success: false, exitCode: Errors.insufficientValue });
        });

        it('should reject malformed externals before accepting them', async () => {
            const before = await balanceOf(p, j.address);
            await expect(p.blockchain.sendMessage({ info: { type: 'external-in', dest: j.address, importFee: 0n }, body: beginCell().storeUint(Op.claim, 32).endCell() })).rejects.toThrow();
            await expect(p.blockchain.sendMessage({ info: { type: 'external-in', dest: j.address, importFee: 0n }, body: beginCell().storeUint(Op.extClaim, 32).endCell() })).rejects.toThrow();
            expect(await balanceOf(p, j.address)).toBe(before);
        });

        it('should reject claims while the worker has not answered (pending)', async () => {
            // A "worker" that never answers: a plain wallet.
            const client = await p.wallet('patient');
            const id = { root: p.root.address, client: client.address, worker: stranger.address, jobId: 5n };
            const job = p.blockchain.openContract(Job.createForJob(id));
            await p.run(() => p.root.sendOpenJob(client.getSender(), toNano('2'), { worker: id.worker, jobId: id.jobId, clientKey: j.clientKeys.publicKey, challenge: 600, maxPrices: DEFAULT_PRICES }));
            expect(await job.getState()).toBe(JobState.Pending);
            const pendingJob = new OpenedJob(p, job, id, client, j.clientKeys, j.worker, DEFAULT_PRICES, j.globalId, j.opened);
            pendingJob.serve(USAGE);
            await expect(job.sendExtClaim(pendingJob.voucher())).rejects.toThrow(`Exit code: ${Errors.jobNotActive}`);
            const e = await p.run(() => job.sendClaim(stranger.getSender(), CLAIM_VALUE, pendingJob.voucher()));
            expect(e.result.transactions).toHaveTransaction({ to: job.address, success: false, exitCode: Errors.jobNotActive });
            // Close is refused until the worker's time to answer is over (then it cancels: MoneyAttacks.spec.ts).
            const c = await p.run(() => job.sendClose(client.getSender(), CLOSE_VALUE));
            expect(c.result.transactions).toHaveTransaction({ to: job.address, success: false, exitCode: Errors.answerNotDue });
        });

        it('should reject a claim after finalize (the account is gone)', async () => {
            await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
            p.advance(p.params.minChallenge);
            await p.run(() => j.job.sendFinalize(stranger.getSender(), FINALIZE_VALUE));
            expect(await accountType(p, j.address)).not.toBe('active');
            await expect(j.job.sendExtClaim(j.voucher())).rejects.toThrow();
        });
    });

    describe('close and finalize', () => {
        it('closes, lets the worker claim inside the challenge period, then anyone finalizes: exact settlement', async () => {
            j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher()));

            const close = await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
            see('job_close', gasOf(txTo(close.result.transactions, j.address)));
            expect(await j.job.getState()).toBe(JobState.Closing);
            const deadline = await j.job.getChallengeDeadline();
            expect(deadline).toBe(p.blockchain.now! + p.params.minChallenge);

            p.advance(p.params.minChallenge - 1);
            j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher())); // inside the challenge period
            expect(await j.job.getPaid()).toBe(j.cumulative);

            const early = await p.run(() => j.job.sendFinalize(stranger.getSender(), FINALIZE_VALUE));
            expect(early.result.transactions).toHaveTransaction({ to: j.address, success: false, exitCode: Errors.challengeNotOver });

            p.advance(1);
            j.serve(USAGE);
            await expect(j.job.sendExtClaim(j.voucher())).rejects.toThrow(`Exit code: ${Errors.challengeOver}`);
            const late = await p.run(() => j.job.sendClaim(stranger.getSender(), CLAIM_VALUE, j.voucher()));
            expect(late.result.transactions).toHaveTransaction({ to: j.address, success: false, exitCode: Errors.challengeOver });

            const owed = (await j.job.getJobData()).feesOwed;
            const before = await balanceOf(p, j.address);
            const fin = await p.run(() => j.job.sendFinalize(stranger.getSender(), FINALIZE_VALUE));
            const txs = fin.result.transactions;
            const jobTx = txTo(txs, j.address, Op.finalizeJob);
            see('job_finalize', gasOf(jobTx));
            expect(jobTx.endStatus).not.toBe('active');
            // The treasury gets exactly the fees owed; the client everything else.
            const rootTx = txTo(txs, p.root.address, Op.treasuryDeposit);
            expect(inValue(rootTx)).toBe(owed);
            const clientTx = txTo(txs, j.client.address);
            // Conservation at the job: all it held plus the finalizer's value left it, to the nanoton.
            const report = inValue(txTo(txs, j.worker.worker.address, Op.jobReport));
            expect(before + FINALIZE_VALUE).toBe(owed + report + inValue(clientTx) + jobTx.totalFees.coins + sumForwardFees(jobTx));
            expect(await accountType(p, j.address)).not.toBe('active');
        });

        it('closes with the text comment "close" and finalizes with "finalize"', async () => {
            await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE, { asText: true }));
            expect(await j.job.getState()).toBe(JobState.Closing);
            p.advance(p.params.minChallenge);
            const fin = await p.run(() => j.job.sendFinalize(j.client.getSender(), FINALIZE_VALUE, { asText: true }));
            // Nothing paid: no treasury message, everything back to the client.
            expect(fin.result.transactions).not.toHaveTransaction({ to: p.root.address });
            expect(fin.result.transactions).toHaveTransaction({ from: j.address, to: j.client.address, success: true });
            expect(await accountType(p, j.address)).not.toBe('active');
        });

        it('should reject close by a stranger, a second close, and finalize of an open job', async () => {
            const e1 = await p.run(() => j.job.sendClose(stranger.getSender(), CLOSE_VALUE));
            expect(e1.result.transactions).toHaveTransaction({ to: j.address, success: false, exitCode: Errors.notClient });
            const e1b = await p.run(() => j.job.sendClose(stranger.getSender(), CLOSE_VALUE, { asText: true }));
            expect(refusalTo(e1b.result, stranger.address)?.error).toBe(Errors.notClient); // a wallet's comment: refused with a reason
            expect(await j.job.getState()).toBe(JobState.Active);
            const e2 = await p.run(() => j.job.sendFinalize(j.client.getSender(), FINALIZE_VALUE));
            expect(e2.result.transactions).toHaveTransaction({ to: j.address, success: false, exitCode: Errors.notClosing });
            await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
            const e3 = await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
            expect(e3.result.transactions).toHaveTransaction({ to: j.address, success: false, exitCode: Errors.jobNotActive });
        });

        it('a final voucher alone is the client close: the challenge period starts, the worker may still claim', async () => {
            j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher(undefined, { final: true })));
            expect(await j.job.getState()).toBe(JobState.Closing);
            expect(await j.job.getChallengeDeadline()).toBe(p.blockchain.now! + j.challenge);
            j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher()));
            expect(await j.job.getPaid()).toBe(j.cumulative);
            // A second final voucher changes nothing about the deadline.
            j.serve(USAGE);
            p.advance(10);
            await p.run(() => j.job.sendExtClaim(j.voucher(undefined, { final: true })));
            expect(await j.job.getChallengeDeadline()).toBe(p.blockchain.now! - 10 + j.challenge);
        });

        it('settles at once on a final voucher countersigned by the worker: earnings with the report, fees to the treasury, the rest to the client', async () => {
            j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher()));
            j.serve(USAGE);
            const final = j.voucher(undefined, { final: true });
            const owed = feesOf(j.cumulative, p.params.protocolFeeBps);
            const held = claimSplit(await j.job.getPaid(), j.cumulative, p.params.protocolFeeBps).net;
            const entry = await p.run(() => j.job.sendSettle(j.client.getSender(), CLOSE_VALUE, final, j.countersign(final), 3n));
            const txs = entry.result.transactions;
            const jobTx = txTo(txs, j.address, Op.settleJob);
            see('job_settle', gasOf(jobTx));
            expect(jobTx.endStatus).not.toBe('active');
            const reportTx = txTo(txs, j.worker.worker.address, Op.jobReport);
            expect(reportTx.description.type === 'generic' && reportTx.description.aborted).toBe(false);
            // The report carries the worker's share of the last voucher (its gas allowance on top).
            expect(inValue(reportTx)).toBeGreaterThan(held);
            expect(inValue(txTo(txs, p.root.address, Op.treasuryDeposit))).toBe(owed);
            expect(txs).toHaveTransaction({ from: j.address, to: j.client.address, success: true });
            const rep = await j.worker.worker.getReputation();
            expect(rep).toMatchObject({ jobs: 1, volume: j.cumulative - owed, tokens: j.tokens });
        });

        it('settles cooperatively at the amount already paid', async () => {
            j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher()));
            const final = j.voucher(undefined, { final: true });
            const entry = await p.run(() => j.job.sendSettle(stranger.getSender(), CLOSE_VALUE, final, j.countersign(final)));
            expect(entry.result.transactions).toHaveTransaction({ from: j.address, to: j.worker.worker.address, op: Op.jobReport, success: true });
            expect(inValue(txTo(entry.result.transactions, p.root.address, Op.treasuryDeposit))).toBe(feesOf(j.cumulative, p.params.protocolFeeBps));
            expect(await accountType(p, j.address)).not.toBe('active');
        });

        it('should reject a settlement without a valid worker countersignature, or on a voucher that is not final', async () => {
            j.serve(USAGE);
            const final = j.voucher(undefined, { final: true });
            const bySelf = j.voucher(undefined, { final: true });
            const cases: Array<[ReturnType<OpenedJob['voucher']>, Buffer, number]> = [
                [final, final.signature, Errors.badSignature], // the client "countersigning" itself
                [final, j.countersign(final, j.clientKeys.secretKey), Errors.badSignature],
                [final, j.countersign(bySelf, ed25519FromLabel('another worker').secretKey), Errors.badSignature],
                [j.voucher(), Buffer.from(j.countersign(final)), Errors.badSignature], // a cosignature of another voucher
            ];
            for (const [signed, cosignature, code] of cases) {
                const e = await p.run(() => j.job.sendSettle(j.client.getSender(), CLOSE_VALUE, signed, cosignature));
                expect(e.result.transactions).toHaveTransaction({ to: j.address, success: false, exitCode: code });
            }
            const notFinal = j.voucher();
            const cosigned = { ...notFinal, voucher: { ...notFinal.voucher, final: true } }; // countersign refuses a non-final voucher
            const e = await p.run(() => j.job.sendSettle(j.client.getSender(), CLOSE_VALUE, notFinal, j.countersign(cosigned)));
            expect(e.result.transactions).toHaveTransaction({ to: j.address, success: false, exitCode: Errors.notFinal });
            expect(await j.job.getState()).toBe(JobState.Active);
        });
    });

    describe('bounces', () => {
        async function withdrawWorker(): Promise<void> {
            await p.run(() => j.worker.worker.sendRequestUnbond(j.worker.owner.getSender(), toNano('0.05')));
            p.advance(p.params.unbondingPeriod);
            await p.run(() => j.worker.worker.sendWithdraw(j.worker.owner.getSender(), toNano('0.05')));
            expect(await accountType(p, j.worker.worker.address)).not.toBe('active');
        }

        it('keeps the earnings for the client when the payout bounces (worker account withdrawn), and winds the job down', async () => {
            j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher()));
            await withdrawWorker();
            j.serve(USAGE);
            const entry = await p.run(() => j.job.sendExtClaim(j.voucher()));
            const bounce = entry.result.transactions.find((t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.bounced);
            expect(entry.result.transactions).toHaveTransaction({ from: j.worker.worker.address, to: j.address, inMessageBounced: true, success: true });
            see('job_bounce', gasOf(bounce!));
            const data = await j.job.getJobData();
            // The claim stands (paid, tokens); the earnings came back and stay with the job, for the client.
            expect(data.paid).toBe(j.cumulative);
            expect(data.held).toBe(0n);
            // No more claims (their payouts would bounce again): the job is closing with its deadline now.
            expect(data.state).toBe(JobState.Closing);
            expect(data.deadline).toBe(p.blockchain.now);
            await expect(j.job.sendExtClaim(j.voucher())).rejects.toThrow(`Exit code: ${Errors.challengeOver}`);
            const fin = await p.run(() => j.job.sendFinalize(j.client.getSender(), FINALIZE_VALUE));
            expect(inValue(txTo(fin.result.transactions, p.root.address, Op.treasuryDeposit))).toBe(feesOf(j.cumulative, p.params.protocolFeeBps));
            expect(await accountType(p, j.address)).not.toBe('active');
        });

        it('the same for a payout asked for by anyone (pay_worker)', async () => {
            const batching = await p.registerWorker(await p.wallet('batching owner'), 0, { payoutThreshold: toNano('100') });
            const b = await openJob(p, { worker: batching });
            b.serve(USAGE);
            await p.run(() => b.job.sendExtClaim(b.voucher()));
            const held = await b.job.getWorkerOwed();
            expect(held).toBeGreaterThan(0n);
            await p.run(() => batching.worker.sendRequestUnbond(batching.owner.getSender(), toNano('0.05')));
            p.advance(p.params.unbondingPeriod);
            await p.run(() => batching.worker.sendWithdraw(batching.owner.getSender(), toNano('0.05')));
            const e = await p.run(() => b.job.sendPayWorker(stranger.getSender(), CLAIM_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: b.address, inMessageBounced: true, success: true });
            expect(await b.job.getState()).toBe(JobState.Closing);
            expect(await b.job.getWorkerOwed()).toBe(0n);
        });

        it('ignores a bounced payout of an earlier life of the same address', async () => {
            // A bounced job_payout whose nonce is not this life's: kept as balance, nothing else changes.
            const body = beginCell().storeUint(0xffffffff, 32).storeUint(Op.jobPayout, 32).storeCoins(toNano('1')).storeUint(j.nonce - 1n, 64).endCell();
            const before = await j.job.getJobData();
            await p.run(() => p.blockchain.sendMessage(internalFrom(j.worker.worker.address, j.address, toNano('0.5'), body, true)));
            const after = await j.job.getJobData();
            expect(after.state).toBe(before.state);
            expect(after.deposit).toBe(before.deposit);
        });
    });

    describe('gas constants', () => {
        it('every handler stays within its constant in contracts/gas.fc', async () => {
            // Run a full life so that every handler is measured in this test alone.
            j.serve(USAGE);
            const ext = await p.run(() => j.job.sendExtClaim(j.voucher()));
            see('job_ext_claim', gasOf(ext.result.transactions[0]));
            see('job_worker_payout', gasOf(txTo(ext.result.transactions, j.worker.worker.address)));
            j.serve(USAGE);
            const int = await p.run(() => j.job.sendClaim(stranger.getSender(), CLAIM_VALUE, j.voucher()));
            see('job_claim', gasOf(txTo(int.result.transactions, j.address)));
            const top = await p.run(() => j.job.sendTopUp(stranger.getSender(), toNano('1')));
            see('job_top_up', gasOf(txTo(top.result.transactions, j.address)));
            const close = await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
            see('job_close', gasOf(txTo(close.result.transactions, j.address)));
            p.advance(p.params.minChallenge);
            const fin = await p.run(() => j.job.sendFinalize(stranger.getSender(), FINALIZE_VALUE));
            see('job_finalize', gasOf(txTo(fin.result.transactions, j.address)));
            see('job_open', gasOf(txTo(j.opened.result.transactions, j.address, Op.install)));
            see('job_answer', gasOf(txTo(j.opened.result.transactions, j.address, Op.jobAccepted)));
            see('job_worker_offer', gasOf(txTo(j.opened.result.transactions, j.worker.worker.address, Op.jobOffer)));

            const constants = gasConstantsIn('gas', /^job_/);
            for (const [name, gas] of Object.entries(gasSeen)) {
                expect(constants[name]).toBeDefined();
                if (gas > constants[name]) throw new Error(`gas::${name}: measured ${gas} > constant ${constants[name]}`);
            }
        });

        it('job storage stays within max_size::job_storage_bits / cells', async () => {
            const state = (await p.blockchain.getContract(j.address)).accountState;
            if (state?.type !== 'active') throw new Error('inactive');
            const data = state.state.data!;
            const stored = parseJobStorage(data);
            expect(stored?.state).toBe(JobState.Active);
            let bits = 0;
            let cells = 0;
            const seen = new Set<string>();
            const walk = (c: Cell) => {
                if (seen.has(c.hash().toString('hex'))) return;
                seen.add(c.hash().toString('hex'));
                bits += c.bits.length;
                cells += 1;
                c.refs.forEach(walk);
            };
            walk(data);
            const maxBits = gasConstant('max_size::job_storage_bits');
            const maxCells = gasConstant('max_size::job_storage_cells');
            expect(bits).toBeLessThanOrEqual(maxBits);
            expect(cells).toBeLessThanOrEqual(maxCells);
        });
    });
});

/** An internal message as if sent by `from` (bounced when `bounced`), for tests that impersonate an account. */
function internalFrom(from: Address, to: Address, value: bigint, body: Cell, bounced = false): Message {
    return {
        info: { type: 'internal', ihrDisabled: true, bounce: false, bounced, src: from, dest: to, value: { coins: value }, ihrFee: 0n, forwardFee: 0n, createdLt: 0n, createdAt: 0 },
        body,
    };
}
