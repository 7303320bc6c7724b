/**
 * Prints a worker account's state, keys, profile (with the image label and model name from the root's
 * allowlists), reputation and parameter snapshot.
 * No wallet needed: npm run read -- worker/status --testnet --worker <address>
 */
import { NetworkProvider } from '@ton/blueprint';
import { fromNano } from '@ton/core';
import { WorkerStatus } from '../../wrappers/Constants';
import { Root } from '../../wrappers/Root';
import { Worker } from '../../wrappers/Worker';
import { ScriptArgs, utc } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const worker = provider.open(Worker.createFromAddress(await args.address('worker', 'Worker account address')));
    const state = await worker.getState();
    const ui = provider.ui();
    ui.write(`status: ${state.status === 0 ? 'not registered' : WorkerStatus[state.status]}, stake ${fromNano(state.stake)} TON`);
    if (state.status === 0) return;
    if (state.unbondAt) ui.write(`withdrawal allowed from ${utc(state.unbondAt)}`);
    const profile = await worker.getProfile();
    // The names come from the root's allowlists (what governance recorded when it added them).
    const root = provider.open(Root.createFromAddress(state.root));
    const image = (await root.getImages()).get(profile.imageHash);
    const model = (await root.getModels()).get(profile.modelHash);
    const gone = "(no longer in the root's allowlist)";
    ui.write(`image ${profile.imageHash.toString('hex')} ${image ? `"${image.label}"${image.retireAt ? `, retires ${utc(image.retireAt)}` : ''}` : gone}`);
    ui.write(`model ${profile.modelHash.toString('hex')} ${model ? `"${model.name}"` : gone}`);
    ui.write(`endpoint ${profile.endpoint}`);
    ui.write(`prices per million tokens: prompt ${fromNano(profile.prices.prompt)}, cached ${fromNano(profile.prices.cached)}, completion ${fromNano(profile.prices.completion)}, reasoning ${fromNano(profile.prices.reasoning)} TON`);
    const rep = await worker.getReputation();
    ui.write(`reputation: ${rep.jobs} jobs, ${fromNano(rep.volume)} TON paid, ${rep.tokens} tokens, ${rep.slashes} slashes (${fromNano(rep.slashed)} TON)`);
}
