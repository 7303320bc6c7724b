/**
 * The worker account's side of jobs and evidence that the job and slashing suites do not reach: evidence
 * signed by a rotated key, what a slashed worker may still do, the bounce paths of the worker's own
 * messages, and jobs opened under a job code that governance has since replaced.
 */
import { beginCell, Cell, toNano } from '@ton/core';
import '@ton/test-utils';
import { Errors, Op, WorkerStatus } from '../../wrappers/Constants';
import { equivocationBody } from '../../wrappers/payloads';
import { DEFAULT_PARAMS, ed25519FromLabel, Ledger, Protocol, RegisteredWorker } from '../../wrappers/testkit';
import { CLOSE_VALUE, deployForJobs, FINALIZE_VALUE, OpenedJob, openJob } from '../../wrappers/testkit/jobs';
import { refusalFrom, registrationRefusal } from '../../wrappers/testkit/replies';
import { deployRejecting } from '../../wrappers/testkit/rejecting';

const REPORT_VALUE = toNano('0.1');
const USAGE = { prompt: 200_000, cached: 0, completion: 80_000, reasoning: 0 };

describe('Worker account and jobs', () => {
    let p: Protocol;
    let j: OpenedJob;
    let w: RegisteredWorker;

    beforeEach(async () => {
        p = await deployForJobs();
        j = await openJob(p);
        w = j.worker;
    });

    /** Re-attests the worker with a fresh receipt key; returns the new key pair. */
    async function rotate(label: string) {
        const keys = ed25519FromLabel(label);
        await p.run(() => p.root.sendRegisterWorker(w.owner.getSender(), { ...w.registration, receiptKey: keys.publicKey }, toNano('0.1'), true));
        return keys;
    }

    describe('rotated receipt keys', () => {
        it('equivocation signed by the previous key is punished within the retention window', async () => {
            const old = w.receiptKeys.secretKey;
            p.advance(100);
            await rotate('rotated 1');
            p.advance(DEFAULT_PARAMS.unbondingPeriod - 101);
            const reporter = await p.wallet('reporter');
            const e = await p.run(() =>
                w.worker.sendRaw(reporter.getSender(), equivocationBody(j.receipt({ seqno: 7, cost: 1n }, old), j.receipt({ seqno: 7, cost: 2n }, old)), REPORT_VALUE),
            );
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: true });
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Slashed);
        });

        it('should reject evidence signed by the previous key after the retention window', async () => {
            const old = w.receiptKeys.secretKey;
            await rotate('rotated 2');
            p.advance(DEFAULT_PARAMS.unbondingPeriod);
            const reporter = await p.wallet('reporter');
            const e = await p.run(() =>
                w.worker.sendRaw(reporter.getSender(), equivocationBody(j.receipt({ seqno: 7, cost: 1n }, old), j.receipt({ seqno: 7, cost: 2n }, old)), REPORT_VALUE),
            );
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.badSignature });
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Active);
        });

        it('should reject a pair signed one by the previous key and one by the current key', async () => {
            const old = w.receiptKeys.secretKey;
            const current = await rotate('rotated 3');
            const reporter = await p.wallet('reporter');
            const e = await p.run(() =>
                w.worker.sendRaw(reporter.getSender(), equivocationBody(j.receipt({ seqno: 7, cost: 1n }, old), j.receipt({ seqno: 7, cost: 2n }, current.secretKey)), REPORT_VALUE),
            );
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.evidenceKeyMismatch });
        });
    });

    describe('a slashed worker', () => {
        beforeEach(async () => {
            const reporter = await p.wallet('reporter');
            await p.run(() => w.worker.sendRaw(reporter.getSender(), equivocationBody(j.receipt({ seqno: 1, cost: 1n }), j.receipt({ seqno: 1, cost: 2n })), REPORT_VALUE));
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Slashed);
        });

        it('should refuse a re-attestation, returning the value', async () => {
            const e = await p.run(() => p.root.sendRegisterWorker(w.owner.getSender(), w.registration, toNano('0.1'), true));
            expect(registrationRefusal(e.result, w.owner.address)).toBe(Errors.workerSlashed);
        });

        it('may only unbond and withdraw what is left; cancelling the unbonding is refused', async () => {
            await p.run(() => w.worker.sendRequestUnbond(w.owner.getSender(), toNano('0.05')));
            const s = await w.worker.getState();
            expect(s.status).toBe(WorkerStatus.Slashed);
            expect(s.unbondAt).toBe(p.blockchain.now! + DEFAULT_PARAMS.unbondingPeriod);
            let e = await p.run(() => w.worker.sendCancelUnbond(w.owner.getSender(), toNano('0.05')));
            expect(refusalFrom(e.result, w.worker.address)).toBe(Errors.notUnbonding);
            p.advance(DEFAULT_PARAMS.unbondingPeriod);
            e = await p.run(() => w.worker.sendWithdraw(w.owner.getSender(), toNano('0.05')));
            expect(Ledger.flow(e, w.owner.address)).toBeGreaterThan(s.stake);
        });
    });

    describe("bounce paths of the worker account's own messages", () => {
        it('a reward the reporter refuses is kept as stake', async () => {
            const refusing = await deployRejecting(p.blockchain, 11);
            p.ledger.track(refusing);
            const before = (await w.worker.getState()).stake;
            const e = await p.run(() =>
                w.worker.sendRaw(p.blockchain.sender(refusing), equivocationBody(j.receipt({ seqno: 2, cost: 1n }), j.receipt({ seqno: 2, cost: 2n })), REPORT_VALUE),
            );
            expect(e.result.transactions).toHaveTransaction({ from: refusing, to: w.worker.address, inMessageBounced: true });
            const slash = (before * BigInt(DEFAULT_PARAMS.slashBps)) / 10_000n;
            const reward = (slash * BigInt(DEFAULT_PARAMS.reporterBps)) / 10_000n;
            // The reward (and the rest of the reporter's value, less fees) came back into the stake.
            expect((await w.worker.getState()).stake).toBeGreaterThan(before - slash + reward);
        });

        it('a treasury deposit the root refuses is kept as stake', async () => {
            // Only a root whose code refuses deposits can bounce one: replace the root's code for this test.
            const rejecting = await deployRejecting(p.blockchain, 12, 0n);
            const code = (await p.blockchain.getContract(rejecting)).accountState;
            if (code?.type !== 'active') throw new Error('rejecting contract not active');
            const root = await p.blockchain.getContract(p.root.address);
            const account = root.account;
            if (account.account?.storage.state.type !== 'active') throw new Error('root not active');
            account.account.storage.state.state.code = code.state.code;
            await p.blockchain.setShardAccount(p.root.address, account);

            const reporter = await p.wallet('reporter');
            const before = (await w.worker.getState()).stake;
            const e = await p.run(() =>
                w.worker.sendRaw(reporter.getSender(), equivocationBody(j.receipt({ seqno: 2, cost: 1n }), j.receipt({ seqno: 2, cost: 2n })), REPORT_VALUE),
            );
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: w.worker.address, inMessageBounced: true });
            const slash = (before * BigInt(DEFAULT_PARAMS.slashBps)) / 10_000n;
            const reward = (slash * BigInt(DEFAULT_PARAMS.reporterBps)) / 10_000n;
            const after = (await w.worker.getState()).stake;
            expect(after).toBeGreaterThan(before - reward - toNano('0.001'));
            expect(after).toBeLessThan(before - reward);
        });

        it('a reply to a job that no longer exists is kept as stake', async () => {
            // A job that asks and is gone before the answer arrives: deploy the offer directly from a job address
            // the worker recognises, with no contract behind it to receive the reply.
            const ghost = await openJob(p, { allowRefusal: true, value: toNano('1'), maxPrices: { ...w.registration.prices, prompt: 0n } });
            expect(await ghost.job.getState().catch(() => 0)).toBe(0); // refused and deleted
            const before = (await w.worker.getState()).stake;
            const offer = beginCell().storeUint(Op.jobOffer, 32).storeUint(0, 64).storeAddress(ghost.client.address).storeUint(ghost.id.jobId, 64)
                .storeUint(3600, 32).storeRef(beginCell().storeCoins(toNano('9')).storeCoins(toNano('9')).storeCoins(toNano('9')).storeCoins(toNano('9')).endCell()).endCell();
            const e = await p.run(() => w.worker.sendRaw(p.blockchain.sender(ghost.address), offer, toNano('0.05')));
            expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, to: ghost.address, success: false });
            expect(e.result.transactions).toHaveTransaction({ from: ghost.address, to: w.worker.address, inMessageBounced: true });
            expect((await w.worker.getState()).stake).toBeGreaterThan(before);
        });
    });

    describe('job code generations', () => {
        const newJobCode = (n: number): Cell => beginCell().storeUint(0xc0de, 16).storeUint(n, 8).endCell();

        it('a job opened before job-code changes still reports to its worker, synced or not', async () => {
            j.serve(USAGE);
            await p.run(() => j.job.sendExtClaim(j.voucher()));
            for (const n of [1, 2]) {
                await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'setCode', jobCode: newJobCode(n) }, toNano('0.05')));
            }
            await p.run(() => p.root.sendSyncWorker(w.owner.getSender(), w.owner.address, 0, toNano('0.1')));
            await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
            p.advance(p.params.minChallenge);
            const e = await p.run(() => j.job.sendFinalize(j.client.getSender(), FINALIZE_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, op: Op.jobReport, success: true });
            expect((await w.worker.getReputation()).jobs).toBe(1);
        });
    });
});
