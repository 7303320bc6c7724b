/**
 * Deploys the root registry with the sender's wallet as governance (hand it to the DAO council afterwards
 * with root/governance propose-governance + the council's accept).
 * npx blueprint run root/deploy --testnet --tonconnect -- [--governance <addr>] [--send | --link-only] [--min-stake 10] [--unbonding-days 14] [--fee-bps 200]
 *   [--slash-bps 1000] [--reporter-bps 2000] [--min-challenge 600] [--max-challenge 604800] [--job-code library|inline]
 * With --job-code library (the default) jobs run the code published by root/publishJobCode: run that first.
 * The deployment is a transfer with the root's state init: printed as a ton:// link (init=…) and sent or not,
 * like every other script (deliver). --governance defaults to the connected wallet.
 */
import { compile, NetworkProvider } from '@ton/blueprint';
import { beginCell, toNano } from '@ton/core';
import { libraryCell } from '../../wrappers/library';
import { paramsViolation, Root, RootParams } from '../../wrappers/Root';
import { deliver, friendly, hasWallet, linkOnlyDone, ScriptArgs } from '../lib/cli';

/** Reads the parameters from the command line; refuses values outside the bounds the root enforces. */
export async function readParams(args: ScriptArgs): Promise<RootParams> {
    const params: RootParams = {
        version: 1,
        minStake: await args.ton('min-stake', 'Minimum worker stake, TON', '10'),
        unbondingPeriod: (await args.integer('unbonding-days', 'Unbonding period, days', 14)) * 86_400,
        protocolFeeBps: await args.integer('fee-bps', 'Protocol fee, basis points', 200),
        slashBps: await args.integer('slash-bps', 'Evidence slash, basis points of the stake', 1000),
        reporterBps: await args.integer('reporter-bps', 'Reporter reward, basis points of the slash', 2000),
        minChallenge: await args.integer('min-challenge', 'Minimum job challenge period, seconds', 600),
        maxChallenge: await args.integer('max-challenge', 'Maximum job challenge period, seconds', 604_800),
    };
    const violation = paramsViolation(params);
    if (violation) throw new Error(`parameters out of bounds: ${violation} (docs/protocol.md §5)`);
    return params;
}

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const own = hasWallet(provider) ? provider.sender().address : undefined;
    const governance = args.has('governance') || !own ? await args.address('governance', 'Governance wallet of the new root (yours)') : own;
    const params = await readParams(args);
    const form = (await args.optionalString('job-code')) ?? 'library';
    if (form !== 'library' && form !== 'inline') throw new Error('--job-code: library or inline');
    const jobCode = form === 'library' ? libraryCell(await compile('Job')) : await compile('Job');
    const root = provider.open(Root.createFromConfig({ governance, params, workerCode: await compile('Worker'), jobCode }, await compile('Root')));
    const what = `Root registry at ${friendly(provider, root.address)} with governance ${friendly(provider, governance, 'wallet')}`;
    if (!(await deliver(provider, args, { to: root.address, amount: toNano('0.5'), body: { cell: beginCell().endCell() }, init: root.init }))) return linkOnlyDone(provider, what);
    await provider.waitForDeploy(root.address);
    provider.ui().write(`Root registry deployed at ${friendly(provider, root.address)} with governance ${friendly(provider, governance, 'wallet')}`);
}
