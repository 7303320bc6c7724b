/**
 * Prints the root's parameters, governance, treasury, fees and allowlists (with retirement times).
 * npx blueprint run root/status --testnet -- --root <addr>
 */
import { NetworkProvider } from '@ton/blueprint';
import { fromNano } from '@ton/core';
import { Root } from '../../wrappers/Root';
import { duration, friendly, ScriptArgs, utc as time } from '../lib/cli';

const hex = (v: Buffer) => v.toString('hex');

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const ui = provider.ui();
    const p = await root.getParams();
    ui.write(`parameters v${p.version}: min stake ${fromNano(p.minStake)} TON, unbonding ${duration(p.unbondingPeriod)}, fee ${p.protocolFeeBps} bps, slash ${p.slashBps} bps, reporter ${p.reporterBps} bps, challenge ${duration(p.minChallenge)} to ${duration(p.maxChallenge)}`);
    const g = await root.getGovernance();
    ui.write(`governance ${friendly(provider, g.governance)}${g.pending ? `, pending ${friendly(provider, g.pending)}` : ''}`);
    const t = await root.getTreasury();
    ui.write(`treasury: ${fromNano(t.withdrawable)} TON withdrawable, ${fromNano(t.collected)} TON collected in all`);
    const f = await root.getFees();
    ui.write(`fees: registration ${fromNano(f.register)} TON + stake, update ${fromNano(f.update)} TON, sync ${fromNano(f.sync)} TON`);
    for (const [hash, e] of await root.getImages()) {
        ui.write(`image ${hex(hash)} added ${time(e.addedAt)}${e.retireAt ? `, retires ${time(e.retireAt)}` : ''}`);
    }
    for (const [hash, e] of await root.getModels()) ui.write(`model ${hex(hash)} ${e.name} added ${time(e.addedAt)}`);
}
