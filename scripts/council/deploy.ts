/**
 * Deploys a DAO council that will govern the root (hand the root over afterwards with council/handover).
 * npx blueprint run council/deploy --testnet --tonconnect -- --root <addr> --members <addr>:<weight>,<addr>:<weight>,...
 *   --threshold <weight> [--voting-days 3] [--timelock-days 2] [--guardian <addr> --sunset-days 365]
 */
import { compile, NetworkProvider } from '@ton/blueprint';
import { Address, toNano } from '@ton/core';
import { Council, CouncilConfig, CouncilMember, validateCouncilConfig } from '../../wrappers/Council';
import { friendly, ScriptArgs } from '../lib/cli';

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
        guardianSunset: guardian ? Math.floor(Date.now() / 1000) + sunsetDays * 86_400 : 0,
        proposalCode: await compile('Proposal'),
    };
    validateCouncilConfig(config);
    const council = provider.open(Council.createFromConfig(config, await compile('Council')));
    ui.write(`Council: ${members.length} members, total weight ${members.reduce((s, m) => s + m.weight, 0)}, threshold ${threshold}`);
    await council.sendDeploy(provider.sender(), toNano('0.5'));
    await provider.waitForDeploy(council.address);
    ui.write(`DAO council deployed at ${friendly(provider, council.address)}`);
    ui.write(`Next: npx blueprint run council/handover -- --root ${root.toString()} --council ${council.address.toString()} --step propose (from the root's governance wallet)`);
}
