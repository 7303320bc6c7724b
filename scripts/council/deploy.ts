/**
 * Deploys a DAO council that will govern the root (hand the root over afterwards with council/handover).
 * npx blueprint run council/deploy --testnet --tonconnect -- --root <addr> --members <addr>:<weight>,<addr>:<weight>,...
 *   --threshold <weight> [--voting-days 3] [--timelock-days 2] [--guardian <addr> --sunset-days 365] [--send | --link-only]
 * The deployment is a transfer with the council's state init, printed as a ton:// link (init=…) and sent or not
 * (deliver). The guardian's sunset counts from the chain's time, as the council checks it.
 */
import { compile, NetworkProvider } from '@ton/blueprint';
import { Address, beginCell, toNano } from '@ton/core';
import { Council, CouncilConfig, CouncilMember, validateCouncilConfig } from '../../wrappers/Council';
import { chainTime, deliver, friendly, linkOnlyDone, ScriptArgs } from '../lib/cli';

export function parseMembers(list: string): CouncilMember[] {
    return list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((entry) => {
            const i = entry.lastIndexOf(':');
            if (i < 0) throw new Error(`member "${entry}": expected <address>:<weight>`);
            return { address: Address.parse(entry.slice(0, i)), weight: Number(entry.slice(i + 1)) };
        });
}

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const root = await args.address('root', 'Root registry address');
    const members = parseMembers(await args.string('members', 'Members as <address>:<weight>, comma separated'));
    const threshold = BigInt(await args.integer('threshold', 'Threshold (total yes weight needed)'));
    const votingPeriod = (await args.integer('voting-days', 'Voting period, days', 3)) * 86_400;
    const timelock = (await args.integer('timelock-days', 'Timelock, days', 2)) * 86_400;
    const executionWindow = (await args.integer('window-days', 'Execution window after the timelock, days', 7)) * 86_400;
    const guardianText = await args.optionalString('guardian');
    const guardian = guardianText ? Address.parse(guardianText) : null;
    const sunsetDays = guardian ? await args.integer('sunset-days', 'Guardian sunset, days from now', 365) : 0;
    const config: CouncilConfig = {
        root,
        members,
        threshold,
        votingPeriod,
        timelock,
        executionWindow,
        guardian,
        guardianSunset: guardian ? (await chainTime(provider)) + sunsetDays * 86_400 : 0,
        proposalCode: await compile('Proposal'),
    };
    validateCouncilConfig(config);
    const council = provider.open(Council.createFromConfig(config, await compile('Council')));
    ui.write(`Council: ${members.length} members, total weight ${members.reduce((s, m) => s + m.weight, 0)}, threshold ${threshold}`);
    const next = `Next: npx blueprint run council/handover -- --root ${friendly(provider, root)} --council ${friendly(provider, council.address)} --step propose (from the root's governance wallet)`;
    if (!(await deliver(provider, args, { to: council.address, amount: toNano('0.5'), body: { cell: beginCell().endCell() }, init: council.init }))) {
        linkOnlyDone(provider, `DAO council at ${friendly(provider, council.address)}`);
        ui.write(`Once it is deployed: ${next}`);
        return;
    }
    await provider.waitForDeploy(council.address);
    ui.write(`DAO council deployed at ${friendly(provider, council.address)}`);
    ui.write(next);
}
