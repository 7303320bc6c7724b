/**
 * Pays the job-code library's masterchain rent from the root's treasury, up to the target runway (anyone may send
 * it; the treasury pays the rent, the sender only this transaction's gas). Prints the runway before and after.
 * npx blueprint run root/fundLibrary --testnet --tonconnect -- --root <addr> [--send | --link-only]
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { fundLibraryBody, Root } from '../../wrappers/Root';
import { chainTime, deliver, ScriptArgs, view } from '../lib/cli';
import { libraryRunwayLine } from './status';

/** What the sender attaches: the root's gas for fund_library; what is left stays in the treasury. */
export const FUND_LIBRARY_VALUE = toNano('0.02');

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    provider.ui().write(`before: ${libraryRunwayLine(await root.getLibraryFunding(), await chainTime(provider), view(provider))}`);
    if (await deliver(provider, args, { to: root.address, amount: FUND_LIBRARY_VALUE, body: { cell: fundLibraryBody() } })) {
        provider.ui().write(`after: ${libraryRunwayLine(await root.getLibraryFunding(), await chainTime(provider), view(provider))}`);
    }
}
