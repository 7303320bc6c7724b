/**
 * Attacks on child addressing, receipt-key retention, parameter bounds and the job-code library, each written
 * as a test first (it failed on the code before the fix) and kept.
 */
import { beginCell, Cell, contractAddress, toNano } from '@ton/core';
import '@ton/test-utils';
import { Errors, Op, WorkerStatus } from '../../wrappers/Constants';
import { equivocationBody } from '../../wrappers/payloads';
import { initJobBody, jobInitData } from '../../wrappers/Job';
import { libraryCell, publicLibraries } from '../../wrappers/library';
import { Librarian, libraryHashOf } from '../../wrappers/Librarian';
import { LIBRARY_MIN_RUNWAY, LIBRARY_TARGET_RUNWAY, PARAM_BOUNDS, paramsViolation, RootParams } from '../../wrappers/Root';
import { readFileSync } from 'fs';
import path from 'path';
import { installBody } from '../../wrappers/stub';
import { Worker, workerAddress, workerStateInit } from '../../wrappers/Worker';
import { refusalTo, registrationRefusal } from '../../wrappers/testkit/replies';
import { deployRejecting } from '../../wrappers/testkit/rejecting';
import { gasConstant } from '../../wrappers/testkit/gas';
import { findTxTo, gasOf, txTo } from '../../wrappers/testkit/transactions';
import { loadCode } from '../../wrappers/code';
import { DEFAULT_PARAMS, DEFAULT_PRICES, deployProtocol, ed25519FromLabel, hashOf, Protocol } from '../../wrappers/testkit';
import { codeVariant } from '../../wrappers/testkit/codes';
import { CLOSE_VALUE, deployForJobs, FINALIZE_VALUE, openJob } from '../../wrappers/testkit/jobs';

const GOV_VALUE = toNano('0.05');
const USAGE = { prompt: 200_000, cached: 50_000, completion: 80_000, reasoning: 20_000 };

/** Governance installs `code` as the job code, published as a library like the original. */
async function changeJobCode(p: Protocol, code: Cell) {
    const libs = [loadCode('Job'), code];
    p.blockchain.libs = publicLibraries(libs);
    await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'setCode', jobCode: libraryCell(code) }, GOV_VALUE));
}

describe('worker-code change: governance still reaches workers registered before it', () => {
    let p: Protocol;
    beforeEach(async () => {
        p = await deployProtocol({ workers: 1 });
        await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'setCode', workerCode: codeVariant(loadCode('Worker'), 1) }, GOV_VALUE));
    });

    it('a governance slash takes the stake of a worker registered before the change', async () => {
        const w = p.workers[0];
        const before = (await w.worker.getState()).stake;
        const e = await p.run(() =>
            p.root.sendGovernance(p.governance.getSender(), { kind: 'slashWorker', owner: w.owner.address, index: 0, amount: toNano('1'), bps: 0, reason: hashOf('slash after the code change') }, GOV_VALUE),
        );
        expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: w.worker.address, op: Op.govSlash, success: true });
        expect((await w.worker.getState()).stake).toBe(before - toNano('1'));
    });

    it('sync_worker delivers new parameters to it', async () => {
        const w = p.workers[0];
        await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'setParams', params: { ...DEFAULT_PARAMS, minStake: toNano('20') } }, GOV_VALUE));
        await p.run(() => p.root.sendSyncWorker(w.owner.getSender(), w.owner.address, 0, toNano('0.1')));
        expect((await w.worker.getSettings()).params.minStake).toBe(toNano('20'));
        expect((await w.worker.getState()).status).toBe(WorkerStatus.Inactive);
    });

    it('an attestation update rotates its key', async () => {
        const w = p.workers[0];
        const newKey = hashOf('rotated after the code change');
        await p.run(() => p.root.sendRegisterWorker(w.owner.getSender(), { ...w.registration, receiptKey: newKey }, toNano('0.1'), true));
        expect((await w.worker.getKeys()).receiptKey).toEqual(newKey);
    });
});

describe('job-code change', () => {
    it('a job opened before three job-code changes still settles and counts for its worker', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        const w = j.worker;
        j.serve(USAGE);
        await p.run(() => j.job.sendExtClaim(j.voucher()));
        for (const n of [1, 2, 3]) {
            await changeJobCode(p, codeVariant(loadCode('Job'), n));
            await p.run(() => p.root.sendSyncWorker(w.owner.getSender(), w.owner.address, 0, toNano('0.1')));
        }
        await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
        p.advance(p.params.minChallenge);
        const e = await p.run(() => j.job.sendFinalize(j.client.getSender(), FINALIZE_VALUE));
        expect(e.result.transactions).toHaveTransaction({ from: j.address, to: w.worker.address, op: Op.jobReport, success: true });
        expect((await w.worker.getReputation()).jobs).toBe(1);
    });

    it('no job of the replaced code can open once governance changed it', async () => {
        const p = await deployForJobs();
        const w = p.workers[0];
        const oldCode = p.codes.job;
        await changeJobCode(p, codeVariant(loadCode('Job'), 1));
        await p.run(() => p.root.sendSyncWorker(w.owner.getSender(), w.owner.address, 0, toNano('0.1')));
        // A client deploys a job of the old code itself (the way jobs were opened before the root deployed them).
        const client = await p.wallet('old-code client');
        const init = { code: oldCode, data: jobInitData({ root: p.root.address, client: client.address, worker: w.worker.address, jobId: 1n }) };
        const address = contractAddress(0, init);
        const e = await p.run(() =>
            p.blockchain.sendMessage({
                info: { type: 'internal', src: client.address, dest: address, value: { coins: toNano('5') }, bounce: true, bounced: false, ihrDisabled: true, ihrFee: 0n, forwardFee: 0n, createdLt: 0n, createdAt: 0 },
                init,
                body: initJobBody({ clientKey: ed25519FromLabel('old-code client').publicKey, challenge: p.params.minChallenge, maxPrices: DEFAULT_PRICES }),
            }),
        );
        expect(e.result.transactions).not.toHaveTransaction({ from: w.worker.address, to: address, op: Op.jobAccepted });
        const state = (await p.blockchain.getContract(address)).accountState?.type;
        expect(state === 'active' ? Number((await p.blockchain.runGetMethod(address, 'get_state')).stackReader.readBigNumber()) : 0).not.toBe(2);
    });
});

describe('receipt keys stay slashable for the whole evidence window', () => {
    it('rotate twice, then equivocate with the oldest key: slashed', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        const w = j.worker;
        const oldest = w.receiptKeys;
        for (const label of ['second key', 'third key']) {
            const k = ed25519FromLabel(label);
            await p.run(() => p.root.sendRegisterWorker(w.owner.getSender(), { ...w.registration, receiptKey: k.publicKey }, toNano('0.1'), true));
        }
        const reporter = await p.wallet('reporter');
        const a = j.receipt({ seqno: 5, cost: 10n }, oldest.secretKey);
        const b = j.receipt({ seqno: 5, cost: 20n }, oldest.secretKey);
        const stake = (await w.worker.getState()).stake;
        const e = await p.run(() => w.worker.sendRaw(reporter.getSender(), equivocationBody(a, b), toNano('0.1')));
        expect(e.result.transactions).toHaveTransaction({ from: reporter.address, to: w.worker.address, success: true });
        expect((await w.worker.getState()).status).toBe(WorkerStatus.Slashed);
        expect((await w.worker.getState()).stake).toBeLessThan(stake);
    });
});

describe('retired receipt keys: window and bound', () => {
    it('a retired key is slashable until one unbonding period after its rotation, not after', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        const w = j.worker;
        const oldest = w.receiptKeys;
        await p.run(() => p.root.sendRegisterWorker(w.owner.getSender(), { ...w.registration, receiptKey: ed25519FromLabel('k1').publicKey }, toNano('0.1'), true));
        const reporter = await p.wallet('reporter');
        const a = j.receipt({ seqno: 9, cost: 10n }, oldest.secretKey);
        const b = j.receipt({ seqno: 9, cost: 20n }, oldest.secretKey);
        p.advance(p.params.unbondingPeriod);
        const e = await p.run(() => w.worker.sendRaw(reporter.getSender(), equivocationBody(a, b), toNano('0.1')));
        expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: false, exitCode: Errors.badSignature });
        expect((await w.worker.getState()).status).toBe(WorkerStatus.Active);
    });

    it(`keeps at most ${16} live retired keys: the next rotation waits, expired ones are pruned`, async () => {
        const p = await deployProtocol({ workers: 1 });
        const w = p.workers[0];
        const rotate = (label: string) =>
            p.run(() => p.root.sendRegisterWorker(w.owner.getSender(), { ...w.registration, receiptKey: hashOf(label) }, toNano('0.1'), true));
        for (let i = 0; i < 16; i++) await rotate(`key ${i}`);
        expect((await w.worker.getKeys()).retiredKeys.size).toBe(16);
        const e = await rotate('one too many');
        expect(registrationRefusal(e.result, w.owner.address)).toBe(Errors.tooManyRetiredKeys);
        expect((await w.worker.getKeys()).receiptKey).toEqual(hashOf('key 15'));
        p.advance(p.params.unbondingPeriod);
        await rotate('after the window');
        const keys = await w.worker.getKeys();
        expect(keys.receiptKey).toEqual(hashOf('after the window'));
        expect(keys.retiredKeys.keys()).toEqual([hashOf('key 15')]);
    });
});

describe('parameter bounds', () => {
    let p: Protocol;
    beforeEach(async () => {
        p = await deployProtocol({ workers: 1 });
    });
    const setParams = (over: Partial<typeof DEFAULT_PARAMS>) =>
        p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'setParams', params: { ...DEFAULT_PARAMS, ...over } }, GOV_VALUE));

    it('refuses an unbonding period that would make request_unbond overflow', async () => {
        const e = await setParams({ unbondingPeriod: 2 ** 32 - 1 });
        expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.badPeriod });
    });

    it('refuses a maximum challenge period that would make close overflow', async () => {
        const e = await setParams({ maxChallenge: 2 ** 32 - 1 });
        expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.badPeriod });
    });

    const B = PARAM_BOUNDS;
    it.each<[string, Partial<RootParams>, Partial<RootParams>, number]>([
        ['min stake floor', { minStake: B.minStakeMin }, { minStake: B.minStakeMin - 1n }, Errors.paramOutOfRange],
        ['min stake ceiling', { minStake: B.minStakeMax }, { minStake: B.minStakeMax + 1n }, Errors.paramOutOfRange],
        ['protocol fee', { protocolFeeBps: B.protocolFeeBpsMax }, { protocolFeeBps: B.protocolFeeBpsMax + 1 }, Errors.paramOutOfRange],
        ['slash floor', { slashBps: B.slashBpsMin }, { slashBps: B.slashBpsMin - 1 }, Errors.paramOutOfRange],
        ['reporter share', { reporterBps: B.reporterBpsMax }, { reporterBps: B.reporterBpsMax + 1 }, Errors.paramOutOfRange],
        ['min challenge floor', { minChallenge: B.minChallengeMin }, { minChallenge: B.minChallengeMin - 1 }, Errors.badPeriod],
        ['max challenge ceiling', { maxChallenge: B.maxChallengeMax, unbondingPeriod: B.maxChallengeMax }, { maxChallenge: B.maxChallengeMax + 1, unbondingPeriod: B.unbondingPeriodMax }, Errors.badPeriod],
        ['unbonding at least the max challenge', { unbondingPeriod: DEFAULT_PARAMS.maxChallenge }, { unbondingPeriod: DEFAULT_PARAMS.maxChallenge - 1 }, Errors.badPeriod],
        ['unbonding ceiling', { unbondingPeriod: B.unbondingPeriodMax }, { unbondingPeriod: B.unbondingPeriodMax + 1 }, Errors.badPeriod],
    ])('%s: the bound is accepted, one past it refused (and paramsViolation agrees)', async (_name, atBound, past, error) => {
        expect(paramsViolation({ ...DEFAULT_PARAMS, ...atBound })).toBeNull();
        expect(paramsViolation({ ...DEFAULT_PARAMS, ...past })).not.toBeNull();
        let e = await setParams(atBound);
        expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: true });
        e = await setParams(past);
        expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: error });
    });

    it('the FunC bounds are the ones wrappers/Root.ts documents', () => {
        const cells = readFileSync(path.join(__dirname, '..', '..', 'contracts', 'cells.fc'), 'utf8');
        const c = (name: string) => BigInt(new RegExp(`const int params::${name} = (\\d+);`).exec(cells)![1]);
        expect([c('min_stake_min'), c('min_stake_max'), c('fee_bps_max'), c('slash_bps_min'), c('reporter_bps_max'), c('min_challenge_min'), c('max_challenge_max'), c('unbonding_period_max')])
            .toEqual([B.minStakeMin, B.minStakeMax, BigInt(B.protocolFeeBpsMax), BigInt(B.slashBpsMin), BigInt(B.reporterBpsMax), BigInt(B.minChallengeMin), BigInt(B.maxChallengeMax), BigInt(B.unbondingPeriodMax)]);
    });
});

describe('job-code library funding: no escrow locked by an unpaid bill', () => {
    it('the root shows the library runway', async () => {
        const p = await deployForJobs();
        const r = await p.blockchain.runGetMethod(p.root.address, 'get_library_funding');
        expect(r.exitCode).toBe(0);
        const f = await p.root.getLibraryFunding();
        expect(f.librarian).toEqualAddress(Librarian.forLibrary(libraryHashOf(p.codes.job)).address);
        expect(f.paidUntil).toBe(p.blockchain.now! + LIBRARY_TARGET_RUNWAY);
        expect(f.minRunway).toBe(LIBRARY_MIN_RUNWAY);
    });

    it('no job opens on a library paid for less than the minimum runway; the treasury pays it and jobs open again', async () => {
        const p = await deployForJobs();
        const w = p.workers[0];
        p.advance(LIBRARY_TARGET_RUNWAY - LIBRARY_MIN_RUNWAY + 1);
        const client = await p.wallet('late client');
        const request = { worker: w.worker.address, jobId: 1n, clientKey: ed25519FromLabel('late').publicKey, challenge: p.params.minChallenge, maxPrices: DEFAULT_PRICES };
        let e = await p.run(() => p.root.sendOpenJob(client.getSender(), toNano('5'), request));
        expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.libraryUnfunded });
        expect(e.result.transactions).toHaveTransaction({ from: p.root.address, to: client.address, inMessageBounced: true });
        // Anyone pays the rent out of the treasury.
        const keeper = await p.wallet('keeper');
        await p.run(() => p.root.sendTreasuryDeposit(keeper.getSender(), toNano('100')));
        const f = await p.root.getLibraryFunding();
        e = await p.run(() => p.root.sendFundLibrary(keeper.getSender(), toNano('0.05')));
        const toLibrarian = findTxTo(e.result.transactions, f.librarian!);
        expect(toLibrarian).toBeDefined();
        const paid = (await p.root.getLibraryFunding()).paidUntil;
        expect(paid).toBe(p.blockchain.now! + LIBRARY_TARGET_RUNWAY);
        // The rent sent covers the extension at the year's rate (within a nanoton per year of rounding).
        const sent = toLibrarian!.inMessage!.info.type === 'internal' ? toLibrarian!.inMessage!.info.value.coins : 0n;
        const extension = BigInt(paid - f.paidUntil);
        expect(sent).toBeGreaterThanOrEqual((f.yearlyRent * extension) / 31_536_000n);
        // Gas constants the fees are computed from (contracts/gas.fc).
        expect(gasOf(txTo(e.result.transactions, p.root.address))).toBeLessThanOrEqual(gasConstant('gas::root_fund_library'));
        expect(gasOf(toLibrarian!)).toBeLessThanOrEqual(gasConstant('gas::librarian'));
        console.log(`fund_library: root ${gasOf(txTo(e.result.transactions, p.root.address))} gas, librarian ${gasOf(toLibrarian!)} gas, rent sent ${sent}`);
        e = await p.run(() => p.root.sendFundLibrary(keeper.getSender(), toNano('0.05')));
        expect(refusalTo(e.result, keeper.address)?.error).toBe(Errors.libraryFunded);
        e = await p.run(() => p.root.sendOpenJob(client.getSender(), toNano('5'), request));
        expect(e.result.transactions).toHaveTransaction({ from: w.worker.address, op: Op.jobAccepted, success: true });
    });

    it('paying the library never starves the root: what it keeps pays its own rent for longer than the runway it buys (found by the fuzzer)', async () => {
        const p = await deployForJobs();
        p.advance(LIBRARY_TARGET_RUNWAY - LIBRARY_MIN_RUNWAY + 1);
        const keeper = await p.wallet('keeper');
        // The root's ~1 TON buys only days of masterchain rent: fund_library spends all it may, down to the root's reserve.
        let e = await p.run(() => p.root.sendFundLibrary(keeper.getSender(), toNano('0.05')));
        expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: true });
        expect((await p.root.getTreasury()).withdrawable).toBeLessThan(toNano('0.1'));
        // Three years on (the 2-year target runway and one more), nothing has refilled the treasury.
        p.advance(gasConstant('period::root_reserve'));
        e = await p.run(() => p.root.sendFundLibrary(keeper.getSender(), toNano('0.05')));
        const root = await p.blockchain.getContract(p.root.address);
        const stats = root.account.account?.storageStats;
        expect(root.accountState?.type).toBe('active');
        expect(stats?.duePayment ?? 0n).toBe(0n);
        expect(root.balance).toBeGreaterThan(0n);
        // The reserve covers the root's own size: the measured account stays within the bound the reserve is priced at.
        expect(Number(stats!.used.bits)).toBeLessThanOrEqual(gasConstant('max_size::root_bits'));
        expect(Number(stats!.used.cells)).toBeLessThanOrEqual(gasConstant('max_size::root_cells'));
        console.log(`root account: ${stats!.used.bits} bits, ${stats!.used.cells} cells; balance after ${gasConstant('period::root_reserve')} s: ${root.balance}`);
    });

    it('a new job-code library starts unpaid: opens wait for fund_library, which pays only what the treasury holds', async () => {
        const p = await deployForJobs();
        await changeJobCode(p, codeVariant(loadCode('Job'), 1));
        expect((await p.root.getLibraryFunding()).paidUntil).toBe(0);
        const keeper = await p.wallet('keeper');
        const e = await p.run(() => p.root.sendFundLibrary(keeper.getSender(), toNano('0.05')));
        // The root holds about 1 TON: it pays what it can above its reserve, a short runway, still below the minimum.
        expect(e.result.transactions).toHaveTransaction({ to: p.root.address, success: true });
        const f = await p.root.getLibraryFunding();
        expect(f.paidUntil).toBeGreaterThan(p.blockchain.now!);
        expect(f.paidUntil).toBeLessThan(p.blockchain.now! + LIBRARY_MIN_RUNWAY);
        expect((await p.root.getTreasury()).withdrawable).toBeLessThan(toNano('0.1'));
    });

    it('a job opened on the old library keeps running when the code changes (its library stays published)', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        await changeJobCode(p, codeVariant(loadCode('Job'), 1));
        j.serve(USAGE);
        const e = await p.run(() => j.job.sendExtClaim(j.voucher()));
        expect(e.result.transactions).toHaveTransaction({ to: j.worker.worker.address, op: Op.jobPayout, success: true });
    });
});

describe('bounce of the root\'s job deploy', () => {
    it('job code that throws: the deploy bounces and the value stays in the treasury (documented; governance can return it)', async () => {
        const p = await deployForJobs({ jobCodeAsLibrary: false });
        // Code that throws on every message (the test kit's rejecting contract).
        const rejecting = (await p.blockchain.getContract(await deployRejecting(p.blockchain, 1))).accountState;
        if (rejecting?.type !== 'active' || !rejecting.state.code) throw new Error('no rejecting code');
        const broken = rejecting.state.code;
        await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'setCode', jobCode: broken }, GOV_VALUE));
        const client = await p.wallet('unlucky client');
        const before = (await p.root.getTreasury()).withdrawable;
        const e = await p.run(() => p.root.sendOpenJob(client.getSender(), toNano('5'), { worker: p.workers[0].worker.address, jobId: 1n, clientKey: ed25519FromLabel('unlucky').publicKey, challenge: p.params.minChallenge, maxPrices: DEFAULT_PRICES }));
        expect(e.result.transactions).toHaveTransaction({ from: p.root.address, success: false });
        expect(e.result.transactions).toHaveTransaction({ to: p.root.address, inMessageBounced: true, success: true });
        expect((await p.root.getTreasury()).withdrawable).toBeGreaterThan(before + toNano('4.9'));
    });
});

describe('stub', () => {
    it('only the root installs code in a worker account: anyone else is refused', async () => {
        const p = await deployProtocol();
        const owner = await p.wallet('squatter');
        const stranger = await p.wallet('stranger');
        const target = workerAddress(p.root.address, owner.address, 0);
        const body = installBody(beginCell().storeUint(0, 8).endCell(), beginCell().endCell());
        const e = await p.run(() => stranger.send({ to: target, value: toNano('1'), init: workerStateInit(p.root.address, owner.address, 0), body }));
        expect(e.result.transactions).toHaveTransaction({ from: stranger.address, to: target, success: false, exitCode: Errors.notRoot });
        // The owner still registers there: the root installs the worker code over the stub.
        await p.registerWorker(owner);
        expect((await p.blockchain.openContract(Worker.createFor(p.root.address, owner.address, 0)).getState()).status).toBe(WorkerStatus.Active);
    });

    it('a worker account keeps its code when the root re-registers it after a worker-code change', async () => {
        const p = await deployProtocol({ workers: 1 });
        const w = p.workers[0];
        const variant = codeVariant(loadCode('Worker'), 1);
        await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'setCode', workerCode: variant }, GOV_VALUE));
        await p.registerWorker(w.owner);
        const state = (await p.blockchain.getContract(w.worker.address)).accountState;
        expect(state?.type === 'active' && state.state.code?.equals(loadCode('Worker'))).toBe(true);
        // A new worker gets the new code at the same kind of address.
        const fresh = await p.registerWorker(await p.wallet('new owner'));
        const freshState = (await p.blockchain.getContract(fresh.worker.address)).accountState;
        expect(freshState?.type === 'active' && freshState.state.code?.equals(variant)).toBe(true);
    });
});
