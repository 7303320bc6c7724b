/**
 * Slashing by evidence at the worker account: receipts signed in TypeScript (wrappers/payloads.ts) and
 * verified by contracts/worker.fc. Exact stake arithmetic, the reporter's reward, the treasury's share,
 * and every rejection. All actions run under the conservation ledger.
 */
import { Address, Cell, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op, Tags, WorkerStatus } from '../../wrappers/Constants';
import { equivocationBody, equivocationEvidenceId, GlobalId, wrongModelBody, ZERO_HEAD } from '../../wrappers/payloads';
import { signReceipt } from '../../actors/crypto';
import { hashOf, Protocol, RegisteredWorker } from '../../wrappers/testkit';
import { deployForJobs, OpenedJob, openJob } from '../../wrappers/testkit/jobs';
import { uint256ToBuffer } from '../../wrappers/common';
import { inValue, txTo } from '../../wrappers/testkit/transactions';

const REPORT_VALUE = toNano('0.1');

describe('Slashing', () => {
    let p: Protocol;
    let j: OpenedJob;
    let w: RegisteredWorker;
    let reporter: SandboxContract<TreasuryContract>;

    beforeEach(async () => {
        p = await deployForJobs();
        j = await openJob(p);
        w = j.worker;
        reporter = await p.wallet('reporter');
    });

    async function report(body: Cell) {
        return p.run(() => w.worker.sendRaw(reporter.getSender(), body, REPORT_VALUE));
    }

    async function expectSlashed(entry: Awaited<ReturnType<typeof report>>, stakeBefore: bigint, evidenceId: Buffer) {
        const slash = (stakeBefore * BigInt(p.params.slashBps)) / 10_000n;
        const reward = (slash * BigInt(p.params.reporterBps)) / 10_000n;
        const txs = entry.result.transactions;
        expect(txs).toHaveTransaction({ from: reporter.address, to: w.worker.address, success: true });
        const state = await w.worker.getState();
        expect(state.stake).toBe(stakeBefore - slash);
        expect(state.status).toBe(WorkerStatus.Slashed);
        const rep = await w.worker.getReputation();
        expect(rep.slashes).toBe(1);
        expect(rep.slashed).toBe(slash);
        // The treasury gets exactly slash - reward; the reporter the reward plus what is left of its value.
        expect(inValue(txTo(txs, p.root.address, Op.treasuryDeposit, 'internal'))).toBe(slash - reward);
        const paid = inValue(txTo(txs, reporter.address, undefined, 'internal'));
        expect(paid).toBeGreaterThan(reward);
        expect(paid).toBeLessThan(reward + REPORT_VALUE);
        expect(await w.worker.getIsEvidenceUsed(evidenceId)).toBe(true);
        return { slash, reward };
    }

    describe('equivocation', () => {
        it('slashes two different receipts for one job and seqno, signed by the receipt key', async () => {
            const a = j.receipt({ seqno: 3, cost: 1000n });
            const b = j.receipt({ seqno: 3, cost: 2000n });
            const stake = (await w.worker.getState()).stake;
            const entry = await report(equivocationBody(a, b));
            await expectSlashed(entry, stake, equivocationEvidenceId(j.address, j.nonce, 3));
            // A slashed worker accepts no new jobs: the next job is refused and refunded.
            const next = await openJob(p, { allowRefusal: true });
            const refusal = txTo(next.opened.result.transactions, next.address, Op.jobRefused, 'internal');
            expect(refusal.inMessage!.body.beginParse().skip(96).loadUint(32)).toBe(Errors.workerNotActive);
            // ...but its running job still pays it.
            j.serve({ prompt: 300_000, cached: 0, completion: 100_000, reasoning: 0 });
            await p.run(() => j.job.sendExtClaim(j.voucher()));
            expect(await j.job.getPaid()).toBe(j.cumulative);
        });

        it('should reject the same evidence after the slash (one punishment per job and seqno)', async () => {
            await report(equivocationBody(j.receipt({ seqno: 3, cost: 1000n }), j.receipt({ seqno: 3, cost: 2000n })));
            const stake = (await w.worker.getState()).stake;
            const again = await report(equivocationBody(j.receipt({ seqno: 3, cost: 1000n }), j.receipt({ seqno: 3, cost: 3000n })));
            expect(again.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.evidenceUsed });
            expect((await w.worker.getState()).stake).toBe(stake);
        });

        it('should reject identical receipts', async () => {
            const a = j.receipt({ seqno: 3 });
            const e = await report(equivocationBody(a, a));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.evidenceIdentical });
        });

        it('should reject different sequence numbers', async () => {
            const e = await report(equivocationBody(j.receipt({ seqno: 3 }), j.receipt({ seqno: 4 })));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.evidenceSeqnoMismatch });
        });

        it('should reject receipts of different lives of one job address (an honest worker restarting seqnos in a new life)', async () => {
            // Life 1 served seqno 3 at one price, the reopened job id (a new nonce) served its own seqno 3: two honest
            // chains, not a conflict. The receipts bind the nonce, so the contract can tell them apart.
            const a = j.receipt({ seqno: 3, cost: 1000n });
            const b = j.receipt({ seqno: 3, cost: 2000n, nonce: j.nonce + 1n });
            const stake = (await w.worker.getState()).stake;
            const e = await report(equivocationBody(a, b));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.evidenceNonceMismatch });
            expect((await w.worker.getState()).stake).toBe(stake);
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Active);
            // The same seqno twice within the new life is still punished, under its own evidence id.
            const c = j.receipt({ seqno: 3, cost: 3000n, nonce: j.nonce + 1n });
            const slashed = await report(equivocationBody(b, c));
            await expectSlashed(slashed, stake, equivocationEvidenceId(j.address, j.nonce + 1n, 3));
            expect(await w.worker.getIsEvidenceUsed(equivocationEvidenceId(j.address, j.nonce, 3))).toBe(false);
        });

        it('should reject receipts of different jobs', async () => {
            const other = Address.parse('0:' + '22'.repeat(32));
            const e = await report(equivocationBody(j.receipt({ seqno: 3 }), j.receipt({ seqno: 3, job: other, cost: 5n })));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.evidenceJobMismatch });
        });

        it("should reject receipts signed by another worker's key", async () => {
            const w2 = await p.registerWorker(await p.wallet('second owner'));
            const a = j.receipt({ seqno: 3, cost: 1n }, w2.receiptKeys.secretKey);
            const b = j.receipt({ seqno: 3, cost: 2n }, w2.receiptKeys.secretKey);
            const e = await report(equivocationBody(a, b));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.badSignature });
            // One good and one foreign signature is no evidence either.
            const e2 = await report(equivocationBody(j.receipt({ seqno: 3, cost: 1n }), b));
            expect(e2.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.badSignature });
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Active);
        });

        it('should reject receipts with the wrong tag or for another network', async () => {
            const base = { globalId: j.globalId, job: j.address, nonce: j.nonce, seqno: 3, modelHash: p.modelHash, tokens: { prompt: 1, cached: 0, completion: 1, reasoning: 0 }, cost: 1n, cumulative: 1n, prevHead: ZERO_HEAD, requestHash: Buffer.alloc(32), responseHash: Buffer.alloc(32) };
            const key = w.receiptKeys.secretKey;
            const tagged = await report(equivocationBody(signReceipt(base, key, { tag: Tags.voucher }), signReceipt({ ...base, cost: 2n }, key, { tag: Tags.voucher })));
            expect(tagged.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.wrongTag });
            const testnet = { ...base, globalId: GlobalId.testnet };
            const net = await report(equivocationBody(signReceipt(testnet, key), signReceipt({ ...testnet, cost: 2n }, key)));
            expect(net.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.wrongNetwork });
        });
    });

    describe('wrong model', () => {
        it('slashes a receipt signed by the current key for a model other than the registered one', async () => {
            const bad = j.receipt({ seqno: 1, modelHash: hashOf('some other model') });
            const stake = (await w.worker.getState()).stake;
            const entry = await report(wrongModelBody(bad));
            await expectSlashed(entry, stake, bad.cell.hash());
            const again = await report(wrongModelBody(bad));
            expect(again.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.evidenceUsed });
        });

        it('should reject a receipt for the registered model', async () => {
            const e = await report(wrongModelBody(j.receipt({ seqno: 1 })));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.modelMatches });
        });

        it("should reject a wrong-model receipt not signed by this worker's key", async () => {
            const w2 = await p.registerWorker(await p.wallet('third owner'));
            const bad = j.receipt({ seqno: 1, modelHash: hashOf('other') }, w2.receiptKeys.secretKey);
            const e = await report(wrongModelBody(bad));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.badSignature });
        });
    });

    describe('alongside governance slashes', () => {
        it('a governance slash, then an evidence slash, both apply to the remaining stake', async () => {
            const stake0 = (await w.worker.getState()).stake;
            const govAmount = toNano('1');
            const g = await p.run(() =>
                p.root.sendGovernance(p.governance.getSender(), { kind: 'slashWorker', owner: w.owner.address, index: w.index, amount: govAmount, bps: 0, reason: uint256ToBuffer(1n) }, toNano('0.2')),
            );
            expect(g.result.transactions).toHaveTransaction({ to: w.worker.address, op: Op.govSlash, success: true });
            const stake1 = (await w.worker.getState()).stake;
            expect(stake1).toBe(stake0 - govAmount);
            const entry = await report(equivocationBody(j.receipt({ seqno: 9, cost: 1n }), j.receipt({ seqno: 9, cost: 2n })));
            const { slash } = await expectSlashedAfterGov(entry, stake1);
            expect((await w.worker.getState()).stake).toBe(stake1 - slash);
        });

        async function expectSlashedAfterGov(entry: Awaited<ReturnType<typeof report>>, stakeBefore: bigint) {
            const slash = (stakeBefore * BigInt(p.params.slashBps)) / 10_000n;
            expect(entry.result.transactions).toHaveTransaction({ from: reporter.address, to: w.worker.address, success: true });
            const rep = await w.worker.getReputation();
            expect(rep.slashed).toBeGreaterThanOrEqual(slash);
            return { slash };
        }
    });
});
