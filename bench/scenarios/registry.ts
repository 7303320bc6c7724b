/**
 * Gas of every root-registry and worker-account operation, each as a whole transaction chain.
 * The budgets are the limits tests/contracts/GasBudgets.spec.ts enforces; contracts/gas.fc holds the
 * per-handler constants the contracts use for their own fee checks.
 */
import { toNano } from '@ton/core';
import { uint256ToBuffer } from '../../wrappers/common';
import { WorkerComments } from '../../wrappers/Worker';
import { DEFAULT_PARAMS, DEFAULT_PRICES, deployProtocol, hashOf, REGISTRATION_FEES } from '../../wrappers/testkit';
import { chainCost, GasRow, Scenario } from './types';

/** Gas budgets per operation (whole chain, sender's wallet excluded), measured by this scenario. */
export const REGISTRY_GAS_BUDGETS = {
    registerWorker: 23_000, // root (with its worker_registered event) + worker account deployed as the stub, the worker code installed in the same message
    registrationRefused: 9_000, // the Attestation, Prices and Text checks run before the refusal; the reply is a readable comment (~2,000 gas)
    updateWorker: 24_000, // includes the root's worker_updated event; the operator kept across rotations (+~600)
    syncWorker: 16_500,
    setOperator: 8_000, // measured 7443: the keys cell rewritten with the operator
    operatorUpdate: 27_000, // measured 26163: like updateWorker (a second rotation here, so one retired key walked) + the change back with its comment
    addStake: 5_000,
    setPrices: 8_000,
    unbond: 8_500, // the comment is normalised and run inside a try (a refusal comes back as text)
    cancelUnbond: 8_500,
    withdraw: 9_000, // the comment is normalised and run inside a try
    addImage: 9_000, // + image_added event, the label stored (measured 8559)
    supersedeImage: 11_500,
    retireImage: 8_500,
    addModel: 9_000,
    removeModel: 7_500,
    setParams: 9_500, // + params_changed event, the parameter bounds checked too
    setCode: 9_000,
    proposeGovernance: 7_500,
    acceptGovernance: 6_000,
    treasuryDeposit: 3_500,
    withdrawTreasury: 7_000, // measured 6561: the root's comment dispatch runs first
    governanceSlash: 23_000,
} as const;

export const registryScenario: Scenario = {
    title: 'Root registry and worker accounts',
    async run(): Promise<GasRow[]> {
        const p = await deployProtocol();
        const rows: GasRow[] = [];
        const owner = await p.wallet('bench owner');
        const gov = p.governance.getSender();
        const value = toNano('0.05');
        const row = (
            operation: keyof typeof REGISTRY_GAS_BUDGETS,
            label: string,
            result: Awaited<ReturnType<typeof p.run>>['result'],
            note?: string,
            handlers?: GasRow['handlers'],
        ) => rows.push({ operation: label, gasBudget: REGISTRY_GAS_BUDGETS[operation], note, handlers, ...chainCost(result) });

        const { registration } = p.registrationFor('bench', 0);
        let e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), registration, DEFAULT_PARAMS.minStake + REGISTRATION_FEES));
        row('registerWorker', 'register worker', e.result, 'wallet → root → worker (deploy)', [
            { constant: 'gas::root_register', transaction: 1 },
            { constant: 'gas::worker_attest', transaction: 2 },
        ]);
        const worker = p.blockchain.openContract((await import('../../wrappers/Worker')).Worker.createFor(p.root.address, owner.address, 0));

        const refused = await p.wallet('refused owner');
        e = await p.run(() =>
            p.root.sendRegisterWorker(refused.getSender(), { ...registration, attestation: { ...registration.attestation, imageHash: uint256ToBuffer(1n) } }, toNano('11')),
        );
        row('registrationRefused', 'registration refused', e.result, 'wallet → root → refund to wallet');

        e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), { ...registration, receiptKey: hashOf('rotated') }, toNano('0.1'), true));
        row('updateWorker', 'update worker (key rotation)', e.result, 'wallet → root → worker', [
            { constant: 'gas::root_register', transaction: 1 },
            { constant: 'gas::worker_attest', transaction: 2 },
        ]);

        const operator = await p.wallet('bench operator');
        e = await p.run(() => worker.sendSetOperator(owner.getSender(), operator.address, value));
        row('setOperator', 'set operator', e.result, 'wallet → worker');
        e = await p.run(() =>
            p.root.sendOperatorUpdate(
                operator.getSender(),
                { owner: owner.address, index: 0, receiptKey: hashOf('operator rotated'), encryptionKey: registration.encryptionKey, attestation: registration.attestation },
                toNano('0.1'),
            ),
        );
        row('operatorUpdate', 'operator update (key rotation)', e.result, 'operator wallet → root → worker → "attestation change" to the operator', [
            { constant: 'gas::root_operator_update', transaction: 1 },
            { constant: 'gas::worker_operator_attest', transaction: 2 },
        ]);

        e = await p.run(() => p.root.sendSyncWorker(owner.getSender(), owner.address, 0, toNano('0.05')));
        row('syncWorker', 'sync worker parameters', e.result, 'wallet → root → worker', [
            { constant: 'gas::root_sync', transaction: 1 },
            { constant: 'gas::worker_params', transaction: 2 },
        ]);

        e = await p.run(() => owner.send({ to: worker.address, value: toNano('1') }));
        row('addStake', 'add stake (plain transfer)', e.result, undefined, [{ constant: 'gas::worker_add_stake', transaction: 1 }]);

        e = await p.run(() => worker.sendSetPrices(owner.getSender(), DEFAULT_PRICES, 'https://bench.example', value));
        row('setPrices', 'set prices and endpoint', e.result);

        e = await p.run(() => worker.sendComment(owner.getSender(), WorkerComments.unbond, value));
        row('unbond', 'unbond (text comment)', e.result);
        e = await p.run(() => worker.sendComment(owner.getSender(), WorkerComments.cancelUnbond, value));
        row('cancelUnbond', 'cancel unbond (text comment)', e.result);

        e = await p.run(() => p.root.sendGovernance(gov, { kind: 'addImage', label: 'bench image', imageHash: hashOf('img2') }, value));
        row('addImage', 'add image', e.result);
        e = await p.run(() => p.root.sendGovernance(gov, { kind: 'addImage', label: 'bench image', imageHash: hashOf('img3'), supersedes: hashOf('img2'), grace: 3600 }, value));
        row('supersedeImage', 'add image superseding another', e.result);
        e = await p.run(() => p.root.sendGovernance(gov, { kind: 'retireImage', imageHash: hashOf('img3') }, value));
        row('retireImage', 'retire image', e.result);
        e = await p.run(() => p.root.sendGovernance(gov, { kind: 'addModel', modelHash: hashOf('m2'), name: 'org/model@rev:content' }, value));
        row('addModel', 'add model', e.result);
        e = await p.run(() => p.root.sendGovernance(gov, { kind: 'removeModel', modelHash: hashOf('m2') }, value));
        row('removeModel', 'remove model', e.result);
        e = await p.run(() => p.root.sendGovernance(gov, { kind: 'setParams', params: { ...DEFAULT_PARAMS, protocolFeeBps: 250 } }, value));
        row('setParams', 'set parameters', e.result);
        e = await p.run(() => p.root.sendGovernance(gov, { kind: 'setCode', jobCode: p.codes.job }, value));
        row('setCode', 'set child code', e.result);
        e = await p.run(() => p.root.sendTreasuryDeposit(owner.getSender(), toNano('2')));
        row('treasuryDeposit', 'treasury deposit', e.result);
        e = await p.run(() => p.root.sendGovernance(gov, { kind: 'withdrawTreasury', amount: toNano('1'), to: owner.address }, value));
        row('withdrawTreasury', 'withdraw treasury', e.result, 'governance → root → recipient');
        e = await p.run(() =>
            p.root.sendGovernance(gov, { kind: 'slashWorker', owner: owner.address, index: 0, amount: toNano('1'), bps: 0, reason: uint256ToBuffer(1n) }, value),
        );
        row('governanceSlash', 'governance slash', e.result, 'governance → root → worker → root treasury');
        const council = await p.wallet('bench council');
        e = await p.run(() => p.root.sendGovernance(gov, { kind: 'proposeGovernance', newGovernance: council.address }, value));
        row('proposeGovernance', 'propose governance', e.result);
        e = await p.run(() => p.root.sendGovernance(council.getSender(), { kind: 'acceptGovernance' }, value));
        row('acceptGovernance', 'accept governance', e.result);

        await p.run(() => worker.sendComment(owner.getSender(), WorkerComments.unbond, value));
        p.advance(DEFAULT_PARAMS.unbondingPeriod);
        e = await p.run(() => worker.sendComment(owner.getSender(), WorkerComments.withdraw, value));
        row('withdraw', 'withdraw stake (text comment)', e.result, 'wallet → worker → wallet, account closed');
        return rows;
    },
};
