/**
 * Re-attests a registered worker (key rotation, new image or model, prices, endpoint) through the root.
 * Same arguments as worker/register, without --stake. A model change needs a new receipt key.
 */
import { NetworkProvider } from '@ton/blueprint';
import { fromNano } from '@ton/core';
import { Root, workerRegistrationBody } from '../../wrappers/Root';
import { deliver, ScriptArgs } from '../lib/cli';
import { readRegistration } from './register';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const registration = await readRegistration(args);
    const fees = await root.getFees();
    provider.ui().write(`Updating worker ${registration.index}: fees ${fromNano(fees.update)} TON`);
    await deliver(provider, args, { to: root.address, amount: fees.update, body: { cell: workerRegistrationBody(registration, true) } });
}
