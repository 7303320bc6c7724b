/**
 * "Every user action works from a plain wallet", one action at a time: each script runs with --link-only, the
 * printed ton:// link is parsed as a wallet app reads it (address and its bounce flag, amount, text or bin,
 * init) and exactly that transfer is sent from a sandbox wallet; the effect is then checked on-chain. Payouts
 * and refunds that reach a wallet carry their readable comment.
 */
import { Address, Cell, toNano } from '@ton/core';
import { SandboxContract, SendMessageResult, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { JobState, WorkerStatus } from '../../wrappers/Constants';
import { Job, jobPayoutBody } from '../../wrappers/Job';
import { ProposalState } from '../../wrappers/Proposal';
import { Council } from '../../wrappers/Council';
import { PauseFlags, Root } from '../../wrappers/Root';
import { Worker } from '../../wrappers/Worker';
import { Librarian } from '../../wrappers/Librarian';
import { hashOf, Protocol } from '../../wrappers/testkit';
import { CouncilKit, deployCouncil, TIMELOCK } from '../../wrappers/testkit/council';
import { deployForJobs } from '../../wrappers/testkit/jobs';
import { SandboxNetworkProvider } from '../../wrappers/testkit/networkProvider';
import { commentOf } from '../../wrappers/testkit/replies';
import { loadCode } from '../../wrappers/code';
import { parseTonLink } from '../../scripts/tools/decode';
import { SCRIPTS } from '../../scripts/lib/catalog';
import { run as setPayoutThreshold } from '../../scripts/worker/setPayoutThreshold';
import { run as setOperator } from '../../scripts/worker/setOperator';
import { run as collect } from '../../scripts/worker/collect';
import { run as addStake } from '../../scripts/worker/addStake';
import { run as setPrices } from '../../scripts/worker/setPrices';
import { run as unbond } from '../../scripts/worker/unbond';
import { run as cancelUnbond } from '../../scripts/worker/cancelUnbond';
import { run as withdraw } from '../../scripts/worker/withdraw';
import { run as workerStatus } from '../../scripts/worker/status';
import { run as jobOpen } from '../../scripts/job/open';
import { run as jobTopup } from '../../scripts/job/topup';
import { run as jobClose } from '../../scripts/job/close';
import { run as jobFinalize } from '../../scripts/job/finalize';
import { run as governance } from '../../scripts/root/governance';
import { run as rootDeploy } from '../../scripts/root/deploy';
import { run as publishJobCode } from '../../scripts/root/publishJobCode';
import { run as vote } from '../../scripts/council/vote';
import { run as propose } from '../../scripts/council/propose';
import { run as cancel } from '../../scripts/council/cancel';
import { run as veto } from '../../scripts/council/veto';
import { run as emergency } from '../../scripts/council/emergency';
import { run as execute } from '../../scripts/council/execute';
import { run as cleanup } from '../../scripts/council/cleanup';
import { run as councilDeploy } from '../../scripts/council/deploy';
import { run as handover } from '../../scripts/council/handover';
import { run as register } from '../../scripts/worker/register';
import { run as update } from '../../scripts/worker/update';
import { run as sync } from '../../scripts/root/sync';
import { run as fundLibrary } from '../../scripts/root/fundLibrary';

type Wallet = SandboxContract<TreasuryContract>;

/** The scripts whose printed link was sent and checked (named in each case's title). */
const covered = new Set<string>();
const cover = (title: string) => {
    for (const m of title.matchAll(/\b(?:root|worker|job|council)\/[A-Za-z]+/g)) covered.add(m[0]);
};
const hex = (v: Buffer) => v.toString('hex');

/** Runs `script` with --link-only as `wallet`, checks it sent nothing, and returns the one link it printed. */
async function printedLink(p: { blockchain: Protocol['blockchain'] }, wallet: Wallet, script: (pr: SandboxNetworkProvider, a: string[]) => Promise<void>, args: string[]): Promise<string> {
    const provider = new SandboxNetworkProvider(p.blockchain, wallet);
    let sends = 0;
    provider.sender = () => ({ address: wallet.address, send: async () => void sends++ });
    await script(provider, [...args, '--link-only']);
    expect(sends).toBe(0);
    const links = provider.ui().output.flatMap((l) => l.match(/ton:\/\/transfer\/\S+/g) ?? []);
    expect(links).toHaveLength(1);
    return links[0];
}

/** Sends exactly what the link says, as a wallet app does. */
async function sendLink(wallet: Wallet, link: string): Promise<SendMessageResult> {
    const t = parseTonLink(link);
    return wallet.send({ to: t.to, value: t.amount, bounce: t.bounceable, body: t.body ?? undefined, init: t.init ?? undefined });
}

/** The text comments of the messages `result` delivered to `to`. */
function commentsTo(result: SendMessageResult, to: Address): string[] {
    return result.transactions.filter((t) => t.inMessage?.info.dest instanceof Address && t.inMessage.info.dest.equals(to)).map((t) => commentOf(t.inMessage!.body) ?? '');
}

describe('worker and job actions from a plain wallet, through the printed link', () => {
    let p: Protocol;
    let owner: Wallet;
    let stranger: Wallet;
    let worker: Address;

    beforeAll(async () => {
        p = await deployForJobs({ workers: 2 });
        owner = p.workers[0].owner;
        worker = p.workers[0].worker.address;
        stranger = await p.wallet('link stranger');
    });

    const w = () => p.workers[0].worker;

    it.each([
        [
            'worker/setPayoutThreshold',
            async () => {
                await sendLink(owner, await printedLink(p, owner, setPayoutThreshold, ['--worker', worker.toString(), '--threshold', '5']));
                expect((await w().getEarnings()).payoutThreshold).toBe(toNano('5'));
            },
        ],
        [
            'worker/setOperator',
            async () => {
                await sendLink(owner, await printedLink(p, owner, setOperator, ['--worker', worker.toString(), '--operator', stranger.address.toString()]));
                expect(await w().getOperator()).toEqualAddress(stranger.address);
            },
        ],
        [
            'worker/collect (the owner gets "cocoon: payout")',
            async () => {
                await stranger.send({ to: worker, value: toNano('2'), body: jobPayoutBody({ amount: toNano('1'), nonce: 1n }) });
                const held = (await w().getEarnings()).earnings;
                expect(held).toBeGreaterThan(0n);
                const r = await sendLink(owner, await printedLink(p, owner, collect, ['--worker', worker.toString()]));
                expect((await w().getEarnings()).earnings).toBe(0n);
                expect(commentsTo(r, owner.address)).toContain('cocoon: payout');
            },
        ],
        [
            'worker/addStake',
            async () => {
                const before = (await w().getState()).stake;
                await sendLink(stranger, await printedLink(p, stranger, addStake, ['--worker', worker.toString(), '--amount', '3']));
                expect((await w().getState()).stake - before).toBeGreaterThan(toNano('2.9'));
            },
        ],
        [
            'worker/setPrices',
            async () => {
                await sendLink(owner, await printedLink(p, owner, setPrices, ['--worker', worker.toString(), '--prices', '1,1,1,1', '--endpoint', 'https://link.example']));
                expect((await w().getProfile()).endpoint).toBe('https://link.example');
                expect((await w().getProfile()).prices.prompt).toBe(toNano('1'));
            },
        ],
        [
            'worker/unbond, worker/cancelUnbond, worker/withdraw (the owner gets "cocoon: stake withdrawn")',
            async () => {
                const other = p.workers[1].worker;
                const o = p.workers[1].owner;
                const args = ['--worker', other.address.toString()];
                await sendLink(o, await printedLink(p, o, unbond, args));
                expect((await other.getState()).status).toBe(WorkerStatus.Unbonding);
                await sendLink(o, await printedLink(p, o, cancelUnbond, args));
                expect((await other.getState()).status).toBe(WorkerStatus.Active);
                await sendLink(o, await printedLink(p, o, unbond, args));
                p.advance(p.params.unbondingPeriod + 1);
                const r = await sendLink(o, await printedLink(p, o, withdraw, args));
                expect(commentsTo(r, o.address)).toContain('cocoon: stake withdrawn');
                expect((await p.blockchain.getContract(other.address)).accountState?.type ?? 'none').not.toBe('active');
            },
        ],
        [
            'job/open, job/topup, job/close, job/finalize (the client gets "cocoon: job closed")',
            async () => {
                const client = await p.wallet('link client');
                await sendLink(
                    client,
                    await printedLink(p, client, jobOpen, ['--root', p.root.address.toString(), '--worker', worker.toString(), '--client', client.address.toString(), '--client-key', hex(hashOf('link key')), '--deposit', '2', '--job-id', '7']),
                );
                const job = p.blockchain.openContract(Job.createForJob({ root: p.root.address, client: client.address, worker, jobId: 7n }));
                expect(await job.getState()).toBe(JobState.Active);
                const before = (await job.getJobData()).deposit;
                await sendLink(client, await printedLink(p, client, jobTopup, ['--job', job.address.toString(), '--amount', '1']));
                expect((await job.getJobData()).deposit - before).toBeGreaterThan(toNano('0.9'));
                await sendLink(client, await printedLink(p, client, jobClose, ['--job', job.address.toString()]));
                expect(await job.getState()).toBe(JobState.Closing);
                p.advance(p.params.maxChallenge + 1);
                const r = await sendLink(stranger, await printedLink(p, stranger, jobFinalize, ['--job', job.address.toString()]));
                expect(commentsTo(r, client.address)).toContain('cocoon: job closed');
                expect((await p.blockchain.getContract(job.address)).accountState?.type ?? 'none').not.toBe('active');
            },
        ],
        [
            'root/governance (add a model)',
            async () => {
                await sendLink(p.governance, await printedLink(p, p.governance, governance, ['--root', p.root.address.toString(), '--action', 'add-model', '--model', hex(hashOf('link model')), '--name', 'org/link@1:1']));
                expect(await p.root.getIsModelAllowed(hashOf('link model'))).toBe(true);
            },
        ],
        [
            'root/deploy (state init in the link)',
            async () => {
                const link = await printedLink(p, stranger, rootDeploy, ['--job-code', 'inline', '--min-stake', '12']);
                expect(parseTonLink(link).init).not.toBeNull();
                await sendLink(stranger, link);
                const root = p.blockchain.openContract(Root.createFromAddress(parseTonLink(link).to));
                expect((await root.getParams()).minStake).toBe(toNano('12'));
                expect((await root.getGovernance()).governance).toEqualAddress(stranger.address);
            },
        ],
        [
            'root/publishJobCode (a masterchain librarian with its state init)',
            async () => {
                const link = await printedLink(p, stranger, publishJobCode, ['--rent', '1']);
                await sendLink(stranger, link);
                const librarian = p.blockchain.openContract(Librarian.forLibrary(loadCode('Job').hash()));
                expect(parseTonLink(link).to).toEqualAddress(librarian.address);
                expect(await librarian.getIsPublished()).toBe(true);
                expect(Cell).toBeDefined();
            },
        ],
        [
            'worker/register, worker/update',
            async () => {
                const o = await p.wallet('link registrant');
                const args = (label: string) => {
                    const { registration: r } = p.registrationFor(label);
                    return ['--root', p.root.address.toString(), '--index', '0', '--receipt-key', hex(r.receiptKey), '--enc-key', hex(r.encryptionKey), '--image', hex(r.attestation.imageHash), '--model', hex(r.attestation.modelHash), '--quote-hash', hex(r.attestation.quoteHash), '--prices', '0.2,0.05,0.6,0.6'];
                };
                await sendLink(o, await printedLink(p, o, register, [...args('link a'), '--endpoint', 'https://a.example', '--stake', '12']));
                const account = p.blockchain.openContract(Worker.createFromAddress(await p.root.getWorkerAddress(o.address, 0)));
                expect((await account.getState()).status).toBe(WorkerStatus.Active);
                await sendLink(o, await printedLink(p, o, update, [...args('link b'), '--endpoint', 'https://b.example']));
                expect((await account.getProfile()).endpoint).toBe('https://b.example');
                expect((await account.getKeys()).receiptKey).toEqual(p.registrationFor('link b').registration.receiptKey);
            },
        ],
        [
            'root/sync (anyone)',
            async () => {
                const r = await sendLink(stranger, await printedLink(p, stranger, sync, ['--root', p.root.address.toString(), '--owner', owner.address.toString(), '--index', '0']));
                expect(r.transactions).toHaveTransaction({ from: p.root.address, to: worker, success: true });
            },
        ],
        [
            'root/fundLibrary (anyone)',
            async () => {
                const before = (await p.root.getLibraryFunding()).paidUntil;
                await sendLink(stranger, await printedLink(p, stranger, fundLibrary, ['--root', p.root.address.toString()]));
                expect((await p.root.getLibraryFunding()).paidUntil).toBeGreaterThan(before);
            },
        ],
        [
            'council/deploy (state init in the link), council/handover propose and accept',
            async () => {
                const g = p.governance;
                const link = await printedLink(p, g, councilDeploy, ['--root', p.root.address.toString(), '--members', `${g.address.toString()}:1`, '--threshold', '1']);
                await sendLink(g, link);
                const c = p.blockchain.openContract(Council.createFromAddress(parseTonLink(link).to));
                expect((await c.getCouncilData()).threshold).toBe(1n);
                const args = ['--root', p.root.address.toString(), '--council', c.address.toString()];
                await sendLink(g, await printedLink(p, g, handover, [...args, '--step', 'propose']));
                expect((await p.root.getGovernance()).pending).toEqualAddress(c.address);
                await sendLink(g, await printedLink(p, g, handover, [...args, '--step', 'accept']));
                expect((await p.root.getGovernance()).governance).toEqualAddress(c.address);
            },
        ],
    ])('%s', async (name, check) => {
        await check();
        cover(name);
    });

    it('worker/status prints the image label and the model name from the root’s allowlists next to the hashes', async () => {
        const provider = new SandboxNetworkProvider(p.blockchain, stranger);
        await workerStatus(provider, ['--worker', worker.toString()]);
        const profile = await w().getProfile();
        const image = (await p.root.getImages()).get(profile.imageHash)!;
        const model = (await p.root.getModels()).get(profile.modelHash)!;
        const out = provider.ui().output.join('\n');
        expect(out).toContain(`image ${hex(profile.imageHash)} "${image.label}"`);
        expect(out).toContain(`model ${hex(profile.modelHash)} "${model.name}"`);
    });
});

describe('council actions from a plain wallet, through the printed link', () => {
    let k: CouncilKit;

    beforeAll(async () => {
        k = await deployCouncil();
    });

    const proposal = (id: number) => k.proposal(id);
    const council = () => k.council.address.toString();

    it.each([
        [
            'council/propose, council/vote, council/cancel',
            async () => {
                const { nextId } = await k.council.getCouncilData();
                await sendLink(k.alice, await printedLink(k, k.alice, propose, ['--council', council(), '--action', 'set-threshold', '--threshold', '6', '--description', 'by link']));
                expect((await proposal(nextId).getProposalData()).proposer).toEqualAddress(k.alice.address);
                await sendLink(k.bob, await printedLink(k, k.bob, vote, ['--council', council(), '--id', String(nextId), '--vote', 'yes']));
                expect(await proposal(nextId).getHasVoted(k.bob.address)).toEqual({ voted: true, yes: true });
                await sendLink(k.alice, await printedLink(k, k.alice, cancel, ['--council', council(), '--id', String(nextId)]));
                expect(await proposal(nextId).getState()).toBe(ProposalState.Cancelled);
            },
        ],
        [
            'council/veto (the guardian, until execution)',
            async () => {
                const { id, proposal: pr } = await k.propose(k.alice, [{ kind: 'setThreshold', threshold: 6n }]);
                await k.pass(pr);
                await sendLink(k.guardian, await printedLink(k, k.guardian, veto, ['--council', council(), '--id', String(id)]));
                expect(await pr.getState()).toBe(ProposalState.Vetoed);
            },
        ],
        [
            'council/emergency (the guardian: retire an image and pause, at once; never unpause)',
            async () => {
                await sendLink(k.guardian, await printedLink(k, k.guardian, emergency, ['--council', council(), '--action', 'retire-image', '--image', hex(k.imageHash)]));
                expect(await k.root.getIsImageAllowed(k.imageHash)).toBe(false);
                await sendLink(k.guardian, await printedLink(k, k.guardian, emergency, ['--council', council(), '--action', 'pause', '--what', 'jobs']));
                expect(await k.root.getPaused()).toBe(PauseFlags.jobOpenings);
                await expect(printedLink(k, k.guardian, emergency, ['--council', council(), '--action', 'add-image', '--image', hex(k.imageHash)])).rejects.toThrow(/not an emergency action/);
            },
        ],
        [
            'council/propose: cancel a queued proposal, unpause, withdraw a handover offer, return the council surplus',
            async () => {
                const { id: queued, proposal: q } = await k.propose(k.alice, [{ kind: 'setThreshold', threshold: 6n }]);
                await k.pass(q);
                const { nextId } = await k.council.getCouncilData();
                await sendLink(k.alice, await printedLink(k, k.alice, propose, ['--council', council(), '--action', 'cancel-proposal', '--id', String(queued), '--description', 'cancel by vote']));
                const actions = (await proposal(nextId).getProposalData()).actions;
                expect(actions).toEqual([{ kind: 'cancelProposal', id: queued }]);
                for (const [action, extra, kind] of [
                    ['unpause', ['--what', 'all'], { kind: 'root', action: { kind: 'unpause', flags: PauseFlags.all } }],
                    ['withdraw-handover', [], { kind: 'root', action: { kind: 'proposeGovernance', newGovernance: null } }],
                    ['withdraw-surplus', ['--amount', '1', '--to', k.outsider.address.toString()], { kind: 'withdraw', amount: toNano('1') }],
                ] as const) {
                    const id = (await k.council.getCouncilData()).nextId;
                    await sendLink(k.alice, await printedLink(k, k.alice, propose, ['--council', council(), '--action', action, ...extra, '--description', action]));
                    expect((await proposal(id).getProposalData()).actions[0]).toMatchObject(kind);
                }
            },
        ],
        [
            'council/execute, council/cleanup',
            async () => {
                const { id, proposal: pr } = await k.propose(k.alice, [{ kind: 'setThreshold', threshold: 6n }]);
                await k.pass(pr);
                k.advance(TIMELOCK + 1);
                await sendLink(k.outsider, await printedLink(k, k.outsider, execute, ['--council', council(), '--id', String(id)]));
                expect(await pr.getState()).toBe(ProposalState.Executed);
                expect((await k.council.getCouncilData()).threshold).toBe(6n);
                await sendLink(k.outsider, await printedLink(k, k.outsider, cleanup, ['--council', council(), '--id', String(id)]));
                expect((await k.blockchain.getContract(pr.address)).accountState?.type ?? 'none').not.toBe('active');
            },
        ],
    ])('%s', async (name, check) => {
        await check();
        cover(name);
    });
});

describe('the table above', () => {
    it('covers every script that sends (every catalog entry that is not read-only)', () => {
        const sending = SCRIPTS.filter(([, what]) => !what.startsWith('read:')).map(([n]) => n);
        expect([...covered].sort()).toEqual([...sending].sort());
    });
});
