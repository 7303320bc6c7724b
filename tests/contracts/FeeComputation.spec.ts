/**
 * The root's fee checks read gas and forwarding prices from the live config: under changed prices, exactly
 * the advertised fee is enough and one nanoton less is refused.
 */
import { Cell } from '@ton/core';
import { loadConfig, updateConfig } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, WorkerStatus } from '../../wrappers/Constants';
import { DEFAULT_PARAMS, deployProtocol, Protocol } from '../../wrappers/testkit';
import { registrationRefusal } from '../../wrappers/testkit/replies';

/** The config parser returns some 64-bit fields as numbers at run time whatever its types say. */
function scale<T extends bigint | number>(value: T, factor: bigint): T {
    return (typeof value === 'bigint' ? value * factor : Number(value) * Number(factor)) as T;
}

function scaledConfig(config: Cell, gasFactor: bigint, fwdFactor: bigint): Cell {
    const parsed = loadConfig(config);
    const gas = parsed[21].anon0;
    if (gas.kind !== 'GasLimitsPrices_gas_flat_pfx' || gas.other.kind !== 'GasLimitsPrices_gas_prices_ext') {
        throw new Error(`unexpected gas price layout ${gas.kind}`);
    }
    const fwd = parsed[25].anon0;
    return updateConfig(
        config,
        {
            kind: 'ConfigParam_config_gas_prices',
            anon0: {
                ...gas,
                flat_gas_price: scale(gas.flat_gas_price, gasFactor),
                other: { ...gas.other, gas_price: scale(gas.other.gas_price, gasFactor) },
            },
        },
        {
            kind: 'ConfigParam_config_fwd_prices',
            anon0: { ...fwd, lump_price: scale(fwd.lump_price, fwdFactor), bit_price: scale(fwd.bit_price, fwdFactor), _cell_price: scale(fwd._cell_price, fwdFactor) },
        },
    );
}

describe.each([
    ['current prices', 1n, 1n],
    ['gas ×3, forwarding ×2', 3n, 2n],
])('registration fees at %s', (_name, gasFactor, fwdFactor) => {
    let p: Protocol;

    beforeEach(async () => {
        p = await deployProtocol();
        p.blockchain.setConfig(scaledConfig(p.blockchain.config, gasFactor, fwdFactor));
    });

    it('exactly the advertised fee on top of the minimum stake registers an active worker', async () => {
        const fees = await p.root.getFees();
        const owner = await p.wallet('exact');
        const { registration } = p.registrationFor('exact');
        const e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), registration, DEFAULT_PARAMS.minStake + fees.register));
        expect(registrationRefusal(e.result, owner.address)).toBeUndefined();
        const worker = p.blockchain.openContract((await import('../../wrappers/Worker')).Worker.createFor(p.codes.worker, p.root.address, owner.address, 0));
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
