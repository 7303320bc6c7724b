/**
 * The guardian's restrict-only emergency path: retire an image, remove a model, or pause new registrations and/or
 * job openings at the root, at once (no vote, no timelock), until the guardian's sunset. Only a normal proposal
 * undoes it (add-image, add-model, unpause). The council refuses anything else (not_restrictive).
 * npx blueprint run council/emergency --testnet --tonconnect -- --council <addr> --action retire-image --image <hex>
 *   | --action remove-model --model <hex> | --action pause --what registrations|jobs|all   [--send | --link-only]
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { Council, emergencyActionBody } from '../../wrappers/Council';
import { pauseFlagsNamed, RootGovernanceAction } from '../../wrappers/Root';
import { deliver, linkOnlyDone, ScriptArgs } from '../lib/cli';

async function readEmergencyAction(args: ScriptArgs): Promise<RootGovernanceAction> {
    const action = await args.string('action', 'Emergency action (retire-image, remove-model, pause)');
    switch (action) {
        case 'retire-image':
            return { kind: 'retireImage', imageHash: await args.hash('image', 'Image hash') };
        case 'remove-model':
            return { kind: 'removeModel', modelHash: await args.hash('model', 'Model hash') };
        case 'pause':
            return { kind: 'pause', flags: pauseFlagsNamed(await args.string('what', 'Pause what (registrations, jobs, all)')) };
        default:
            throw new Error(`"${action}" is not an emergency action: the guardian may only retire-image, remove-model or pause`);
    }
}

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const action = await readEmergencyAction(args);
    // the council forwards the whole value to the root, which returns what its handler did not use
    const value = toNano('0.1');
    const what = `Emergency ${action.kind}`;
    const body = emergencyActionBody(action);
    if (await deliver(provider, args, { to: council.address, amount: value, body: { cell: body }, what: 'emergency_action' })) {
        provider.ui().write(`${what} sent`);
    } else linkOnlyDone(provider, what);
}
