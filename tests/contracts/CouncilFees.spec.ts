/**
 * The council's fee formulas read gas and forwarding prices from the live config (council-common.fc):
 * under changed prices exactly get_proposal_fee deploys a proposal, exactly get_execute_value executes
 * 8 actions through to the root, and one nanoton less is refused with the named error; the same at the maximum
 * sizes (255 members, 8 weight changes, the costliest action there).
 */
import { Address, beginCell, Cell, Dictionary, toNano } from '@ton/core';
import { SendMessageResult } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op } from '../../wrappers/Constants';
import { CouncilAction, MAX_ACTIONS } from '../../wrappers/Council';
import { ProposalState } from '../../wrappers/Proposal';
import { findTxTo, gasConstant, gasOf, hashOf, refusalFrom } from '../../wrappers/testkit';
import { configWithPrices } from '../../wrappers/testkit/sizes';
import {
    CouncilKit,
    deepestMembers,
    deployCouncil,
    deployMaxCouncil,
    MAX_COUNCIL_ALICE_WEIGHT,
    RANDOM_MEMBERS,
    ROOT_ACTION_VALUE,
    seededAddresses,
    SMALL,
    SYNTHETIC_MEMBERS,
    TIMELOCK,
} from '../../wrappers/testkit/council';

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
        expect(refusalFrom(short.result, c.council.address)).toBe(Errors.proposalFeeTooSmall);
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

/**
 * The headline attack (an outsider executes with exactly get_execute_value and the council runs out of gas) at
 * the true worst case: for every council action kind, 8 of its costliest instance, on a 255-member council whose
 * addresses are random (RANDOM_MEMBERS: the member map is as deep as with real addresses, leaves at depth up to
 * 12, where the evenly spaced SYNTHETIC_MEMBERS stop at 9). Each run must apply every action and read executed,
 * and the council's own transaction must fit gas::council_execute + 8 * gas::council_execute_per_action, the gas
 * the fee formula (fee::execute) pays for.
 */
describe('exact execute value at the maximum sizes, every council action kind (255 members, random addresses)', () => {
    const DAY = 24 * 3600;
    const measured: [string, number][] = [];

    afterAll(() => {
        const budget = gasConstant('gas::council_execute') + MAX_ACTIONS * gasConstant('gas::council_execute_per_action');
        // fee printer: the council's proposal_approved transaction of each case against the budget
        console.log(measured.map(([name, gas]) => `${name}: council ${gas} gas, budget ${budget}, headroom ${budget - gas}`).join('\n'));
    });

    /** Alice proposes `actions` and passes them alone; an outsider executes with exactly get_execute_value. */
    async function executeExactly(big: CouncilKit, name: string, actions: CouncilAction[]): Promise<SendMessageResult> {
        const { proposal } = await big.propose(big.alice, actions);
        await big.run(() => proposal.sendVote(big.alice.getSender(), true, SMALL));
        expect(await proposal.getState()).toBe(ProposalState.Passed);
        big.advance(TIMELOCK);
        const need = await proposal.getExecuteValue();
        const { result } = await big.run(() => proposal.sendExecute(big.outsider.getSender(), need));
        expect(result.transactions).toHaveTransaction({ from: proposal.address, to: big.council.address, op: Op.proposalApproved, success: true });
        expect(await proposal.getState()).toBe(ProposalState.Executed);
        const gas = gasOf(findTxTo(result.transactions, big.council.address, Op.proposalApproved)!);
        measured.push([name, gas]);
        expect(gas).toBeLessThanOrEqual(gasConstant('gas::council_execute') + actions.length * gasConstant('gas::council_execute_per_action'));
        return result;
    }

    const deployRandom = (others: readonly Address[] = RANDOM_MEMBERS) => deployMaxCouncil({ others });
    const deepest = (big: CouncilKit, n = MAX_ACTIONS) => deepestMembers(RANDOM_MEMBERS, n, [big.alice.address]);

    it('8 member removals (the deepest members)', async () => {
        const big = await deployRandom();
        const victims = deepest(big);
        await executeExactly(big, '8 removals', victims.map((member) => ({ kind: 'removeMember', member })));
        expect((await big.council.getCouncilData()).memberCount).toBe(255 - MAX_ACTIONS);
        for (const m of victims) expect(await big.council.getMemberWeight(m)).toBe(0);
    }, 120_000);

    it('8 weight changes (the deepest members)', async () => {
        const big = await deployRandom();
        const targets = deepest(big);
        await executeExactly(big, '8 weight changes', targets.map((member) => ({ kind: 'setWeight', member, weight: 2 })));
        for (const m of targets) expect(await big.council.getMemberWeight(m)).toBe(2);
    }, 120_000);

    it('8 member additions up to 255 (the newcomers that land deepest)', async () => {
        const others = RANDOM_MEMBERS.slice(0, 254 - MAX_ACTIONS);
        const big = await deployRandom(others);
        const newcomers = deepestMembers(seededAddresses('cocoon council newcomer', 64), MAX_ACTIONS, [big.alice.address, ...others]);
        await executeExactly(big, '8 additions', newcomers.map((member) => ({ kind: 'addMember', member, weight: 1 })));
        expect((await big.council.getCouncilData()).memberCount).toBe(255);
        for (const m of newcomers) expect(await big.council.getMemberWeight(m)).toBe(1);
    }, 120_000);

    it('8 threshold changes', async () => {
        const big = await deployRandom();
        await executeExactly(big, '8 threshold changes', Array.from({ length: MAX_ACTIONS }, (_, i) => ({ kind: 'setThreshold', threshold: 291n + BigInt(i) })));
        expect((await big.council.getCouncilData()).threshold).toBe(291n + BigInt(MAX_ACTIONS - 1));
    }, 120_000);

    it('8 period changes', async () => {
        const big = await deployRandom();
        await executeExactly(
            big,
            '8 period changes',
            Array.from({ length: MAX_ACTIONS }, (_, i) => ({ kind: 'setPeriods', votingPeriod: (2 + i) * DAY, timelock: (1 + i) * DAY, executionWindow: (3 + i) * DAY })),
        );
        const d = await big.council.getCouncilData();
        expect([d.votingPeriod, d.timelock, d.executionWindow]).toEqual([(1 + MAX_ACTIONS) * DAY, MAX_ACTIONS * DAY, (2 + MAX_ACTIONS) * DAY]);
    }, 120_000);

    it('8 guardian changes', async () => {
        const big = await deployRandom();
        const guardians = seededAddresses('cocoon guardian', MAX_ACTIONS);
        const sunset = big.blockchain.now! + TIMELOCK + 30 * DAY;
        await executeExactly(big, '8 guardian changes', guardians.map((guardian, i) => ({ kind: 'setGuardian', guardian, sunset: sunset + i })));
        const d = await big.council.getCouncilData();
        expect(d.guardian).toEqualAddress(guardians[MAX_ACTIONS - 1]);
        expect(d.guardianSunset).toBe(sunset + MAX_ACTIONS - 1);
    }, 120_000);

    it('8 cancels of queued proposals (each with 8 actions and a 255-member snapshot)', async () => {
        const big = await deployRandom();
        const queued = [];
        for (let k = 0; k < MAX_ACTIONS; k++) {
            const q = await big.propose(
                big.alice,
                Array.from({ length: MAX_ACTIONS }, (_, i) => ({
                    kind: 'root' as const,
                    value: ROOT_ACTION_VALUE,
                    action: { kind: 'addModel' as const, modelHash: hashOf(`queued ${k} ${i}`), name: `org/model-${k}-${i}@rev:${'h'.repeat(40)}` },
                })),
            );
            await big.run(() => q.proposal.sendVote(big.alice.getSender(), true, SMALL));
            expect(await q.proposal.getState()).toBe(ProposalState.Passed);
            queued.push(q);
        }
        await executeExactly(big, '8 cancels', queued.map((q) => ({ kind: 'cancelProposal', id: q.id })));
        for (const q of queued) expect(await q.proposal.getState()).toBe(ProposalState.Cancelled);
    }, 180_000);

    it('8 withdrawals of the council surplus to distinct recipients', async () => {
        const big = await deployRandom();
        await big.run(() => big.council.sendRaw(big.outsider.getSender(), beginCell().endCell(), toNano('10')));
        const recipients = [big.carol, big.bob, ...(await Promise.all(['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].map((n) => big.wallet(n))))];
        const result = await executeExactly(big, '8 withdrawals', recipients.map((r) => ({ kind: 'withdraw', amount: toNano('0.5'), to: r.address })));
        for (const r of recipients) expect(result.transactions).toHaveTransaction({ from: big.council.address, to: r.address, value: toNano('0.5'), success: true });
    }, 120_000);

    it('8 root actions with the largest bodies', async () => {
        const big = await deployRandom();
        const result = await executeExactly(
            big,
            '8 root actions',
            Array.from({ length: MAX_ACTIONS }, (_, i) => ({
                kind: 'root',
                value: ROOT_ACTION_VALUE,
                action: { kind: 'addModel', modelHash: hashOf(`max model ${i}`), name: `org/model-${i}@rev:${'h'.repeat(40)}` },
            })),
        );
        expect(result.transactions).toHaveTransaction({ from: big.council.address, to: big.root.address, success: true });
        for (let i = 0; i < MAX_ACTIONS; i++) expect(await big.root.getIsModelAllowed(hashOf(`max model ${i}`))).toBe(true);
    }, 120_000);

    /**
     * The council remembers every executed id for max_execution_window + answer_timeout (30 days + 1 h) and forgets
     * at most two per execution, so the map grows with the DAO's pace, and each execution walks it four times
     * (two minimum lookups, the duplicate check) and rewrites it up to three times (two deletes, one insert). Its
     * keys are 32-bit ids, so no path is longer than 32 forks: this test builds exactly that (a fork at every bit
     * above the new id and above the two expired ids forgotten in the same run), the hard maximum whatever the
     * DAO's pace, under 8 weight changes of the deepest members: the worst case of both maps at once.
     */
    it('8 weight changes with the executed map at its maximum depth (32-bit ids: 32 forks)', async () => {
        const big = await deployRandom();
        const NEXT_ID = 0xfffffffc;
        const executed = Dictionary.empty(Dictionary.Keys.Uint(32), Dictionary.Values.Uint(32));
        const live = big.blockchain.now! + 30 * DAY;
        for (let b = 0; b < 32; b++) executed.set((NEXT_ID ^ (1 << b)) >>> 0, live); // the new id's path
        for (let b = 1; b < 31; b++) executed.set(1 << b, live); // the oldest ids' path
        executed.set(0, 1).set(1, 1); // expired: forgotten by this run
        await rewriteCouncilState(big, (f) => ({ ...f, nextId: NEXT_ID, executed }));
        const targets = deepest(big);
        await executeExactly(big, '8 weight changes, executed map at depth 32', targets.map((member) => ({ kind: 'setWeight', member, weight: 2 })));
        for (const m of targets) expect(await big.council.getMemberWeight(m)).toBe(2);
        const after = (await rewriteCouncilState(big, (f) => f)).executed;
        expect(after.has(NEXT_ID)).toBe(true);
        expect(after.has(0) || after.has(1)).toBe(false);
    }, 120_000);

    it('a mix: removals, weight changes, an addition, a cancel, a withdrawal and a root action', async () => {
        const big = await deployRandom();
        const [r1, r2, w1, w2] = deepest(big, 4);
        const q = await big.propose(big.alice, [{ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addImage', label: 'queued image', imageHash: hashOf('queued image') } }]);
        await big.run(() => q.proposal.sendVote(big.alice.getSender(), true, SMALL));
        await big.run(() => big.council.sendRaw(big.outsider.getSender(), beginCell().endCell(), toNano('2')));
        const [newcomer] = deepestMembers(seededAddresses('cocoon council newcomer', 64), 1, [big.alice.address, ...RANDOM_MEMBERS]);
        const actions: CouncilAction[] = [
            { kind: 'removeMember', member: r1 },
            { kind: 'removeMember', member: r2 },
            { kind: 'setWeight', member: w1, weight: 3 },
            { kind: 'setWeight', member: w2, weight: 3 },
            { kind: 'addMember', member: newcomer, weight: 1 },
            { kind: 'cancelProposal', id: q.id },
            { kind: 'withdraw', amount: toNano('1'), to: big.carol.address },
            { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addModel', modelHash: hashOf('mix model'), name: `org/mix@rev:${'h'.repeat(40)}` } },
        ];
        await executeExactly(big, 'mix of 8', actions);
        expect(await big.council.getMemberWeight(r1)).toBe(0);
        expect(await big.council.getMemberWeight(w2)).toBe(3);
        expect(await big.council.getMemberWeight(newcomer)).toBe(1);
        expect(await q.proposal.getState()).toBe(ProposalState.Cancelled);
        expect(await big.root.getIsModelAllowed(hashOf('mix model'))).toBe(true);
        expect((await big.council.getCouncilData()).totalWeight).toBe(BigInt(MAX_COUNCIL_ALICE_WEIGHT + 254 - 2 + 2 * 2 + 1));
    }, 120_000);
});

interface CouncilState {
    root: Address;
    nextId: number;
    epoch: number;
    threshold: bigint;
    totalWeight: bigint;
    memberCount: number;
    members: Cell | null;
    config: Cell;
    proposalCode: Cell;
    executed: Dictionary<number, number>;
}

/** Reads the council's storage (protocol.tlb CouncilStorage), applies `change`, writes it back; returns the new state. */
async function rewriteCouncilState(kit: CouncilKit, change: (s: CouncilState) => CouncilState): Promise<CouncilState> {
    const contract = await kit.blockchain.getContract(kit.council.address);
    const account = contract.account;
    const storage = account.account!.storage.state;
    if (storage.type !== 'active') throw new Error('council is not active');
    const ds = storage.state.data!.beginParse();
    const state = change({
        root: ds.loadAddress(),
        nextId: ds.loadUint(32),
        epoch: ds.loadUint(32),
        threshold: ds.loadUintBig(64),
        totalWeight: ds.loadUintBig(64),
        memberCount: ds.loadUint(8),
        members: ds.loadMaybeRef(),
        config: ds.loadRef(),
        proposalCode: ds.loadRef(),
        executed: ds.loadDict(Dictionary.Keys.Uint(32), Dictionary.Values.Uint(32)),
    });
    ds.endParse();
    storage.state.data = beginCell()
        .storeAddress(state.root)
        .storeUint(state.nextId, 32)
        .storeUint(state.epoch, 32)
        .storeUint(state.threshold, 64)
        .storeUint(state.totalWeight, 64)
        .storeUint(state.memberCount, 8)
        .storeMaybeRef(state.members)
        .storeRef(state.config)
        .storeRef(state.proposalCode)
        .storeDict(state.executed)
        .endCell();
    await kit.blockchain.setShardAccount(kit.council.address, account);
    return state;
}
