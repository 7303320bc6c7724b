/**
 * Prints the root's parameters, governance, treasury, fees and allowlists (with retirement times).
 * npx blueprint run root/status --testnet -- --root <addr>
 */
import { NetworkProvider } from '@ton/blueprint';
import { fromNano } from '@ton/core';
import { describePauseFlags, LibraryFunding, Root } from '../../wrappers/Root';
import { duration, friendly, ScriptArgs, utc as time } from '../lib/cli';

const hex = (v: Buffer) => v.toString('hex');

/** One line on the job-code library's rent: who publishes it, until when the protocol paid, and the runway left. */
export function libraryRunwayLine(f: LibraryFunding, now: number = Math.floor(Date.now() / 1000)): string {
    if (!f.librarian) return 'job code: inline (no library rent)';
    const days = Math.floor((f.paidUntil - now) / 86_400);
    const state = f.paidUntil < now + f.minRunway ? ' — BELOW THE MINIMUM: no job can open until root/fundLibrary runs' : '';
    return `job-code library ${f.librarian.toString()}: rent paid until ${f.paidUntil ? time(f.paidUntil) : 'never'} (runway ${days} days, minimum ${f.minRunway / 86_400}), ${fromNano(f.yearlyRent)} TON a year${state}`;
}

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const ui = provider.ui();
    const p = await root.getParams();
    ui.write(`parameters v${p.version}: min stake ${fromNano(p.minStake)} TON, unbonding ${duration(p.unbondingPeriod)}, fee ${p.protocolFeeBps} bps, slash ${p.slashBps} bps, reporter ${p.reporterBps} bps, challenge ${duration(p.minChallenge)} to ${duration(p.maxChallenge)}`);
    const g = await root.getGovernance();
    ui.write(`governance ${friendly(provider, g.governance)}${g.pending ? `, pending ${friendly(provider, g.pending)} until ${time(g.expiresAt)}` : ''}`);
    const paused = await root.getPaused();
    if (paused) ui.write(`paused: ${describePauseFlags(paused)}`);
    const t = await root.getTreasury();
    ui.write(`treasury: ${fromNano(t.withdrawable)} TON withdrawable, ${fromNano(t.collected)} TON collected in all`);
    ui.write(libraryRunwayLine(await root.getLibraryFunding()));
    const f = await root.getFees();
    ui.write(`fees: registration ${fromNano(f.register)} TON + stake, update ${fromNano(f.update)} TON, sync ${fromNano(f.sync)} TON`);
    for (const [hash, e] of await root.getImages()) {
        ui.write(`image ${hex(hash)} "${e.label}" added ${time(e.addedAt)}${e.retireAt ? `, retires ${time(e.retireAt)}` : ''}`);
    }
    for (const [hash, e] of await root.getModels()) ui.write(`model ${hex(hash)} ${e.name} added ${time(e.addedAt)}`);
}
