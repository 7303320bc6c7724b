/**
 * Puts the simulated TDX image and the tiny model on a local chain's allowlists, speaking as its governance
 * (the council would vote these in; the sandbox under the local chain lets a test speak for it).
 */
import { Address, toNano } from '@ton/core';
import { internal } from '@ton/sandbox';
import type { Localnet } from '../../../../actors/chain/dev/localnet/localnet';
import { modelHash } from '../../../../actors/engine';
import { SimulatedQuoteProvider } from '../../../../actors/tee';
import { attest, freshKeys } from '../../../../actors/worker/boot/attest';
import { Root, rootGovernanceBody } from '../../../../wrappers/Root';
import type { TinyEngineProcess } from './tinyEngine';

export async function allowSimulatedImageAndTinyModel(net: Localnet, tiny: Pick<TinyEngineProcess, 'modelPath' | 'model'>): Promise<{ root: Root; image: Buffer; model: Buffer }> {
    const bc = net.chain.blockchain;
    const root = Root.createFromAddress(Address.parse(net.protocol!.root));
    const opened = bc.openContract(root);
    const { governance } = await opened.getGovernance();
    const image = (await attest(new SimulatedQuoteProvider(), freshKeys())).imageHash;
    const model = await modelHash(tiny.modelPath);
    for (const action of [
        { kind: 'addImage' as const, label: 'simulated TDX image', imageHash: image },
        { kind: 'addModel' as const, modelHash: model, name: tiny.model },
    ])
        await bc.sendMessage(internal({ from: governance, to: root.address, value: toNano('1'), body: rootGovernanceBody(action) }));
    return { root, image: Buffer.from(image), model: Buffer.from(model) };
}
