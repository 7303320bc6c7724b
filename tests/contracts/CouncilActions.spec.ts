/**
 * DAO council actions: every root governance operation through a proposal, the council's own
 * changes (members, weights, threshold, periods, guardian, epoch), and validation of malformed actions.
 */
import { Address, beginCell, Cell, Dictionary, toNano } from '@ton/core';
import { Blockchain, BlockchainSnapshot } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op, WorkerStatus } from '../../wrappers/Constants';
import { textCell, uint256ToBuffer } from '../../wrappers/common';
import {
    ActionTag,
    actionsDict,
    Council,
    councilActionCell,
    CouncilAction,
    describeAction,
    MAX_ACTIONS,
    MAX_EXECUTION_WINDOW,
    MAX_TIMELOCK,
    MAX_VOTING_PERIOD,
    MIN_EXECUTION_WINDOW,
    MIN_ROOT_ACTION_VALUE,
    MIN_TIMELOCK,
    MIN_VOTING_PERIOD,
    parseCouncilAction,
} from '../../wrappers/Council';
import { ProposalState } from '../../wrappers/Proposal';
import { rootGovernanceBody } from '../../wrappers/Root';
import { loadCode } from '../../wrappers/code';
import { refusalTo } from '../../wrappers/testkit/replies';
import { DEFAULT_PARAMS, hashOf } from '../../wrappers/testkit';
import { CouncilKit, deployCouncil, EXECUTION_WINDOW, ROOT_ACTION_VALUE, SMALL, THRESHOLD, TIMELOCK, VOTING_PERIOD } from '../../wrappers/testkit/council';

const root = (action: Parameters<typeof rootGovernanceBody>[0], value = ROOT_ACTION_VALUE): CouncilAction => ({ kind: 'root', value, action });

describe('Council actions', () => {
    let c: CouncilKit;
    let base: BlockchainSnapshot;
    let blockchain: Blockchain;

    beforeAll(async () => {
        c = await deployCouncil({ workers: 1 });
        blockchain = c.blockchain;
        base = blockchain.snapshot();
    });

    beforeEach(async () => {
        await blockchain.loadFrom(base);
    });

    const expectProposeFails = async (actions: CouncilAction[] | Cell[] | Dictionary<number, Cell>, exitCode: number) => {
        const { result } = await c.run(() =>
            c.council.sendCreateProposal(c.alice.getSender(), { actions, description: 'bad', value: toNano('1') }),
        );
        expect(result.transactions).toHaveTransaction({ from: c.alice.address, to: c.council.address, success: false, exitCode });
        expect((await c.council.getCouncilData()).nextId).toBe(0);
    };

    describe('root governance operations', () => {
        it('add image, then retire it', async () => {
            const img = hashOf('image x');
            await c.enact([root({ kind: 'addImage', label: 'test image', imageHash: img })]);
            expect(await c.root.getIsImageAllowed(img)).toBe(true);
            await c.enact([root({ kind: 'retireImage', imageHash: img })]);
            expect(await c.root.getIsImageAllowed(img)).toBe(false);
        });

        it('add and remove a model', async () => {
            const model = hashOf('org/model@rev');
            await c.enact([root({ kind: 'addModel', modelHash: model, name: 'org/model@rev' })]);
            expect(await c.root.getIsModelAllowed(model)).toBe(true);
            expect((await c.root.getModels()).get(model)!.name).toBe('org/model@rev');
            await c.enact([root({ kind: 'removeModel', modelHash: model })]);
            expect(await c.root.getIsModelAllowed(model)).toBe(false);
        });

        it('set parameters', async () => {
            const params = { ...DEFAULT_PARAMS, minStake: toNano('25'), protocolFeeBps: 300 };
            await c.enact([root({ kind: 'setParams', params })]);
            const p = await c.root.getParams();
            expect(p.minStake).toBe(toNano('25'));
            expect(p.protocolFeeBps).toBe(300);
        });

        it('set child code', async () => {
            const jobCode = beginCell().storeUint(0xc0de, 16).endCell();
            await c.enact([root({ kind: 'setCode', jobCode })]);
            expect((await c.root.getChildCodes()).jobCode.equals(jobCode)).toBe(true);
        });

        it('withdraw from the treasury', async () => {
            await c.run(() => c.root.sendTreasuryDeposit(c.outsider.getSender(), toNano('5')));
            const to = await c.wallet('grants');
            const { result } = await c.enact([root({ kind: 'withdrawTreasury', amount: toNano('3'), to: to.address })]);
            expect(result.transactions).toHaveTransaction({ from: c.root.address, to: to.address, value: (v) => v! >= toNano('3') - toNano('0.01') });
        });

        it('slash a worker', async () => {
            const w = c.workers[0];
            const stake = (await w.worker.getState()).stake;
            const { result } = await c.enact([
                root({ kind: 'slashWorker', owner: w.owner.address, index: w.index, amount: toNano('1'), bps: 0, reason: hashOf('governance slash') }),
            ]);
            expect(result.transactions).toHaveTransaction({ from: c.root.address, to: w.worker.address, op: Op.govSlash, success: true });
            const after = await w.worker.getState();
            expect(after.stake).toBeLessThan(stake);
            expect([WorkerStatus.Active, WorkerStatus.Slashed, WorkerStatus.Inactive]).toContain(after.status);
        });

        it('hands governance over to a new council (two-step: propose by vote, accept by a new member)', async () => {
            const next = blockchain.openContract(
                Council.createFromConfig(
                    {
                        root: c.root.address,
                        members: [{ address: c.outsider.address, weight: 1 }],
                        threshold: 1n,
                        votingPeriod: VOTING_PERIOD,
                        timelock: TIMELOCK,
                        executionWindow: EXECUTION_WINDOW,
                        proposalCode: c.proposalCode,
                    },
                    loadCode('Council'),
                ),
            );
            await c.run(() => next.sendDeploy(c.outsider.getSender(), toNano('1')));
            await c.enact([root({ kind: 'proposeGovernance', newGovernance: next.address })]);
            expect((await c.root.getGovernance()).pending).toEqualAddress(next.address);
            await c.run(() => next.sendAcceptRoot(c.outsider.getSender(), SMALL));
            expect((await c.root.getGovernance()).governance).toEqualAddress(next.address);
            // the old council no longer governs: its actions are refused by the root (and bounce back to it)
            const { result } = await c.enact([root({ kind: 'addImage', label: 'test image', imageHash: hashOf('late') })]);
            expect(result.transactions).toHaveTransaction({ from: c.council.address, to: c.root.address, success: false, exitCode: Errors.notGovernance });
        });

        it('accept governance as a voted action', async () => {
            const fresh = await deployCouncil({ noHandover: true });
            await fresh.run(() =>
                fresh.root.sendGovernance(fresh.governance.getSender(), { kind: 'proposeGovernance', newGovernance: fresh.council.address }, toNano('0.05')),
            );
            await fresh.enact([root({ kind: 'acceptGovernance' })]);
            expect((await fresh.root.getGovernance()).governance).toEqualAddress(fresh.council.address);
        });

        it('runs up to 8 actions in order in one execution', async () => {
            const imgs = Array.from({ length: MAX_ACTIONS - 2 }, (_, i) => hashOf(`batch ${i}`));
            const dave = await c.wallet('dave');
            const { proposal, result } = await c.enact([
                ...imgs.map((imageHash) => root({ kind: 'addImage', label: 'test image', imageHash })),
                { kind: 'addMember', member: dave.address, weight: 1 },
                { kind: 'setThreshold', threshold: 6n }, // the quorum floor for a total of 10
            ]);
            for (const img of imgs) expect(await c.root.getIsImageAllowed(img)).toBe(true);
            expect(await c.council.getMemberWeight(dave.address)).toBe(1);
            expect((await c.council.getCouncilData()).epoch).toBe(1);
            expect(await proposal.getState()).toBe(ProposalState.Executed);
            // 6 root actions, the answer to the proposal, the executor's change
            expect(result.transactions.filter((t) => t.inMessage?.info.src?.toString() === c.council.address.toString()).length).toBe(MAX_ACTIONS);
        });

        it('voters read every action in readable form', async () => {
            const actions: CouncilAction[] = [
                root({ kind: 'addImage', label: 'test image', imageHash: uint256ToBuffer(1n), supersedes: uint256ToBuffer(2n), grace: 86400 }),
                root({ kind: 'addModel', modelHash: uint256ToBuffer(3n), name: 'm' }),
                root({ kind: 'withdrawTreasury', amount: toNano('1'), to: c.outsider.address }),
                { kind: 'addMember', member: c.outsider.address, weight: 2 },
                { kind: 'setThreshold', threshold: 6n },
                { kind: 'setPeriods', votingPeriod: 86400, timelock: 86400, executionWindow: 86400 },
                { kind: 'setGuardian', guardian: null, sunset: 0 },
            ];
            const { proposal } = await c.propose(c.alice, actions);
            const d = await proposal.getProposalData();
            expect(d.actions.length).toBe(actions.length);
            expect(d.readable).toEqual(actions.map((a) => describeAction(a)));
            expect(d.readable[0]).toMatch(/add image 0x0+1 "test image", superseding 0x0+2 .* grace of 1 d/);
            expect(d.readable[6]).toBe('council: remove the guardian');
            expect(d.actionsValue).toBe(3n * ROOT_ACTION_VALUE);
            for (const a of actions) expect(describeAction(parseCouncilAction(councilActionCell(a)))).toBe(describeAction(a));
        });
    });

    describe("the council's own changes", () => {
        it('adds a member: epoch + 1, total weight up, the new member can propose and vote', async () => {
            const dave = await c.wallet('dave');
            await c.enact([
                { kind: 'addMember', member: dave.address, weight: 5 },
                { kind: 'setThreshold', threshold: 8n }, // the quorum floor for a total of 14
            ]);
            const d = await c.council.getCouncilData();
            expect([d.epoch, d.memberCount, d.totalWeight]).toEqual([1, 4, 14n]);
            const { proposal } = await c.propose(dave, [root({ kind: 'addImage', label: 'test image', imageHash: hashOf('dave') })]);
            await c.run(() => proposal.sendVote(dave.getSender(), true, SMALL));
            await c.run(() => proposal.sendVote(c.carol.getSender(), true, SMALL));
            expect(await proposal.getState()).toBe(ProposalState.Voting); // 7 < 8
            await c.run(() => proposal.sendVote(c.bob.getSender(), true, SMALL));
            expect(await proposal.getState()).toBe(ProposalState.Passed); // 10 >= 8
        });

        it('removes a member: it can no longer propose', async () => {
            await c.enact([{ kind: 'removeMember', member: c.carol.address }]);
            const d = await c.council.getCouncilData();
            expect([d.epoch, d.memberCount, d.totalWeight]).toEqual([1, 2, 7n]);
            const { result } = await c.propose(c.carol, [root({ kind: 'addImage', label: 'test image', imageHash: uint256ToBuffer(5n) })]);
            expect(result.transactions).toHaveTransaction({ to: c.council.address, success: false, exitCode: Errors.notMember });
        });

        it('changes a weight and the threshold', async () => {
            await c.enact([
                { kind: 'setWeight', member: c.carol.address, weight: 6 },
                { kind: 'setThreshold', threshold: 8n },
            ]);
            const d = await c.council.getCouncilData();
            expect(d.epoch).toBe(1); // once per execution, however many member changes
            expect(d.threshold).toBe(8n);
            expect(d.totalWeight).toBe(13n);
            expect(await c.council.getMemberWeight(c.carol.address)).toBe(6);
        });

        it('a later action may rely on an earlier one (threshold checked after all actions)', async () => {
            const dave = await c.wallet('dave');
            await c.enact([
                { kind: 'addMember', member: dave.address, weight: 10 },
                { kind: 'setThreshold', threshold: 15n },
            ]);
            expect((await c.council.getCouncilData()).threshold).toBe(15n);
        });

        it('changes the periods: new proposals use them', async () => {
            await c.enact([{ kind: 'setPeriods', votingPeriod: 3600, timelock: MIN_TIMELOCK, executionWindow: MIN_EXECUTION_WINDOW }]);
            const { proposal } = await c.propose(c.alice, [root({ kind: 'addImage', label: 'test image', imageHash: uint256ToBuffer(6n) })]);
            const d = await proposal.getProposalData();
            expect(d.deadline).toBe(blockchain.now! + 3600);
            expect(d.timelock).toBe(MIN_TIMELOCK);
            expect(d.executionWindow).toBe(MIN_EXECUTION_WINDOW);
            await c.pass(proposal);
            c.advance(MIN_TIMELOCK);
            const { result } = await c.run(() => proposal.sendExecute(c.outsider.getSender(), toNano('1')));
            expect(result.transactions).toHaveTransaction({ from: c.council.address, to: c.root.address, success: true });
        });

        it('changes the guardian: the new one can veto, the old one cannot; removing it disables vetoes', async () => {
            const g2 = await c.wallet('guardian 2');
            await c.enact([{ kind: 'setGuardian', guardian: g2.address, sunset: blockchain.now! + 86400 * 30 }]);
            const { id, proposal } = await c.propose(c.alice, [root({ kind: 'addImage', label: 'test image', imageHash: uint256ToBuffer(7n) })]);
            await c.pass(proposal);
            const old = await c.run(() => c.council.sendVeto(c.guardian.getSender(), id, SMALL));
            expect(refusalTo(old.result, c.guardian.address)?.error).toBe(Errors.notGuardian);
            await c.run(() => c.council.sendVeto(g2.getSender(), id, SMALL));
            expect(await proposal.getState()).toBe(ProposalState.Vetoed);

            await c.enact([{ kind: 'setGuardian', guardian: null, sunset: 0 }]);
            expect((await c.council.getCouncilData()).guardian).toBeNull();
        });
    });

    describe('validation at proposal time', () => {
        const img = root({ kind: 'addImage', label: 'test image', imageHash: uint256ToBuffer(9n) });

        it('should reject a proposal with too many actions', async () => {
            await expectProposeFails(Array.from({ length: MAX_ACTIONS + 1 }, () => img), Errors.tooManyActions);
        });

        it('accepts exactly the maximum number of actions', async () => {
            const { result } = await c.propose(c.alice, Array.from({ length: MAX_ACTIONS }, (_, i) => root({ kind: 'addImage', label: 'test image', imageHash: uint256ToBuffer(BigInt(i + 1)) })));
            expect(result.transactions).toHaveTransaction({ to: c.proposal(0).address, deploy: true, success: true });
        });

        it('should reject a proposal without actions', async () => {
            await expectProposeFails([], Errors.noActions);
        });

        it('should reject malformed actions: gaps in keys, unknown tag, trailing data, a value that is not a ref', async () => {
            const gap = Dictionary.empty(Dictionary.Keys.Uint(8), Dictionary.Values.Cell());
            gap.set(0, councilActionCell(img));
            gap.set(2, councilActionCell(img));
            await expectProposeFails(gap, Errors.malformedAction);
            await expectProposeFails([beginCell().storeUint(0x0a, 8).endCell()], Errors.malformedAction);
            await expectProposeFails([beginCell().storeUint(ActionTag.setThreshold, 8).storeUint(5, 64).storeBit(1).endCell()], Errors.malformedAction);
            await expectProposeFails([beginCell().storeUint(ActionTag.addMember, 8).storeUint(1, 8).endCell()], Errors.malformedAction);
            const notRef = Dictionary.empty(Dictionary.Keys.Uint(8), Dictionary.Values.Uint(32));
            notRef.set(0, 5);
            const dict = beginCell().storeDictDirect(notRef).endCell();
            const asCells = Dictionary.loadDirect(Dictionary.Keys.Uint(8), Dictionary.Values.Cell(), null);
            const body = beginCell().storeUint(Op.createProposal, 32).storeUint(0, 64).storeMaybeRef(dict).storeUint(0, 256).storeRef(textCell('x')).endCell();
            const { result } = await c.run(() => c.council.sendRaw(c.alice.getSender(), body, toNano('1')));
            expect(result.transactions).toHaveTransaction({ to: c.council.address, success: false, exitCode: Errors.malformedAction });
            expect(asCells.size).toBe(0);
        });

        it('should reject root bodies that are not well-formed governance operations', async () => {
            const raw = (body: Cell): CouncilAction => ({ kind: 'rootRaw', value: ROOT_ACTION_VALUE, body });
            const addImage = rootGovernanceBody({ kind: 'addImage', label: 'test image', imageHash: uint256ToBuffer(1n) });
            // the layout and the state-independent rules are the root's own (contracts/governance.fc): the root's
            // named error where it has one, bad_root_action for a body that is not one of its operations at all
            const cases: [Cell, number][] = [
                [beginCell().storeUint(Op.registerWorker, 32).storeUint(0, 64).endCell(), Errors.badRootAction], // not a governance op
                [beginCell().storeUint(0xdeadbeef, 32).storeUint(0, 64).endCell(), Errors.badRootAction], // unknown op
                [beginCell().storeSlice(addImage.beginParse().skip(0)).storeBit(1).endCell(), Errors.badRootAction], // trailing bit
                [beginCell().storeUint(Op.addImage, 32).storeUint(0, 64).storeUint(1, 256).endCell(), Errors.badRootAction], // truncated
                [beginCell().storeUint(Op.setParams, 32).storeUint(0, 64).storeRef(beginCell().storeUint(1, 32).endCell()).endCell(), Errors.badRootAction], // truncated params
                [beginCell().storeUint(Op.addModel, 32).storeUint(0, 64).storeUint(1, 256).storeRef(beginCell().storeRef(Cell.EMPTY).endCell()).endCell(), Errors.textTooLong], // name with refs
                [beginCell().storeUint(Op.withdrawTreasury, 32).storeUint(0, 64).storeCoins(1).storeUint(0, 2).endCell(), Errors.badRootAction], // addr_none
                [beginCell().storeUint(Op.pause, 32).storeUint(0, 64).storeUint(0, 8).endCell(), Errors.badPauseFlags], // pause nothing
                [beginCell().endCell(), Errors.badRootAction],
            ];
            for (const [body, error] of cases) await expectProposeFails([raw(body)], error);
        });

        it('should reject a root action carrying less than the minimum value', async () => {
            await expectProposeFails([root({ kind: 'addImage', label: 'test image', imageHash: uint256ToBuffer(1n) }, MIN_ROOT_ACTION_VALUE - 1n)], Errors.actionValueTooSmall);
        });

        it('should reject member changes that cannot apply', async () => {
            await expectProposeFails([{ kind: 'addMember', member: c.bob.address, weight: 1 }], Errors.memberExists);
            await expectProposeFails([{ kind: 'removeMember', member: c.outsider.address }], Errors.memberUnknown);
            await expectProposeFails([{ kind: 'setWeight', member: c.outsider.address, weight: 1 }], Errors.memberUnknown);
            await expectProposeFails([{ kind: 'addMember', member: c.outsider.address, weight: 0 }], Errors.zeroWeight);
            await expectProposeFails([{ kind: 'setWeight', member: c.bob.address, weight: 0 }], Errors.zeroWeight);
            await expectProposeFails([{ kind: 'addMember', member: new Address(-1, c.outsider.address.hash), weight: 1 }], Errors.notBasechain);
        });

        it('should reject a threshold of zero or above the total weight, also after removals', async () => {
            await expectProposeFails([{ kind: 'setThreshold', threshold: 0n }], Errors.badThreshold);
            await expectProposeFails([{ kind: 'setThreshold', threshold: 10n }], Errors.badThreshold);
            await expectProposeFails(
                [
                    { kind: 'removeMember', member: c.alice.address },
                    { kind: 'removeMember', member: c.bob.address },
                ],
                Errors.badThreshold,
            );
            await expectProposeFails(
                [
                    { kind: 'removeMember', member: c.alice.address },
                    { kind: 'removeMember', member: c.bob.address },
                    { kind: 'removeMember', member: c.carol.address },
                ],
                Errors.badThreshold,
            );
            // exactly the total weight is fine
            const { result } = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 9n }]);
            expect(result.transactions).toHaveTransaction({ to: c.proposal(0).address, success: true });
        });

        it('should reject periods out of range', async () => {
            const ok = { kind: 'setPeriods' as const, votingPeriod: MIN_VOTING_PERIOD, timelock: MIN_TIMELOCK, executionWindow: MIN_EXECUTION_WINDOW };
            for (const bad of [
                { votingPeriod: 0 },
                { votingPeriod: MIN_VOTING_PERIOD - 1 },
                { votingPeriod: MAX_VOTING_PERIOD + 1 },
                { timelock: MIN_TIMELOCK - 1 },
                { timelock: MAX_TIMELOCK + 1 },
                { executionWindow: MIN_EXECUTION_WINDOW - 1 },
                { executionWindow: MAX_EXECUTION_WINDOW + 1 },
            ]) {
                await expectProposeFails([{ ...ok, ...bad }], Errors.badCouncilPeriod);
            }
            // the bounds themselves are accepted
            const { result } = await c.propose(c.alice, [ok]);
            expect(result.transactions).toHaveTransaction({ to: c.council.address, success: true });
            const max = await c.propose(c.alice, [{ ...ok, votingPeriod: MAX_VOTING_PERIOD, timelock: MAX_TIMELOCK, executionWindow: MAX_EXECUTION_WINDOW }]);
            expect(max.result.transactions).toHaveTransaction({ to: c.council.address, success: true });
        });

        it('should reject a non-basechain guardian', async () => {
            await expectProposeFails([{ kind: 'setGuardian', guardian: new Address(-1, Buffer.alloc(32, 1)), sunset: 1 }], Errors.notBasechain);
        });

        it('should reject a 256th member', async () => {
            const members = [{ address: c.alice.address, weight: 1 }];
            for (let i = 1; i < 255; i++) members.push({ address: new Address(0, Buffer.alloc(32, i)), weight: 1 });
            const big = await deployCouncil({ council: { members, threshold: 128n } });
            expect((await big.council.getCouncilData()).memberCount).toBe(255);
            const { result } = await big.run(() =>
                big.council.sendCreateProposal(big.alice.getSender(), {
                    actions: [{ kind: 'addMember', member: big.outsider.address, weight: 1 }],
                    description: 'one too many',
                    value: toNano('5'),
                }),
            );
            expect(result.transactions).toHaveTransaction({ to: big.council.address, success: false, exitCode: Errors.tooManyMembers });
            // replacing one is fine
            const ok = await big.propose(big.alice, [
                { kind: 'removeMember', member: members[1].address },
                { kind: 'addMember', member: big.outsider.address, weight: 1 },
            ]);
            expect(ok.result.transactions).toHaveTransaction({ to: big.proposal(0).address, deploy: true, success: true });
            expect((await big.proposal(0).getProposalData()).members.size).toBe(255);
        });

        it('keeps THRESHOLD and the actions dictionary codec in sync with the contract', () => {
            expect(THRESHOLD).toBe(5n);
            const d = actionsDict([img, img]);
            expect(d.keys()).toEqual([0, 1]);
        });
    });
});
