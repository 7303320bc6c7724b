/**
 * Attacks on the DAO council and its proposals, each reproduced in the sandbox as an attacker would run it,
 * with the behaviour that defeats it: a passed proposal killed for a few cents (A1), a passed proposal that
 * never expires and can't be stopped (A2), cleanup racing the council's verdict (A3), root actions the root
 * always refuses (A4), a handover offer that never expires (A5), a malformed description (A6), and the
 * guardian's bounds left to a vote (A7).
 */
import { Address, beginCell, toNano } from '@ton/core';
import { Blockchain, BlockchainSnapshot, internal } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op } from '../../wrappers/Constants';
import { CouncilAction } from '../../wrappers/Council';
import { ProposalState } from '../../wrappers/Proposal';
import { DEFAULT_PARAMS, hashOf, Ledger, refusalFrom } from '../../wrappers/testkit';
import { CouncilKit, deepestMembers, deployCouncil, deployMaxCouncil, RANDOM_MEMBERS, ROOT_ACTION_VALUE, SMALL, TIMELOCK } from '../../wrappers/testkit/council';

const DAY = 24 * 3600;
const addImage = (imageHash: Buffer): CouncilAction => ({ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addImage', label: 'test image', imageHash } });

describe('Governance attacks', () => {
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

    describe('A1: a passed proposal cannot be killed by an executor attaching exactly get_execute_value', () => {
        // Random addresses, as real ones are (the member map is deeper than with evenly spaced ones), and the deepest
        // members. Every other action kind at its worst, and the gas against gas.fc: CouncilFees.spec.ts.
        it('8 member removals on a 255-member council run with exactly the advertised value', async () => {
            const big = await deployMaxCouncil({ others: RANDOM_MEMBERS });
            const actions: CouncilAction[] = deepestMembers(RANDOM_MEMBERS, 8, [big.alice.address]).map((member) => ({ kind: 'removeMember', member }));
            const { proposal } = await big.propose(big.alice, actions);
            await big.run(() => proposal.sendVote(big.alice.getSender(), true, SMALL));
            expect(await proposal.getState()).toBe(ProposalState.Passed);
            big.advance(TIMELOCK);
            const need = await proposal.getExecuteValue();
            await big.run(() => proposal.sendExecute(big.outsider.getSender(), need));
            const d = await big.council.getCouncilData();
            // applied, not merely marked
            expect(d.memberCount).toBe(247);
            expect(await proposal.getState()).toBe(ProposalState.Executed);
        }, 60_000);

        it('8 weight changes on a 255-member council run with exactly the advertised value', async () => {
            const big = await deployMaxCouncil({ others: RANDOM_MEMBERS });
            const targets = deepestMembers(RANDOM_MEMBERS, 8, [big.alice.address]);
            const actions: CouncilAction[] = targets.map((member) => ({ kind: 'setWeight', member, weight: 2 }));
            const { proposal } = await big.propose(big.alice, actions);
            await big.run(() => proposal.sendVote(big.alice.getSender(), true, SMALL));
            big.advance(TIMELOCK);
            await big.run(async () => proposal.sendExecute(big.outsider.getSender(), await proposal.getExecuteValue()));
            for (const m of targets) expect(await big.council.getMemberWeight(m)).toBe(2);
            expect(await proposal.getState()).toBe(ProposalState.Executed);
        }, 60_000);

        it('a run the council refuses leaves the proposal retryable, never "executed" with nothing applied', async () => {
            // The council cannot pay a withdrawal above its balance: the run fails, the proposal stays queued.
            const { proposal } = await c.propose(c.alice, [{ kind: 'withdraw', amount: toNano('50'), to: c.outsider.address }]);
            await c.pass(proposal);
            await c.execute(proposal);
            expect(await proposal.getState()).toBe(ProposalState.Passed);
            // once the council holds the money, the same proposal executes
            await c.run(() => c.council.sendRaw(c.outsider.getSender(), beginCell().endCell(), toNano('60')));
            c.advance(3600);
            const { transactions } = await c.execute(proposal);
            expect(transactions).toHaveTransaction({ from: c.council.address, to: c.outsider.address, value: toNano('50') });
            expect(await proposal.getState()).toBe(ProposalState.Executed);
        });
    });

    describe('A2: a passed proposal expires, can be cancelled by vote, can be vetoed until execution', () => {
        it('should refuse to execute 180 days after the timelock (a retired image is not re-allowed)', async () => {
            const image = hashOf('image: withdrawn later');
            const { proposal } = await c.propose(c.alice, [addImage(image)]);
            await c.pass(proposal);
            c.advance(TIMELOCK + 180 * DAY);
            const value = (await proposal.getExecuteValue()) + toNano('0.05');
            const { result } = await c.run(() => proposal.sendExecute(c.outsider.getSender(), value));
            expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.proposalExpired });
            expect(await c.root.getIsImageAllowed(image)).toBe(false);
            expect(await proposal.getState()).toBe(ProposalState.Expired);
            // an expired proposal can be cleaned up
            const cleanup = await c.run(() => proposal.sendCleanup(c.outsider.getSender(), SMALL));
            expect(cleanup.result.transactions).toHaveTransaction({ to: proposal.address, success: true });
        });

        it('the council cancels a queued proposal by vote', async () => {
            const bad = await c.propose(c.alice, [addImage(hashOf('image: bad'))]);
            await c.pass(bad.proposal);
            const cancel = await c.propose(c.bob, [{ kind: 'cancelProposal', id: bad.id }]);
            await c.pass(cancel.proposal);
            await c.execute(cancel.proposal);
            expect(await cancel.proposal.getState()).toBe(ProposalState.Executed);
            expect(await bad.proposal.getState()).toBe(ProposalState.Cancelled);
            const value = (await bad.proposal.getExecuteValue()) + toNano('0.05');
            const { result } = await c.run(() => bad.proposal.sendExecute(c.outsider.getSender(), value));
            expect(result.transactions).toHaveTransaction({ to: bad.proposal.address, success: false, exitCode: Errors.notPassed });
            expect(await c.root.getIsImageAllowed(hashOf('image: bad'))).toBe(false);
        });

        it('the guardian can veto after the timelock, as long as nobody has executed', async () => {
            const { id, proposal } = await c.propose(c.alice, [addImage(hashOf('image: late veto'))]);
            await c.pass(proposal);
            c.advance(TIMELOCK + 3600);
            await c.run(() => c.council.sendVeto(c.guardian.getSender(), id, SMALL));
            expect(await proposal.getState()).toBe(ProposalState.Vetoed);
        });
    });

    describe('A3: cleanup cannot race the council verdict', () => {
        it('should refuse cleanup while the answer is in flight; the executor is refunded', async () => {
            // a stale proposal: the epoch moves on after it passed, so the council will refuse it
            const { proposal } = await c.propose(c.alice, [addImage(hashOf('image: stale'))]);
            await c.pass(proposal);
            await c.enact([{ kind: 'setThreshold', threshold: 6n }]);
            const value = (await proposal.getExecuteValue()) + toNano('1');
            const before = await c.outsider.getBalance();
            const iter = await blockchain.sendMessageIter(
                internal({ from: c.outsider.address, to: proposal.address, value, body: beginCell().storeUint(Op.executeProposal, 32).storeUint(0, 64).endCell() }),
            );
            const first = await iter.next(); // the proposal's transaction: its report is now on its way to the council
            expect(first.done).toBe(false);
            const race = await blockchain.sendMessage(
                internal({ from: c.carol.address, to: proposal.address, value: SMALL, body: beginCell().storeUint(Op.cleanupProposal, 32).storeUint(0, 64).endCell() }),
            );
            expect(race.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notFinished });
            for (let r = await iter.next(); !r.done; r = await iter.next()) {
                /* drain: the council's verdict and the refund */
            }
            expect(await proposal.getState()).toBe(ProposalState.Failed);
            // the executor (an injected message, so its wallet was not charged) got nearly all of it back
            expect((await c.outsider.getBalance()) - before).toBeGreaterThan(value - toNano('0.1'));
        });
    });

    describe("A4: the council checks root actions by the root's own rules", () => {
        const refusedByRoot: [string, CouncilAction, number][] = [
            ['a zero image hash', addImage(Buffer.alloc(32)), Errors.zeroHash],
            ['a zero model hash', { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addModel', modelHash: Buffer.alloc(32), name: 'm' } }, Errors.zeroHash],
            ['a fee above 10,000 bps', { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'setParams', params: { ...DEFAULT_PARAMS, protocolFeeBps: 10_001 } } }, Errors.bpsOutOfRange],
            ['a withdrawal of 0', { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'withdrawTreasury', amount: 0n, to: Address.parse('EQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAM9c') } }, Errors.treasuryTooSmall],
            ['a handover to a masterchain address', { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'proposeGovernance', newGovernance: new Address(-1, Buffer.alloc(32, 7)) } }, Errors.notBasechain],
            ['a slash above 10,000 bps', { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'slashWorker', owner: new Address(0, Buffer.alloc(32, 1)), index: 0, amount: 0n, bps: 10_001, reason: hashOf('reason') } }, Errors.slashTooLarge],
        ];
        it.each(refusedByRoot)('should refuse at proposal time %s, with the root error', async (_name, action, error) => {
            const { result } = await c.propose(c.alice, [action]);
            expect(refusalFrom(result, c.council.address)).toBe(error);
            expect((await c.council.getCouncilData()).nextId).toBe(0);
        });

        it('the council returns its own surplus by proposal', async () => {
            await c.run(() => c.council.sendRaw(c.outsider.getSender(), beginCell().endCell(), toNano('3')));
            const { proposal } = await c.propose(c.alice, [{ kind: 'withdraw', amount: toNano('2'), to: c.carol.address }]);
            await c.pass(proposal);
            const entry = await c.run(() => c.execute(proposal));
            expect(entry.result.transactions).toHaveTransaction({ from: c.council.address, to: c.carol.address, value: toNano('2') });
            expect(Ledger.flow(entry, c.council.address)).toBeLessThanOrEqual(-toNano('2'));
        });
    });

    describe('A5: a handover offer can be withdrawn and expires', () => {
        it('the governance withdraws a pending offer; the offered address can no longer accept', async () => {
            const fresh = await deployCouncil({ noHandover: true });
            await fresh.run(() => fresh.root.sendGovernance(fresh.governance.getSender(), { kind: 'proposeGovernance', newGovernance: fresh.council.address }, SMALL));
            const withdraw = await fresh.run(() => fresh.root.sendGovernance(fresh.governance.getSender(), { kind: 'proposeGovernance', newGovernance: null }, SMALL));
            expect(withdraw.result.transactions).toHaveTransaction({ to: fresh.root.address, success: true });
            expect((await fresh.root.getGovernance()).pending).toBeNull();
            const { result } = await fresh.run(() => fresh.council.sendAcceptRoot(fresh.alice.getSender(), SMALL));
            expect(result.transactions).toHaveTransaction({ to: fresh.root.address, success: false, exitCode: Errors.noPendingGovernance });
        });

        it('an offer expires: accepting it 15 days later is refused', async () => {
            const fresh = await deployCouncil({ noHandover: true });
            await fresh.run(() => fresh.root.sendGovernance(fresh.governance.getSender(), { kind: 'proposeGovernance', newGovernance: fresh.council.address }, SMALL));
            fresh.advance(15 * DAY);
            const { result } = await fresh.run(() => fresh.council.sendAcceptRoot(fresh.alice.getSender(), SMALL));
            expect(result.transactions).toHaveTransaction({ to: fresh.root.address, success: false, exitCode: Errors.handoverExpired });
            expect((await fresh.root.getGovernance()).governance).toEqualAddress(fresh.governance.address);
        });
    });

    describe('A6: a malformed description is refused at proposal time', () => {
        it('should refuse a description that is not whole bytes', async () => {
            const { result } = await c.run(() =>
                c.council.sendCreateProposal(c.alice.getSender(), { actions: [addImage(hashOf('x'))], description: beginCell().storeUint(0x7f, 7).endCell(), value: toNano('1') }),
            );
            expect(refusalFrom(result, c.council.address)).toBe(Errors.descriptionTooLong);
            expect((await c.council.getCouncilData()).nextId).toBe(0);
        });
    });

    describe("A7: the guardian's bounds have contract-enforced floors and ceilings", () => {
        const refused: [string, CouncilAction, number][] = [
            ['a timelock of 0 (no veto window)', { kind: 'setPeriods', votingPeriod: 3 * DAY, timelock: 0, executionWindow: 7 * DAY }, Errors.badCouncilPeriod],
            ['a voting period of one second', { kind: 'setPeriods', votingPeriod: 1, timelock: 2 * DAY, executionWindow: 7 * DAY }, Errors.badCouncilPeriod],
            ['a guardian sunset in 2106', { kind: 'setGuardian', guardian: new Address(0, Buffer.alloc(32, 9)), sunset: 0xffffffff }, Errors.badGuardianSunset],
            ['a guardian whose sunset has passed', { kind: 'setGuardian', guardian: new Address(0, Buffer.alloc(32, 9)), sunset: 1 }, Errors.badGuardianSunset],
            ['a threshold below a majority of the total weight', { kind: 'setThreshold', threshold: 4n }, Errors.badThreshold],
        ];
        it.each(refused)('should refuse %s', async (_name, action, error) => {
            const { result } = await c.propose(c.alice, [action]);
            expect(refusalFrom(result, c.council.address)).toBe(error);
        });
    });
});
