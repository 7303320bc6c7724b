/**
 * Pushes the root's current parameters to a worker account (anyone may).
 * npx blueprint run root/sync --testnet --tonconnect -- --root <addr> --owner <worker owner> --index 0
 */
import { NetworkProvider } from '@ton/blueprint';
import { Root, syncWorkerBody } from '../../wrappers/Root';
import { deliver, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const owner = await args.address('owner', 'Worker owner address');
    const index = await args.integer('index', 'Worker index', 0);
    const { sync } = await root.getFees();
    await deliver(provider, args, { to: root.address, amount: sync, body: { cell: syncWorkerBody(owner, index) } });
}
