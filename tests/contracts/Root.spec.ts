import { Address, beginCell, Cell, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op, WorkerStatus } from '../../wrappers/Constants';
import { Bytes32Map, commentBody, textCell, uint256ToBuffer } from '../../wrappers/common';
import { RootGovernanceAction, rootGovernanceBody, parseRootGovernanceBody, workerRegistrationBody } from '../../wrappers/Root';
import { Worker } from '../../wrappers/Worker';
import {
    DEFAULT_IMAGE,
    DEFAULT_IMAGE_LABEL,
    DEFAULT_MODEL,
    DEFAULT_PARAMS,
    deployProtocol,
    hashOf,
    Ledger,
    Protocol,
    REGISTRATION_FEES,
} from '../../wrappers/testkit';
import { refusalFrom, refusalTo, registrationRefusal } from '../../wrappers/testkit/replies';
import { deployRejecting } from '../../wrappers/testkit/rejecting';

const GOV_VALUE = toNano('0.05');
const NEW_IMAGE = hashOf('image: cocoon-ton worker v2');
const NEW_MODEL = hashOf('model: another');

describe('Root registry', () => {
    let p: Protocol;
    let stranger: SandboxContract<TreasuryContract>;
    let owner: SandboxContract<TreasuryContract>;

    beforeEach(async () => {
        p = await deployProtocol();
        stranger = await p.wallet('stranger');
        owner = await p.wallet('owner');
    });

    const governance = (action: RootGovernanceAction, from?: SandboxContract<TreasuryContract>) =>
        p.run(() => p.root.sendGovernance((from ?? p.governance).getSender(), action, GOV_VALUE));

    const register = (from: SandboxContract<TreasuryContract>, overrides: Partial<ReturnType<Protocol['registrationFor']>['registration']> = {}, value?: bigint, index = 0) => {
        const { registration } = p.registrationFor(from.address.toRawString(), index);
        return p.run(() =>
            p.root.sendRegisterWorker(from.getSender(), { ...registration, ...overrides }, value ?? DEFAULT_PARAMS.minStake + REGISTRATION_FEES),
        );
    };

    const workerOf = (o: Address, index = 0) => p.blockchain.openContract(Worker.createFor(p.root.address, o, index));

    describe('deployment and get-methods', () => {
        it('exposes parameters, governance, allowlists, child code and treasury', async () => {
            expect(await p.root.getParams()).toEqual(DEFAULT_PARAMS);
            const gov = await p.root.getGovernance();
            expect(gov.governance).toEqualAddress(p.governance.address);
            expect(gov.pending).toBeNull();
            expect(await p.root.getIsImageAllowed(DEFAULT_IMAGE)).toBe(true);
            expect(await p.root.getIsModelAllowed(DEFAULT_MODEL)).toBe(true);
            expect(await p.root.getIsImageAllowed(NEW_IMAGE)).toBe(false);
            expect((await p.root.getImages()).get(DEFAULT_IMAGE)).toEqual({ addedAt: p.blockchain.now, retireAt: 0, label: DEFAULT_IMAGE_LABEL });
            expect((await p.root.getModels()).get(DEFAULT_MODEL)?.name).toBe('Qwen/Qwen3-0.6B@c1899de:9f1c0e5a');
            const codes = await p.root.getChildCodes();
            expect(codes.workerCode.equals(p.codes.worker)).toBe(true);
            expect(codes.jobCode.equals(p.codes.job)).toBe(true);
            expect((await p.root.getTreasury()).collected).toBe(0n);
        });

        it('derives worker addresses like the TypeScript wrapper', async () => {
            const onChain = await p.root.getWorkerAddress(owner.address, 7);
            expect(onChain).toEqualAddress(workerOf(owner.address, 7).address);
            expect(onChain).not.toEqualAddress(workerOf(owner.address, 8).address);
        });

        it('should keep plain transfers, empty comments and deposit words in the treasury; refuse other texts', async () => {
            const before = (await p.root.getTreasury()).withdrawable;
            const e = await p.run(() => stranger.send({ to: p.root.address, value: toNano('2') }));
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: true });
            await p.run(() => stranger.send({ to: p.root.address, value: toNano('1'), body: commentBody('') }));
            await p.run(() => stranger.send({ to: p.root.address, value: toNano('1'), body: commentBody('Deposit') }));
            expect((await p.root.getTreasury()).withdrawable).toBeGreaterThan(before + toNano('3.9'));
            const refused = await p.run(() => stranger.send({ to: p.root.address, value: toNano('1'), body: commentBody('thanks') }));
            expect(refusalTo(refused.result, stranger.address)?.error).toBe(Errors.notACommand);
            expect((await p.root.getTreasury()).withdrawable).toBeLessThan(before + toNano('4.1'));
        });

        it('should reject an unknown op and a malformed body', async () => {
            let e = await p.run(() => p.root.sendRaw(p.governance.getSender(), beginCell().storeUint(0x12345678, 32).storeUint(0, 64).endCell(), GOV_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.unknownOp });
            e = await p.run(() => p.root.sendRaw(p.governance.getSender(), beginCell().storeUint(Op.addImage, 32).storeUint(0, 64).storeUint(1, 8).endCell(), GOV_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.cellUnderflow });
            e = await p.run(() => p.root.sendRaw(owner.getSender(), beginCell().storeUint(Op.registerWorker, 32).storeUint(0, 64).storeUint(0, 32).endCell(), toNano('11')));
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.cellUnderflow });
            // the malformed registration bounced: the owner paid only fees
            expect(Ledger.flow(e, owner.address)).toBeGreaterThan(-toNano('0.01'));
        });
    });

    describe('governance permissions', () => {
        const actions: Array<[string, () => RootGovernanceAction]> = [
            ['add image', () => ({ kind: 'addImage', label: 'test image', imageHash: NEW_IMAGE })],
            ['retire image', () => ({ kind: 'retireImage', imageHash: DEFAULT_IMAGE })],
            ['add model', () => ({ kind: 'addModel', modelHash: NEW_MODEL, name: 'org/other@1:2' })],
            ['remove model', () => ({ kind: 'removeModel', modelHash: DEFAULT_MODEL })],
            ['set params', () => ({ kind: 'setParams', params: { ...DEFAULT_PARAMS, protocolFeeBps: 300 } })],
            ['set code', () => ({ kind: 'setCode', jobCode: beginCell().storeUint(1, 8).endCell() })],
            ['propose governance', () => ({ kind: 'proposeGovernance', newGovernance: Address.parse('0:' + '11'.repeat(32)) })],
            ['withdraw treasury', () => ({ kind: 'withdrawTreasury', amount: toNano('0.1'), to: Address.parse('0:' + '22'.repeat(32)) })],
            ['slash worker', () => ({ kind: 'slashWorker', owner: Address.parse('0:' + '33'.repeat(32)), index: 0, amount: 1n, bps: 0, reason: uint256ToBuffer(1n) })],
        ];

        it.each(actions)('governance can %s', async (_name, make) => {
            await p.run(() => stranger.send({ to: p.root.address, value: toNano('1') })); // treasury for the withdrawal
            const e = await governance(make());
            expect(e.result.transactions).toHaveTransaction({ from: p.governance.address, to: p.root.address, success: true });
        });

        it.each(actions)('should reject %s from anyone else', async (_name, make) => {
            const e = await governance(make(), stranger);
            expect(e.result.transactions).toHaveTransaction({ from: stranger.address, to: p.root.address, success: false, exitCode: Errors.notGovernance });
        });

        it('round-trips every governance body through the codec', () => {
            for (const [, make] of actions) {
                const action = make();
                const back = parseRootGovernanceBody(rootGovernanceBody(action, 5n));
                expect(rootGovernanceBody(back, 5n).equals(rootGovernanceBody(action, 5n))).toBe(true);
            }
        });
    });

    describe('image allowlist', () => {
        it('adds an image and rejects a duplicate or a zero hash', async () => {
            await governance({ kind: 'addImage', label: 'test image', imageHash: NEW_IMAGE });
            expect(await p.root.getIsImageAllowed(NEW_IMAGE)).toBe(true);
            let e = await governance({ kind: 'addImage', label: 'test image', imageHash: NEW_IMAGE });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.imageExists });
            e = await governance({ kind: 'addImage', label: 'test image', imageHash: uint256ToBuffer(0n) });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.zeroHash });
        });

        it("keeps each image's label on-chain through supersession and retirement; a label longer than a Text is refused", async () => {
            await governance({ kind: 'addImage', label: 'cocoon-tdx 2.0 (H100)', imageHash: NEW_IMAGE, supersedes: DEFAULT_IMAGE, grace: 60 });
            await governance({ kind: 'retireImage', imageHash: NEW_IMAGE });
            const images = await p.root.getImages();
            expect(images.get(NEW_IMAGE)).toMatchObject({ label: 'cocoon-tdx 2.0 (H100)', retireAt: p.blockchain.now });
            expect(images.get(DEFAULT_IMAGE)).toMatchObject({ label: DEFAULT_IMAGE_LABEL, retireAt: p.blockchain.now! + 60 });
            expect(() => rootGovernanceBody({ kind: 'addImage', label: 'x'.repeat(128), imageHash: hashOf('long label') })).toThrow(/at most 127/);
            const label = beginCell().storeStringTail('long').storeRef(beginCell().storeStringTail(' label').endCell()).endCell();
            const body = beginCell().storeUint(Op.addImage, 32).storeUint(0, 64).storeBuffer(hashOf('long label')).storeUint(0, 256).storeUint(0, 32).storeRef(label).endCell();
            const e = await p.run(() => p.governance.send({ to: p.root.address, value: toNano('0.05'), body }));
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.textTooLong });
            expect(await p.root.getIsImageAllowed(hashOf('long label'))).toBe(false);
        });

        it('supersedes an image: the old one stays allowed during the grace window, then retires by itself', async () => {
            const grace = 3600;
            await governance({ kind: 'addImage', label: 'test image', imageHash: NEW_IMAGE, supersedes: DEFAULT_IMAGE, grace });
            const entry = (await p.root.getImages()).get(DEFAULT_IMAGE)!;
            expect(entry.retireAt).toBe(p.blockchain.now! + grace);

            p.advance(grace - 1);
            expect(await p.root.getIsImageAllowed(DEFAULT_IMAGE)).toBe(true);
            let e = await register(owner);
            expect(registrationRefusal(e.result, owner.address)).toBeUndefined();
            expect((await workerOf(owner.address).getState()).status).toBe(WorkerStatus.Active);

            p.advance(1);
            expect(await p.root.getIsImageAllowed(DEFAULT_IMAGE)).toBe(false);
            expect(await p.root.getIsImageAllowed(NEW_IMAGE)).toBe(true);
            const late = await p.wallet('late owner');
            e = await register(late);
            expect(registrationRefusal(e.result, late.address)).toBe(Errors.imageNotAllowed);
            e = await register(late, { attestation: { imageHash: NEW_IMAGE, modelHash: DEFAULT_MODEL, quoteHash: uint256ToBuffer(1n) } });
            expect(registrationRefusal(e.result, late.address)).toBeUndefined();
        });

        it('should reject superseding an unknown or retired image, or an image by itself', async () => {
            let e = await governance({ kind: 'addImage', label: 'test image', imageHash: NEW_IMAGE, supersedes: hashOf('unknown'), grace: 10 });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.imageUnknown });
            e = await governance({ kind: 'addImage', label: 'test image', imageHash: DEFAULT_IMAGE, supersedes: DEFAULT_IMAGE, grace: 10 });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.imageExists });
        });

        it('retires an image at once, and can add it back later', async () => {
            await governance({ kind: 'retireImage', imageHash: DEFAULT_IMAGE });
            expect(await p.root.getIsImageAllowed(DEFAULT_IMAGE)).toBe(false);
            const e = await register(owner);
            expect(registrationRefusal(e.result, owner.address)).toBe(Errors.imageNotAllowed);
            const again = await governance({ kind: 'retireImage', imageHash: DEFAULT_IMAGE });
            expect(again.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.imageUnknown });
            await governance({ kind: 'addImage', label: 'test image', imageHash: DEFAULT_IMAGE });
            expect(await p.root.getIsImageAllowed(DEFAULT_IMAGE)).toBe(true);
        });
    });

    describe('model allowlist', () => {
        it('adds and removes models, rejecting duplicates, unknown hashes and long names', async () => {
            await governance({ kind: 'addModel', modelHash: NEW_MODEL, name: 'org/other@1:2' });
            expect(await p.root.getIsModelAllowed(NEW_MODEL)).toBe(true);
            let e = await governance({ kind: 'addModel', modelHash: NEW_MODEL, name: 'again' });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.modelExists });
            await governance({ kind: 'removeModel', modelHash: NEW_MODEL });
            expect(await p.root.getIsModelAllowed(NEW_MODEL)).toBe(false);
            e = await governance({ kind: 'removeModel', modelHash: NEW_MODEL });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.modelUnknown });
            const longName = beginCell().storeUint(Op.addModel, 32).storeUint(0, 64).storeBuffer(NEW_MODEL)
                .storeRef(beginCell().storeBuffer(Buffer.alloc(100, 97)).storeRef(textCell('more')).endCell()).endCell();
            e = await p.run(() => p.root.sendRaw(p.governance.getSender(), longName, GOV_VALUE));
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.textTooLong });
        });

        it('refuses registrations for a model that is not allowed', async () => {
            await governance({ kind: 'removeModel', modelHash: DEFAULT_MODEL });
            const e = await register(owner);
            expect(registrationRefusal(e.result, owner.address)).toBe(Errors.modelNotAllowed);
        });
    });

    describe('parameters', () => {
        it('sets parameters, incrementing the version whatever version was sent', async () => {
            await governance({ kind: 'setParams', params: { ...DEFAULT_PARAMS, version: 99, minStake: toNano('20'), protocolFeeBps: 5_000 } });
            expect(await p.root.getParams()).toEqual({ ...DEFAULT_PARAMS, version: 2, minStake: toNano('20'), protocolFeeBps: 5_000 });
            // a new minimum applies to the next registration at once
            const e = await register(owner, {}, toNano('15'));
            expect(registrationRefusal(e.result, owner.address)).toBe(Errors.stakeTooSmall);
        });

        it.each([
            ['fee above 10000 bps', { protocolFeeBps: 10_001 }, Errors.bpsOutOfRange],
            ['slash above 10000 bps', { slashBps: 10_001 }, Errors.bpsOutOfRange],
            ['reporter reward above 10000 bps', { reporterBps: 20_000 }, Errors.bpsOutOfRange],
            ['zero unbonding period', { unbondingPeriod: 0 }, Errors.badPeriod],
            ['zero minimum challenge', { minChallenge: 0 }, Errors.badPeriod],
            ['minimum challenge above maximum', { minChallenge: 1000, maxChallenge: 999 }, Errors.minAboveMax],
            ['zero minimum stake', { minStake: 0n }, Errors.stakeTooSmall],
        ])('should reject parameters with %s', async (_name, change, code) => {
            const e = await governance({ kind: 'setParams', params: { ...DEFAULT_PARAMS, ...change } });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: code });
            expect(await p.root.getParams()).toEqual(DEFAULT_PARAMS);
        });

        it('sets child code for later deployments and bumps the version', async () => {
            const newWorkerCode = beginCell().storeUint(42, 8).endCell();
            await governance({ kind: 'setCode', workerCode: newWorkerCode });
            expect((await p.root.getChildCodes()).workerCode.equals(newWorkerCode)).toBe(true);
            expect((await p.root.getChildCodes()).jobCode.equals(p.codes.job)).toBe(true);
            expect((await p.root.getParams()).version).toBe(2);
            // Worker addresses do not depend on the code version (contracts/addresses.fc).
            const addr = await p.root.getWorkerAddress(owner.address, 0);
            expect(addr).toEqualAddress(workerOf(owner.address).address);
        });
    });

    describe('governance handover', () => {
        it('hands over in two steps: propose, then the new address accepts', async () => {
            const council = await p.wallet('council');
            await governance({ kind: 'proposeGovernance', newGovernance: council.address });
            expect((await p.root.getGovernance()).pending).toEqualAddress(council.address);
            // until accepted, the old governance still governs
            let e = await governance({ kind: 'addModel', modelHash: NEW_MODEL, name: 'x' });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: true });

            e = await governance({ kind: 'acceptGovernance' }, stranger);
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.notPendingGovernance });
            e = await governance({ kind: 'acceptGovernance' }, council);
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: true });
            const gov = await p.root.getGovernance();
            expect(gov.governance).toEqualAddress(council.address);
            expect(gov.pending).toBeNull();

            e = await governance({ kind: 'removeModel', modelHash: NEW_MODEL });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.notGovernance });
            e = await governance({ kind: 'removeModel', modelHash: NEW_MODEL }, council);
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: true });
        });

        it('should reject accepting when nothing is pending', async () => {
            const e = await governance({ kind: 'acceptGovernance' }, stranger);
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.noPendingGovernance });
        });

        it('a mistyped proposal can be replaced before anyone accepts it', async () => {
            const typo = Address.parse('0:' + 'ab'.repeat(32));
            const council = await p.wallet('council');
            await governance({ kind: 'proposeGovernance', newGovernance: typo });
            await governance({ kind: 'proposeGovernance', newGovernance: council.address });
            const e = await governance({ kind: 'acceptGovernance' }, council);
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: true });
        });
    });

    describe('treasury', () => {
        it('collects deposits and lets governance withdraw down to the storage reserve', async () => {
            let e = await p.run(() => p.root.sendTreasuryDeposit(stranger.getSender(), toNano('3')));
            expect((await p.root.getTreasury()).collected).toBe(toNano('3'));
            const { withdrawable } = await p.root.getTreasury();
            const to = await p.wallet('grant recipient', 0n);

            e = await governance({ kind: 'withdrawTreasury', amount: withdrawable + 1n, to: to.address });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.treasuryTooSmall });

            e = await governance({ kind: 'withdrawTreasury', amount: toNano('2'), to: to.address });
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: to.address, value: toNano('2'), success: true });
            const rootBalance = await p.root.getBalance();
            expect(rootBalance).toBeGreaterThanOrEqual(toNano('0.05'));
        });

        it('restores the treasury when a withdrawal bounces', async () => {
            await p.run(() => p.root.sendTreasuryDeposit(stranger.getSender(), toNano('3')));
            const refusing = await deployRejecting(p.blockchain, 1);
            p.ledger.track(refusing);
            const before = await p.root.getBalance();
            const e = await governance({ kind: 'withdrawTreasury', amount: toNano('2'), to: refusing });
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: refusing, success: false });
            expect(e.result.transactions).toHaveTransaction({ from: refusing, to: p.root.address, inMessageBounced: true });
            expect(Ledger.flow(e, refusing)).toBe(0n);
            // the root lost only the fees of the round trip, and kept the governance message's value
            expect((await p.root.getBalance()) - before).toBeGreaterThan(0n);
        });
    });

    describe('worker registration', () => {
        it('deploys a worker account with the stake and the attested fields', async () => {
            const value = DEFAULT_PARAMS.minStake + REGISTRATION_FEES;
            const e = await register(owner, {}, value);
            const worker = workerOf(owner.address);
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: worker.address, deploy: true, success: true });
            const state = await worker.getState();
            expect(state.status).toBe(WorkerStatus.Active);
            expect(state.owner).toEqualAddress(owner.address);
            expect(state.root).toEqualAddress(p.root.address);
            // everything but the fees became stake
            expect(state.stake).toBeGreaterThan(DEFAULT_PARAMS.minStake + REGISTRATION_FEES - toNano('0.1'));
            expect(state.stake).toBeLessThan(value);
            const { registration } = p.registrationFor(owner.address.toRawString());
            const profile = await worker.getProfile();
            expect(profile).toEqual({ ...registration.attestation, prices: registration.prices, endpoint: registration.endpoint });
            const keys = await worker.getKeys();
            expect(keys).toEqual({ receiptKey: registration.receiptKey, encryptionKey: registration.encryptionKey, retiredKeys: new Bytes32Map(), previousReceiptKey: Buffer.alloc(32), rotatedAt: 0 });
            const rep = await worker.getReputation();
            expect(rep).toEqual({ registeredAt: p.blockchain.now, jobs: 0, volume: 0n, tokens: 0n, slashes: 0, slashed: 0n });
            expect((await worker.getSettings()).params).toEqual(DEFAULT_PARAMS);
            // the owner paid exactly: value out, nothing back
            expect(-Ledger.flow(e, owner.address)).toBeGreaterThanOrEqual(value);
        });

        it('one owner runs several workers, one account each', async () => {
            await register(owner, {}, undefined, 0);
            await register(owner, {}, undefined, 1);
            expect((await workerOf(owner.address, 0).getState()).status).toBe(WorkerStatus.Active);
            expect((await workerOf(owner.address, 1).getState()).status).toBe(WorkerStatus.Active);
        });

        it.each([
            ['an image that is not allowed', { attestation: { imageHash: NEW_IMAGE, modelHash: DEFAULT_MODEL, quoteHash: uint256ToBuffer(1n) } }, undefined, Errors.imageNotAllowed],
            ['a model that is not allowed', { attestation: { imageHash: DEFAULT_IMAGE, modelHash: NEW_MODEL, quoteHash: uint256ToBuffer(1n) } }, undefined, Errors.modelNotAllowed],
            ['too little stake', {}, DEFAULT_PARAMS.minStake, Errors.stakeTooSmall],
        ])('should refuse %s and return the whole value', async (_name, overrides, value, code) => {
            const sent = value ?? DEFAULT_PARAMS.minStake + REGISTRATION_FEES;
            const e = await register(owner, overrides, sent);
            expect(registrationRefusal(e.result, owner.address)).toBe(code);
            expect(e.result.transactions).not.toHaveTransaction({ from: p.root.address, to: workerOf(owner.address).address });
            // only the root's gas and the two messages' fees were spent
            expect(-Ledger.flow(e, owner.address)).toBeLessThan(toNano('0.01'));
            expect(Ledger.flow(e, p.root.address)).toBe(0n);
        });

        it('refunds a non-bounceable sender too (a wallet pasting a non-bounceable address)', async () => {
            const { registration } = p.registrationFor('nb');
            const e = await p.run(() =>
                owner.send({ to: p.root.address, bounce: false, value: toNano('5'), body: workerRegistrationBody(registration) }),
            );
            expect(registrationRefusal(e.result, owner.address)).toBe(Errors.stakeTooSmall);
            expect(-Ledger.flow(e, owner.address)).toBeLessThan(toNano('0.01'));
        });

        it('keeps a refund that its sender refuses in the treasury (register_refused bounce path)', async () => {
            const refusing = await deployRejecting(p.blockchain, 3);
            p.ledger.track(refusing);
            const { registration } = p.registrationFor('refusing sender');
            const before = await p.root.getBalance();
            const e = await p.run(() =>
                p.root.sendRegisterWorker(p.blockchain.sender(refusing), { ...registration, attestation: { ...registration.attestation, imageHash: NEW_IMAGE } }, toNano('11')),
            );
            expect(registrationRefusal(e.result, refusing)).toBe(Errors.imageNotAllowed);
            expect(e.result.transactions).toHaveTransaction({ from: refusing, to: p.root.address, inMessageBounced: true });
            expect((await p.root.getBalance()) - before).toBeGreaterThan(toNano('10.9'));
        });

        it('should refuse an endpoint longer than one cell', async () => {
            const { registration } = p.registrationFor('long');
            const body = workerRegistrationBody(registration);
            const s = body.beginParse();
            const head = s.loadBits(32 + 64 + 32 + 512 + 4); // ... enc_key, payout_threshold = 0 (4 bits)
            const attestation = s.loadRef();
            const prices = s.loadRef();
            const longEndpoint = beginCell().storeBuffer(Buffer.alloc(120, 104)).storeRef(textCell('x')).endCell();
            const bad = beginCell().storeBits(head).storeRef(attestation).storeRef(prices).storeRef(longEndpoint).endCell();
            const e = await p.run(() => p.root.sendRaw(owner.getSender(), bad, toNano('11')));
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.textTooLong });
        });

        it('keeps a deployment the worker code refused in the treasury (root bounce path)', async () => {
            // Governance installs worker code that throws on every message: the deploy bounces to the root.
            const throwing = await import('@ton-community/func-js').then(({ compileFunc }) =>
                compileFunc({ targets: ['t.fc'], sources: { 't.fc': '() recv_internal() impure { throw(77); }' } }),
            );
            if (throwing.status === 'error') throw new Error(throwing.message);
            await governance({ kind: 'setCode', workerCode: Cell.fromBase64(throwing.codeBoc) });
            const before = await p.root.getBalance();
            const e = await register(owner);
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, success: false, exitCode: 77 });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, inMessageBounced: true });
            expect((await p.root.getBalance()) - before).toBeGreaterThan(DEFAULT_PARAMS.minStake);
        });
    });

    describe('attestation update', () => {
        it('rotates keys through the root, keeping the previous receipt key and its rotation time', async () => {
            const w = await p.registerWorker(owner);
            const before = await w.worker.getState();
            p.advance(100);
            const newReceiptKey = hashOf('new receipt key');
            const e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), { ...w.registration, receiptKey: newReceiptKey }, toNano('0.1'), true));
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: w.worker.address, success: true });
            const keys = await w.worker.getKeys();
            expect(keys.receiptKey).toEqual(newReceiptKey);
            expect(keys.previousReceiptKey).toEqual(w.registration.receiptKey);
            expect(keys.rotatedAt).toBe(p.blockchain.now);
            const after = await w.worker.getState();
            expect(after.stake).toBeGreaterThanOrEqual(before.stake);
            expect(after.status).toBe(WorkerStatus.Active);
        });

        it('moves to a new image and model when the key rotates with them', async () => {
            const w = await p.registerWorker(owner);
            await governance({ kind: 'addImage', label: 'test image', imageHash: NEW_IMAGE });
            await governance({ kind: 'addModel', modelHash: NEW_MODEL, name: 'org/new@1:2' });
            const attestation = { imageHash: NEW_IMAGE, modelHash: NEW_MODEL, quoteHash: hashOf('new quote') };
            await p.run(() => p.root.sendRegisterWorker(owner.getSender(), { ...w.registration, attestation, receiptKey: hashOf('k2') }, toNano('0.1'), true));
            expect((await w.worker.getProfile()).modelHash).toEqual(NEW_MODEL);
            expect((await w.worker.getProfile()).imageHash).toEqual(NEW_IMAGE);
        });

        it('should refuse a model change that keeps the same receipt key', async () => {
            const w = await p.registerWorker(owner);
            await governance({ kind: 'addModel', modelHash: NEW_MODEL, name: 'org/new@1:2' });
            const attestation = { ...w.registration.attestation, modelHash: NEW_MODEL };
            const e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), { ...w.registration, attestation }, toNano('0.1'), true));
            expect(registrationRefusal(e.result, owner.address)).toBe(Errors.keyNotRotated);
            expect((await w.worker.getProfile()).modelHash).toEqual(DEFAULT_MODEL);
        });

        it('should refuse an update with too little value for its fees', async () => {
            const w = await p.registerWorker(owner);
            const e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), w.registration, toNano('0.005'), true));
            expect(registrationRefusal(e.result, owner.address)).toBe(Errors.insufficientValue);
        });

        it('should refuse an update for an account that was never registered, leaving no account behind', async () => {
            const e = await register(owner, {}, toNano('0.5'));
            expect(registrationRefusal(e.result, owner.address)).toBe(Errors.stakeTooSmall);
            const { registration } = p.registrationFor('never');
            const u = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), registration, toNano('0.5'), true));
            expect(registrationRefusal(u.result, owner.address)).toBe(Errors.workerNotRegistered);
            const account = await p.blockchain.getContract(workerOf(owner.address).address);
            expect(account.accountState?.type ?? 'uninit').not.toBe('active');
            expect(-Ledger.flow(u, owner.address)).toBeLessThan(toNano('0.05'));
        });

        it('a second registration of the same index updates it and adds the value to the stake', async () => {
            const w = await p.registerWorker(owner);
            const before = (await w.worker.getState()).stake;
            await register(owner);
            const after = (await w.worker.getState()).stake;
            expect(after - before).toBeGreaterThan(DEFAULT_PARAMS.minStake);
        });
    });

    describe('parameter sync and governance slash', () => {
        it('anyone can push new parameters to a worker through the root', async () => {
            const w = await p.registerWorker(owner);
            await governance({ kind: 'setParams', params: { ...DEFAULT_PARAMS, minStake: toNano('100') } });
            expect((await w.worker.getSettings()).params.version).toBe(1);
            const e = await p.run(() => p.root.sendSyncWorker(stranger.getSender(), owner.address, 0, toNano('0.05')));
            expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: w.worker.address, success: true });
            const settings = await w.worker.getSettings();
            expect(settings.params).toEqual({ ...DEFAULT_PARAMS, version: 2, minStake: toNano('100') });
            // its stake is now below the minimum: inactive until topped up
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Inactive);
            await p.run(() => w.worker.sendAddStake(owner.getSender(), toNano('95')));
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Active);
        });

        it('should refuse a sync with too little value (a refusal comment), and bounce one for an account that does not exist', async () => {
            let e = await p.run(() => p.root.sendSyncWorker(stranger.getSender(), owner.address, 0, toNano('0.005')));
            expect(refusalFrom(e.result, p.root.address)).toBe(Errors.insufficientValue);
            e = await p.run(() => p.root.sendSyncWorker(stranger.getSender(), owner.address, 9, toNano('0.05')));
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, inMessageBounced: true });
        });

        it('governance slashes an amount or basis points; the slash reaches the treasury', async () => {
            const w = await p.registerWorker(owner);
            const stake = (await w.worker.getState()).stake;
            let e = await governance({ kind: 'slashWorker', owner: owner.address, index: 0, amount: toNano('1'), bps: 0, reason: uint256ToBuffer(1n) });
            expect((await w.worker.getState()).stake).toBe(stake - toNano('1'));
            expect((await p.root.getTreasury()).collected).toBeGreaterThanOrEqual(toNano('1'));
            e = await governance({ kind: 'slashWorker', owner: owner.address, index: 0, amount: 0n, bps: 5000, reason: uint256ToBuffer(2n) });
            const half = (stake - toNano('1')) / 2n;
            expect((await w.worker.getState()).stake).toBe(stake - toNano('1') - half);
            expect((await w.worker.getState()).status).toBe(WorkerStatus.Inactive);
            const rep = await w.worker.getReputation();
            expect(rep.slashes).toBe(2);
            expect(rep.slashed).toBe(toNano('1') + half);
            expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, to: p.root.address, op: Op.treasuryDeposit, success: true });
        });

        it('should bounce a slash back to the root for a reused reason, too large an amount, or no account', async () => {
            const w = await p.registerWorker(owner);
            await governance({ kind: 'slashWorker', owner: owner.address, index: 0, amount: 1n, bps: 0, reason: uint256ToBuffer(7n) });
            let e = await governance({ kind: 'slashWorker', owner: owner.address, index: 0, amount: 1n, bps: 0, reason: uint256ToBuffer(7n) });
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.evidenceUsed });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, inMessageBounced: true });
            e = await governance({ kind: 'slashWorker', owner: owner.address, index: 0, amount: toNano('1000'), bps: 0, reason: uint256ToBuffer(8n) });
            expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.slashTooLarge });
            e = await governance({ kind: 'slashWorker', owner: owner.address, index: 3, amount: 1n, bps: 0, reason: uint256ToBuffer(9n) });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, inMessageBounced: true });
            e = await governance({ kind: 'slashWorker', owner: owner.address, index: 0, amount: 0n, bps: 10_001, reason: uint256ToBuffer(10n) });
            expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.slashTooLarge });
        });
    });
});

