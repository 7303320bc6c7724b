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
import { deliver, friendly, linkOnlyDone, ScriptArgs, utc } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const ui = provider.ui();
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const council = provider.open(Council.createFromAddress(await args.address('council', 'DAO council address')));
    const step = await args.string('step', 'Step: propose (from the current governance) or accept (from a council member)');
    const value = toNano('0.05');
    if (step === 'propose') {
        const action = { kind: 'proposeGovernance' as const, newGovernance: council.address };
        const what = `Propose ${friendly(provider, council.address)} as the root's governance`;
        if (!(await deliver(provider, args, { to: root.address, amount: value, body: { cell: rootGovernanceBody(action) } }))) return linkOnlyDone(provider, what);
        const g = await root.getGovernance();
        if (g.pending?.equals(council.address)) ui.write(`Proposed ${friendly(provider, council.address)} as the root's governance until ${utc(g.expiresAt)}; a council member now runs --step accept.`);
        else ui.write(`Sent; the root shows no pending handover to the council yet (it may still be on its way; only the governance ${friendly(provider, g.governance)} may propose): check with root/status.`);
    } else if (step === 'accept') {
        if (!(await deliver(provider, args, { to: council.address, amount: value, body: { cell: acceptRootBody() } }))) return linkOnlyDone(provider, `The council's acceptance of the root`);
        const g = await root.getGovernance();
        if (g.governance.equals(council.address)) ui.write(`Root governance is now the council ${friendly(provider, g.governance)}`);
        else ui.write(`Sent; the root's governance is still ${friendly(provider, g.governance)} (the acceptance may still be on its way; a handover to the council must be pending): check with root/status.`);
    } else {
        throw new Error(`--step: expected propose or accept, got "${step}"`);
    }
}
