/**
 * One governance operation on the root, sent by the governance wallet itself (the bootstrap phase, before the
 * DAO council governs; afterwards the same actions go through council proposals).
 * npx blueprint run root/governance --testnet --tonconnect -- --root <addr> --action add-image --image <hex> --label <words>
 *   [--supersedes <hex> --grace <seconds>]
 * actions: add-image, retire-image, add-model (--model <hex> --name org/model@rev:hash), remove-model,
 *   propose-governance (--to <addr>), accept-governance, withdraw (--amount <TON> --to <addr>),
 *   slash (--owner <addr> --index <n> [--amount <TON> | --bps <n>] --reason <hex>)
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { Root, RootGovernanceAction, rootGovernanceBody } from '../../wrappers/Root';
import { deliver, ScriptArgs } from '../lib/cli';

export async function readGovernanceAction(args: ScriptArgs): Promise<RootGovernanceAction> {
    const action = await args.string('action', 'Action (add-image, retire-image, add-model, remove-model, propose-governance, accept-governance, withdraw, slash)');
    switch (action) {
        case 'add-image':
        {
            const imageHash = await args.hash('image', 'Image hash');
            const label = await args.string('label', 'Image label, what it is in words (e.g. cocoon-tdx 1.4.0 H100)');
            return args.has('supersedes')
                ? { kind: 'addImage', imageHash, label, supersedes: await args.hash('supersedes', 'Superseded image hash'), grace: await args.integer('grace', 'Grace window, seconds') }
                : { kind: 'addImage', imageHash, label };
        }
        case 'retire-image':
            return { kind: 'retireImage', imageHash: await args.hash('image', 'Image hash') };
        case 'add-model':
            return { kind: 'addModel', modelHash: await args.hash('model', 'Model hash'), name: await args.string('name', 'Model name (org/model@revision:contenthash)') };
        case 'remove-model':
            return { kind: 'removeModel', modelHash: await args.hash('model', 'Model hash') };
        case 'propose-governance':
            return { kind: 'proposeGovernance', newGovernance: await args.address('to', 'New governance address') };
        case 'accept-governance':
            return { kind: 'acceptGovernance' };
        case 'withdraw':
            return { kind: 'withdrawTreasury', amount: await args.ton('amount', 'Amount, TON'), to: await args.address('to', 'Recipient') };
        case 'slash':
            return {
                kind: 'slashWorker',
                owner: await args.address('owner', 'Worker owner'),
                index: await args.integer('index', 'Worker index', 0),
                amount: args.has('amount') ? await args.ton('amount', 'Amount, TON') : 0n,
                bps: args.has('bps') ? await args.integer('bps', 'Basis points of the stake') : 0,
                reason: await args.hash('reason', 'Reason hash (e.g. SHA-256 of the published evidence)'),
            };
        default:
            throw new Error(`unknown action "${action}"`);
    }
}

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const action = await readGovernanceAction(args);
    const value = toNano('0.05');
    await deliver(provider, args, { to: root.address, amount: value, body: { cell: rootGovernanceBody(action) } });
}
