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
import { deployCouncil, ROOT_ACTION_VALUE, SMALL } from '../../wrappers/testkit/council';
import { findTxTo, gasOf } from '../../wrappers/testkit/transactions';
import { chainCost, GasRow, Scenario } from './types';

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
    const img = (i: number): CouncilAction => ({ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addImage', imageHash: hashOf(`bench image ${i}`) } });

    // deploy council (wallet -> council, empty body)
    const fresh = c.blockchain.openContract(
        Council.createFromConfig(
            { root: c.root.address, members: [{ address: c.alice.address, weight: 1 }], threshold: 1n, votingPeriod: 3600, timelock: 0, proposalCode: c.proposalCode },
            loadCode('Council'),
        ),
    );
    const deploy = await c.run(() => fresh.sendDeploy(c.alice.getSender(), toNano('1')));
    rows.push(row('deploy council', deploy.result, 1_000, 'wallet -> council (state init)'));

    // handover: member -> council -> root accept_governance
    await c.run(() => c.root.sendGovernance(c.governance.getSender(), { kind: 'proposeGovernance', newGovernance: c.council.address }, toNano('0.05')));
    const accept = await c.run(() => c.council.sendAcceptRoot(c.alice.getSender(), SMALL));
    rows.push(row('accept root governance', accept.result, 10_000, 'member -> council -> root'));

    // propose, 1 and 8 actions
    const p1 = await c.propose(c.alice, [img(0)]);
    rows.push(row('propose (1 action)', p1.result, 26_000, 'member -> council -> proposal (deploy)'));
    const p8 = await c.propose(c.alice, Array.from({ length: MAX_ACTIONS }, (_, i) => img(100 + i)));
    rows.push(row('propose (8 actions)', p8.result, 44_000, 'member -> council -> proposal (deploy)'));

    // votes on proposal 1: op, text "no", then the passing text "yes"
    const v1 = await c.run(() => p1.proposal.sendVote(c.alice.getSender(), true, SMALL));
    rows.push(row('vote (op)', v1.result, 9_000, 'member -> proposal -> excesses'));
    const v2 = await c.run(() => p1.proposal.sendComment(c.carol.getSender(), 'no', SMALL));
    rows.push(row('vote (text "no")', v2.result, 10_500, 'wallet comment -> proposal -> excesses'));
    const v3 = await c.run(() => p1.proposal.sendComment(c.bob.getSender(), 'yes', SMALL));
    rows.push(row('passing vote (text "yes")', v3.result, 11_500, 'wallet comment -> proposal, state passed'));

    // execute: proposal -> council -> root (+ excesses to the executor)
    const e1 = await c.execute(p1.proposal);
    rows.push(row('execute (1 action)', e1, 33_000, 'wallet -> proposal -> council -> root, excesses'));
    await c.pass(p8.proposal);
    const e8 = await c.execute(p8.proposal);
    rows.push(row('execute (8 actions)', e8, 112_000, 'wallet -> proposal -> council -> 8 x root, excesses'));

    // veto: guardian -> council -> proposal -> excesses
    const pv = await c.propose(c.alice, [img(200)]);
    await c.pass(pv.proposal);
    const veto = await c.run(() => c.council.sendVeto(c.guardian.getSender(), pv.id, SMALL));
    rows.push(row('veto', veto.result, 17_000, 'guardian -> council -> proposal -> excesses'));

    // cancel and cleanup
    const pc = await c.propose(c.alice, [img(300)]);
    const cancel = await c.run(() => pc.proposal.sendComment(c.alice.getSender(), 'cancel', SMALL));
    rows.push(row('cancel (text)', cancel.result, 9_000, 'proposer comment -> proposal -> excesses'));
    const cleanup = await c.run(() => pc.proposal.sendCleanup(c.outsider.getSender(), SMALL));
    rows.push(row('cleanup', cleanup.result, 9_500, 'anyone -> proposal -> cleaner change + balance to proposer (destroyed)'));

    // 255 members: the snapshot's size drives the proposal's deploy and vote costs
    const members = [{ address: c.alice.address, weight: 1 }];
    for (let i = 1; i < 255; i++) members.push({ address: new Address(0, Buffer.alloc(32, i)), weight: 1 });
    const big = await deployCouncil({ council: { members, threshold: 2n } });
    const pb = await big.propose(big.alice, [img(400)]);
    rows.push(row('propose (255 members)', pb.result, 27_000, 'member -> council -> proposal (deploy)'));
    const vb = await big.run(() => pb.proposal.sendVote(big.alice.getSender(), true, SMALL));
    rows.push(row('vote (255 members)', vb.result, 10_000, 'member -> proposal -> excesses'));

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
