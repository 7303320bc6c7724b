/**
 * Prints the root's parameters, governance, treasury, fees and allowlists (with retirement times).
 * No wallet needed: npm run read -- root/status --testnet --root <addr>
 */
import { NetworkProvider } from '@ton/blueprint';
import { fromNano } from '@ton/core';
import { AddressView, friendlyAddress } from '../../wrappers/format';
import { describeParams, describePauseFlags, LibraryFunding, Root } from '../../wrappers/Root';
import { chainTime, duration, friendly, ScriptArgs, utc as time, view } from '../lib/cli';

const hex = (v: Buffer) => v.toString('hex');

/**
 * One line on the job-code library's rent: who publishes it, until when the protocol paid, and the runway left
 * at `now`, the chain's time (the root opens jobs by its own clock, not the reader's).
 */
export function libraryRunwayLine(f: LibraryFunding, now: number, view: AddressView): string {
    if (!f.librarian) return 'job code: inline (no library rent)';
    const left = f.paidUntil - now;
    const state = f.paidUntil < now + f.minRunway ? ' — BELOW THE MINIMUM: no job can open until root/fundLibrary runs' : '';
    return `job-code library ${friendlyAddress(f.librarian, view)}: rent paid until ${f.paidUntil ? time(f.paidUntil) : 'never'} (runway ${left > 0 ? duration(left) : 'none'}, minimum ${duration(f.minRunway)}), ${fromNano(f.yearlyRent)} TON a year${state}`;
}

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const ui = provider.ui();
    const p = await root.getParams();
    ui.write(`parameters v${p.version}: ${describeParams(p)}`);
    const g = await root.getGovernance();
    ui.write(`governance ${friendly(provider, g.governance)}${g.pending ? `, pending ${friendly(provider, g.pending)} until ${time(g.expiresAt)}` : ''}`);
    const paused = await root.getPaused();
    if (paused) ui.write(`paused: ${describePauseFlags(paused)}`);
    const t = await root.getTreasury();
    ui.write(`treasury: ${fromNano(t.withdrawable)} TON withdrawable, ${fromNano(t.collected)} TON collected in all`);
    ui.write(libraryRunwayLine(await root.getLibraryFunding(), await chainTime(provider), view(provider)));
    const f = await root.getFees();
    ui.write(`fees: registration ${fromNano(f.register)} TON + stake, update ${fromNano(f.update)} TON, sync ${fromNano(f.sync)} TON`);
    for (const [hash, e] of await root.getImages()) {
        ui.write(`image ${hex(hash)} "${e.label}" added ${time(e.addedAt)}${e.retireAt ? `, retires ${time(e.retireAt)}` : ''}`);
    }
    for (const [hash, e] of await root.getModels()) ui.write(`model ${hex(hash)} ${e.name} added ${time(e.addedAt)}`);
}
