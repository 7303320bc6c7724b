/**
 * Hands the root over to the DAO council, the two-step way the root requires:
 *   1. --step propose, from the root's current governance wallet: propose_governance(council);
 *   2. --step accept, from any council member's wallet: the council sends accept_governance to the root.
 * npx blueprint run council/handover --testnet --tonconnect -- --root <addr> --council <addr> --step propose|accept
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { acceptRootBody, Council } from '../../wrappers/Council';
import { Root, rootGovernanceBody } from '../../wrappers/Root';
import { deliver, friendly, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const step = await args.string('step', 'Step: propose (from the current governance) or accept (from a council member)');
    const value = toNano('0.05');
    if (step === 'propose') {
        const action = { kind: 'proposeGovernance' as const, newGovernance: council.address };
        await deliver(provider, args, { to: root.address, amount: value, body: { cell: rootGovernanceBody(action) } });
        ui.write(`Proposed ${friendly(provider, council.address)} as the root's governance; a council member now runs --step accept.`);
    } else if (step === 'accept') {
        await deliver(provider, args, { to: council.address, amount: value, body: { cell: acceptRootBody() } });
        const g = await root.getGovernance();
        ui.write(`Root governance is now ${friendly(provider, g.governance)}`);
    } else {
        throw new Error(`--step: expected propose or accept, got "${step}"`);
    }
}
