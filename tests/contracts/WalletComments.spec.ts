/**
 * Wallet comments as phones send them: reproductions of the defects docs/protocol.md §10 once listed (fixed:
 * trimmed, case-insensitive commands; invalid commands refused, never deposited).
 */
import { Address, beginCell, Cell, CommonMessageInfoInternal, Dictionary, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, JobState, Op } from '../../wrappers/Constants';
import { commentBody, pricesCell, textCell } from '../../wrappers/common';
import { acceptRootBody, CouncilAction, createProposalBody, emergencyActionBody, vetoProposalBody } from '../../wrappers/Council';
import { jobAddress } from '../../wrappers/Job';
import { fundLibraryBody, LIBRARY_MIN_RUNWAY, LIBRARY_TARGET_RUNWAY, PauseFlags, syncWorkerBody } from '../../wrappers/Root';
import { setOperatorBody, setPayoutThresholdBody, setPricesBody, workerOpBody } from '../../wrappers/Worker';
import { DEFAULT_PRICES, hashOf, Ledger, Protocol, RegisteredWorker } from '../../wrappers/testkit';
import { CouncilKit, deployCouncil, GUARDIAN_TERM } from '../../wrappers/testkit/council';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';
import { refusalTo } from '../../wrappers/testkit/replies';

describe('wallet comments (reproductions of open defects)', () => {
    it('a client’s "Close" (capitalised by the phone) closes the job instead of topping it up', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        await j.client.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('Close') });
        expect(await j.job.getState()).toBe(JobState.Closing);
    });

    it('"Yes" on a proposal counts as a yes vote', async () => {
        const k = await deployCouncil();
        const { proposal } = await k.propose(k.alice, [{ kind: 'root', value: toNano('0.05'), action: { kind: 'retireImage', imageHash: hashOf('x') } }]);
        await k.bob.send({ to: proposal.address, value: toNano('0.05'), body: commentBody('Yes') });
        expect((await proposal.getHasVoted(k.bob.address)).voted).toBe(true);
    });

    it('"withdraw" from a wallet that is not the owner is refused, not added to the stake', async () => {
        const p = await deployForJobs();
        const w = p.workers[0];
        const other = await p.wallet('owner’s other wallet');
        const before = (await w.worker.getState()).stake;
        await other.send({ to: w.worker.address, value: toNano('1'), body: commentBody('withdraw') });
        expect((await w.worker.getState()).stake).toBe(before);
    });

    it('job comments not valid now or from this sender are refused with a reason, never taken as a top-up', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        const stranger = await p.wallet('stranger');
        const deposit = await j.job.getDeposit();
        const r1 = await stranger.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('close') });
        expect(refusalTo(r1, stranger.address)?.error).toBe(Errors.notClient);
        const r2 = await stranger.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('Finalize') });
        expect(refusalTo(r2, stranger.address)?.error).toBe(Errors.notClosing);
        await j.client.send({ to: j.job.address, value: toNano('0.05'), body: commentBody(' CLOSE ') });
        const r3 = await j.client.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('close') });
        expect(refusalTo(r3, j.client.address)?.error).toBe(Errors.jobNotActive);
        const r4 = await stranger.send({ to: j.job.address, value: toNano('0.05'), body: commentBody('finalize') });
        expect(refusalTo(r4, stranger.address)?.error).toBe(Errors.challengeNotOver);
        expect(await j.job.getState()).toBe(JobState.Closing);
        expect(await j.job.getDeposit()).toBe(deposit);
    });
});

/**
 * Binary payloads a plain wallet sends (a script's ton:// link carries them) and a contract refuses: the refusal
 * comes back as a readable, non-bounceable comment "cocoon-ton: refused: <reason> (error N)" with what is left of
 * the value, and nothing is deployed or changed (not a bounce the wallet shows as a failed unknown operation).
 */
describe('binary payloads from a plain wallet are refused with a readable comment', () => {
    /** The account's data hash (or its status when it has none): equal before and after means nothing changed. */
    async function stateOf(p: Protocol, a: Address): Promise<string> {
        const s = (await p.blockchain.getContract(a)).accountState;
        return s?.type === 'active' ? s.state.data!.hash().toString('hex') : (s?.type ?? 'none');
    }

    /** Sends `body` from `sender` to `target` and checks the refusal: the reason, the error, the value back, no change. */
    async function expectRefused(p: Protocol, sender: SandboxContract<TreasuryContract>, target: Address, body: Cell, value: bigint, error: number, untouched: Address[] = []): Promise<string> {
        const before = await Promise.all([target, ...untouched].map((a) => stateOf(p, a)));
        const entry = await p.run(() => sender.send({ to: target, value, body }));
        const txs = entry.result.transactions;
        // The contract's transaction succeeds: no throw, so no bounce of the wallet's own message.
        expect(txs).toHaveTransaction({ from: sender.address, to: target, success: true, aborted: false });
        expect(txs).not.toHaveTransaction({ from: target, to: sender.address, inMessageBounced: true });
        const refusal = refusalTo(entry.result, sender.address);
        expect(refusal?.error).toBe(error);
        expect(refusal!.reason.length).toBeGreaterThan(3);
        // One message out of the contract: the refusal, non-bounceable, carrying the value less this transaction's fees.
        const out = txs.find((t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.src.equals(target) && t.inMessage.info.dest.equals(sender.address))!;
        const info = out.inMessage!.info as CommonMessageInfoInternal;
        expect(info.bounce).toBe(false);
        expect(info.value.coins).toBeGreaterThan(value - toNano('0.03'));
        expect(txs.filter((t) => t.inMessage?.info.src?.toString() === target.toString()).length).toBe(1);
        expect(Ledger.flow(entry, sender.address)).toBeGreaterThan(-toNano('0.03'));
        expect(await Promise.all([target, ...untouched].map((a) => stateOf(p, a)))).toEqual(before);
        return refusal!.reason;
    }

    describe("the root's open_job (scripts/job/open.ts, the relay's wallet)", () => {
        let p: Protocol;
        let client: SandboxContract<TreasuryContract>;
        const request = (worker: Address, jobId: bigint, maxPrices: Cell = pricesCell(DEFAULT_PRICES)) =>
            beginCell().storeUint(Op.openJob, 32).storeUint(0, 64).storeAddress(worker).storeUint(jobId, 64)
                .storeBuffer(Buffer.alloc(32, 7)).storeUint(p.params.minChallenge, 32).storeRef(maxPrices).endCell();
        const jobOf = (worker: Address, jobId: bigint) => jobAddress({ root: p.root.address, client: client.address, worker, jobId });

        beforeEach(async () => {
            p = await deployForJobs();
            client = await p.wallet('client');
        });

        it('paused job openings: refused "job openings are paused" (error 110), no job deployed', async () => {
            await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'pause', flags: PauseFlags.jobOpenings }, toNano('0.05')));
            const worker = p.workers[0].worker.address;
            const reason = await expectRefused(p, client, p.root.address, request(worker, 1n), toNano('5'), Errors.jobOpeningsPaused, [jobOf(worker, 1n)]);
            expect(reason).toMatch(/paused/);
        });

        it('a worker off the basechain, max prices that are not four Coins, a truncated body: refused with the named error', async () => {
            const masterchain = Address.parse('-1:' + '22'.repeat(32));
            await expectRefused(p, client, p.root.address, request(masterchain, 2n), toNano('5'), Errors.workerNotBasechain);
            const worker = p.workers[0].worker.address;
            const padded = beginCell().storeSlice(pricesCell(DEFAULT_PRICES).beginParse()).storeBit(1).endCell();
            await expectRefused(p, client, p.root.address, request(worker, 3n, padded), toNano('5'), Errors.badPrices, [jobOf(worker, 3n)]);
            const truncated = beginCell().storeUint(Op.openJob, 32).storeUint(0, 64).storeAddress(worker).endCell();
            await expectRefused(p, client, p.root.address, truncated, toNano('5'), Errors.cellUnderflow);
        });

        it('a job-code library paid for less than the minimum runway: refused (error 240), no job deployed', async () => {
            p.advance(LIBRARY_TARGET_RUNWAY - LIBRARY_MIN_RUNWAY + 1);
            const worker = p.workers[0].worker.address;
            const reason = await expectRefused(p, client, p.root.address, request(worker, 4n), toNano('5'), Errors.libraryUnfunded, [jobOf(worker, 4n)]);
            expect(reason).toMatch(/library/);
        });
    });

    describe("the root's sync_worker and fund_library (scripts/root/sync.ts, scripts/root/fundLibrary.ts)", () => {
        it('too little value for a sync, a library already paid up to the target runway: refused with the named error', async () => {
            const p = await deployForJobs();
            const anyone = await p.wallet('anyone');
            const w = p.workers[0];
            await expectRefused(p, anyone, p.root.address, syncWorkerBody(w.owner.address, 0), toNano('0.005'), Errors.insufficientValue, [w.worker.address]);
            const reason = await expectRefused(p, anyone, p.root.address, fundLibraryBody(), toNano('1'), Errors.libraryFunded);
            expect(reason).toMatch(/already paid/);
        });
    });

    describe("the council's create_proposal (scripts/council/propose.ts)", () => {
        let k: CouncilKit;
        const retire: CouncilAction = { kind: 'root', value: toNano('0.05'), action: { kind: 'retireImage', imageHash: hashOf('x') } };
        const body = (actions: CouncilAction[] | Cell[] | Dictionary<number, Cell>, description: string | Cell = 'why', evidence: Uint8Array | null = null) =>
            createProposalBody(actions, description, 0n, evidence);

        beforeAll(async () => {
            k = await deployCouncil();
        });

        it('from a wallet that is not a member: refused "not a council member" (error 200), no proposal', async () => {
            const fee = await k.council.getProposalFee();
            const reason = await expectRefused(k, k.outsider, k.council.address, body([retire]), fee + toNano('0.05'), Errors.notMember);
            expect(reason).toMatch(/member/);
        });

        it('too little value, no evidence for an image, a description of more than one cell, no actions, a bad action: refused with the named error', async () => {
            const fee = await k.council.getProposalFee();
            const value = fee + toNano('0.05');
            await expectRefused(k, k.alice, k.council.address, body([retire]), fee - 1n, Errors.proposalFeeTooSmall);
            const addImage: CouncilAction = { kind: 'root', value: toNano('0.05'), action: { kind: 'addImage', imageHash: hashOf('new image'), label: 'new' } };
            await expectRefused(k, k.alice, k.council.address, body([addImage]), value, Errors.evidenceMissing);
            const long = beginCell().storeStringTail('x').storeRef(textCell('more')).endCell();
            await expectRefused(k, k.alice, k.council.address, body([retire], long), value, Errors.descriptionTooLong);
            await expectRefused(k, k.alice, k.council.address, body(Dictionary.empty(Dictionary.Keys.Uint(8), Dictionary.Values.Cell())), value, Errors.noActions);
            const cheap: CouncilAction = { ...retire, value: 1n } as CouncilAction;
            await expectRefused(k, k.alice, k.council.address, body([cheap]), value, Errors.actionValueTooSmall);
            const badThreshold: CouncilAction = { kind: 'setThreshold', threshold: 1000n };
            await expectRefused(k, k.alice, k.council.address, body([badThreshold]), value, Errors.badThreshold);
            const truncated = beginCell().storeUint(Op.createProposal, 32).storeUint(0, 64).endCell();
            await expectRefused(k, k.alice, k.council.address, truncated, value, Errors.cellUnderflow);
        });
    });

    describe("the council's guardian and handover operations (scripts/council/veto.ts, emergency.ts, handover.ts)", () => {
        it('a veto, an emergency action or accept_root from a wallet that may not send it, an emergency action that does more than restrict: refused with the named error', async () => {
            const k = await deployCouncil();
            const { id } = await k.propose(k.alice, [{ kind: 'root', value: toNano('0.05'), action: { kind: 'retireImage', imageHash: hashOf('x') } }]);
            await expectRefused(k, k.outsider, k.council.address, vetoProposalBody(id), toNano('0.5'), Errors.notGuardian);
            await expectRefused(k, k.outsider, k.council.address, emergencyActionBody({ kind: 'pause', flags: PauseFlags.jobOpenings }), toNano('0.5'), Errors.notGuardian);
            await expectRefused(k, k.guardian, k.council.address, emergencyActionBody({ kind: 'unpause', flags: PauseFlags.jobOpenings }), toNano('0.5'), Errors.notRestrictive);
            await expectRefused(k, k.guardian, k.council.address, emergencyActionBody({ kind: 'pause', flags: 0 }), toNano('0.5'), Errors.badPauseFlags);
            await expectRefused(k, k.outsider, k.council.address, acceptRootBody(), toNano('0.5'), Errors.notMember);
            k.advance(GUARDIAN_TERM);
            await expectRefused(k, k.guardian, k.council.address, vetoProposalBody(id), toNano('0.5'), Errors.guardianSunset);
        });
    });

    describe("the worker account's owner operations (scripts/worker/*.ts)", () => {
        let p: Protocol;
        let w: RegisteredWorker;
        let stranger: SandboxContract<TreasuryContract>;
        beforeEach(async () => {
            p = await deployForJobs();
            w = p.workers[0];
            stranger = await p.wallet('owner’s other wallet');
        });

        it('every owner operation from another wallet: refused "only the owner wallet" (error 102), nothing changed', async () => {
            const bodies = [
                setPricesBody({ ...DEFAULT_PRICES, prompt: 1n }),
                workerOpBody(Op.requestUnbond),
                workerOpBody(Op.cancelUnbond),
                workerOpBody(Op.withdrawStake),
                setPayoutThresholdBody(toNano('100')),
                workerOpBody(Op.collectEarnings),
                setOperatorBody(stranger.address),
            ];
            for (const b of bodies) {
                const reason = await expectRefused(p, stranger, w.worker.address, b, toNano('1'), Errors.notOwner);
                expect(reason).toMatch(/owner/);
            }
        });

        it('the owner’s operations not valid now (withdraw or cancel before unbond, unbond twice, withdraw early, bad prices, a masterchain operator): refused with the named error', async () => {
            const o = w.owner;
            await expectRefused(p, o, w.worker.address, workerOpBody(Op.withdrawStake), toNano('1'), Errors.notUnbonding);
            await expectRefused(p, o, w.worker.address, workerOpBody(Op.cancelUnbond), toNano('1'), Errors.notUnbonding);
            const padded = beginCell().storeSlice(pricesCell(DEFAULT_PRICES).beginParse()).storeBit(1).endCell();
            const badPrices = beginCell().storeUint(Op.setPrices, 32).storeUint(0, 64).storeRef(padded).storeMaybeRef(null).endCell();
            await expectRefused(p, o, w.worker.address, badPrices, toNano('1'), Errors.badPrices);
            await expectRefused(p, o, w.worker.address, setOperatorBody(Address.parse('-1:' + '33'.repeat(32))), toNano('1'), Errors.notBasechain);
            await p.run(() => w.worker.sendRequestUnbond(o.getSender(), toNano('0.05')));
            await expectRefused(p, o, w.worker.address, workerOpBody(Op.requestUnbond), toNano('1'), Errors.alreadyUnbonding);
            await expectRefused(p, o, w.worker.address, workerOpBody(Op.withdrawStake), toNano('1'), Errors.unbondNotDue);
            const truncated = beginCell().storeUint(Op.setPrices, 32).storeUint(0, 64).endCell();
            await expectRefused(p, o, w.worker.address, truncated, toNano('1'), Errors.cellUnderflow);
        });
    });
});
