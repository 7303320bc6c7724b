/**
 * The refusals a plain wallet can still cause at the root, the council and a job it opened (docs/protocol.md §10):
 * each comes back as a readable text comment with the value (less fees), and nothing changes. Texts sent to the
 * root or the council are no longer all kept as donations: only an empty comment or a deposit word is; the texts
 * the protocol's own contracts send them (a treasury withdrawal, a council surplus) still land.
 */
import { Address, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { commentBody } from '../../wrappers/common';
import { Errors, Op, WorkerStatus } from '../../wrappers/Constants';
import { hashOf, Ledger, commentOf, Protocol } from '../../wrappers/testkit';
import { LedgerEntry } from '../../wrappers/testkit/ledger';
import { ProposalState } from '../../wrappers/Proposal';
import { deployCouncil, CouncilKit, ROOT_ACTION_VALUE } from '../../wrappers/testkit/council';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';
import { refusalTo } from '../../wrappers/testkit/replies';
import { gasConstant } from '../../wrappers/testkit/gas';
import { gasOf, txTo } from '../../wrappers/testkit/transactions';
import { Job } from '../../wrappers/Job';

type Wallet = SandboxContract<TreasuryContract>;

/**
 * `wallet` got a refusal with `error` (and a reason matching `reason`) and lost only fees: the whole value came back
 * less the gas of the refusing transaction and the forwarding of the refusal; `target` kept none of it.
 */
function expectRefusedWhole(e: LedgerEntry, wallet: Wallet, target: Address, error: number, reason: RegExp) {
    const refusal = refusalTo(e.result, wallet.address);
    expect(refusal?.error).toBe(error);
    expect(refusal!.reason).toMatch(reason);
    expect(Ledger.flow(e, wallet.address)).toBeLessThan(0n);
    expect(Ledger.flow(e, wallet.address)).toBeGreaterThan(-toNano('0.01'));
    expect(Ledger.flow(e, target)).toBeLessThanOrEqual(0n);
}

async function balance(p: Protocol, a: Address): Promise<bigint> {
    return (await p.blockchain.getContract(a)).balance;
}

/** The text comments `to` received in `e`. */
function commentsTo(e: LedgerEntry, to: Address): string[] {
    return e.result.transactions
        .filter((t) => t.inMessage?.info.dest instanceof Address && t.inMessage.info.dest.equals(to))
        .map((t) => commentOf(t.inMessage!.body) ?? '<binary>');
}

describe('texts sent to the root', () => {
    let p: Protocol;
    let wallet: Wallet;
    beforeAll(async () => {
        p = await deployForJobs();
        wallet = await p.wallet('phone');
    });

    it('refuses a worker or job command sent to the root ("Withdraw", "close") with a reason pointing to the right address', async () => {
        for (const [text, where] of [['Withdraw', /worker account/], [' unbond', /worker account/], ['close', /job/], ['yes', /proposal/]] as const) {
            const before = await balance(p, p.root.address);
            const e = await p.run(() => wallet.send({ to: p.root.address, value: toNano('1'), body: commentBody(text) }));
            expectRefusedWhole(e, wallet, p.root.address, Errors.notACommand, where);
            expect(await balance(p, p.root.address)).toBe(before);
        }
    });

    it('refuses any other text ("thanks for the GPUs") instead of keeping it as a donation', async () => {
        const before = await p.root.getTreasury();
        const e = await p.run(() => wallet.send({ to: p.root.address, value: toNano('1'), body: commentBody('thanks for the GPUs') }));
        expectRefusedWhole(e, wallet, p.root.address, Errors.notACommand, /empty comment to donate/);
        expect(await p.root.getTreasury()).toEqual(before);
    });

    it('keeps an empty comment, a plain transfer and a deposit word ("Deposit") as a donation to the treasury', async () => {
        for (const body of [commentBody(''), undefined, commentBody(' Deposit'), commentBody('top up')]) {
            const before = (await p.root.getTreasury()).withdrawable;
            const e = await p.run(() => wallet.send({ to: p.root.address, value: toNano('1'), body }));
            expect(refusalTo(e.result, wallet.address)).toBeUndefined();
            expect((await p.root.getTreasury()).withdrawable).toBeGreaterThan(before + toNano('0.99'));
        }
    });

    it('sync_worker with too little value comes back as a refusal comment (scripts/root/sync.ts links)', async () => {
        const w = p.workers[0];
        const e = await p.run(() => p.root.sendSyncWorker(wallet.getSender(), w.owner.address, 0, toNano('0.005')));
        expectRefusedWhole(e, wallet, p.root.address, Errors.insufficientValue, /value/);
        expect(e.result.transactions).not.toHaveTransaction({ from: p.root.address, to: w.worker.address });
    });
});

describe('fund_library from a wallet (scripts/root/fundLibrary.ts links)', () => {
    it('refuses when the library is paid up to the target runway already', async () => {
        const p = await deployForJobs();
        const keeper = await p.wallet('keeper');
        const before = (await p.root.getLibraryFunding()).paidUntil;
        const e = await p.run(() => p.root.sendFundLibrary(keeper.getSender(), toNano('0.05')));
        expectRefusedWhole(e, keeper, p.root.address, Errors.libraryFunded, /paid/);
        expect((await p.root.getLibraryFunding()).paidUntil).toBe(before);
    });

    it('refuses when the job code is not a library', async () => {
        const p = await deployForJobs({ jobCodeAsLibrary: false });
        const keeper = await p.wallet('keeper');
        const e = await p.run(() => p.root.sendFundLibrary(keeper.getSender(), toNano('0.05')));
        expectRefusedWhole(e, keeper, p.root.address, Errors.codeMissing, /library/);
    });

    it('refuses when the treasury cannot pay any rent', async () => {
        const p = await deployForJobs();
        p.advance(3600);
        const keeper = await p.wallet('keeper');
        // The treasury holds nothing above the root's reserve (as after governance withdrew it all): nothing for the rent.
        const root = await p.blockchain.getContract(p.root.address);
        root.balance -= (await p.root.getTreasury()).withdrawable;
        expect((await p.root.getTreasury()).withdrawable).toBe(0n);
        const before = (await p.root.getLibraryFunding()).paidUntil;
        const e = await p.run(() => p.root.sendFundLibrary(keeper.getSender(), toNano('0.05')));
        expectRefusedWhole(e, keeper, p.root.address, Errors.treasuryTooSmall, /treasury/);
        expect((await p.root.getLibraryFunding()).paidUntil).toBe(before);
        expect(e.result.transactions).not.toHaveTransaction({ from: p.root.address, to: (await p.root.getLibraryFunding()).librarian! });
    });
});

describe('texts sent to the council', () => {
    let k: CouncilKit;
    beforeAll(async () => {
        k = await deployCouncil();
    });

    it('refuses a vote word ("Yes", "no") with "send yes/no to the proposal\'s address"', async () => {
        for (const text of ['Yes', 'no ', 'execute']) {
            const before = await balance(k, k.council.address);
            const e = await k.run(() => k.bob.send({ to: k.council.address, value: toNano('0.5'), body: commentBody(text) }));
            expectRefusedWhole(e, k.bob, k.council.address, Errors.notACommand, /proposal's address/);
            expect(await balance(k, k.council.address)).toBe(before);
        }
    });

    it('refuses any other text ("withdraw", "hello") instead of keeping it', async () => {
        for (const text of ['withdraw', 'hello']) {
            const before = await balance(k, k.council.address);
            const e = await k.run(() => k.outsider.send({ to: k.council.address, value: toNano('0.5'), body: commentBody(text) }));
            expectRefusedWhole(e, k.outsider, k.council.address, Errors.notACommand, /not a command of the council/);
            expect(await balance(k, k.council.address)).toBe(before);
        }
    });

    it('keeps an empty comment and a deposit word as a top-up of its balance', async () => {
        for (const text of ['', 'deposit', ' STAKE']) {
            const before = await balance(k, k.council.address);
            const e = await k.run(() => k.outsider.send({ to: k.council.address, value: toNano('0.5'), body: commentBody(text) }));
            expect(refusalTo(e.result, k.outsider.address)).toBeUndefined();
            expect(await balance(k, k.council.address)).toBeGreaterThan(before + toNano('0.49'));
        }
    });

    it('still takes the protocol\'s own texts: a treasury withdrawal from the root, a council surplus to the root', async () => {
        // The root's treasury to the council ("cocoon: treasury withdrawal", sent by the root).
        const councilBefore = await balance(k, k.council.address);
        let { result } = await k.enact([{ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'withdrawTreasury', amount: toNano('0.3'), to: k.council.address } }]);
        expect(result.transactions).toHaveTransaction({ from: k.root.address, to: k.council.address, success: true, outMessagesCount: 0 });
        expect(await balance(k, k.council.address)).toBeGreaterThan(councilBefore + toNano('0.29'));
        // The council's surplus to the root ("cocoon: council surplus", sent by the root's governance).
        const treasury = (await k.root.getTreasury()).withdrawable;
        ({ result } = await k.enact([{ kind: 'withdraw', amount: toNano('0.2'), to: k.root.address }]));
        expect(result.transactions).toHaveTransaction({ from: k.council.address, to: k.root.address, success: true, outMessagesCount: 0 });
        expect((await k.root.getTreasury()).withdrawable).toBeGreaterThan(treasury + toNano('0.19'));
    });
});

describe('the guardian\'s binary ops from a wallet (scripts/council/veto.ts, emergency.ts links)', () => {
    let k: CouncilKit;
    beforeEach(async () => {
        k = await deployCouncil();
    });

    it('a veto from a wallet that is not the guardian: a refusal comment with the value, the proposal stays queued', async () => {
        const { proposal } = await k.propose(k.alice, [{ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'pause', flags: 1 } }]);
        await k.pass(proposal);
        const e = await k.run(() => k.council.sendVeto(k.outsider.getSender(), 0, toNano('0.1')));
        expectRefusedWhole(e, k.outsider, k.council.address, Errors.notGuardian, /guardian/);
        expect((await proposal.getProposalData()).state).toBe(ProposalState.Passed);
        const again = await k.execute(proposal);
        expect(again.transactions).toHaveTransaction({ from: k.council.address, to: k.root.address, success: true });
    });

    it('the guardian after its sunset: veto and emergency refused with the reason', async () => {
        k.blockchain.now = (await k.council.getCouncilData()).guardianSunset;
        let e = await k.run(() => k.council.sendVeto(k.guardian.getSender(), 0, toNano('0.1')));
        expectRefusedWhole(e, k.guardian, k.council.address, Errors.guardianSunset, /term is over/);
        e = await k.run(() => k.council.sendEmergency(k.guardian.getSender(), { kind: 'pause', flags: 1 }, toNano('0.1')));
        expectRefusedWhole(e, k.guardian, k.council.address, Errors.guardianSunset, /term is over/);
        expect(await k.root.getPaused()).toBe(0);
    });

    it('an emergency action that does not only restrict, or from a stranger: refused with the reason, nothing sent to the root', async () => {
        let e = await k.run(() => k.council.sendEmergency(k.guardian.getSender(), { kind: 'unpause', flags: 1 }, toNano('0.1')));
        expectRefusedWhole(e, k.guardian, k.council.address, Errors.notRestrictive, /only retire an image/);
        expect(e.result.transactions).not.toHaveTransaction({ from: k.council.address, to: k.root.address });
        e = await k.run(() => k.council.sendEmergency(k.outsider.getSender(), { kind: 'pause', flags: 1 }, toNano('0.1')));
        expectRefusedWhole(e, k.outsider, k.council.address, Errors.notGuardian, /guardian/);
        expect(await k.root.getPaused()).toBe(0);
    });
});

describe('a job the worker refuses says why in the client\'s refund', () => {
    it('worker not active, prices too low, challenge out of range: "cocoon: job refused: inactive / prices / challenge"', async () => {
        const p = await deployForJobs();
        const low = await openJob(p, { allowRefusal: true, maxPrices: { prompt: 0n, cached: 0n, completion: 0n, reasoning: 0n } });
        expect(commentsTo(low.opened, low.client.address)).toContain('cocoon: job refused: prices');
        // The job's transaction that chooses the words stays within the answer's gas, which the reserve pays for.
        expect(gasOf(txTo(low.opened.result.transactions, low.address, Op.jobRefused))).toBeLessThanOrEqual(gasConstant('gas::job_answer'));
        expect(Ledger.flow(low.opened, low.client.address)).toBe(-(low.opened.fees + low.opened.forwardFees));
        const long = await openJob(p, { allowRefusal: true, challenge: p.params.maxChallenge + 1 });
        expect(commentsTo(long.opened, long.client.address)).toContain('cocoon: job refused: challenge');
        const w = p.workers[0];
        await p.run(() => w.worker.sendRequestUnbond(w.owner.getSender(), toNano('0.05')));
        expect((await w.worker.getState()).status).toBe(WorkerStatus.Unbonding);
        const idle = await openJob(p, { allowRefusal: true });
        expect(commentsTo(idle.opened, idle.client.address)).toContain('cocoon: job refused: inactive');
    });

    it('no worker account at that address (job_offer bounced): "cocoon: job refused: no worker"', async () => {
        const p = await deployForJobs();
        const client = await p.wallet('client');
        const e = await p.run(() =>
            p.root.sendOpenJob(client.getSender(), toNano('2'), {
                worker: new Address(0, Buffer.alloc(32, 7)),
                jobId: 1n,
                clientKey: hashOf('client key'),
                challenge: p.params.minChallenge,
                maxPrices: p.workers[0].registration.prices,
            }),
        );
        expect(e.result.transactions).toHaveTransaction({ op: Op.jobOffer, inMessageBounceable: true, success: false });
        expect(commentsTo(e, client.address)).toContain('cocoon: job refused: no worker');
        const job = Job.createForJob({ root: p.root.address, client: client.address, worker: new Address(0, Buffer.alloc(32, 7)), jobId: 1n });
        const bounce = e.result.transactions.find((t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.bounced && t.inMessage.info.dest.equals(job.address));
        expect(gasOf(bounce!)).toBeLessThanOrEqual(gasConstant('gas::job_answer'));
        expect(Ledger.flow(e, client.address)).toBe(-(e.fees + e.forwardFees));
    });
});
