/**
 * What a plain-wallet user or a DAO member meets in the scripts: a transfer is sent once or only printed, never
 * both without saying so; reading needs no wallet; chain time, not the local clock; the proposal id read back
 * after confirmation; user-friendly addresses and human durations; client job scripts; help with no terminal.
 */
import { Address, toNano } from '@ton/core';
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { spawnSync } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import { createNetworkProvider } from '@ton/blueprint/dist/network/createNetworkProvider';
import { JobState } from '../../wrappers/Constants';
import { Council, createProposalBody } from '../../wrappers/Council';
import { Job } from '../../wrappers/Job';
import { PauseFlags } from '../../wrappers/Root';
import { Proposal, ProposalState } from '../../wrappers/Proposal';
import { hashOf } from '../../wrappers/testkit';
import { deployCouncil, CouncilKit, TIMELOCK } from '../../wrappers/testkit/council';
import { deployForJobs } from '../../wrappers/testkit/jobs';
import { SandboxNetworkProvider, sandboxTransactions, ScriptedUI } from '../../wrappers/testkit/networkProvider';
import { duration, friendly } from '../../scripts/lib/cli';
import { SCRIPTS } from '../../scripts/lib/catalog';
import { parseRunnerArgs, WalletlessNetworkProvider } from '../../scripts/lib/readonly';
import { run as vote } from '../../scripts/council/vote';
import { run as propose } from '../../scripts/council/propose';
import { run as veto } from '../../scripts/council/veto';
import { run as execute } from '../../scripts/council/execute';
import { run as councilStatus } from '../../scripts/council/status';
import { run as rootStatus } from '../../scripts/root/status';
import { run as workerStatus } from '../../scripts/worker/status';
import { run as jobOpen } from '../../scripts/job/open';
import { run as jobTopup } from '../../scripts/job/topup';
import { run as jobClose } from '../../scripts/job/close';
import { run as jobFinalize } from '../../scripts/job/finalize';
import { run as workerWithdraw } from '../../scripts/worker/withdraw';
import { run as workerSetPrices } from '../../scripts/worker/setPrices';
import { run as jobStatus } from '../../scripts/job/status';

const repo = path.resolve(__dirname, '..', '..');
const hex = (v: Buffer) => v.toString('hex');

/** A provider with no wallet over the sandbox chain: what `npm run read` builds over a public API. */
function walletless(blockchain: Blockchain): WalletlessNetworkProvider<ScriptedUI> {
    return new WalletlessNetworkProvider(
        {
            provider: (a, init) => blockchain.provider(a, init?.code && init?.data ? { code: init.code, data: init.data } : undefined),
            chainTime: async () => blockchain.now!,
            transactions: (a, limit) => sandboxTransactions(blockchain, a, limit),
        },
        'testnet',
        new ScriptedUI(),
    );
}

describe('council scripts for a member with a wallet app', () => {
    let k: CouncilKit;
    let proposalId: number;
    const as = (w: SandboxContract<TreasuryContract>, answers: string[] = []) => new SandboxNetworkProvider(k.blockchain, w, answers);

    beforeAll(async () => {
        k = await deployCouncil();
        proposalId = (await k.propose(k.alice, [{ kind: 'root', value: toNano('0.05'), action: { kind: 'addModel', modelHash: hashOf('ux model'), name: 'org/ux@1:1' } }])).id;
    });

    it('--link-only prints the link and sends nothing; with no flag the script asks and sends only on "send"', async () => {
        const council = k.council.address.toString();
        const p1 = as(k.bob);
        await vote(p1, ['--council', council, '--id', String(proposalId), '--vote', 'Yes', '--link-only']);
        expect(p1.ui().output.some((l) => l.includes('text=yes'))).toBe(true);
        expect((await k.proposal(proposalId).getHasVoted(k.bob.address)).voted).toBe(false);

        const p2 = as(k.bob, ['only print the link (I will open it in my wallet)']);
        await vote(p2, ['--council', council, '--id', String(proposalId), '--vote', 'yes']);
        expect(p2.ui().output.join('\n')).toMatch(/Not sent by this script/);
        expect((await k.proposal(proposalId).getHasVoted(k.bob.address)).voted).toBe(false);

        // the old scripts printed the link and sent anyway; now an unanswered choice stops before sending
        await expect(vote(as(k.bob), ['--council', council, '--id', String(proposalId), '--vote', 'yes'])).rejects.toThrow(/Send it from this script, or only print the link/);
        expect((await k.proposal(proposalId).getHasVoted(k.bob.address)).voted).toBe(false);

        const p3 = as(k.bob, ['send it now from the connected wallet']);
        await vote(p3, ['--council', council, '--id', String(proposalId), '--vote', 'yes']);
        expect(p3.ui().output.join('\n')).toMatch(/do not also open the link/);
        expect(await k.proposal(proposalId).getHasVoted(k.bob.address)).toEqual({ voted: true, yes: true });
    });

    it('Blueprint asks "which wallet" before a read-only script; the no-wallet runner reads council/status without one', async () => {
        await expect(createNetworkProvider(new ScriptedUI(), { _: [], '--testnet': true }, undefined)).rejects.toThrow(/Which wallet are you using\?/);
        const reader = walletless(k.blockchain);
        await councilStatus(reader, ['--council', k.council.address.toString(), '--id', String(proposalId)]);
        const out = reader.ui().output.join('\n');
        expect(out).toContain(`proposal ${proposalId} (${friendly(reader, k.proposal(proposalId).address)})`);
        expect(out).toMatch(/action 0: .*org\/ux@1:1/);
        const whole = walletless(k.blockchain);
        await councilStatus(whole, ['--council', k.council.address.toString()]);
        expect(whole.ui().output.join('\n')).toContain('voting period 3 days; timelock 2 days');
        expect(whole.ui().output.join('\n')).toContain(`member ${k.alice.address.toString({ testOnly: true, bounceable: false })} weight`);
        expect(whole.ui().output.join('\n')).not.toMatch(/\b0:[0-9a-f]{64}\b/);
        // an action script without a wallet prints its link and never sends
        const linkOnly = walletless(k.blockchain);
        await vote(linkOnly, ['--council', k.council.address.toString(), '--id', String(proposalId), '--vote', 'no']);
        expect(linkOnly.ui().output.some((l) => l.includes('text=no'))).toBe(true);
    });

    it('council/execute warns by the chain clock, not the local one', async () => {
        await k.pass(k.proposal(proposalId)); // bob already voted; carol's yes passes it (bob's second vote is refused)
        await vote(as(k.carol), ['--council', k.council.address.toString(), '--id', String(proposalId), '--vote', 'yes', '--send']).catch(() => undefined);
        expect(await k.proposal(proposalId).getState()).toBe(ProposalState.Passed);
        k.advance(TIMELOCK + 10);
        // the local clock is a day behind the chain: the old check warned "the timelock runs until" falsely
        const realNow = Date.now;
        Date.now = () => (k.blockchain.now! - 86_400) * 1000;
        try {
            const p = as(k.outsider);
            await execute(p, ['--council', k.council.address.toString(), '--id', String(proposalId), '--send']);
            expect(p.ui().output.join('\n')).not.toMatch(/timelock runs until/);
        } finally {
            Date.now = realNow;
        }
        expect(await k.proposal(proposalId).getState()).toBe(ProposalState.Executed);
    });

    it('council/propose reads its id back after confirmation, even when another member proposed first', async () => {
        const { nextId } = await k.council.getCouncilData();
        const base = as(k.alice);
        // bob's proposal lands between alice reading next_id and her transfer: the id read before is taken
        const racing = Object.assign(Object.create(base) as SandboxNetworkProvider, {
            sender: () => ({
                address: k.alice.address,
                send: async (args: Parameters<ReturnType<SandboxNetworkProvider['sender']>['send']>[0]) => {
                    await k.propose(k.bob, [{ kind: 'setThreshold', threshold: 5n }], { description: 'bob' });
                    await k.alice.send(args);
                },
            }),
        });
        await propose(racing, ['--council', k.council.address.toString(), '--action', 'set-threshold', '--threshold', '6', '--description', 'alice', '--send']);
        const line = base.ui().output.find((l) => l.startsWith('Proposal '))!;
        expect(line).toBe(`Proposal ${nextId + 1} at ${friendly(base, await k.council.getProposalAddress(nextId + 1))}`);
        expect((await k.proposal(nextId + 1).getProposalData()).proposer).toEqualAddress(k.alice.address);
        expect((await k.proposal(nextId).getProposalData()).proposer).toEqualAddress(k.bob.address);
        expect(createProposalBody).toBeDefined();
        expect(Council).toBeDefined();
        expect(Proposal).toBeDefined();
    });
});

describe('client job scripts and read-only registry scripts', () => {
    it('job/open, topup, close, finalize from a wallet; job/status finds the client’s jobs with no wallet', async () => {
        const p = await deployForJobs();
        const client = await p.wallet('job client');
        const worker = p.workers[0].worker.address;
        const c = (answers: string[] = []) => new SandboxNetworkProvider(p.blockchain, client, answers);
        const common = ['--root', p.root.address.toString(), '--worker', worker.toString(), '--client-key', hex(hashOf('client key'))];
        await jobOpen(c(), [...common, '--deposit', '3', '--send']);
        await jobOpen(c(), [...common, '--deposit', '1', '--send']);
        const job0 = p.blockchain.openContract(Job.createForJob({ root: p.root.address, client: client.address, worker, jobId: 0n }));
        const job1 = p.blockchain.openContract(Job.createForJob({ root: p.root.address, client: client.address, worker, jobId: 1n }));
        expect(await job0.getState()).toBe(JobState.Active);
        expect(await job1.getState()).toBe(JobState.Active);

        const before = (await job1.getJobData()).deposit;
        await jobTopup(c(), ['--job', job1.address.toString(), '--amount', '2', '--send']);
        expect((await job1.getJobData()).deposit - before).toBeGreaterThan(toNano('1.9'));

        const reader = walletless(p.blockchain);
        await jobStatus(reader, ['--root', p.root.address.toString(), '--client', client.address.toString(), '--worker', worker.toString()]);
        const out = reader.ui().output.join('\n');
        expect(out).toContain(`2 job(s) opened by ${client.address.toString({ testOnly: true, bounceable: false })}`);
        expect(out).toContain(`${friendly(reader, job0.address)}: Active, job id 0`);

        await jobClose(c(), ['--job', job0.address.toString(), '--send']);
        expect(await job0.getState()).toBe(JobState.Closing);
        const early = c();
        await jobFinalize(early, ['--job', job0.address.toString(), '--link-only']);
        expect(early.ui().output.join('\n')).toMatch(/challenge period runs until .* left/);
        p.advance(p.params.minChallenge + 1);
        await jobFinalize(c(), ['--job', job0.address.toString(), '--send']);
        expect((await p.blockchain.getContract(job0.address)).accountState?.type ?? 'none').not.toBe('active');
    });

    it('job/open, council/propose and council/veto fail with the contract’s refusal (a refused transfer never reads as done)', async () => {
        const p = await deployForJobs();
        const client = await p.wallet('paused client');
        const worker = p.workers[0].worker.address;
        await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'pause', flags: PauseFlags.jobOpenings }, toNano('0.05')));
        const open = new SandboxNetworkProvider(p.blockchain, client);
        const opening = jobOpen(open, ['--root', p.root.address.toString(), '--worker', worker.toString(), '--client-key', hex(hashOf('client key')), '--deposit', '3', '--send']);
        await expect(opening).rejects.toThrow(/open_job refused on-chain: job openings are paused by governance \(error 110 jobOpeningsPaused\)/);
        const job = Job.createForJob({ root: p.root.address, client: client.address, worker, jobId: 0n });
        expect((await p.blockchain.getContract(job.address)).accountState?.type ?? 'none').not.toBe('active');

        const k = await deployCouncil();
        const outsider = new SandboxNetworkProvider(k.blockchain, k.outsider);
        const proposing = propose(outsider, ['--council', k.council.address.toString(), '--action', 'set-threshold', '--threshold', '6', '--description', 'not a member', '--send']);
        await expect(proposing).rejects.toThrow(/the council refused the proposal: not a council member \(error 200 notMember\)/);
        const vetoing = veto(outsider, ['--council', k.council.address.toString(), '--id', '0', '--send']);
        await expect(vetoing).rejects.toThrow(/veto_proposal refused on-chain: only the guardian may send this \(error 203 notGuardian\)/);
    });

    it('every other sending script reads the contract’s answer too: a refused comment or owner op fails the script with the reason', async () => {
        const p = await deployForJobs();
        const w = p.workers[0];
        const worker = w.worker.address.toString();
        // The owner's "withdraw" before any unbonding: the worker account refuses it with the value.
        const owner = new SandboxNetworkProvider(p.blockchain, w.owner);
        await expect(workerWithdraw(owner, ['--worker', worker, '--send'])).rejects.toThrow(/"withdraw" refused on-chain: .*\(error 141 notUnbonding\)/);
        // set_prices (a binary owner op) from another wallet.
        const stranger = new SandboxNetworkProvider(p.blockchain, await p.wallet('stranger'));
        await expect(workerSetPrices(stranger, ['--worker', worker, '--prices', '0.2,0.05,0.6,0.6', '--send'])).rejects.toThrow(/op 0x[0-9a-f]{8} refused on-chain: .*\(error 102 notOwner\)/);
        // An accepted transfer still ends quietly: the owner's own set_prices.
        await workerSetPrices(owner, ['--worker', worker, '--prices', '0.2,0.05,0.6,0.6', '--send']);
    });

    it('root/status and worker/status run with no wallet and print friendly addresses and durations', async () => {
        const p = await deployForJobs();
        const r = walletless(p.blockchain);
        await rootStatus(r, ['--root', p.root.address.toString()]);
        expect(r.ui().output[0]).toMatch(/unbonding \d+ days?/);
        expect(r.ui().output.join('\n')).not.toMatch(/\b0:[0-9a-f]{64}\b/);
        const w = walletless(p.blockchain);
        await workerStatus(w, ['--worker', p.workers[0].worker.address.toString()]);
        expect(w.ui().output[0]).toMatch(/^status: Active/);
        expect(duration(90_061)).toBe('1 day 1 h');
        expect(duration(600)).toBe('10 min');
    });

    it('the no-wallet runner takes Blueprint’s network flags and passes the rest to the script', () => {
        expect(parseRunnerArgs(['root/status', '--custom', 'http://127.0.0.1:8081/jsonRPC', '--custom-type', 'mainnet', '--', '--root', 'EQx'])).toEqual({
            script: 'root/status',
            options: { network: 'mainnet', endpoint: 'http://127.0.0.1:8081/jsonRPC' },
            scriptArgs: ['--root', 'EQx'],
        });
    });
});

describe('the script list', () => {
    const files = ['root', 'worker', 'council', 'job'].flatMap((d) => readdirSync(path.join(repo, 'scripts', d)).filter((f) => f.endsWith('.ts')).map((f) => `${d}/${f.slice(0, -3)}`));

    it('names every script once, and the README lists each with one line', () => {
        expect(SCRIPTS.map(([n]) => n).sort()).toEqual([...files].sort());
        const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
        for (const f of files) expect(readme).toContain(`| \`${f}\` |`);
    });

    it('npx blueprint run with no terminal prints the scripts and how to name them', () => {
        const r = spawnSync('npx', ['blueprint', 'run'], { cwd: repo, input: '', encoding: 'utf8', timeout: 120_000 });
        expect(r.status).toBe(2);
        expect(r.stderr).toContain('needs a terminal');
        for (const f of files) expect(r.stderr).toContain(f);
        expect(Address).toBeDefined();
    });
});
