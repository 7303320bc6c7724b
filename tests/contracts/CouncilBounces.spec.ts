/**
 * DAO council bounce paths: every outgoing message that can bounce, what happens to the state and
 * the value, and the replies that are non-bounceable on purpose.
 *
 * council -> root action       bounceable; a refusal leaves the proposal executed and the value in the council
 * council -> root accept       bounceable; a refusal leaves the value in the council
 * council -> proposal init     bounceable; only out-of-gas refuses it (fee-checked); a bounce is ignored
 * council -> proposal veto     bounceable; a refusal sends the value back to the guardian
 * proposal -> council approved bounceable; a refusal marks the proposal failed and refunds the executor
 * replies (change, cleanup)    non-bounceable: a recipient that rejects them keeps the value, nothing returns
 */
import { Address, beginCell, Cell, toNano } from '@ton/core';
import { Blockchain, BlockchainSnapshot } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op } from '../../wrappers/Constants';
import { commentBody } from '../../wrappers/common';
import { CouncilAction } from '../../wrappers/Council';
import { ProposalState } from '../../wrappers/Proposal';
import { hashOf, Ledger } from '../../wrappers/testkit';
import { CouncilKit, deployCouncil, ROOT_ACTION_VALUE, SMALL, TIMELOCK, VOTING_PERIOD } from '../../wrappers/testkit/council';
import { deployRejecting, REJECTED } from '../../wrappers/testkit/rejecting';

const addImage = (imageHash: Buffer): CouncilAction => ({ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addImage', label: 'test image', imageHash } });

/** A bounced message as the network would deliver it: 0xFFFFFFFF, then the start of the original body. */
function bounced(from: Address, to: Address, original: Cell, value: bigint) {
    return {
        info: {
            type: 'internal' as const,
            ihrDisabled: true,
            bounce: false,
            bounced: true,
            src: from,
            dest: to,
            value: { coins: value },
            ihrFee: 0n,
            forwardFee: 0n,
            createdLt: 0n,
            createdAt: 0,
        },
        body: beginCell().storeUint(0xffffffff, 32).storeSlice(original.beginParse()).endCell(),
    };
}

describe('Council bounces', () => {
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

    it('a root action the root refuses bounces to the council: proposal stays executed, value stays with the council', async () => {
        const fresh = hashOf('fresh image');
        // the existing image is refused by the root (image_exists); the other action still applies
        const { id, proposal } = await c.propose(c.alice, [addImage(fresh), addImage(c.imageHash)]);
        await c.pass(proposal);
        const councilBefore = await c.council.getBalance();
        const result = await c.execute(proposal);
        expect(result.transactions).toHaveTransaction({ from: c.council.address, to: c.root.address, success: false, exitCode: Errors.imageExists });
        expect(result.transactions).toHaveTransaction({ from: c.root.address, to: c.council.address, inMessageBounced: true, success: true, outMessagesCount: 0 });
        expect(await proposal.getState()).toBe(ProposalState.Executed);
        expect(await c.root.getIsImageAllowed(fresh)).toBe(true);
        // the council kept the bounced value (minus the root's and its own gas)
        const gained = (await c.council.getBalance()) - councilBefore;
        expect(gained).toBeGreaterThan(ROOT_ACTION_VALUE - toNano('0.01'));
        expect(gained).toBeLessThan(ROOT_ACTION_VALUE);
        const d = await c.council.getCouncilData();
        expect([d.nextId, d.epoch]).toEqual([id + 1, 0]);
    });

    it('a refused accept_governance (no handover pending) bounces to the council, which keeps the value', async () => {
        const entry = await c.run(() => c.council.sendAcceptRoot(c.bob.getSender(), toNano('0.2')));
        expect(entry.result.transactions).toHaveTransaction({ from: c.council.address, to: c.root.address, success: false, exitCode: Errors.noPendingGovernance });
        expect(entry.result.transactions).toHaveTransaction({ from: c.root.address, to: c.council.address, inMessageBounced: true, success: true });
        expect(Ledger.flow(entry, c.council.address)).toBeGreaterThan(toNano('0.15'));
        expect((await c.root.getGovernance()).governance).toEqualAddress(c.council.address);
    });

    it('a stale approval is answered "failed": nothing runs, the executor is refunded, the proposal is cleanable', async () => {
        const { proposal } = await c.propose(c.alice, [addImage(hashOf('stale'))], { value: toNano('1') });
        await c.pass(proposal);
        await c.enact([{ kind: 'setThreshold', threshold: 6n }]);
        const value = (await proposal.getExecuteValue()) + toNano('1');
        const entry = await c.run(() => proposal.sendExecute(c.outsider.getSender(), value));
        expect(entry.result.transactions).toHaveTransaction({ from: c.council.address, to: proposal.address, op: Op.proposalAnswer, success: true });
        expect(entry.result.transactions).not.toHaveTransaction({ from: c.council.address, to: c.root.address });
        expect(await proposal.getState()).toBe(ProposalState.Failed);
        expect(-Ledger.flow(entry, c.outsider.address)).toBeLessThan(toNano('0.05'));
        const clean = await c.run(() => proposal.sendCleanup(c.outsider.getSender(), SMALL));
        expect(clean.result.transactions).toHaveTransaction({ from: proposal.address, to: c.alice.address, body: commentBody('cocoon: proposal refund') });
    });

    it('a refused veto (no such proposal) bounces to the council, which returns the value to the guardian', async () => {
        const entry = await c.run(() => c.council.sendVeto(c.guardian.getSender(), 77, toNano('0.3')));
        expect(entry.result.transactions).toHaveTransaction({ to: c.council.address, inMessageBounced: true, success: true });
        expect(entry.result.transactions).toHaveTransaction({ from: c.council.address, to: c.guardian.address, body: commentBody('cocoon: veto refund') });
        expect(-Ledger.flow(entry, c.guardian.address)).toBeLessThan(toNano('0.01'));
    });

    it('should ignore a bounced init_proposal (the id stays used, nothing else changes)', async () => {
        const dataHash = async () => {
            const st = (await blockchain.getContract(c.council.address)).accountState;
            return st?.type === 'active' ? st.state.data!.hash().toString('hex') : '';
        };
        const before = await dataHash();
        const original = beginCell().storeUint(Op.initProposal, 32).storeUint(5, 64).storeAddress(c.alice.address).endCell();
        const entry = await new Ledger(blockchain).run(() =>
            blockchain.sendMessage(bounced(c.proposal(0).address, c.council.address, original, toNano('0.5'))),
        );
        expect(entry.result.transactions).toHaveTransaction({ to: c.council.address, inMessageBounced: true, success: true, outMessagesCount: 0 });
        expect(await dataHash()).toBe(before);
    });

    it('should ignore a bounced approval while the proposal is not executed', async () => {
        const { id, proposal } = await c.propose(c.alice, [addImage(hashOf('x'))]);
        const original = beginCell().storeUint(Op.proposalApproved, 32).storeUint(0, 64).storeUint(id, 32).storeUint(0, 32).endCell();
        const entry = await new Ledger(blockchain).run(() => blockchain.sendMessage(bounced(c.council.address, proposal.address, original, toNano('0.5'))));
        expect(entry.result.transactions).toHaveTransaction({ to: proposal.address, inMessageBounced: true, success: true, outMessagesCount: 0 });
        expect(await proposal.getState()).toBe(ProposalState.Voting);
    });

    describe('non-bounceable replies to a member whose wallet rejects everything', () => {
        let rejecting: Address;
        let k: CouncilKit;
        beforeAll(async () => {
            k = await deployCouncil();
            rejecting = await deployRejecting(k.blockchain, 1);
            // a council where the rejecting contract is a member with weight 10, alone at the threshold (10 of 19)
            await k.enact([
                { kind: 'addMember', member: rejecting, weight: 10 },
                { kind: 'setThreshold', threshold: 10n },
            ]);
        });

        it('the vote counts; its change reply is refused by the wallet and does not bounce', async () => {
            const { proposal } = await k.propose(k.alice, [addImage(hashOf('r'))]);
            const voter = k.blockchain.sender(rejecting);
            const entry = await new Ledger(k.blockchain).run(() => proposal.sendVote(voter, true, toNano('0.2')));
            expect(entry.result.transactions).toHaveTransaction({ from: proposal.address, to: rejecting, body: commentBody('cocoon: vote change'), success: false, exitCode: REJECTED });
            expect(entry.result.transactions).not.toHaveTransaction({ to: proposal.address, inMessageBounced: true });
            expect(await proposal.getState()).toBe(ProposalState.Passed);
        });

        it("cleanup destroys the proposal even when the proposer's wallet refuses the balance", async () => {
            const voter = k.blockchain.sender(rejecting);
            const fee = await k.council.getProposalFee();
            const entry = await new Ledger(k.blockchain).run(() =>
                k.council.sendCreateProposal(voter, { actions: [addImage(hashOf('r2'))], description: 'from a contract', value: fee + toNano('1'), evidence: hashOf('r2 notes') }),
            );
            const id = (await k.council.getCouncilData()).nextId - 1;
            const proposal = k.proposal(id);
            expect(entry.result.transactions).toHaveTransaction({ to: proposal.address, deploy: true, success: true });
            k.advance(VOTING_PERIOD);
            const clean = await k.run(() => proposal.sendCleanup(k.outsider.getSender(), SMALL));
            expect(clean.result.transactions).toHaveTransaction({ from: proposal.address, to: rejecting, success: false, exitCode: REJECTED });
            expect(clean.result.transactions).not.toHaveTransaction({ to: proposal.address, inMessageBounced: true });
            expect((await k.blockchain.getContract(proposal.address)).accountState).toBeUndefined();
            expect(TIMELOCK).toBeGreaterThan(0);
        });
    });
});
