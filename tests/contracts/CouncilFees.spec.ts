/**
 * The council's fee formulas read gas and forwarding prices from the live config (council-common.fc):
 * under changed prices exactly get_proposal_fee deploys a proposal, exactly get_execute_value executes
 * 8 actions through to the root, and one nanoton less is refused with the named error; the same at the maximum
 * sizes (255 members, 8 weight changes, the costliest action there).
 */
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { Errors, Op } from '../../wrappers/Constants';
import { CouncilAction, MAX_ACTIONS } from '../../wrappers/Council';
import { ProposalState } from '../../wrappers/Proposal';
import { hashOf } from '../../wrappers/testkit';
import { configWithPrices } from '../../wrappers/testkit/sizes';
import { CouncilKit, deployCouncil, deployMaxCouncil, ROOT_ACTION_VALUE, SYNTHETIC_MEMBERS, TIMELOCK } from '../../wrappers/testkit/council';

describe.each([
    ['current prices', 1n, 1n],
    ['gas ×3, forwarding ×2', 3n, 2n],
])('council fees at %s', (_name, gasFactor, fwdFactor) => {
    let c: CouncilKit;
    const actions: CouncilAction[] = Array.from({ length: MAX_ACTIONS }, (_, i) => ({
        kind: 'root',
        value: ROOT_ACTION_VALUE,
        action: { kind: 'addModel', modelHash: hashOf(`fee model ${i}`), name: `org/model-${i}@rev:${'h'.repeat(40)}` },
    }));

    beforeEach(async () => {
        c = await deployCouncil();
        c.blockchain.setConfig(configWithPrices(c.blockchain.config, gasFactor, fwdFactor));
    });

    it('exactly get_proposal_fee deploys a proposal; one nanoton less is refused', async () => {
        const fee = await c.council.getProposalFee();
        const short = await c.propose(c.alice, actions, { value: fee - 1n });
        expect(short.result.transactions).toHaveTransaction({ to: c.council.address, success: false, exitCode: Errors.proposalFeeTooSmall });
        const { proposal, result } = await c.propose(c.alice, actions, { value: fee });
        expect(result.transactions).toHaveTransaction({ to: proposal.address, deploy: true, success: true });
        // what is left pays the proposal's storage for its whole life
        expect(await proposal.getBalance()).toBeGreaterThan(0n);
        expect(await proposal.getState()).toBe(ProposalState.Voting);
    });

    it('exactly get_execute_value runs 8 actions through to the root; one nanoton less is refused', async () => {
        const { proposal } = await c.propose(c.alice, actions, { value: (await c.council.getProposalFee()) + toNano('0.1') });
        await c.pass(proposal);
        c.advance(TIMELOCK);
        const need = await proposal.getExecuteValue();
        const short = await c.run(() => proposal.sendExecute(c.outsider.getSender(), need - 1n));
        expect(short.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.executeValueTooSmall });
        const { result } = await c.run(() => proposal.sendExecute(c.outsider.getSender(), need));
        expect(result.transactions).toHaveTransaction({ from: proposal.address, to: c.council.address, op: Op.proposalApproved, success: true });
        expect(result.transactions.filter((t) => t.inMessage?.info.dest?.toString() === c.root.address.toString() && t.description.type === 'generic' && t.description.computePhase.type === 'vm' && t.description.computePhase.success).length).toBe(MAX_ACTIONS);
        for (let i = 0; i < MAX_ACTIONS; i++) expect(await c.root.getIsModelAllowed(hashOf(`fee model ${i}`))).toBe(true);
        expect(await proposal.getState()).toBe(ProposalState.Executed);
    });
});

describe.each([
    ['current prices', 1n, 1n],
    ['gas ×3, forwarding ×2', 3n, 2n],
])('council fees at the maximum sizes (255 members, 8 of the costliest actions) at %s', (_name, gasFactor, fwdFactor) => {
    it('exactly get_proposal_fee deploys; exactly get_execute_value runs 8 weight changes and the proposal reads executed', async () => {
        const c = await deployMaxCouncil();
        c.blockchain.setConfig(configWithPrices(c.blockchain.config, gasFactor, fwdFactor));
        const actions: CouncilAction[] = SYNTHETIC_MEMBERS.slice(0, MAX_ACTIONS).map((member) => ({ kind: 'setWeight', member, weight: 2 }));
        const fee = await c.council.getProposalFee();
        const { proposal, result } = await c.propose(c.alice, actions, { value: fee });
        expect(result.transactions).toHaveTransaction({ to: proposal.address, deploy: true, success: true });
        await c.run(() => proposal.sendVote(c.alice.getSender(), true, toNano('0.1')));
        c.advance(TIMELOCK);
        const need = await proposal.getExecuteValue();
        const short = await c.run(() => proposal.sendExecute(c.outsider.getSender(), need - 1n));
        expect(short.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.executeValueTooSmall });
        await c.run(() => proposal.sendExecute(c.outsider.getSender(), need));
        expect(await proposal.getState()).toBe(ProposalState.Executed);
        for (const m of SYNTHETIC_MEMBERS.slice(0, MAX_ACTIONS)) expect(await c.council.getMemberWeight(m)).toBe(2);
    }, 60_000);
});
