/**
 * The root's fee checks read gas and forwarding prices from the live config: under changed prices, exactly
 * the advertised fee is enough and one nanoton less is refused.
 */
import '@ton/test-utils';
import { Errors, WorkerStatus } from '../../wrappers/Constants';
import { DEFAULT_PARAMS, deployProtocol, Protocol } from '../../wrappers/testkit';
import { registrationRefusal } from '../../wrappers/testkit/replies';
import { configWithPrices } from '../../wrappers/testkit/sizes';

describe.each([
    ['current prices', 1n, 1n],
    ['gas ×3, forwarding ×2', 3n, 2n],
])('registration fees at %s', (_name, gasFactor, fwdFactor) => {
    let p: Protocol;

    beforeEach(async () => {
        p = await deployProtocol();
        p.blockchain.setConfig(configWithPrices(p.blockchain.config, gasFactor, fwdFactor));
    });

    it('exactly the advertised fee on top of the minimum stake registers an active worker', async () => {
        const fees = await p.root.getFees();
        const owner = await p.wallet('exact');
        const { registration } = p.registrationFor('exact');
        const e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), registration, DEFAULT_PARAMS.minStake + fees.register));
        expect(registrationRefusal(e.result, owner.address)).toBeUndefined();
        const worker = p.blockchain.openContract((await import('../../wrappers/Worker')).Worker.createFor(p.root.address, owner.address, 0));
        const state = await worker.getState();
        expect(state.status).toBe(WorkerStatus.Active);
        expect(state.stake).toBeGreaterThanOrEqual(DEFAULT_PARAMS.minStake);
    });

    it('one nanoton less is refused with the whole value back', async () => {
        const fees = await p.root.getFees();
        const owner = await p.wallet('short');
        const { registration } = p.registrationFor('short');
        const e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), registration, DEFAULT_PARAMS.minStake + fees.register - 1n));
        expect(registrationRefusal(e.result, owner.address)).toBe(Errors.stakeTooSmall);
    });

    it('exactly the advertised update and sync fees are enough', async () => {
        const fees = await p.root.getFees();
        const owner = await p.wallet('update');
        const w = await p.registerWorker(owner);
        let e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), w.registration, fees.update, true));
        expect(registrationRefusal(e.result, owner.address)).toBeUndefined();
        expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: true });
        e = await p.run(() => p.root.sendSyncWorker(owner.getSender(), owner.address, 0, fees.sync));
        expect(e.result.transactions).toHaveTransaction({ to: w.worker.address, success: true });
    });
});
