/**
 * The operator key: the owner authorises a hot wallet (set_operator) that may re-attest the worker account through
 * the root (operator_update -> operator_attest) and do nothing else. Every permission is tested both ways, under the
 * conservation ledger.
 */
import { Address, beginCell, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op, WorkerStatus } from '../../wrappers/Constants';
import { commentBody } from '../../wrappers/common';
import { OperatorUpdate, operatorUpdateBody } from '../../wrappers/Root';
import { setOperatorBody, WorkerComments, workerOpBody } from '../../wrappers/Worker';
import { parseRootEvent } from '../../wrappers/events';
import { equivocationBody } from '../../wrappers/payloads';
import { DEFAULT_PARAMS, DEFAULT_PRICES, deployProtocol, hashOf, Ledger, Protocol, RegisteredWorker } from '../../wrappers/testkit';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';
import { registrationRefusal } from '../../wrappers/testkit/replies';

const OP_VALUE = toNano('0.05');
const UPDATE_VALUE = toNano('0.1');
const NEW_IMAGE = hashOf('image: cocoon-ton worker v2');
const NEW_MODEL = hashOf('model: another');

describe('Worker operator key', () => {
    let p: Protocol;
    let w: RegisteredWorker;
    let owner: SandboxContract<TreasuryContract>;
    let operator: SandboxContract<TreasuryContract>;
    let stranger: SandboxContract<TreasuryContract>;

    beforeEach(async () => {
        p = await deployProtocol({ workers: 1 });
        w = p.workers[0];
        owner = w.owner;
        operator = await p.wallet('operator');
        stranger = await p.wallet('stranger');
    });

    const authorise = (who: Address | null = operator.address) => p.run(() => w.worker.sendSetOperator(owner.getSender(), who, OP_VALUE));
    const rotation = (label: string, overrides: Partial<OperatorUpdate> = {}): OperatorUpdate => ({
        owner: owner.address,
        index: w.index,
        receiptKey: hashOf(`receipt ${label}`),
        encryptionKey: hashOf(`enc ${label}`),
        attestation: { ...w.registration.attestation, quoteHash: hashOf(`quote ${label}`) },
        ...overrides,
    });
    const update = (from: SandboxContract<TreasuryContract>, u: OperatorUpdate, value = UPDATE_VALUE) =>
        p.run(() => p.root.sendOperatorUpdate(from.getSender(), u, value));
    const fromOperator = (body: ReturnType<typeof workerOpBody>, value = OP_VALUE) => p.run(() => w.worker.sendRaw(operator.getSender(), body, value));

    describe('authorisation', () => {
        it('has no operator until the owner sets one; the owner sets, replaces and revokes it', async () => {
            expect(await w.worker.getOperator()).toBeNull();
            await authorise();
            expect((await w.worker.getOperator())!.equals(operator.address)).toBe(true);
            await authorise(stranger.address);
            expect((await w.worker.getOperator())!.equals(stranger.address)).toBe(true);
            await authorise(null);
            expect(await w.worker.getOperator()).toBeNull();
        });

        it('should refuse set_operator from anyone but the owner, the operator included', async () => {
            await authorise();
            for (const from of [stranger, operator]) {
                for (const target of [from.address, null]) {
                    const e = await p.run(() => w.worker.sendSetOperator(from.getSender(), target, OP_VALUE));
                    expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notOwner });
                }
            }
            expect((await w.worker.getOperator())!.equals(operator.address)).toBe(true);
        });

        it('should refuse an operator off the basechain, and a malformed body', async () => {
            const masterchain = new Address(-1, operator.address.hash);
            let e = await p.run(() => w.worker.sendSetOperator(owner.getSender(), masterchain, OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notBasechain });
            const trailing = beginCell().storeSlice(setOperatorBody(operator.address).beginParse()).storeBit(1).endCell();
            e = await p.run(() => w.worker.sendRaw(owner.getSender(), trailing, OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false });
            expect(await w.worker.getOperator()).toBeNull();
        });

        it("the owner's own attestation update keeps the operator", async () => {
            await authorise();
            await p.run(() => p.root.sendRegisterWorker(owner.getSender(), { ...w.registration, receiptKey: hashOf('owner rotation') }, UPDATE_VALUE, true));
            expect((await w.worker.getKeys()).receiptKey).toEqual(hashOf('owner rotation'));
            expect((await w.worker.getOperator())!.equals(operator.address)).toBe(true);
        });
    });

    describe('what the operator can do', () => {
        it('rotates the keys and the quote through the root; prices, endpoint, threshold, stake and status stay', async () => {
            await authorise();
            const [stateBefore, earningsBefore, profileBefore] = [await w.worker.getState(), await w.worker.getEarnings(), await w.worker.getProfile()];
            p.advance(100);
            const u = rotation('boot 2');
            const e = await update(operator, u);
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: w.worker.address, success: true });
            const keys = await w.worker.getKeys();
            expect(keys.receiptKey).toEqual(u.receiptKey);
            expect(keys.encryptionKey).toEqual(u.encryptionKey);
            expect(keys.previousReceiptKey).toEqual(w.registration.receiptKey);
            expect(keys.rotatedAt).toBe(p.blockchain.now);
            const profile = await w.worker.getProfile();
            expect(profile).toEqual({ ...profileBefore, quoteHash: u.attestation.quoteHash });
            const stateAfter = await w.worker.getState();
            expect([stateAfter.status, stateAfter.stake, stateAfter.unbondAt]).toEqual([stateBefore.status, stateBefore.stake, stateBefore.unbondAt]);
            expect(stateAfter.owner.equals(owner.address)).toBe(true);
            expect(await w.worker.getEarnings()).toEqual(earningsBefore);
            expect((await w.worker.getOperator())!.equals(operator.address)).toBe(true);
            // The relay learns the new key from the root's worker_updated event, as for an owner's update.
            const events = e.result.externals.map((x) => parseRootEvent(x.body)).filter((x) => x !== null);
            expect(events.map((x) => [x!.kind, x!.worker.toRawString(), x!.index, x!.receiptKey.toString('hex')])).toEqual([
                ['workerUpdated', w.worker.address.toRawString(), w.index, u.receiptKey.toString('hex')],
            ]);
            // What is left of the value comes back with a comment that says what it is: the operator paid the fees only.
            expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, to: operator.address, body: commentBody('cocoon: attestation change') });
            expect(-Ledger.flow(e, operator.address)).toBeLessThan(await p.root.getOperatorUpdateFee());
        });

        it('never moves value into the stake: a large attached value comes back', async () => {
            await authorise();
            const stake = (await w.worker.getState()).stake;
            const balance = await w.worker.getBalance();
            const e = await update(operator, rotation('big value'), toNano('50'));
            expect((await w.worker.getState()).stake).toBe(stake);
            expect(-Ledger.flow(e, operator.address)).toBeLessThan(toNano('0.05'));
            expect(await w.worker.getBalance()).toBeLessThanOrEqual(balance);
        });

        it('moves to a new allowed image and model when the receipt key rotates with them', async () => {
            await authorise();
            await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'addImage', label: 'test image', imageHash: NEW_IMAGE }, OP_VALUE));
            await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'addModel', modelHash: NEW_MODEL, name: 'org/new@1:2' }, OP_VALUE));
            const attestation = { imageHash: NEW_IMAGE, modelHash: NEW_MODEL, quoteHash: hashOf('new quote') };
            await update(operator, rotation('new image', { attestation }));
            const profile = await w.worker.getProfile();
            expect([profile.imageHash, profile.modelHash, profile.quoteHash]).toEqual([NEW_IMAGE, NEW_MODEL, attestation.quoteHash]);
            expect(profile.prices).toEqual(DEFAULT_PRICES);
        });

        it('works with exactly the advertised fee', async () => {
            await authorise();
            const fee = await p.root.getOperatorUpdateFee();
            expect(fee).toBeGreaterThan(0n);
            // it covers the worst case (the 16th rotation walks 15 retired keys: KeyRotationFee.spec.ts); the rest comes back
            expect(fee).toBeLessThan(toNano('0.1'));
            const u = rotation('exact fee');
            await update(operator, u, fee);
            expect((await w.worker.getKeys()).receiptKey).toEqual(u.receiptKey);
        });
    });

    describe('what the operator cannot do', () => {
        beforeEach(async () => {
            await authorise();
        });

        it('should refuse the owner operations from the operator (withdraw, unbond, cancel unbond, collect, prices, threshold)', async () => {
            const bodies = [
                workerOpBody(Op.requestUnbond),
                workerOpBody(Op.withdrawStake),
                workerOpBody(Op.collectEarnings),
                beginCell().storeUint(Op.setPayoutThreshold, 32).storeUint(0, 64).storeCoins(toNano('1000')).endCell(),
            ];
            for (const body of bodies) {
                const e = await fromOperator(body);
                expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notOwner });
            }
            const e = await p.run(() => w.worker.sendSetPrices(operator.getSender(), { ...DEFAULT_PRICES, completion: 1n }, 'https://evil.example', OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notOwner });
            expect((await w.worker.getProfile()).prices).toEqual(DEFAULT_PRICES);
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Active);
        });

        it("refuses the operator's command comments with the reason (never commands, never a deposit)", async () => {
            const before = await w.worker.getState();
            for (const text of [WorkerComments.unbond, WorkerComments.withdraw, WorkerComments.collect]) {
                const e = await p.run(() => w.worker.sendComment(operator.getSender(), text, OP_VALUE));
                expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, to: operator.address, success: true });
            }
            const after = await w.worker.getState();
            expect(after.status).toBe(WorkerStatus.Active);
            expect(after.unbondAt).toBe(0);
            expect(after.stake).toBe(before.stake);
        });

        it('should refuse cancel unbond and an early or late withdrawal from the operator while the owner unbonds', async () => {
            await p.run(() => w.worker.sendRequestUnbond(owner.getSender(), OP_VALUE));
            let e = await fromOperator(workerOpBody(Op.cancelUnbond));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notOwner });
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Unbonding);
            p.advance(DEFAULT_PARAMS.unbondingPeriod);
            e = await fromOperator(workerOpBody(Op.withdrawStake));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notOwner });
            const stake = (await w.worker.getState()).stake;
            e = await p.run(() => w.worker.sendComment(operator.getSender(), WorkerComments.withdraw, OP_VALUE));
            // refused with a readable reason: what comes back is the operator's own value, never the stake
            expect(Ledger.flow(e, operator.address)).toBeLessThanOrEqual(0n);
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Unbonding);
            expect((await w.worker.getState()).stake).toBe(stake);
            // The owner still withdraws: everything goes to the owner, nothing to the operator.
            e = await p.run(() => w.worker.sendWithdraw(owner.getSender(), OP_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, destroyed: true });
            expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, to: owner.address, success: true });
        });

        it('should refuse an operator_attest sent to the worker account directly (only the root may)', async () => {
            const forged = beginCell()
                .storeUint(Op.operatorAttest, 32)
                .storeUint(0, 64)
                .storeAddress(operator.address)
                .storeBuffer(hashOf('forged'))
                .storeBuffer(hashOf('forged enc'))
                .storeRef(beginCell().storeBuffer(hashOf('x')).storeBuffer(hashOf('y')).storeBuffer(hashOf('z')).endCell())
                .endCell();
            const e = await fromOperator(forged);
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.notRoot });
            expect((await w.worker.getKeys()).receiptKey).toEqual(w.registration.receiptKey);
        });

        it('should refuse an image or a model outside the allowlists', async () => {
            for (const [attestation, code] of [
                [{ ...w.registration.attestation, imageHash: NEW_IMAGE }, Errors.imageNotAllowed],
                [{ ...w.registration.attestation, modelHash: NEW_MODEL }, Errors.modelNotAllowed],
            ] as const) {
                const e = await update(operator, rotation('off list', { attestation }));
                expect(registrationRefusal(e.result, operator.address)).toBe(code);
            }
            expect((await w.worker.getKeys()).receiptKey).toEqual(w.registration.receiptKey);
        });

        it('should refuse a model change that keeps the receipt key', async () => {
            await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'addModel', modelHash: NEW_MODEL, name: 'org/new@1:2' }, OP_VALUE));
            const attestation = { ...w.registration.attestation, modelHash: NEW_MODEL };
            const e = await update(operator, rotation('same key', { attestation, receiptKey: w.registration.receiptKey }));
            expect(registrationRefusal(e.result, operator.address)).toBe(Errors.keyNotRotated);
            expect((await w.worker.getProfile()).modelHash).toEqual(w.registration.attestation.modelHash);
        });

        it('should refuse an update with too little value for its fees', async () => {
            const fee = await p.root.getOperatorUpdateFee();
            const e = await update(operator, rotation('cheap'), fee - 1n);
            expect(registrationRefusal(e.result, operator.address)).toBe(Errors.insufficientValue);
        });
    });

    describe('who is not the operator', () => {
        it('should refuse an update from a stranger, from the owner, and from anyone while no operator is set', async () => {
            for (const from of [stranger, owner, operator]) {
                const e = await update(from, rotation(`not yet ${from.address}`));
                expect(registrationRefusal(e.result, from.address)).toBe(Errors.notOperator);
                expect(-Ledger.flow(e, from.address)).toBeLessThan(toNano('0.05'));
            }
            await authorise();
            for (const from of [stranger, owner]) {
                const e = await update(from, rotation(`not operator ${from.address}`));
                expect(registrationRefusal(e.result, from.address)).toBe(Errors.notOperator);
            }
            expect((await w.worker.getKeys()).receiptKey).toEqual(w.registration.receiptKey);
        });

        it('a revoked or replaced operator is refused at once', async () => {
            await authorise();
            await update(operator, rotation('while authorised'));
            await authorise(stranger.address);
            let e = await update(operator, rotation('replaced'));
            expect(registrationRefusal(e.result, operator.address)).toBe(Errors.notOperator);
            const u = rotation('new operator');
            await update(stranger, u);
            expect((await w.worker.getKeys()).receiptKey).toEqual(u.receiptKey);
            await authorise(null);
            e = await update(stranger, rotation('revoked'));
            expect(registrationRefusal(e.result, stranger.address)).toBe(Errors.notOperator);
            expect((await w.worker.getKeys()).receiptKey).toEqual(u.receiptKey);
        });

        it('an update for an account that was never registered leaves no account and returns the value', async () => {
            const e = await update(operator, rotation('nobody', { index: 7 }));
            expect(registrationRefusal(e.result, operator.address)).toBe(Errors.workerNotRegistered);
            const account = await p.blockchain.getContract((await p.root.getWorkerAddress(owner.address, 7)));
            expect(account.accountState?.type ?? 'uninit').not.toBe('active');
            expect(-Ledger.flow(e, operator.address)).toBeLessThan(toNano('0.05'));
        });

        it('should bounce an update that names an owner off the basechain', async () => {
            const body = operatorUpdateBody(rotation('masterchain owner', { owner: new Address(-1, owner.address.hash) }));
            const e = await p.run(() => p.root.sendRaw(operator.getSender(), body, UPDATE_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.notBasechain });
        });
    });

    it('should refuse the operator of a slashed worker', async () => {
        const jp = await deployForJobs();
        const j = await openJob(jp);
        const jw = j.worker;
        const op = await jp.wallet('operator');
        await jp.run(() => jw.worker.sendSetOperator(jw.owner.getSender(), op.address, OP_VALUE));
        const reporter = await jp.wallet('reporter');
        await jp.run(() => jw.worker.sendRaw(reporter.getSender(), equivocationBody(j.receipt({ seqno: 3, cost: 1000n }), j.receipt({ seqno: 3, cost: 2000n })), toNano('0.1')));
        expect((await jw.worker.getState()).status).toBe(WorkerStatus.Slashed);
        const u: OperatorUpdate = {
            owner: jw.owner.address,
            index: jw.index,
            receiptKey: hashOf('after slash'),
            encryptionKey: hashOf('after slash enc'),
            attestation: jw.registration.attestation,
        };
        const e = await jp.run(() => jp.root.sendOperatorUpdate(op.getSender(), u, UPDATE_VALUE));
        expect(registrationRefusal(e.result, op.address)).toBe(Errors.workerSlashed);
    });
});
