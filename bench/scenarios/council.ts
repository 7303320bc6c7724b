/**
 * Gas benchmark of the DAO council: every step from deploying the council to cleaning up a
 * proposal, each row a whole transaction chain started by one wallet, with its budget next to it.
 * tests/contracts/CouncilGas.spec.ts runs this scenario and also checks each contract's own transaction
 * against the constants in contracts/gas.fc.
 */
import { Address, toNano } from '@ton/core';
import { SendMessageResult } from '@ton/sandbox';
import { CouncilAction, MAX_ACTIONS } from '../../wrappers/Council';
import { loadCode } from '../../wrappers/code';
import { Council } from '../../wrappers/Council';
import { hashOf } from '../../wrappers/testkit';
import { DEFAULT_IMAGE } from '../../wrappers/testkit';
import { deepestMembers, deployCouncil, deployMaxCouncil, RANDOM_MEMBERS, ROOT_ACTION_VALUE, SMALL, SYNTHETIC_MEMBERS } from '../../wrappers/testkit/council';
import { findTxTo, gasOf } from '../../wrappers/testkit/transactions';
import { chainCost, GasRow, Scenario } from './types';

/** Gas of the last transaction on `address` in a chain (e.g. the proposal's answer after its execute), 0 if none. */
export function gasOnLast(result: SendMessageResult, address: Address): number {
    const txs = result.transactions.filter((t) => t.inMessage?.info.dest instanceof Address && (t.inMessage.info.dest as Address).equals(address));
    return txs.length ? gasOf(txs[txs.length - 1]) : 0;
}

/** Gas of the transaction on `address` in a chain (the first one if several), 0 if none. */
export function gasOn(result: SendMessageResult, address: Address): number {
    const tx = findTxTo(result.transactions, address);
    return tx ? gasOf(tx) : 0;
}

/** Per-contract measurements the gas.fc constants are checked against. */
export interface CouncilGasDetail {
    councilPropose1: number;
    councilPropose8: number;
    proposalInit: number;
    proposalInit255: number;
    proposalExecute1: number;
    proposalExecute8: number;
    councilExecute1: number;
    councilExecute8: number;
    /** proposal_approved at the worst case: 8 member removals / weight changes on a 255-member council. */
    councilExecuteRemovals255: number;
    councilExecuteWeights255: number;
    /** The same 8 weight changes on a 255-member council with random addresses (the deepest members). */
    councilExecuteWeights255Random: number;
    /** proposal_approved with one council_cancel action / one act_withdraw (rows "execute (cancel ...)", "execute (withdraw ...)"). */
    councilExecuteCancel1: number;
    councilExecuteWithdraw1: number;
    /** The proposal's proposal_answer handler (the execution's last proposal transaction). */
    proposalAnswer: number;
    /** The cancelled proposal's council_cancel handler. */
    proposalCouncilCancel: number;
    /** Largest gas of a root governance transaction sent by the council. */
    rootGovernanceMax: number;
    vote3: number;
    vote255: number;
}

const row = (operation: string, result: SendMessageResult, gasBudget: number, note?: string): GasRow => ({
    operation,
    ...chainCost(result),
    gasBudget,
    note,
});

export async function measureCouncil(): Promise<{ rows: GasRow[]; detail: CouncilGasDetail }> {
    const rows: GasRow[] = [];
    const c = await deployCouncil({ noHandover: true });
    const img = (i: number): CouncilAction => ({ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addImage', label: 'bench image', imageHash: hashOf(`bench image ${i}`) } });

    // deploy council (wallet -> council, empty body)
    const fresh = c.blockchain.openContract(
        Council.createFromConfig(
            { root: c.root.address, members: [{ address: c.alice.address, weight: 1 }], threshold: 1n, votingPeriod: 3600, timelock: 86_400, executionWindow: 86_400, proposalCode: c.proposalCode },
            loadCode('Council'),
        ),
    );
    const deploy = await c.run(() => fresh.sendDeploy(c.alice.getSender(), toNano('1')));
    rows.push(row('deploy council', deploy.result, 1_000, 'wallet -> council (state init)'));

    // handover: member -> council -> root accept_governance
    await c.run(() => c.root.sendGovernance(c.governance.getSender(), { kind: 'proposeGovernance', newGovernance: c.council.address }, toNano('0.05')));
    const accept = await c.run(() => c.council.sendAcceptRoot(c.alice.getSender(), SMALL));
    rows.push(row('accept root governance', accept.result, 12_000, 'member -> council -> root'));

    // propose, 1 and 8 actions
    const p1 = await c.propose(c.alice, [img(0)]);
    rows.push(row('propose (1 action)', p1.result, 31_000, 'member -> council -> proposal (deploy)'));
    const p8 = await c.propose(c.alice, Array.from({ length: MAX_ACTIONS }, (_, i) => img(100 + i)));
    rows.push(row('propose (8 actions)', p8.result, 52_000, 'member -> council -> proposal (deploy)'));

    // votes on proposal 1: op, text "no", then the passing text "yes"
    const v1 = await c.run(() => p1.proposal.sendVote(c.alice.getSender(), true, SMALL));
    rows.push(row('vote (op)', v1.result, 12_500, 'member -> proposal -> vote change'));
    const v2 = await c.run(() => p1.proposal.sendComment(c.carol.getSender(), 'no', SMALL));
    // measured 14517 and 17003: the change goes back as the comment "cocoon: vote change" (+173 gas over the binary
    // excesses: the constant slice's bits count in the instruction's gas)
    rows.push(row('vote (text "no")', v2.result, 15_000, 'wallet comment -> proposal -> vote change'));
    const v3 = await c.run(() => p1.proposal.sendComment(c.bob.getSender(), 'yes', SMALL));
    rows.push(row('passing vote (text "yes")', v3.result, 17_500, 'wallet comment -> proposal, state passed'));

    // execute: proposal -> council -> root (+ "execution change" to the executor)
    const e1 = await c.execute(p1.proposal);
    rows.push(row('execute (1 action)', e1, 48_000, 'wallet -> proposal -> council -> root, execution change'));
    await c.pass(p8.proposal);
    const e8 = await c.execute(p8.proposal);
    rows.push(row('execute (8 actions)', e8, 140_000, 'wallet -> proposal -> council -> 8 x root, execution change'));

    // veto: guardian -> council -> proposal -> "veto change"
    const pv = await c.propose(c.alice, [img(200)]);
    await c.pass(pv.proposal);
    const veto = await c.run(() => c.council.sendVeto(c.guardian.getSender(), pv.id, SMALL));
    rows.push(row('veto', veto.result, 19_000, 'guardian -> council -> proposal -> veto change'));

    // cancel and cleanup
    const pc = await c.propose(c.alice, [img(300)]);
    const cancel = await c.run(() => pc.proposal.sendComment(c.alice.getSender(), 'cancel', SMALL));
    rows.push(row('cancel (text)', cancel.result, 12_500, 'proposer comment -> proposal -> cancel change'));
    const cleanup = await c.run(() => pc.proposal.sendCleanup(c.outsider.getSender(), SMALL));
    rows.push(row('cleanup', cleanup.result, 10_500, 'anyone -> proposal -> cleaner change + balance to proposer (destroyed)'));

    // cancel by a council vote: the executed proposal's council sends council_cancel to a queued one
    const victim = await c.propose(c.alice, [img(500)]);
    await c.pass(victim.proposal);
    const pk = await c.propose(c.alice, [{ kind: 'cancelProposal', id: victim.id }]);
    await c.pass(pk.proposal);
    const ek = await c.execute(pk.proposal);
    rows.push(row('execute (cancel a queued proposal)', ek, 52_000, 'wallet -> proposal -> council -> cancelled proposal, answer, execution change'));

    // the council's surplus back by proposal
    const pw = await c.propose(c.alice, [{ kind: 'withdraw', amount: toNano('0.5'), to: c.carol.address }]);
    await c.pass(pw.proposal);
    const ew = await c.execute(pw.proposal);
    rows.push(row('execute (withdraw council surplus)', ew, 44_000, 'wallet -> proposal -> council -> recipient, answer, execution change'));

    // the guardian's restrict-only emergency path: at once, no vote
    const em = await c.run(() => c.council.sendEmergency(c.guardian.getSender(), { kind: 'retireImage', imageHash: DEFAULT_IMAGE }, SMALL));
    rows.push(row('emergency (retire image)', em.result, 17_500, 'guardian -> council -> root'));
    const ep = await c.run(() => c.council.sendEmergency(c.guardian.getSender(), { kind: 'pause', flags: 3 }, SMALL));
    rows.push(row('emergency (pause)', ep.result, 16_000, 'guardian -> council -> root'));

    // 255 members: the snapshot's size drives the proposal's deploy and vote costs, and member changes cost most
    const big = await deployMaxCouncil();
    const pb = await big.propose(big.alice, [img(400)]);
    rows.push(row('propose (255 members)', pb.result, 31_000, 'member -> council -> proposal (deploy)'));
    const vb = await big.run(() => pb.proposal.sendVote(big.alice.getSender(), true, SMALL));
    rows.push(row('vote (255 members)', vb.result, 15_000, 'member -> proposal -> vote change'));
    const pr = await big.propose(big.alice, SYNTHETIC_MEMBERS.slice(0, MAX_ACTIONS).map((member) => ({ kind: 'removeMember' as const, member })));
    await big.run(() => pr.proposal.sendVote(big.alice.getSender(), true, SMALL));
    const er = await big.execute(pr.proposal);
    rows.push(row('execute (8 removals, 255 members)', er, 92_000, 'wallet -> proposal -> council -> answer, execution change'));
    const pwt = await big.propose(big.alice, SYNTHETIC_MEMBERS.slice(100, 100 + MAX_ACTIONS).map((member) => ({ kind: 'setWeight' as const, member, weight: 2 })));
    await big.run(() => pwt.proposal.sendVote(big.alice.getSender(), true, SMALL));
    const ewt = await big.execute(pwt.proposal);
    rows.push(row('execute (8 weight changes, 255 members)', ewt, 112_000, 'wallet -> proposal -> council -> answer, execution change'));
    // the same on a council whose addresses are random, as real ones are: the member map is deeper (up to 12 forks)
    const rnd = await deployMaxCouncil({ others: RANDOM_MEMBERS });
    const prw = await rnd.propose(rnd.alice, deepestMembers(RANDOM_MEMBERS, MAX_ACTIONS, [rnd.alice.address]).map((member) => ({ kind: 'setWeight' as const, member, weight: 2 })));
    await rnd.run(() => prw.proposal.sendVote(rnd.alice.getSender(), true, SMALL));
    const erw = await rnd.execute(prw.proposal);
    rows.push(row('execute (8 weight changes, 255 random members)', erw, 125_000, 'wallet -> proposal -> council -> answer, execution change'));

    const rootTxs = [...e1.transactions, ...e8.transactions].filter(
        (t) => t.inMessage?.info.dest instanceof Address && (t.inMessage.info.dest as Address).equals(c.root.address),
    );
    const detail: CouncilGasDetail = {
        councilPropose1: gasOn(p1.result, c.council.address),
        councilPropose8: gasOn(p8.result, c.council.address),
        proposalInit: gasOn(p8.result, p8.proposal.address),
        proposalInit255: gasOn(pb.result, pb.proposal.address),
        proposalExecute1: gasOn(e1, p1.proposal.address),
        proposalExecute8: gasOn(e8, p8.proposal.address),
        councilExecute1: gasOn(e1, c.council.address),
        councilExecute8: gasOn(e8, c.council.address),
        councilExecuteRemovals255: gasOn(er, big.council.address),
        councilExecuteWeights255: gasOn(ewt, big.council.address),
        councilExecuteWeights255Random: gasOn(erw, rnd.council.address),
        councilExecuteCancel1: gasOn(ek, c.council.address),
        councilExecuteWithdraw1: gasOn(ew, c.council.address),
        proposalAnswer: Math.max(gasOnLast(e1, p1.proposal.address), gasOnLast(e8, p8.proposal.address), gasOnLast(er, pr.proposal.address)),
        proposalCouncilCancel: gasOn(ek, victim.proposal.address),
        rootGovernanceMax: Math.max(
            ...rootTxs.map(gasOf),
        ),
        vote3: gasOn(v1.result, p1.proposal.address),
        vote255: gasOn(vb.result, pb.proposal.address),
    };
    return { rows, detail };
}

export const councilScenario: Scenario = {
    title: 'DAO council and proposals',
    run: async () => (await measureCouncil()).rows,
};

export default councilScenario;

if (require.main === module) {
    measureCouncil().then(({ rows, detail }) => {
        for (const r of rows) console.log(`${r.operation.padEnd(28)} gas ${String(r.gas).padStart(7)} / ${r.gasBudget}  fees ${r.fees}  [${r.gasPerTransaction.join(', ')}]`);
        console.log(detail);
    });
}
