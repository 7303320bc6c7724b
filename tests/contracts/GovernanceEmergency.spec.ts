/**
 * What a DAO governing TEE images needs beyond the anchors: the guardian's restrict-only emergency path (retire
 * an image, remove a model, pause registrations or job openings, at once; never add, unpause or move money;
 * undone only by a normal proposal), proposals bound to their evidence, the quorum floor and the early end of a
 * proposal the "no" weight has made unreachable, and the execution's answer protocol (executing until the
 * council answers; a retry never runs the actions twice).
 */
import { Address, beginCell, toNano } from '@ton/core';
import { Blockchain, BlockchainSnapshot, internal } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op } from '../../wrappers/Constants';
import { CouncilAction } from '../../wrappers/Council';
import { ANSWER_TIMEOUT, executeBody, ProposalState } from '../../wrappers/Proposal';
import { PauseFlags, RootGovernanceAction } from '../../wrappers/Root';
import { jobAddress } from '../../wrappers/Job';
import { DEFAULT_IMAGE, DEFAULT_MODEL, DEFAULT_PARAMS, DEFAULT_PRICES, hashOf } from '../../wrappers/testkit';
import { refusalTo } from '../../wrappers/testkit/replies';
import { CouncilKit, deployCouncil, GUARDIAN_TERM, ROOT_ACTION_VALUE, SMALL, TIMELOCK } from '../../wrappers/testkit/council';

const root = (action: RootGovernanceAction): CouncilAction => ({ kind: 'root', value: ROOT_ACTION_VALUE, action });

describe('Governance: emergency path, evidence, quorum floor, answers', () => {
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

    describe("the guardian's restrict-only emergency path", () => {
        it('retires an image at once (no vote, no timelock); only a normal proposal re-allows it', async () => {
            const { result } = await c.run(() => c.council.sendEmergency(c.guardian.getSender(), { kind: 'retireImage', imageHash: DEFAULT_IMAGE }, SMALL));
            expect(result.transactions).toHaveTransaction({ from: c.council.address, to: c.root.address, op: Op.retireImage, success: true });
            expect(await c.root.getIsImageAllowed(DEFAULT_IMAGE)).toBe(false);
            await c.enact([root({ kind: 'addImage', label: 'test image', imageHash: DEFAULT_IMAGE })]);
            expect(await c.root.getIsImageAllowed(DEFAULT_IMAGE)).toBe(true);
        });

        it('removes a model at once', async () => {
            await c.run(() => c.council.sendEmergency(c.guardian.getSender(), { kind: 'removeModel', modelHash: DEFAULT_MODEL }, SMALL));
            expect(await c.root.getIsModelAllowed(DEFAULT_MODEL)).toBe(false);
        });

        it('pauses new registrations and job openings at once; registrations are refused with the stake returned; a proposal unpauses', async () => {
            await c.run(() => c.council.sendEmergency(c.guardian.getSender(), { kind: 'pause', flags: PauseFlags.all }, SMALL));
            expect(await c.root.getPaused()).toBe(PauseFlags.all);
            const owner = await c.wallet('paused owner');
            const { registration } = c.registrationFor('paused owner');
            const { result } = await c.run(() => c.root.sendRegisterWorker(owner.getSender(), registration, toNano('11')));
            expect(result.transactions).not.toHaveTransaction({ from: c.root.address, op: Op.workerAttest });
            expect(refusalTo(result, owner.address)).toEqual({ reason: 'registrations are paused by governance', error: Errors.registrationsPaused });

            await c.enact([root({ kind: 'unpause', flags: PauseFlags.registrations })]);
            expect(await c.root.getPaused()).toBe(PauseFlags.jobOpenings);
            await c.registerWorker(owner);
        });

        it("refuses new jobs at the root's open_job while job openings are paused (the value bounces to the client); a proposal reopens them", async () => {
            await c.run(() => c.council.sendEmergency(c.guardian.getSender(), { kind: 'pause', flags: PauseFlags.jobOpenings }, SMALL));
            const client = await c.wallet('paused client');
            const request = { worker: client.address, jobId: 7n, clientKey: Buffer.alloc(32, 7), challenge: DEFAULT_PARAMS.minChallenge, maxPrices: DEFAULT_PRICES };
            const job = jobAddress({ root: c.root.address, client: client.address, worker: client.address, jobId: 7n });
            const refused = await c.run(() => c.root.sendOpenJob(client.getSender(), toNano('2'), request));
            expect(refused.result.transactions).toHaveTransaction({ from: client.address, to: c.root.address, success: false, exitCode: Errors.jobOpeningsPaused });
            expect(refused.result.transactions).toHaveTransaction({ from: c.root.address, to: client.address, inMessageBounced: true });
            expect(refused.result.transactions).not.toHaveTransaction({ to: job });

            await c.enact([root({ kind: 'unpause', flags: PauseFlags.jobOpenings })]);
            expect(await c.root.getPaused()).toBe(0);
            const opened = await c.run(() => c.root.sendOpenJob(client.getSender(), toNano('2'), request));
            expect(opened.result.transactions).toHaveTransaction({ from: c.root.address, to: job, deploy: true, success: true });
        });

        const neverAllowed: [string, RootGovernanceAction][] = [
            ['add an image', { kind: 'addImage', label: 'test image', imageHash: hashOf('image: sneaked in') }],
            ['add a model', { kind: 'addModel', modelHash: hashOf('model: sneaked in'), name: 'x' }],
            ['unpause', { kind: 'unpause', flags: PauseFlags.all }],
            ['withdraw the treasury', { kind: 'withdrawTreasury', amount: toNano('0.1'), to: new Address(0, Buffer.alloc(32, 3)) }],
            ['slash a worker', { kind: 'slashWorker', owner: new Address(0, Buffer.alloc(32, 3)), index: 0, amount: toNano('1'), bps: 0, reason: hashOf('reason') }],
            ['change the parameters', { kind: 'setParams', params: { ...DEFAULT_PARAMS, protocolFeeBps: 1 } }],
            ['change the child code', { kind: 'setCode', jobCode: beginCell().storeUint(1, 8).endCell() }],
            ['hand governance over', { kind: 'proposeGovernance', newGovernance: new Address(0, Buffer.alloc(32, 3)) }],
            ['accept governance', { kind: 'acceptGovernance' }],
        ];
        it.each(neverAllowed)('can never %s', async (_name, action) => {
            const { result } = await c.run(() => c.council.sendEmergency(c.guardian.getSender(), action, SMALL));
            expect(refusalTo(result, c.guardian.address)?.error).toBe(Errors.notRestrictive);
            expect(result.transactions).not.toHaveTransaction({ from: c.council.address, to: c.root.address });
        });

        it('should refuse a pause of unknown flags or of nothing', async () => {
            for (const flags of [0, 4, 0xff]) {
                const { result } = await c.run(() => c.council.sendEmergency(c.guardian.getSender(), { kind: 'pause', flags }, SMALL));
                expect(refusalTo(result, c.guardian.address)?.error).toBe(Errors.badPauseFlags);
                expect(result.transactions).not.toHaveTransaction({ from: c.council.address, to: c.root.address });
            }
            expect(await c.root.getPaused()).toBe(0);
        });

        it('only the guardian, and only before its sunset', async () => {
            const action: RootGovernanceAction = { kind: 'retireImage', imageHash: DEFAULT_IMAGE };
            for (const who of [c.alice, c.outsider]) {
                const { result } = await c.run(() => c.council.sendEmergency(who.getSender(), action, SMALL));
                expect(refusalTo(result, who.address)?.error).toBe(Errors.notGuardian);
            }
            c.advance(GUARDIAN_TERM);
            const { result } = await c.run(() => c.council.sendEmergency(c.guardian.getSender(), action, SMALL));
            expect(refusalTo(result, c.guardian.address)?.error).toBe(Errors.guardianSunset);
            expect(await c.root.getIsImageAllowed(DEFAULT_IMAGE)).toBe(true);
        });

        it('the root refuses pause and unpause from anyone but its governance', async () => {
            for (const action of [{ kind: 'pause', flags: 1 }, { kind: 'unpause', flags: 1 }] as RootGovernanceAction[]) {
                const { result } = await c.run(() => c.root.sendGovernance(c.outsider.getSender(), action, SMALL));
                expect(result.transactions).toHaveTransaction({ to: c.root.address, success: false, exitCode: Errors.notGovernance });
            }
        });
    });

    describe('proposals bound to their evidence', () => {
        it('should refuse to add an image or a model without an evidence hash', async () => {
            for (const action of [root({ kind: 'addImage', label: 'test image', imageHash: hashOf('i') }), root({ kind: 'addModel', modelHash: hashOf('m'), name: 'm' })]) {
                const { result } = await c.propose(c.alice, [action], { evidence: null });
                expect(result.transactions).toHaveTransaction({ to: c.council.address, success: false, exitCode: Errors.evidenceMissing });
            }
        });

        it('carries the evidence hash in its data; other proposals may carry one too', async () => {
            const evidence = hashOf('release notes of worker v2');
            const { proposal } = await c.propose(c.alice, [root({ kind: 'addImage', label: 'test image', imageHash: hashOf('v2') })], { evidence });
            expect((await proposal.getProposalData()).evidence).toEqual(evidence);
            const other = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 6n }]);
            expect((await other.proposal.getProposalData()).evidence).toBeNull();
        });
    });

    describe('quorum floor and early rejection', () => {
        it('a threshold of exactly more than half the total weight is accepted; half is not', async () => {
            // total 9: 5 is the floor
            await c.enact([{ kind: 'setThreshold', threshold: 5n }]);
            const { result } = await c.propose(c.alice, [{ kind: 'addMember', member: new Address(0, Buffer.alloc(32, 5)), weight: 1 }]);
            // total would be 10 and 5 * 2 = 10 is not above it
            expect(result.transactions).toHaveTransaction({ to: c.council.address, success: false, exitCode: Errors.badThreshold });
        });

        it('a "no" weight that makes the threshold unreachable ends the proposal: rejected, no more votes, cleanup', async () => {
            const { proposal } = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 6n }]);
            await c.run(() => proposal.sendVote(c.alice.getSender(), false, SMALL)); // no 4 of 9: 5 still reachable
            expect(await proposal.getState()).toBe(ProposalState.Voting);
            await c.run(() => proposal.sendVote(c.carol.getSender(), false, SMALL)); // no 6: at most 3 yes left
            expect(await proposal.getState()).toBe(ProposalState.Rejected);
            const late = await c.run(() => proposal.sendVote(c.bob.getSender(), true, SMALL));
            expect(late.result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notVoting });
            const cleanup = await c.run(() => proposal.sendCleanup(c.outsider.getSender(), SMALL));
            expect(cleanup.result.transactions).toHaveTransaction({ to: proposal.address, success: true });
        });
    });

    describe('execution answers', () => {
        it('stays executing until the council answers; an early retry is refused', async () => {
            const { proposal } = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 6n }]);
            await c.pass(proposal);
            c.advance(TIMELOCK);
            const value = (await proposal.getExecuteValue()) + toNano('0.05');
            const iter = await blockchain.sendMessageIter(internal({ from: c.outsider.address, to: proposal.address, value, body: executeBody() }));
            await iter.next();
            expect(await proposal.getState()).toBe(ProposalState.Executing);
            const early = await blockchain.sendMessage(internal({ from: c.bob.address, to: proposal.address, value, body: executeBody() }));
            expect(early.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.executionPending });
            for (let r = await iter.next(); !r.done; r = await iter.next()) {
                /* the council's transaction and its answer */
            }
            expect(await proposal.getState()).toBe(ProposalState.Executed);
            expect((await c.council.getCouncilData()).threshold).toBe(6n);
        });

        it('a retry while the first answer is still in flight never runs the actions twice', async () => {
            await c.run(() => c.council.sendRaw(c.outsider.getSender(), beginCell().endCell(), toNano('5')));
            const { proposal } = await c.propose(c.alice, [{ kind: 'withdraw', amount: toNano('1'), to: c.carol.address }]);
            await c.pass(proposal);
            c.advance(TIMELOCK);
            const value = (await proposal.getExecuteValue()) + toNano('0.05');
            const first = await blockchain.sendMessageIter(internal({ from: c.outsider.address, to: proposal.address, value, body: executeBody() }));
            await first.next(); // the first report is on its way to the council
            c.advance(ANSWER_TIMEOUT);
            const second = await blockchain.sendMessageIter(internal({ from: c.bob.address, to: proposal.address, value, body: executeBody() }));
            await second.next(); // a second report follows it
            const payouts: bigint[] = [];
            for (const it of [first, second]) {
                for (let r = await it.next(); !r.done; r = await it.next()) {
                    const info = r.value.inMessage?.info;
                    if (info?.type === 'internal' && info.src.equals(c.council.address) && info.dest.equals(c.carol.address) && info.value.coins === toNano('1')) payouts.push(info.value.coins);
                }
            }
            expect(payouts).toEqual([toNano('1')]);
            expect(await proposal.getState()).toBe(ProposalState.Executed);
        });

        it('the council refuses answers and cancellations that do not come from it', async () => {
            const { proposal } = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 6n }]);
            for (const op of [Op.proposalAnswer, Op.councilCancel]) {
                const { result } = await c.run(() => proposal.sendRaw(c.alice.getSender(), beginCell().storeUint(op, 32).storeUint(0, 64).storeBit(1).endCell(), SMALL));
                expect(result.transactions).toHaveTransaction({ to: proposal.address, success: false, exitCode: Errors.notCouncil });
            }
            expect(await proposal.getState()).toBe(ProposalState.Voting);
        });
    });
});
