/**
 * `npm run demo`: the protocol on an embedded @ton/sandbox chain, step by step, with the gas and fees of each
 * step. Compiles the contracts first, so it runs on a fresh clone after `npm ci`.
 */
import { fromNano, toNano } from '@ton/core';
import { buildAllContracts } from '../wrappers/code';
import { WorkerStatus } from '../wrappers/Constants';
import { WorkerComments } from '../wrappers/Worker';
import { DEFAULT_PARAMS, deployProtocol, hashOf, REGISTRATION_FEES } from '../wrappers/testkit';
import { chainCost } from '../bench/scenarios/types';

type Result = Parameters<typeof chainCost>[0];

function step(title: string, result: Result): void {
    const cost = chainCost(result);
    console.log(`  ✓ ${title}: ${cost.transactions} transactions, ${cost.gas} gas, ${fromNano(cost.fees)} TON in fees`);
}

async function main(): Promise<void> {
    console.log('cocoon-ton demo — every contract runs in an embedded TON sandbox\n');
    const failed = await buildAllContracts();
    if (failed.length > 0) throw new Error(`contracts did not compile: ${failed.join(', ')}`);

    console.log('1. Root registry');
    const p = await deployProtocol();
    console.log(`  root ${p.root.address.toString()} governed by ${p.governance.address.toString()}`);
    const params = await p.root.getParams();
    console.log(`  parameters v${params.version}: min stake ${fromNano(params.minStake)} TON, fee ${params.protocolFeeBps} bps, unbonding ${params.unbondingPeriod / 86400} days`);

    console.log('\n2. Governance adds a new worker image, superseding the current one with a one-day grace window');
    const nextImage = hashOf('image: cocoon-ton worker v2');
    let e = await p.run(() =>
        p.root.sendGovernance(p.governance.getSender(), { kind: 'addImage', imageHash: nextImage, supersedes: p.imageHash, grace: 86_400 }, toNano('0.05')),
    );
    step('add image (supersede)', e.result);

    console.log('\n3. A GPU owner registers a worker with a stake and its attested keys');
    const owner = await p.wallet('gpu owner');
    const { registration } = p.registrationFor('demo gpu');
    e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), registration, DEFAULT_PARAMS.minStake + REGISTRATION_FEES));
    step('register worker', e.result);
    const worker = p.blockchain.openContract((await import('../wrappers/Worker')).Worker.createFor(p.codes.worker, p.root.address, owner.address, 0));
    const state = await worker.getState();
    const profile = await worker.getProfile();
    console.log(`  worker account ${worker.address.toString()}`);
    console.log(`  status ${WorkerStatus[state.status as WorkerStatus]}, stake ${fromNano(state.stake)} TON, endpoint ${profile.endpoint}`);

    console.log('\n4. The owner rotates the receipt key (a new TEE boot) through the root');
    e = await p.run(() => p.root.sendRegisterWorker(owner.getSender(), { ...registration, receiptKey: hashOf('rotated') }, toNano('0.1'), true));
    step('update worker', e.result);

    console.log('\n5. The owner leaves: "unbond" as a plain wallet comment, then "withdraw" after the unbonding period');
    e = await p.run(() => worker.sendComment(owner.getSender(), WorkerComments.unbond, toNano('0.05')));
    step('unbond', e.result);
    p.advance(params.unbondingPeriod);
    e = await p.run(() => worker.sendComment(owner.getSender(), WorkerComments.withdraw, toNano('0.05')));
    step('withdraw', e.result);

    console.log('\nEvery step above was checked for TON conservation to the nanoton.');
}

void main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
