import { beginCell, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op, WorkerStatus } from '../../wrappers/Constants';
import { commentBody, uint256ToBuffer } from '../../wrappers/common';
import { rootGovernanceBody, workerRegistrationBody } from '../../wrappers/Root';
import { setPricesBody, Worker, WorkerComments, workerOpBody } from '../../wrappers/Worker';
import { jobPayoutBody, jobReportBody } from '../../wrappers/Job';
import { DEFAULT_PARAMS, DEFAULT_PRICES, deployProtocol, Ledger, Protocol, RegisteredWorker, REGISTRATION_FEES } from '../../wrappers/testkit';
import { commentOf, refusalFrom, refusalTo } from '../../wrappers/testkit/replies';
import { deployRejecting } from '../../wrappers/testkit/rejecting';

const OP_VALUE = toNano('0.05');

describe('Worker account', () => {
    let p: Protocol;
    let w: RegisteredWorker;
    let owner: SandboxContract<TreasuryContract>;
    let stranger: SandboxContract<TreasuryContract>;

    beforeEach(async () => {
        p = await deployProtocol({ workers: 1 });
        w = p.workers[0];
        owner = w.owner;
        stranger = await p.wallet('stranger');
    });

    const state = () => w.worker.getState();
    const comment = (from: SandboxContract<TreasuryContract>, text: string, value = OP_VALUE) =>
        p.run(() => w.worker.sendComment(from.getSender(), text, value));

    describe('stake', () => {
        it('anyone adds stake with a plain transfer, the add_stake op, an empty comment or a deposit word', async () => {
            const start = (await state()).stake;
            await p.run(() => stranger.send({ to: w.worker.address, value: toNano('2') }));
            const afterPlain = (await state()).stake;
            expect(afterPlain - start).toBeGreaterThan(toNano('1.99'));
            expect(afterPlain - start).toBeLessThan(toNano('2'));
            await p.run(() => w.worker.sendAddStake(stranger.getSender(), toNano('3')));
            const afterOp = (await state()).stake;
            expect(afterOp - afterPlain).toBeGreaterThan(toNano('2.99'));
            await comment(stranger, ' Stake ', toNano('1'));
            const afterWord = (await state()).stake;
            expect(afterWord - afterOp).toBeGreaterThan(toNano('0.99'));
            await comment(stranger, '', toNano('1'));
            expect((await state()).stake - afterWord).toBeGreaterThan(toNano('0.99'));
        });

        it('refuses any other text with its value and a readable reason, keeping the stake', async () => {
            const before = (await state()).stake;
            const e = await comment(stranger, 'good luck', toNano('1'));
            expect(refusalTo(e.result, stranger.address)).toEqual({ reason: expect.stringContaining('not a command'), error: Errors.notACommand });
            expect((await state()).stake).toBe(before);
            expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, to: stranger.address, value: (v) => v! > toNano('0.99') });
        });

        it('keeps the account funded beyond the stake (storage reserve)', async () => {
            const s = await state();
            expect(await w.worker.getBalance()).toBeGreaterThanOrEqual(s.stake + toNano('0.04'));
        });
    });

    describe('prices and endpoint', () => {
        const newPrices = { ...DEFAULT_PRICES, completion: toNano('1') };

        it('owner sets prices and endpoint', async () => {
            await p.run(() => w.worker.sendSetPrices(owner.getSender(), newPrices, 'https://new.example/v1', OP_VALUE));
            const profile = await w.worker.getProfile();
            expect(profile.prices).toEqual(newPrices);
            expect(profile.endpoint).toBe('https://new.example/v1');
            await p.run(() => w.worker.sendSetPrices(owner.getSender(), DEFAULT_PRICES, undefined, OP_VALUE));
            expect((await w.worker.getProfile()).endpoint).toBe('https://new.example/v1');
            expect((await w.worker.getProfile()).imageHash).toEqual(w.registration.attestation.imageHash);
        });

        it('should reject prices from anyone else, and malformed prices', async () => {
            let e = await p.run(() => w.worker.sendSetPrices(stranger.getSender(), newPrices, undefined, OP_VALUE));
            expect(refusalFrom(e.result, w.worker.address)).toBe(Errors.notOwner);
            const bad = beginCell().storeUint(Op.setPrices, 32).storeUint(0, 64).storeRef(beginCell().storeCoins(1).endCell()).storeBit(0).endCell();
            e = await p.run(() => w.worker.sendRaw(owner.getSender(), bad, OP_VALUE));
            expect(refusalFrom(e.result, w.worker.address)).toBe(Errors.cellUnderflow);
            expect((await w.worker.getProfile()).prices).toEqual(DEFAULT_PRICES);
        });
    });

    describe('unbonding and withdrawal', () => {
        it('owner unbonds, waits the unbonding period and withdraws everything (ops)', async () => {
            await p.run(() => w.worker.sendRequestUnbond(owner.getSender(), OP_VALUE));
            const s = await state();
            expect(s.status).toBe(WorkerStatus.Unbonding);
            expect(s.unbondAt).toBe(p.blockchain.now! + DEFAULT_PARAMS.unbondingPeriod);

            p.advance(DEFAULT_PARAMS.unbondingPeriod - 1);
            let e = await p.run(() => w.worker.sendWithdraw(owner.getSender(), OP_VALUE));
            expect(refusalFrom(e.result, w.worker.address)).toBe(Errors.unbondNotDue);

            p.advance(1);
            const balance = await w.worker.getBalance();
            e = await p.run(() => w.worker.sendWithdraw(owner.getSender(), OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, to: owner.address, success: true });
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, destroyed: true });
            // the owner got the whole balance back, less the fees of the two transactions
            expect(Ledger.flow(e, owner.address)).toBeGreaterThan(balance - toNano('0.01'));
            const out = e.result.transactions.find((t) => t.inMessage?.info.src?.toString() === w.worker.address.toString());
            expect(commentOf(out!.inMessage!.body)).toBe('cocoon: stake withdrawn');
        });

        it('a plain wallet drives unbond, cancel and withdraw with text comments', async () => {
            await comment(owner, WorkerComments.unbond);
            expect((await state()).status).toBe(WorkerStatus.Unbonding);
            await comment(owner, WorkerComments.cancelUnbond);
            expect((await state()).status).toBe(WorkerStatus.Active);
            expect((await state()).unbondAt).toBe(0);
            await comment(owner, WorkerComments.unbond);
            p.advance(DEFAULT_PARAMS.unbondingPeriod);
            const e = await comment(owner, WorkerComments.withdraw);
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, destroyed: true });
        });

        it('should reject owner commands from anyone else (ops)', async () => {
            for (const op of [Op.requestUnbond, Op.cancelUnbond, Op.withdrawStake]) {
                const e = await p.run(() => w.worker.sendRaw(stranger.getSender(), workerOpBody(op), OP_VALUE));
                expect(refusalFrom(e.result, w.worker.address)).toBe(Errors.notOwner);
            }
        });

        it("refuses an owner command from any other wallet with a reason, never taking it as stake", async () => {
            const before = await state();
            for (const text of Object.values(WorkerComments)) {
                const e = await comment(stranger, text, toNano('1'));
                expect(refusalTo(e.result, stranger.address)?.error).toBe(Errors.notOwner);
            }
            const after = await state();
            expect(after.status).toBe(WorkerStatus.Active);
            expect(after.stake).toBe(before.stake);
        });

        it('should refuse an unknown comment from the owner with a reason', async () => {
            const e = await comment(owner, 'unbnd');
            expect(refusalTo(e.result, owner.address)?.error).toBe(Errors.notACommand);
        });

        it('takes commands trimmed and in any case', async () => {
            await comment(owner, '  UnBond ');
            expect((await state()).status).toBe(WorkerStatus.Unbonding);
            await comment(owner, 'Cancel Unbond');
            expect((await state()).status).toBe(WorkerStatus.Active);
        });

        it('should refuse a double unbond, a cancel without unbonding, an early withdrawal, with reasons', async () => {
            const before = await state();
            let e = await comment(owner, WorkerComments.cancelUnbond);
            expect(refusalTo(e.result, owner.address)?.error).toBe(Errors.notUnbonding);
            e = await comment(owner, WorkerComments.withdraw);
            expect(refusalTo(e.result, owner.address)?.error).toBe(Errors.notUnbonding);
            const same = (a: typeof before, b: typeof before) => expect([a.status, a.stake, a.unbondAt]).toEqual([b.status, b.stake, b.unbondAt]);
            same(await state(), before);
            await comment(owner, WorkerComments.unbond);
            const unbonding = await state();
            e = await comment(owner, WorkerComments.unbond);
            expect(refusalTo(e.result, owner.address)).toEqual({ reason: 'already unbonding', error: Errors.alreadyUnbonding });
            e = await comment(owner, WorkerComments.withdraw);
            expect(refusalTo(e.result, owner.address)?.error).toBe(Errors.unbondNotDue);
            same(await state(), unbonding);
            // the binary op (a script's link) is refused the same way, with a comment
            e = await p.run(() => w.worker.sendRaw(owner.getSender(), workerOpBody(Op.requestUnbond), OP_VALUE));
            expect(refusalFrom(e.result, w.worker.address)).toBe(Errors.alreadyUnbonding);
        });

        it('should reject cancelling an unbonding when the stake is below the minimum', async () => {
            await p.run(() =>
                p.root.sendGovernance(p.governance.getSender(), { kind: 'slashWorker', owner: owner.address, index: 0, amount: toNano('5'), bps: 0, reason: uint256ToBuffer(1n) }, OP_VALUE),
            );
            expect((await state()).status).toBe(WorkerStatus.Inactive);
            await comment(owner, WorkerComments.unbond);
            const e = await comment(owner, WorkerComments.cancelUnbond);
            expect(refusalTo(e.result, owner.address)?.error).toBe(Errors.stakeBelowMin);
            expect((await state()).status).toBe(WorkerStatus.Unbonding);
        });

        it('a withdrawal the owner address refuses comes back (bounce) and is kept as stake', async () => {
            const refusing = await deployRejecting(p.blockchain, 2);
            p.ledger.track(refusing);
            const viaRefusing = p.blockchain.sender(refusing);
            const { registration } = p.registrationFor('refusing');
            await p.run(() => p.root.sendRegisterWorker(viaRefusing, registration, DEFAULT_PARAMS.minStake + REGISTRATION_FEES));
            const worker = p.blockchain.openContract(Worker.createFor(p.root.address, refusing, 0));
            expect((await worker.getState()).status).toBe(WorkerStatus.Active);
            await p.run(() => worker.sendRequestUnbond(viaRefusing, OP_VALUE));
            p.advance(DEFAULT_PARAMS.unbondingPeriod);
            const e = await p.run(() => worker.sendWithdraw(viaRefusing, OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ from: worker.address, to: refusing, success: false });
            // the account was closed by the withdrawal, so the bounce lands on an empty address and waits there
            expect(e.result.transactions).toHaveTransaction({ from: refusing, to: worker.address, inMessageBounced: true });
            const parked = await p.blockchain.getContract(worker.address);
            expect(parked.balance).toBeGreaterThan(DEFAULT_PARAMS.minStake);
        });
    });

    describe('root-only operations', () => {
        it('should reject an attestation, a parameter push or a slash from anyone but the root', async () => {
            const attest = beginCell().storeUint(Op.workerAttest, 32).storeUint(0, 64).storeBit(1).endCell();
            let e = await p.run(() => w.worker.sendRaw(stranger.getSender(), attest, OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notRoot });
            const params = beginCell().storeUint(Op.workerParams, 32).storeUint(0, 64).endCell();
            e = await p.run(() => w.worker.sendRaw(stranger.getSender(), params, OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notRoot });
            const slash = beginCell().storeUint(Op.govSlash, 32).storeUint(0, 64).storeCoins(toNano('10')).storeUint(0, 16).storeUint(1, 256).endCell();
            e = await p.run(() => w.worker.sendRaw(owner.getSender(), slash, OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notRoot });
        });

        it('governance can slash the whole stake: the worker becomes inactive and counts the slash', async () => {
            await p.run(() =>
                p.root.sendGovernance(p.governance.getSender(), { kind: 'slashWorker', owner: owner.address, index: 0, amount: 0n, bps: 10_000, reason: uint256ToBuffer(3n) }, OP_VALUE),
            );
            expect((await state()).status).toBe(WorkerStatus.Inactive);
            expect((await state()).stake).toBe(0n);
            const rep = await w.worker.getReputation();
            expect(rep.slashes).toBe(1);
        });

        it('should reject a job offer or a job report from an address that is not a job of this worker', async () => {
            const offer = beginCell().storeUint(Op.jobOffer, 32).storeUint(0, 64).storeAddress(stranger.address).storeUint(1, 64)
                .storeUint(3600, 32).storeRef(beginCell().storeCoins(1).storeCoins(1).storeCoins(1).storeCoins(1).endCell()).endCell();
            let e = await p.run(() => w.worker.sendRaw(stranger.getSender(), offer, OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notJob });
            const report = jobReportBody({ paid: toNano('1000'), fees: 0n, tokens: 1n, client: stranger.address, jobId: 1n });
            e = await p.run(() => w.worker.sendRaw(stranger.getSender(), report, OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notJob });
            expect(await w.worker.getReputation()).toMatchObject({ jobs: 0, volume: 0n, tokens: 0n });
        });

        it('a "payout" from anyone is only a gift to the owner: it never counts as reputation', async () => {
            const gift = jobPayoutBody({ amount: toNano('1000'), nonce: 1n });
            const e = await p.run(() => w.worker.sendRaw(stranger.getSender(), gift, toNano('1')));
            expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, to: owner.address, success: true });
            expect(Ledger.flow(e, owner.address)).toBeGreaterThan(toNano('0.99'));
            expect(await w.worker.getReputation()).toMatchObject({ jobs: 0, volume: 0n, tokens: 0n });
        });

        it('holds payouts below the owner\'s threshold as earnings, never as stake, and forwards them on "collect"', async () => {
            await p.run(() => w.worker.sendSetPayoutThreshold(owner.getSender(), toNano('5'), OP_VALUE));
            const stake = (await state()).stake;
            const payout = jobPayoutBody({ amount: toNano('1'), nonce: 1n });
            let e = await p.run(() => w.worker.sendRaw(stranger.getSender(), payout, toNano('2')));
            expect(e.result.transactions).not.toHaveTransaction({ from: w.worker.address, to: owner.address });
            const held = (await w.worker.getEarnings()).earnings;
            expect(held).toBeGreaterThan(toNano('1.99'));
            expect((await state()).stake).toBe(stake);
            // a governance slash never touches earnings
            await p.run(() =>
                p.root.sendGovernance(p.governance.getSender(), { kind: 'slashWorker', owner: owner.address, index: 0, amount: 0n, bps: 5000, reason: uint256ToBuffer(9n) }, OP_VALUE),
            );
            expect((await w.worker.getEarnings()).earnings).toBe(held);
            e = await p.run(() => w.worker.sendRaw(stranger.getSender(), payout, toNano('3.5')));
            // held + this payout reached the threshold: all of it went to the owner
            expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, to: owner.address, success: true });
            expect((await w.worker.getEarnings()).earnings).toBe(0n);
            expect(Ledger.flow(e, owner.address)).toBeGreaterThan(held + toNano('3.49'));
            await p.run(() => w.worker.sendRaw(stranger.getSender(), payout, toNano('1')));
            e = await comment(owner, WorkerComments.collect);
            expect(Ledger.flow(e, owner.address)).toBeGreaterThan(toNano('0.95'));
            expect((await w.worker.getEarnings()).earnings).toBe(0n);
        });

        it('should reject a payout threshold or a collect from anyone but the owner', async () => {
            let e = await p.run(() => w.worker.sendSetPayoutThreshold(stranger.getSender(), 0n, OP_VALUE));
            expect(refusalFrom(e.result, w.worker.address)).toBe(Errors.notOwner);
            e = await p.run(() => w.worker.sendCollectEarnings(stranger.getSender(), OP_VALUE));
            expect(refusalFrom(e.result, w.worker.address)).toBe(Errors.notOwner);
        });

        it('earnings the owner address refuses come back as earnings (bounce path)', async () => {
            const refusing = await deployRejecting(p.blockchain, 4);
            p.ledger.track(refusing);
            const viaRefusing = p.blockchain.sender(refusing);
            const { registration } = p.registrationFor('refusing earner');
            await p.run(() => p.root.sendRegisterWorker(viaRefusing, registration, DEFAULT_PARAMS.minStake + REGISTRATION_FEES));
            const worker = p.blockchain.openContract(Worker.createFor(p.root.address, refusing, 0));
            const stake = (await worker.getState()).stake;
            const e = await p.run(() => worker.sendRaw(stranger.getSender(), jobPayoutBody({ amount: 1n, nonce: 0n }), toNano('1')));
            expect(e.result.transactions).toHaveTransaction({ from: refusing, to: worker.address, inMessageBounced: true });
            expect((await worker.getEarnings()).earnings).toBeGreaterThan(toNano('0.98'));
            expect((await worker.getState()).stake).toBe(stake);
        });

        it('should reject an unknown op from the owner', async () => {
            const e = await p.run(() => w.worker.sendRaw(owner.getSender(), workerOpBody(0x7777), OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.unknownOp });
        });
    });

    describe('plain-wallet registration', () => {
        it('a registration body sent as a raw wallet transfer (what a ton:// link carries) works', async () => {
            const fresh = await p.wallet('tonkeeper user');
            const { registration } = p.registrationFor('tonkeeper', 0);
            const e = await p.run(() =>
                fresh.send({ to: p.root.address, value: DEFAULT_PARAMS.minStake + REGISTRATION_FEES, body: workerRegistrationBody(registration) }),
            );
            const worker = p.blockchain.openContract(Worker.createFor(p.root.address, fresh.address, 0));
            expect(e.result.transactions).toHaveTransaction({ to: worker.address, deploy: true, success: true });
        });

        it('every owner command body a script prints is a plain comment or a fixed op body', () => {
            expect(commentBody(WorkerComments.unbond).beginParse().loadUint(32)).toBe(0);
            expect(setPricesBody(DEFAULT_PRICES).beginParse().loadUint(32)).toBe(Op.setPrices);
            expect(rootGovernanceBody({ kind: 'acceptGovernance' }).beginParse().loadUint(32)).toBe(Op.acceptGovernance);
        });
    });
});

