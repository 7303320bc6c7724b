/**
 * Blueprint scripts run unchanged against the local chain server: `npx blueprint run <script> --custom
 * <endpoint> --custom-version v2 --custom-type testnet --mnemonic`, as a child process, with a printed wallet.
 * The server runs with the testnet global id, which is what Blueprint signs W5 wallet ids for with
 * --custom-type testnet, so the wallet it derives is the one the server funded.
 */
// Local chain servers start in seconds on an idle machine, much slower on a loaded one: hooks get room.
jest.setTimeout(240_000);

import { Address, toNano } from '@ton/core';
import { spawn } from 'child_process';
import path from 'path';
import { HttpChain, requireSuccess } from '../../../actors/chain';
import { Localnet, startLocalnet } from '../../../actors/chain/dev';
import { Council } from '../../../wrappers/Council';
import { WorkerStatus } from '../../../wrappers/Constants';
import { Proposal } from '../../../wrappers/Proposal';
import { Root } from '../../../wrappers/Root';
import { Worker } from '../../../wrappers/Worker';
import { last, open } from './conformance';

const projectRoot = path.resolve(__dirname, '..', '..', '..');

function blueprint(net: Localnet, mnemonic: string[], script: string, args: string[]): Promise<{ code: number | null; output: string }> {
    const child = spawn(
        process.execPath,
        [path.join(projectRoot, 'node_modules', '@ton', 'blueprint', 'dist', 'cli', 'cli.js'), 'run', script, '--custom', net.endpoint, '--custom-version', 'v2', '--custom-type', 'testnet', '--mnemonic', '--', ...args],
        { cwd: projectRoot, env: { ...process.env, WALLET_VERSION: 'v5r1', WALLET_MNEMONIC: mnemonic.join(' ') }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const timer = setTimeout(() => child.kill(), 150_000);
    return new Promise((resolve) =>
        child.on('exit', (code) => {
            clearTimeout(timer);
            resolve({ code, output });
        }),
    );
}

describe('Blueprint scripts against the local chain server', () => {
    let net: Localnet;
    let chain: HttpChain;

    beforeAll(async () => {
        net = await startLocalnet({ deploy: true, wallets: 4 });
        chain = new HttpChain({ endpoint: net.endpoint }, { pollMs: { first: 20, max: 200 } });
    });
    afterAll(async () => {
        await net?.stop();
    });

    it('worker/register registers a worker from a printed wallet', async () => {
        const rootAddress = Address.parse(net.protocol!.root);
        const owner = net.wallets[3];
        const key = 'ab'.repeat(32);
        const r = await blueprint(net, owner.mnemonic, 'worker/register', [
            '--root', net.protocol!.root, '--index', '0', '--receipt-key', key, '--enc-key', 'cd'.repeat(32),
            '--image', net.protocol!.imageHash, '--model', net.protocol!.modelHash, '--quote-hash', 'ef'.repeat(32),
            '--endpoint', 'https://worker.example:8443/0', '--prices', '0.2,0.05,0.6,0.6', '--stake', '10', '--send',
        ]);
        expect(r.output).toContain('Sent transaction');
        expect(r.code).toBe(0);
        const root = open(chain, Root.createFromAddress(rootAddress));
        const worker = open(chain, Worker.createFromAddress(await root.getWorkerAddress(owner.address, 0)));
        expect(r.output).toContain(worker.address.toString({ testOnly: true }));
        const state = await worker.getState();
        expect(state.status).toBe(WorkerStatus.Active);
        expect(state.owner.equals(owner.address)).toBe(true);
        expect((await worker.getKeys()).receiptKey.toString('hex')).toBe(key);
    }, 200_000);

    it('council/vote: a member votes yes on a proposal another member made', async () => {
        const council = open(chain, Council.createFromAddress(Address.parse(net.protocol!.council)));
        const proposer = await chain.openWallet(net.wallets[0].mnemonic);
        const { nextId } = await council.getCouncilData();
        const s = proposer.sender();
        await council.sendCreateProposal(s, {
            actions: [{ kind: 'setPeriods', votingPeriod: 3 * 24 * 3600, timelock: 24 * 3600, executionWindow: 7 * 24 * 3600 }],
            description: 'shorter timelock',
            value: (await council.getProposalFee()) + toNano('0.1'),
        });
        requireSuccess(await chain.waitForTrace(proposer.address, last(s)));
        const voter = net.wallets[1];
        const r = await blueprint(net, voter.mnemonic, 'council/vote', ['--council', net.protocol!.council, '--id', String(nextId), '--vote', 'yes', '--send']);
        expect(r.output).toContain(`Voted yes on proposal ${nextId}`);
        expect(r.code).toBe(0);
        const proposal = open(chain, Proposal.createFromAddress(await council.getProposalAddress(nextId)));
        expect(await proposal.getHasVoted(voter.address)).toEqual({ voted: true, yes: true });
    }, 200_000);
});
