/**
 * The operator key end to end: the owner registers a worker (`register` with the owner's mnemonic), authorises an
 * operator wallet (`set-operator`), and the worker is restarted on a host that holds only the operator's mnemonic
 * (`start --owner <address> --operator-mnemonic …`): the restart puts its fresh keys on-chain through the operator
 * wallet and serves a sealed request, while the stake, prices and endpoint stay the owner's. Child processes against
 * the local chain server on 127.0.0.1, simulated TDX, the real tiny engine.
 */
import { spawn, type ChildProcess } from 'child_process';
import { X509Certificate } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Address, toNano } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { startLocalnet, type Localnet } from '../../../actors/chain/dev/localnet/localnet';
import { anchorFromCertificate } from '../../../actors/tee';
import { Job } from '../../../wrappers/Job';
import { Root } from '../../../wrappers/Root';
import { Worker } from '../../../wrappers/Worker';
import { TestClient } from './kit/client';
import { spawnTinyEngine, TinyEngineProcess } from './kit/tinyEngine';
import { allowSimulatedImageAndTinyModel } from './kit/allowlist';

const ROOT_DIR = join(__dirname, '../../..');
const PRICES = '5000,1000,5000,5000';
const PORT = 20_000 + Math.floor(Math.random() * 20_000);

let tiny: TinyEngineProcess | undefined;
let net: Localnet | undefined;
let dataDir = '';
const children: ChildProcess[] = [];

function workerArgs(command: string, extra: string[]): string[] {
    return [
        require.resolve('ts-node/dist/bin.js'),
        '--transpile-only',
        join(ROOT_DIR, 'actors/worker/main.ts'),
        command,
        '--json',
        '--network', 'localnet',
        '--chain-endpoint', net!.endpoint,
        '--root', net!.protocol!.root,
        '--log-level', 'warn',
        ...extra,
    ];
}

const serveArgs = () => [
    '--quote-provider', 'simulated',
    '--model-id', tiny!.model,
    '--model-path', tiny!.modelPath,
    '--engine-url', tiny!.url,
    '--prices', PRICES,
    '--endpoint', `http://127.0.0.1:${PORT}`,
    '--listen', `127.0.0.1:${PORT}`,
    '--data-dir', dataDir,
    '--credit-limit', '100',
    '--stake', '10',
];

/** Starts a serving worker; resolves with its URL and account once it listens. */
function startWorker(command: 'register' | 'start', wallet: string[]): Promise<{ child: ChildProcess; url: string; account: string; lines: string[] }> {
    const child = spawn(process.execPath, workerArgs(command, [...serveArgs(), ...wallet]), { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    return new Promise((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (b: Buffer) => {
            out += b.toString();
            const lines = out.split('\n').filter((l) => l.startsWith('{'));
            for (const line of lines) {
                try {
                    const j = JSON.parse(line) as { url?: string; workerAccount?: string };
                    if (j.url) resolve({ child, url: j.url, account: j.workerAccount!, lines });
                } catch {
                    /* partial line */
                }
            }
        });
        child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}): ${stderr}`)));
    });
}

/** Runs a one-shot CLI command to its end. */
function runCli(command: string, extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, workerArgs(command, extra), { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
}

beforeAll(async () => {
    tiny = await spawnTinyEngine();
    net = await startLocalnet({ wallets: 5 });
    await allowSimulatedImageAndTinyModel(net, tiny);
    dataDir = mkdtempSync(join(tmpdir(), 'worker-operator-'));
}, 300_000);

afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await tiny?.stop();
    await net?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('a restarted worker with only the operator mnemonic puts its fresh keys on-chain and serves; the stake stays the owner\'s', async () => {
    const bc = net!.chain.blockchain;
    const owner = net!.wallets[3];
    const operator = net!.wallets[4];
    const ownerWallet = ['--wallet-mnemonic', owner.mnemonic.join(' ')];
    const operatorOnly = ['--owner', owner.address.toString(), '--operator-mnemonic', operator.mnemonic.join(' ')];

    // 1. The owner registers the worker with its own wallet, then the host goes down.
    const first = await startWorker('register', ownerWallet);
    const worker = bc.openContract(Worker.createFromAddress(Address.parse(first.account)));
    await stop(first.child);
    const stake = (await worker.getState()).stake;
    const profile = await worker.getProfile();

    // 2. A restart with only the operator key, before the owner authorised it: one clear line, non-zero exit.
    const refused = await runCli('start', [...serveArgs(), ...operatorOnly]);
    expect(refused.code).toBe(1);
    // stderr also carries the logs (JSON lines, e.g. the simulated-provider warning); the failure is its one plain line
    expect(refused.stderr.split('\n').filter((l) => l.startsWith('worker:'))).toEqual([expect.stringMatching(/^worker: operator_not_authorised: the worker account does not name .* as its operator \(it names none\)/)]);

    // 3. The owner authorises the operator wallet (sent through the owner's wallet).
    const set = await runCli('set-operator', [...ownerWallet, '--operator', operator.address.toString()]);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout.trim().split('\n').pop()!)).toMatchObject({ what: 'set-operator', sent: true, success: true });
    expect((await worker.getOperator())!.equals(operator.address)).toBe(true);

    // 4. The restart with only the operator key: fresh keys on-chain through the operator wallet, then it serves.
    const second = await startWorker('start', operatorOnly);
    expect(second.lines.some((l) => (JSON.parse(l) as { update?: { via?: string } }).update?.via === 'operator')).toBe(true);
    const pem = readFileSync(join(dataDir, 'simulated-root.pem'), 'utf8');
    const c = new TestClient(second.url, [anchorFromCertificate(new X509Certificate(pem), 'simulated worker root', true)]);
    const doc = await c.attest();
    const keys = await worker.getKeys();
    expect(keys.receiptKey.toString('hex')).toBe(doc.receiptKey);
    expect(keys.encryptionKey.toString('hex')).toBe(doc.encKey);

    const clientWallet = await bc.treasury('operator test client');
    const root = bc.openContract(Root.createFromAddress(Address.parse(net!.protocol!.root)));
    const job = bc.openContract(Job.createForJob({ root: root.address, client: clientWallet.address, worker: worker.address, jobId: 1n }));
    const max = toNano('5000');
    const params = await root.getParams();
    await root.sendOpenJob(clientWallet.getSender(), toNano('50'), {
        worker: worker.address,
        jobId: 1n,
        clientKey: keyPairFromSeed(Buffer.alloc(32, 1)).publicKey,
        challenge: params.minChallenge,
        maxPrices: { prompt: max, cached: max, completion: max, reasoning: max },
    });
    const a = await c.request(job.address, 1, { kind: 'chat', body: { model: 'cocoon-tiny', messages: [{ role: 'user', content: 'hello' }], stream: true, max_tokens: 20 } });
    expect(a.status).toBe(200);
    c.checkReceipt(a);

    // The operator changed the keys and nothing else.
    expect((await worker.getState()).stake).toBe(stake);
    const after = await worker.getProfile();
    expect([after.prices, after.endpoint]).toEqual([profile.prices, profile.endpoint]);
    await stop(second.child);
}, 300_000);
