/**
 * DAO council gas: each contract's own transaction under the constant contracts/gas.fc states for it, and
 * the storage and message size bounds behind the fee formulas of contracts/council-common.fc. The rows of
 * bench/scenarios/council.ts against their budgets: tests/contracts/GasBudgets.spec.ts.
 */
import { Address, beginCell, toNano } from '@ton/core';
import '@ton/test-utils';
import { CouncilGasDetail, measureCouncil } from '../../bench/scenarios/council';
import { treeSize } from '../../wrappers/testkit/sizes';
import { GasRow } from '../../bench/scenarios/types';
import { MAX_ACTIONS, MIN_ROOT_ACTION_VALUE } from '../../wrappers/Council';
import { hashOf } from '../../wrappers/testkit';
import { deployCouncil, ROOT_ACTION_VALUE } from '../../wrappers/testkit/council';
import { gasConstant } from '../../wrappers/testkit/gas';
import { txTo } from '../../wrappers/testkit/transactions';

describe('Council gas', () => {
    let rows: GasRow[];
    let detail: CouncilGasDetail;

    beforeAll(async () => {
        ({ rows, detail } = await measureCouncil());
        // printed for docs/governance.md and the PR (fee printer style)
        console.log(rows.map((r) => `${r.operation}: ${r.gas} gas (budget ${r.gasBudget}) [${r.gasPerTransaction.join(', ')}], fees ${r.fees}`).join('\n'));
        console.log(detail);
    }, 120_000);

    // Every council row under its budget: tests/contracts/GasBudgets.spec.ts (one budget suite for all scenarios).

    it('gas::council_propose covers create_proposal with 8 actions', () => {
        expect(detail.councilPropose8).toBeGreaterThan(detail.councilPropose1);
        expect(detail.councilPropose8).toBeLessThanOrEqual(gasConstant('gas::council_propose'));
    });

    it('gas::proposal_init covers init_proposal, whatever the snapshot size', () => {
        expect(Math.max(detail.proposalInit, detail.proposalInit255)).toBeLessThanOrEqual(gasConstant('gas::proposal_init'));
    });

    it('gas::proposal_execute covers execute with 1 and 8 actions', () => {
        expect(Math.max(detail.proposalExecute1, detail.proposalExecute8)).toBeLessThanOrEqual(gasConstant('gas::proposal_execute'));
    });

    it('gas::council_execute + n * gas::council_execute_per_action covers proposal_approved, at the worst case', () => {
        const base = gasConstant('gas::council_execute');
        const per = gasConstant('gas::council_execute_per_action');
        expect(detail.councilExecute1).toBeLessThanOrEqual(base + per);
        // one council action of each kind the bench measures (a cancel and a withdrawal cost more than a root action)
        expect(detail.councilExecuteCancel1).toBeLessThanOrEqual(base + per);
        expect(detail.councilExecuteWithdraw1).toBeLessThanOrEqual(base + per);
        expect(detail.councilExecute8).toBeLessThanOrEqual(base + MAX_ACTIONS * per);
        // the costliest actions (member removals, weight changes) on the bench's 255-member council; every action
        // kind at its worst (random addresses, the executed map at its maximum depth): CouncilFees.spec.ts
        expect(detail.councilExecuteRemovals255).toBeLessThanOrEqual(base + MAX_ACTIONS * per);
        expect(detail.councilExecuteWeights255).toBeLessThanOrEqual(base + MAX_ACTIONS * per);
        expect(detail.councilExecuteWeights255Random).toBeGreaterThan(detail.councilExecuteWeights255);
        expect(detail.councilExecuteWeights255Random).toBeLessThanOrEqual(base + MAX_ACTIONS * per);
    });

    it('gas::proposal_answer covers the answer and a council cancel', () => {
        expect(detail.proposalAnswer).toBeGreaterThan(0);
        expect(detail.proposalCouncilCancel).toBeGreaterThan(0);
        expect(Math.max(detail.proposalAnswer, detail.proposalCouncilCancel)).toBeLessThanOrEqual(gasConstant('gas::proposal_answer'));
    });

    it('root governance gas fits the minimum action value', () => {
        expect(Number(MIN_ROOT_ACTION_VALUE)).toBe(gasConstant('value::min_root_action'));
        // basechain gas price of the sandbox config: 400 nanoton per gas unit (26214400 / 2^16)
        expect(BigInt(detail.rootGovernanceMax) * 400n * 2n).toBeLessThanOrEqual(MIN_ROOT_ACTION_VALUE);
    });

    it('proposal size bounds: account and deploy message under size::proposal_* for 3 and 255 members', async () => {
        const fixedBits = gasConstant('max_size::proposal_fixed_bits');
        const fixedCells = gasConstant('max_size::proposal_fixed_cells');
        const memberBits = gasConstant('max_size::proposal_member_bits');
        const memberCells = gasConstant('max_size::proposal_member_cells');
        let aliceAddress: Address | undefined;
        for (const n of [3, 255]) {
            // treasury addresses are deterministic per name, so the 3-member kit tells alice's address
            const members = [{ address: aliceAddress ?? new Address(0, Buffer.alloc(32)), weight: 1 }];
            for (let i = 1; i < n; i++) members.push({ address: new Address(0, Buffer.alloc(32, i)), weight: 1 });
            const c = await deployCouncil(n === 3 ? {} : { council: { members, threshold: 2n } });
            aliceAddress = c.alice.address;
            const actions = Array.from({ length: MAX_ACTIONS }, (_, i) => ({
                kind: 'root' as const,
                value: ROOT_ACTION_VALUE,
                action: { kind: 'addModel' as const, modelHash: hashOf(`m${i}`), name: 'x'.repeat(120) },
            }));
            const { proposal, result } = await c.propose(c.alice, actions, { description: 'd'.repeat(120), value: toNano('3') });
            const account = (await c.blockchain.getContract(proposal.address)).account.account!;
            const used = account.storageStats.used;
            expect((await proposal.getProposalData()).members.size).toBe(n);
            expect(Number(used.bits)).toBeLessThanOrEqual(fixedBits + n * memberBits);
            expect(Number(used.cells)).toBeLessThanOrEqual(fixedCells + n * memberCells);
            const deployTx = txTo(result.transactions, proposal.address);
            const msg = deployTx.inMessage!;
            const size = treeSize(beginCell().storeRef(msg.init!.code!).storeRef(msg.init!.data!).storeRef(msg.body).endCell());
            expect(size.bits).toBeLessThanOrEqual(fixedBits + n * memberBits);
            expect(size.cells).toBeLessThanOrEqual(fixedCells + n * memberCells);
            console.log(`proposal with ${n} members: account ${used.bits} bits / ${used.cells} cells; deploy message ${size.bits} bits / ${size.cells} cells`);
        }
    }, 120_000);
});
