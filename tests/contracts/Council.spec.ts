/**
 * DAO council and proposals: bootstrap, the whole path to a changed root allowlist, proposing,
 * voting (op and text comment), execution, veto, cancellation and cleanup, each permission both ways.
 * Actions and their validation: CouncilActions.spec.ts; bounces: CouncilBounces.spec.ts; gas: CouncilGas.spec.ts.
 */
import { beginCell, Cell, toNano } from '@ton/core';
import { Blockchain, BlockchainSnapshot, SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op } from '../../wrappers/Constants';
import { commentBody } from '../../wrappers/common';
import { refusalFrom, refusalTo } from '../../wrappers/testkit/replies';
import { CouncilAction, proposalApprovedBody } from '../../wrappers/Council';
import { Proposal, proposalAddress, ProposalState, proposalInitData } from '../../wrappers/Proposal';
import { hashOf, Ledger } from '../../wrappers/testkit';
import {
    accountId,
    CouncilKit,
    deployCouncil,
    EXECUTION_WINDOW,
    GUARDIAN_TERM,
    ROOT_ACTION_VALUE,
    SMALL,
    THRESHOLD,
    TIMELOCK,
    VOTING_PERIOD,
    WEIGHTS,
} from '../../wrappers/testkit/council';

const NEW_IMAGE = hashOf('image: cocoon-ton worker v2');
const addImage = (imageHash = NEW_IMAGE, supersedes?: Buffer, grace?: number): CouncilAction => ({
    kind: 'root',
    value: ROOT_ACTION_VALUE,
    action: { kind: 'addImage', label: 'test image', imageHash, supersedes, grace },
});

describe('Council', () => {
    let c: CouncilKit;
    let base: BlockchainSnapshot;
    let blockchain: Blockchain;

    beforeAll(async () => {
        c = await deployCouncil();
        blockchain = c.blockchain;
        base = blockchain.snapshot();
    });

    beforeEach(async () => {
        await blockchain.loadFrom(base);
    });

    const run = (action: () => Promise<unknown>) => c.run(action as () => Promise<never>);
    const state = (p: SandboxContract<Proposal>) => p.getState();

    describe('bootstrap', () => {
        it('deploys with its members, weights, threshold, periods and guardian', async () => {
            const d = await c.council.getCouncilData();
            expect(d.root).toEqualAddress(c.root.address);
            expect(d.nextId).toBe(0);
            expect(d.epoch).toBe(0);
            expect(d.threshold).toBe(THRESHOLD);
            expect(d.totalWeight).toBe(9n);
            expect(d.memberCount).toBe(3);
            expect(d.members.get(accountId(c.alice.address))).toBe(WEIGHTS.alice);
            expect(d.members.get(accountId(c.bob.address))).toBe(WEIGHTS.bob);
            expect(d.members.get(accountId(c.carol.address))).toBe(WEIGHTS.carol);
            expect(d.votingPeriod).toBe(VOTING_PERIOD);
            expect(d.timelock).toBe(TIMELOCK);
            expect(d.guardian).toEqualAddress(c.guardian.address);
            expect(d.guardianSunset).toBe(1_800_000_000 + GUARDIAN_TERM);
            expect(await c.council.getMemberWeight(c.bob.address)).toBe(WEIGHTS.bob);
            expect(await c.council.getMemberWeight(c.outsider.address)).toBe(0);
        });

        it('governs the root after the two-step handover; the deployer wallet no longer can', async () => {
            const g = await c.root.getGovernance();
            expect(g.governance).toEqualAddress(c.council.address);
            expect(g.pending).toBeNull();
            const { result } = await run(() =>
                c.root.sendGovernance(c.governance.getSender(), { kind: 'addImage', label: 'test image', imageHash: NEW_IMAGE }, toNano('0.05')),
            );
            expect(result.transactions).toHaveTransaction({ to: c.root.address, success: false, exitCode: Errors.notGovernance });
        });

        it('a member can make the council accept a pending handover', async () => {
            const fresh = await deployCouncil({ noHandover: true });
            await fresh.run(() =>
                fresh.root.sendGovernance(fresh.governance.getSender(), { kind: 'proposeGovernance', newGovernance: fresh.council.address }, toNano('0.05')),
            );
            const { result } = await fresh.run(() => fresh.council.sendAcceptRoot(fresh.carol.getSender(), SMALL));
            expect(result.transactions).toHaveTransaction({ from: fresh.council.address, to: fresh.root.address, op: Op.acceptGovernance, success: true });
            expect((await fresh.root.getGovernance()).governance).toEqualAddress(fresh.council.address);
        });

        it('should reject accept_root from a non-member', async () => {
            const fresh = await deployCouncil({ noHandover: true });
            await fresh.run(() =>
                fresh.root.sendGovernance(fresh.governance.getSender(), { kind: 'proposeGovernance', newGovernance: fresh.council.address }, toNano('0.05')),
            );
            const { result } = await fresh.run(() => fresh.council.sendAcceptRoot(fresh.outsider.getSender(), SMALL));
            expect(refusalFrom(result, fresh.council.address)).toBe(Errors.notMember);
            expect((await fresh.root.getGovernance()).governance).toEqualAddress(fresh.governance.address);
        });

        it('should keep top-ups, an empty comment, a deposit word and the root excesses; refuse any other text', async () => {
            for (const body of [beginCell().endCell(), commentBody(''), commentBody('Deposit'), beginCell().storeUint(Op.excesses, 32).storeUint(0, 64).endCell()]) {
                const { result } = await run(() => c.council.sendRaw(c.outsider.getSender(), body, toNano('0.1')));
                expect(result.transactions).toHaveTransaction({ to: c.council.address, success: true, outMessagesCount: 0 });
            }
            const { result } = await run(() => c.council.sendRaw(c.outsider.getSender(), commentBody('thanks'), toNano('0.1')));
            expect(refusalTo(result, c.outsider.address)?.error).toBe(Errors.notACommand);
        });

        it('should reject an unknown op', async () => {
            const { result } = await run(() =>
                c.council.sendRaw(c.alice.getSender(), beginCell().storeUint(0x12345678, 32).storeUint(0, 64).endCell(), SMALL),
            );
            expect(result.transactions).toHaveTransaction({ to: c.council.address, success: false, exitCode: Errors.unknownOp });
        });
    });

    describe('whole path: proposal to a changed root allowlist, three members of different weights', () => {
        it('adds a successor image with a grace window; the old one retires by itself', async () => {
            const old = c.imageHash;
            const grace = 7 * 24 * 3600;
            // 1. alice proposes
            const { id, proposal, result } = await c.propose(c.alice, [addImage(NEW_IMAGE, old, grace)], { description: 'worker v2, supersedes v1' });
            expect(result.transactions).toHaveTransaction({ from: c.council.address, to: proposal.address, deploy: true, success: true });
            expect(proposal.address).toEqualAddress(await c.council.getProposalAddress(id));
            expect(proposal.address).toEqualAddress(proposalAddress(c.council.address, id, c.proposalCode));
            let d = await proposal.getProposalData();
            expect(d.state).toBe(ProposalState.Voting);
            expect(d.proposer).toEqualAddress(c.alice.address);
            expect(d.description).toBe('worker v2, supersedes v1');
            expect(d.readable[0]).toContain('supersed');
            expect(d.deadline).toBe(blockchain.now! + VOTING_PERIOD);
            expect(d.members.size).toBe(3);

            // 2. alice (4) votes yes: one short of 5; carol (2) votes no; bob (3) votes yes: 7 >= 5, passed
            await run(() => proposal.sendVote(c.alice.getSender(), true, SMALL));
            expect(await state(proposal)).toBe(ProposalState.Voting);
            await run(() => proposal.sendVote(c.carol.getSender(), false, SMALL));
            c.advance(3600);
            await run(() => proposal.sendVote(c.bob.getSender(), true, SMALL));
            d = await proposal.getProposalData();
            expect(d.state).toBe(ProposalState.Passed);
            expect(d.yes).toBe(7n);
            expect(d.no).toBe(2n);
            expect(d.passedAt).toBe(blockchain.now);
            expect(d.executeAt).toBe(blockchain.now! + TIMELOCK);
            expect(await proposal.getHasVoted(c.carol.address)).toEqual({ voted: true, yes: false });
            expect(await proposal.getHasVoted(c.bob.address)).toEqual({ voted: true, yes: true });
            expect(await proposal.getHasVoted(c.outsider.address)).toEqual({ voted: false, yes: false });

            // 3. after the timelock, anyone executes; the council sends the action to the root
            c.advance(TIMELOCK);
            const value = (await proposal.getExecuteValue()) + toNano('0.05');
            const entry = await run(() => proposal.sendExecute(c.outsider.getSender(), value));
            const txs = entry.result.transactions;
            expect(txs).toHaveTransaction({ from: proposal.address, to: c.council.address, op: Op.proposalApproved, success: true });
            expect(txs).toHaveTransaction({ from: c.council.address, to: c.root.address, op: Op.addImage, success: true, value: ROOT_ACTION_VALUE });
            expect(txs).toHaveTransaction({ from: c.council.address, to: c.outsider.address, body: commentBody('cocoon: execution change') });
            expect(await state(proposal)).toBe(ProposalState.Executed);
            expect((await proposal.getProposalData()).executor).toEqualAddress(c.outsider.address);
            // the executor paid the action value and the fees, nothing more
            expect(-Ledger.flow(entry, c.outsider.address)).toBeLessThan(ROOT_ACTION_VALUE + toNano('0.05'));

            // 4. the root allowlist changed: new image allowed, old one retiring after the grace
            expect(await c.root.getIsImageAllowed(NEW_IMAGE)).toBe(true);
            expect(await c.root.getIsImageAllowed(old)).toBe(true);
            const images = await c.root.getImages();
            expect(images.get(old)!.retireAt).toBe(blockchain.now! + grace);
            c.advance(grace);
            expect(await c.root.getIsImageAllowed(old)).toBe(false);
            expect(await c.root.getIsImageAllowed(NEW_IMAGE)).toBe(true);
        });
    });

    describe('proposing', () => {
        it('a member can propose; ids increase and addresses derive from (council, id)', async () => {
            const a = await c.propose(c.carol, [addImage()]);
            const b = await c.propose(c.bob, [addImage(hashOf('other'))]);
            expect([a.id, b.id]).toEqual([0, 1]);
            expect((await c.council.getCouncilData()).nextId).toBe(2);
            expect(await b.proposal.getState()).toBe(ProposalState.Voting);
            expect((await b.proposal.getProposalData()).proposer).toEqualAddress(c.bob.address);
        });

        it('should reject a proposal from a non-member', async () => {
            const { result } = await c.propose(c.outsider, [addImage()]);
            expect(refusalFrom(result, c.council.address)).toBe(Errors.notMember);
            expect((await c.council.getCouncilData()).nextId).toBe(0);
        });

        it('accepts exactly get_proposal_fee and should reject one nanoton less', async () => {
            const fee = await c.council.getProposalFee();
            const short = await c.propose(c.alice, [addImage()], { value: fee - 1n });
            expect(refusalFrom(short.result, c.council.address)).toBe(Errors.proposalFeeTooSmall);
            const exact = await c.propose(c.alice, [addImage()], { value: fee });
            expect(exact.result.transactions).toHaveTransaction({ to: exact.proposal.address, deploy: true, success: true });
        });

        it('should reject a description longer than one cell', async () => {
            const long = beginCell().storeStringTail('x'.repeat(300)).endCell();
            const { result } = await c.run(() =>
                c.council.sendCreateProposal(c.alice.getSender(), { actions: [addImage()], description: long, value: toNano('1') }),
            );
            expect(refusalFrom(result, c.council.address)).toBe(Errors.descriptionTooLong);
        });

        it('the proposer pays: the council balance does not drop', async () => {
            const before = await c.council.getBalance();
            await c.propose(c.alice, [addImage()]);
            expect(await c.council.getBalance()).toBeGreaterThanOrEqual(before);
        });
    });

    describe('voting', () => {
        let proposal: SandboxContract<Proposal>;
        beforeEach(async () => {
            ({ proposal } = await c.propose(c.alice, [addImage()]));
        });

        it('passes at exactly the threshold (bob 3 + carol 2 = 5)', async () => {
            await run(() => proposal.sendVote(c.bob.getSender(), true, SMALL));
            expect(await state(proposal)).toBe(ProposalState.Voting);
            await run(() => proposal.sendVote(c.carol.getSender(), true, SMALL));
            const d = await proposal.getProposalData();
            expect(d.yes).toBe(THRESHOLD);
            expect(d.state).toBe(ProposalState.Passed);
        });

        it('stays voting one vote short of the threshold (alice 4 of 5), then expires', async () => {
            await run(() => proposal.sendVote(c.alice.getSender(), true, SMALL));
            const d = await proposal.getProposalData();
            expect(d.yes).toBe(THRESHOLD - 1n);
            expect(d.state).toBe(ProposalState.Voting);
            c.advance(VOTING_PERIOD);
            expect(await state(proposal)).toBe(ProposalState.Expired);
        });

        it('no votes are tallied; once the threshold is out of reach the proposal is rejected', async () => {
            await run(() => proposal.sendVote(c.alice.getSender(), false, SMALL));
            let d = await proposal.getProposalData();
            expect([d.yes, d.no, d.state]).toEqual([0n, 4n, ProposalState.Voting]); // 5 of the other 5 still possible
            await run(() => proposal.sendVote(c.bob.getSender(), false, SMALL));
            d = await proposal.getProposalData();
            expect([d.yes, d.no, d.state]).toEqual([0n, 7n, ProposalState.Rejected]);
        });

        it('a vote returns the unspent value to the voter', async () => {
            const entry = await run(() => proposal.sendVote(c.bob.getSender(), true, toNano('1')));
            expect(entry.result.transactions).toHaveTransaction({ from: proposal.address, to: c.bob.address, body: commentBody('cocoon: vote change') });
            expect(-Ledger.flow(entry, c.bob.address)).toBeLessThan(toNano('0.01'));
        });

        it('should reject a vote from a non-member', async () => {
            const { result } = await run(() => proposal.sendVote(c.outsider.getSender(), true, SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notMember });
            expect((await proposal.getProposalData()).yes).toBe(0n);
        });

        it('should reject a double vote, the same way or the other way', async () => {
            await run(() => proposal.sendVote(c.alice.getSender(), true, SMALL));
            for (const yes of [true, false]) {
                const { result } = await run(() => proposal.sendVote(c.alice.getSender(), yes, SMALL));
                expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.alreadyVoted });
            }
            const { result } = await run(() => proposal.sendComment(c.alice.getSender(), 'yes', SMALL));
            expect(refusalTo(result, c.alice.address)).toEqual({ reason: 'already voted', error: Errors.alreadyVoted });
            expect((await proposal.getProposalData()).yes).toBe(4n);
        });

        it('should reject a vote after the deadline', async () => {
            c.advance(VOTING_PERIOD);
            const { result } = await run(() => proposal.sendVote(c.bob.getSender(), true, SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.votingOver });
        });

        it('accepts a vote one second before the deadline', async () => {
            c.advance(VOTING_PERIOD - 1);
            const { result } = await run(() => proposal.sendVote(c.bob.getSender(), true, SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: true });
        });

        it('should reject a vote once passed', async () => {
            await c.pass(proposal);
            const { result } = await run(() => proposal.sendVote(c.alice.getSender(), true, SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notVoting });
        });

        it('votes from the snapshot: a member added later cannot vote on an older proposal', async () => {
            const dave = await c.wallet('dave');
            // (the quorum floor: with dave's 10 the total is 19, so the threshold must be 10 or more)
            await c.enact([
                { kind: 'addMember', member: dave.address, weight: 10 },
                { kind: 'setThreshold', threshold: 10n },
            ]);
            expect(await c.council.getMemberWeight(dave.address)).toBe(10);
            const { result } = await run(() => proposal.sendVote(dave.getSender(), true, SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notMember });
        });

        it('should reject a malformed vote body', async () => {
            const body = beginCell().storeUint(Op.vote, 32).storeUint(0, 64).storeUint(1, 2).endCell();
            const { result } = await run(() => proposal.sendRaw(c.bob.getSender(), body, SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.cellUnderflow });
        });
    });

    describe('plain wallets: text comments', () => {
        it('votes "yes" / "no", then "execute" by anyone after the timelock', async () => {
            const { proposal } = await c.propose(c.alice, [addImage()]);
            await run(() => proposal.sendComment(c.alice.getSender(), 'no', SMALL));
            await run(() => proposal.sendComment(c.bob.getSender(), 'yes', SMALL));
            await run(() => proposal.sendComment(c.carol.getSender(), 'yes', SMALL));
            const d = await proposal.getProposalData();
            expect([d.yes, d.no, d.state]).toEqual([5n, 4n, ProposalState.Passed]);
            c.advance(TIMELOCK);
            const value = (await proposal.getExecuteValue()) + toNano('0.02');
            const { result } = await run(() => proposal.sendComment(c.outsider.getSender(), 'execute', value));
            expect(result.transactions).toHaveTransaction({ from: c.council.address, to: c.root.address, op: Op.addImage, success: true });
            expect(await c.root.getIsImageAllowed(NEW_IMAGE)).toBe(true);
        });

        it('should refuse an unknown comment with its value and a reason', async () => {
            const { proposal } = await c.propose(c.alice, [addImage()]);
            const { result } = await run(() => proposal.sendComment(c.alice.getSender(), 'yes please', SMALL));
            expect(refusalTo(result, c.alice.address)?.error).toBe(Errors.notACommand);
            expect(result.transactions).toHaveTransaction({ from: proposal.address, to: c.alice.address, value: (v) => v! > SMALL / 2n });
            expect((await proposal.getProposalData()).yes).toBe(0n);
        });

        it('takes commands trimmed and in any case ("Yes", " NO ")', async () => {
            const { proposal } = await c.propose(c.alice, [addImage()]);
            await run(() => proposal.sendComment(c.bob.getSender(), 'Yes', SMALL));
            await run(() => proposal.sendComment(c.carol.getSender(), ' NO ', SMALL));
            const d = await proposal.getProposalData();
            expect([d.yes, d.no]).toEqual([3n, 2n]);
        });

        it('refuses each command not valid from this sender or now, with a reason, changing nothing', async () => {
            const { proposal } = await c.propose(c.alice, [addImage()]);
            const cases: [typeof c.alice, string, number][] = [
                [c.outsider, 'yes', Errors.notMember],
                [c.bob, 'cancel', Errors.notProposer],
                [c.outsider, 'cleanup', Errors.notFinished],
                [c.outsider, 'execute', Errors.notPassed],
            ];
            for (const [from, text, error] of cases) {
                const { result } = await run(() => proposal.sendComment(from.getSender(), text, SMALL));
                expect([text, refusalTo(result, from.address)?.error]).toEqual([text, error]);
            }
            await c.pass(proposal);
            const { result } = await run(() => proposal.sendComment(c.outsider.getSender(), 'execute', SMALL));
            expect(refusalTo(result, c.outsider.address)?.error).toBe(Errors.timelockRunning);
            c.advance(VOTING_PERIOD + TIMELOCK);
            const late = await run(() => proposal.sendComment(c.bob.getSender(), 'no', SMALL));
            expect(refusalTo(late.result, c.bob.address)?.error).toBe(Errors.notVoting);
            expect((await proposal.getProposalData()).state).toBe(ProposalState.Passed);
        });

        it('"cancel" from the proposer and "cleanup" from anyone', async () => {
            const { proposal } = await c.propose(c.alice, [addImage()]);
            await run(() => proposal.sendComment(c.alice.getSender(), 'cancel', SMALL));
            expect(await state(proposal)).toBe(ProposalState.Cancelled);
            const { result } = await run(() => proposal.sendComment(c.outsider.getSender(), 'cleanup', SMALL));
            expect(result.transactions).toHaveTransaction({ from: proposal.address, to: c.alice.address, body: commentBody('cocoon: proposal refund') });
        });
    });

    describe('execution', () => {
        let proposal: SandboxContract<Proposal>;
        let id: number;
        beforeEach(async () => {
            ({ id, proposal } = await c.propose(c.alice, [addImage()]));
        });

        it('should reject execution before the proposal passed', async () => {
            const { result } = await run(() => proposal.sendExecute(c.outsider.getSender(), toNano('1')));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notPassed });
        });

        it('should reject execution before the timelock is over, accepts it right at the end', async () => {
            await c.pass(proposal);
            c.advance(TIMELOCK - 1);
            const early = await run(() => proposal.sendExecute(c.outsider.getSender(), toNano('1')));
            expect(early.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.timelockRunning });
            c.advance(1);
            const onTime = await run(() => proposal.sendExecute(c.outsider.getSender(), toNano('1')));
            expect(onTime.result.transactions).toHaveTransaction({ from: c.council.address, to: c.root.address, success: true });
        });

        it('should reject execution twice, and after cleanup', async () => {
            await c.pass(proposal);
            await c.execute(proposal);
            const again = await run(() => proposal.sendExecute(c.outsider.getSender(), toNano('1')));
            expect(again.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notPassed });
            await run(() => proposal.sendCleanup(c.outsider.getSender(), SMALL));
            const gone = await run(() => proposal.sendExecute(c.outsider.getSender(), toNano('1')));
            expect(gone.result.transactions).toHaveTransaction({ to: proposal.address, success: false });
            expect(gone.result.transactions).not.toHaveTransaction({ to: c.council.address });
        });

        it('should reject an execute that cannot pay for the actions; accepts get_execute_value exactly', async () => {
            await c.pass(proposal);
            c.advance(TIMELOCK);
            const need = await proposal.getExecuteValue();
            expect(need).toBeGreaterThan(ROOT_ACTION_VALUE);
            const short = await run(() => proposal.sendExecute(c.outsider.getSender(), need - 1n));
            expect(short.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.executeValueTooSmall });
            const exact = await run(() => proposal.sendExecute(c.outsider.getSender(), need));
            expect(exact.result.transactions).toHaveTransaction({ from: c.council.address, to: c.root.address, op: Op.addImage, success: true });
            expect(await c.root.getIsImageAllowed(NEW_IMAGE)).toBe(true);
        });

        it('should reject a forged "approved" message from an address that is not the proposal', async () => {
            await c.pass(proposal);
            c.advance(TIMELOCK);
            const forged = proposalApprovedBody(id, 0, c.outsider.address, [addImage(hashOf('evil'))]);
            const { result } = await run(() => c.council.sendRaw(c.outsider.getSender(), forged, toNano('1')));
            expect(result.transactions).toHaveTransaction({ to: c.council.address, success: false, exitCode: Errors.notProposal });
            // also from a member, and naming an id whose proposal does not exist
            const other = await run(() => c.council.sendRaw(c.alice.getSender(), proposalApprovedBody(99, 0, c.alice.address, [addImage()]), toNano('1')));
            expect(other.result.transactions).toHaveTransaction({ to: c.council.address, success: false, exitCode: Errors.notProposal });
            expect(await c.root.getIsImageAllowed(hashOf('evil'))).toBe(false);
            expect(await c.root.getIsImageAllowed(NEW_IMAGE)).toBe(false);
        });

        it('should reject a proposal of an old epoch after the member set changed (it fails, executor refunded)', async () => {
            await c.pass(proposal);
            // meanwhile another proposal changes a weight: epoch 0 -> 1
            await c.enact([{ kind: 'setWeight', member: c.carol.address, weight: 1 }]);
            expect((await c.council.getCouncilData()).epoch).toBe(1);
            const value = (await proposal.getExecuteValue()) + toNano('0.5');
            const entry = await run(() => proposal.sendExecute(c.outsider.getSender(), value));
            const txs = entry.result.transactions;
            // the council answers "failed" (nothing runs) and refunds the executor itself
            expect(txs).toHaveTransaction({ from: proposal.address, to: c.council.address, success: true });
            expect(txs).toHaveTransaction({ from: c.council.address, to: proposal.address, op: Op.proposalAnswer, success: true });
            expect(txs).toHaveTransaction({ from: c.council.address, to: c.outsider.address, body: commentBody('cocoon: execution change') });
            expect(txs).not.toHaveTransaction({ to: c.root.address });
            expect(await state(proposal)).toBe(ProposalState.Failed);
            // the executor got back all but the fees
            expect(-Ledger.flow(entry, c.outsider.address)).toBeLessThan(toNano('0.05'));
            expect(await c.root.getIsImageAllowed(NEW_IMAGE)).toBe(false);
            // and it can never execute
            const again = await run(() => proposal.sendExecute(c.outsider.getSender(), value));
            expect(again.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notPassed });
        });

        it('periods and guardian changes do not move the epoch: pending proposals still execute', async () => {
            await c.pass(proposal);
            await c.enact([{ kind: 'setPeriods', votingPeriod: VOTING_PERIOD * 2, timelock: TIMELOCK, executionWindow: EXECUTION_WINDOW }]);
            expect((await c.council.getCouncilData()).epoch).toBe(0);
            await c.execute(proposal);
            expect(await c.root.getIsImageAllowed(NEW_IMAGE)).toBe(true);
        });
    });

    describe('guardian veto', () => {
        let proposal: SandboxContract<Proposal>;
        let id: number;
        beforeEach(async () => {
            ({ id, proposal } = await c.propose(c.alice, [addImage()]));
        });

        it('the guardian vetoes during the timelock; execution is then refused', async () => {
            await c.pass(proposal);
            c.advance(TIMELOCK - 1);
            const entry = await run(() => c.council.sendVeto(c.guardian.getSender(), id, SMALL));
            expect(entry.result.transactions).toHaveTransaction({ from: c.council.address, to: proposal.address, op: Op.councilVeto, success: true });
            expect(entry.result.transactions).toHaveTransaction({ from: proposal.address, to: c.guardian.address, body: commentBody('cocoon: veto change') });
            expect(await state(proposal)).toBe(ProposalState.Vetoed);
            c.advance(1);
            const { result } = await run(() => proposal.sendExecute(c.outsider.getSender(), toNano('1')));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notPassed });
        });

        it('should refuse a veto by anyone else (a member, an outsider) with a comment and the value back', async () => {
            await c.pass(proposal);
            for (const w of [c.alice, c.outsider]) {
                const { result } = await run(() => c.council.sendVeto(w.getSender(), id, SMALL));
                expect(refusalFrom(result, c.council.address)).toBe(Errors.notGuardian);
            }
            expect(await state(proposal)).toBe(ProposalState.Passed);
        });

        it('should reject a council_veto sent to the proposal by anyone but the council', async () => {
            await c.pass(proposal);
            const body = beginCell().storeUint(Op.councilVeto, 32).storeUint(0, 64).storeAddress(c.guardian.address).endCell();
            const { result } = await run(() => proposal.sendRaw(c.guardian.getSender(), body, SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notCouncil });
            expect(await state(proposal)).toBe(ProposalState.Passed);
        });

        it('should refuse a veto after the sunset (a refusal comment)', async () => {
            await c.pass(proposal);
            blockchain.now = (await c.council.getCouncilData()).guardianSunset;
            const { result } = await run(() => c.council.sendVeto(c.guardian.getSender(), id, SMALL));
            expect(refusalFrom(result, c.council.address)).toBe(Errors.guardianSunset);
            expect(await state(proposal)).not.toBe(ProposalState.Vetoed);
        });

        it('vetoes after the timelock too, until execution', async () => {
            await c.pass(proposal);
            c.advance(TIMELOCK + EXECUTION_WINDOW - 1);
            await run(() => c.council.sendVeto(c.guardian.getSender(), id, SMALL));
            expect(await state(proposal)).toBe(ProposalState.Vetoed);
        });

        it('should reject a veto once executed (the guardian gets its value back)', async () => {
            await c.pass(proposal);
            await c.execute(proposal);
            const entry = await run(() => c.council.sendVeto(c.guardian.getSender(), id, SMALL));
            expect(entry.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notPassed });
            expect(entry.result.transactions).toHaveTransaction({ to: c.council.address, inMessageBounced: true });
            expect(entry.result.transactions).toHaveTransaction({ from: c.council.address, to: c.guardian.address, body: commentBody('cocoon: veto refund') });
            expect(await state(proposal)).toBe(ProposalState.Executed);
        });

        it('should reject a veto while voting (the guardian vetoes only during the timelock)', async () => {
            const entry = await run(() => c.council.sendVeto(c.guardian.getSender(), id, SMALL));
            expect(entry.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notPassed });
            expect(await state(proposal)).toBe(ProposalState.Voting);
        });

        it('should refuse a veto when the council has no guardian (a refusal comment)', async () => {
            const fresh = await deployCouncil({ council: { guardian: null, guardianSunset: 0 } });
            const { id: fid, proposal: p } = await fresh.propose(fresh.alice, [addImage()]);
            await fresh.pass(p);
            const { result } = await fresh.run(() => fresh.council.sendVeto(fresh.guardian.getSender(), fid, SMALL));
            expect(refusalFrom(result, fresh.council.address)).toBe(Errors.notGuardian);
        });
    });

    describe('cancellation', () => {
        let proposal: SandboxContract<Proposal>;
        beforeEach(async () => {
            ({ proposal } = await c.propose(c.alice, [addImage()]));
        });

        it('the proposer cancels while voting', async () => {
            await run(() => proposal.sendVote(c.bob.getSender(), true, SMALL));
            const { result } = await run(() => proposal.sendCancel(c.alice.getSender(), SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: true });
            expect(await state(proposal)).toBe(ProposalState.Cancelled);
            const vote = await run(() => proposal.sendVote(c.carol.getSender(), true, SMALL));
            expect(vote.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notVoting });
        });

        it('should reject cancellation by someone other than the proposer', async () => {
            for (const w of [c.bob, c.outsider, c.guardian]) {
                const { result } = await run(() => proposal.sendCancel(w.getSender(), SMALL));
                expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notProposer });
            }
            expect(await state(proposal)).toBe(ProposalState.Voting);
        });

        it('should reject cancellation once passed', async () => {
            await c.pass(proposal);
            const { result } = await run(() => proposal.sendCancel(c.alice.getSender(), SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notVoting });
        });

        it('should reject cancellation after the deadline', async () => {
            c.advance(VOTING_PERIOD);
            const { result } = await run(() => proposal.sendCancel(c.alice.getSender(), SMALL));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.votingOver });
        });
    });

    describe('cleanup', () => {
        let proposal: SandboxContract<Proposal>;
        let id: number;
        beforeEach(async () => {
            ({ id, proposal } = await c.propose(c.alice, [addImage()], { value: toNano('2') }));
        });

        const expectCleaned = async (by: SandboxContract<TreasuryContract>) => {
            const balance = await proposal.getBalance();
            const entry = await run(() => proposal.sendCleanup(by.getSender(), SMALL));
            expect(entry.result.transactions).toHaveTransaction({ from: proposal.address, to: c.alice.address, body: commentBody('cocoon: proposal refund') });
            expect((await blockchain.getContract(proposal.address)).accountState).toBeUndefined();
            // the proposer gets back the proposal's balance (minus the message fee)
            expect(Ledger.flow(entry, c.alice.address)).toBeGreaterThan(balance - toNano('0.01'));
            return entry;
        };

        it('should reject cleanup while voting or passed', async () => {
            const voting = await run(() => proposal.sendCleanup(c.outsider.getSender(), SMALL));
            expect(voting.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notFinished });
            await c.pass(proposal);
            c.advance(TIMELOCK + VOTING_PERIOD);
            const passed = await run(() => proposal.sendCleanup(c.outsider.getSender(), SMALL));
            expect(passed.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notFinished });
        });

        it('anyone cleans up an expired proposal; the balance goes to the proposer, the cleaner keeps its change', async () => {
            c.advance(VOTING_PERIOD);
            const entry = await expectCleaned(c.outsider);
            expect(entry.result.transactions).toHaveTransaction({ from: proposal.address, to: c.outsider.address, body: commentBody('cocoon: cleanup change') });
            expect(-Ledger.flow(entry, c.outsider.address)).toBeLessThan(toNano('0.01'));
        });

        it('cleans up a cancelled, a vetoed and an executed proposal', async () => {
            await run(() => proposal.sendCancel(c.alice.getSender(), SMALL));
            await expectCleaned(c.bob);

            const v = await c.propose(c.alice, [addImage()], { value: toNano('2') });
            proposal = v.proposal;
            await c.pass(proposal);
            await run(() => c.council.sendVeto(c.guardian.getSender(), v.id, SMALL));
            await expectCleaned(c.outsider);

            const e = await c.propose(c.alice, [addImage()], { value: toNano('2') });
            proposal = e.proposal;
            await c.pass(proposal);
            await c.execute(proposal);
            await expectCleaned(c.alice);
            expect(id).toBe(0);
        });
    });

    describe('proposal initialisation', () => {
        it('should reject init_proposal from anyone but the council', async () => {
            const id = 42;
            const init = { code: c.proposalCode, data: proposalInitData(c.council.address, id) };
            const address = proposalAddress(c.council.address, id, c.proposalCode);
            const body = beginCell()
                .storeUint(Op.initProposal, 32)
                .storeUint(0, 64)
                .storeAddress(c.outsider.address)
                .storeUint(0, 32)
                .storeUint(1, 64)
                .storeUint(blockchain.now! + 100, 32)
                .storeUint(0, 32)
                .storeCoins(0)
                .storeUint(1, 4)
                .storeDict(null)
                .storeRef(beginCell().storeDict(null).storeRef(Cell.EMPTY).endCell())
                .endCell();
            const { result } = await run(() => c.outsider.send({ to: address, value: toNano('0.5'), init, body }));
            expect(result.transactions).toHaveTransaction({ to: address, success: false, exitCode: Errors.notCouncil });
            // the state init may activate the account, but it holds only (council, id): never initialised
            expect(await c.proposal(id).getState()).toBe(ProposalState.Uninitialised);
        });

        it('should reject a second init_proposal, even from the council', async () => {
            const { proposal } = await c.propose(c.alice, [addImage()]);
            const body = beginCell().storeUint(Op.initProposal, 32).storeUint(0, 64).endCell();
            // injected as if from the council: a fresh ledger counts the value as entering from outside
            const result = await new Ledger(blockchain).run(() => blockchain.sendMessage({
                info: { type: 'internal', ihrDisabled: true, bounce: true, bounced: false, src: c.council.address, dest: proposal.address, value: { coins: SMALL }, ihrFee: 0n, forwardFee: 0n, createdLt: 0n, createdAt: 0 },
                body,
            }));
            expect(result.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.alreadyInitialized });
            expect(await state(proposal)).toBe(ProposalState.Voting);
        });

        it('an uninitialised proposal address reports state 0', async () => {
            const p = c.proposal(7);
            await c.run(() => c.outsider.send({ to: p.address, value: toNano('0.1'), init: { code: c.proposalCode, data: proposalInitData(c.council.address, 7) }, body: beginCell().endCell() }));
            expect(await p.getState()).toBe(ProposalState.Uninitialised);
            const d = await p.getProposalData();
            expect(d.id).toBe(7);
            expect(d.council).toEqualAddress(c.council.address);
        });
    });
});
