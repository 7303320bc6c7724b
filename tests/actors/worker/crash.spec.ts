/**
 * `kill -9` of a worker process: in the middle of a stream, and right after a voucher was acknowledged.
 * The worker runs as a child process (`npm run worker -- register|start`, simulated TDX, the real tiny
 * engine) against the local chain server on 127.0.0.1; after each restart nothing acknowledged is lost and
 * the stored voucher is claimed on-chain.
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
import { signVoucher } from '../../../actors/crypto/payloads';
import { Job } from '../../../wrappers/Job';
import { Root } from '../../../wrappers/Root';
import { chainHead, ZERO_HEAD } from '../../../wrappers/payloads';
import { TestClient, receiptFromBase64 } from './kit/client';
import { spawnTinyEngine, TinyEngineProcess } from './kit/tinyEngine';
import { allowSimulatedImageAndTinyModel } from './kit/allowlist';

const ROOT_DIR = join(__dirname, '../../..');
const PRICES = '5000,1000,5000,5000'; // TON per million tokens: a request costs tenths of a TON, enough for a gasless claim

let tiny: TinyEngineProcess | undefined;
let net: Localnet | undefined;
let dataDir: string;
let worker: ChildProcess | undefined;
let workerUrl = '';
let workerAccount: Address;
const children: ChildProcess[] = [];

/** Claim thresholds: at once, or never by amount (only a shutdown or a closing job makes that worker claim). */
const CLAIM_AT_ONCE = '0.000000001';
const CLAIM_NEVER_BY_AMOUNT = '1000000';

function startWorker(command: 'register' | 'start', port: number, claimThreshold = CLAIM_AT_ONCE): Promise<{ url: string; account: string }> {
    const args = [
        require.resolve('ts-node/dist/bin.js'),
        '--transpile-only',
        join(ROOT_DIR, 'actors/worker/main.ts'),
        command,
        '--json',
        '--network', 'localnet',
        '--chain-endpoint', net!.endpoint,
        '--root', net!.protocol!.root,
        '--wallet-mnemonic', net!.wallets[3].mnemonic.join(' '),
        '--quote-provider', 'simulated',
        '--model-id', tiny!.model,
        '--model-path', tiny!.modelPath,
        '--engine-url', tiny!.url,
        '--prices', PRICES,
        '--endpoint', `http://127.0.0.1:${port}`,
        '--listen', `127.0.0.1:${port}`,
        '--data-dir', dataDir,
        '--credit-limit', '100',
        '--claim-threshold', claimThreshold,
        '--stake', '10',
        '--log-level', 'warn',
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    worker = child;
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    return new Promise((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (b: Buffer) => {
            out += b.toString();
            for (const line of out.split('\n')) {
                if (!line.startsWith('{')) continue;
                try {
                    const j = JSON.parse(line) as { url?: string; workerAccount?: string };
                    if (j.url) resolve({ url: j.url, account: j.workerAccount! });
                } catch {
                    /* partial line */
                }
            }
        });
        child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}): ${stderr}`)));
    });
}

async function kill9(): Promise<void> {
    const w = worker!;
    if (w.exitCode !== null || w.signalCode !== null) return;
    const exited = new Promise((r) => w.once('exit', r));
    w.kill('SIGKILL');
    await exited;
}

function client(): TestClient {
    const pem = readFileSync(join(dataDir, 'simulated-root.pem'), 'utf8');
    return new TestClient(workerUrl, [anchorFromCertificate(new X509Certificate(pem), 'simulated worker root', true)]);
}

const PORT = 20_000 + Math.floor(Math.random() * 20_000);

beforeAll(async () => {
    tiny = await spawnTinyEngine({ tokenDelayMs: 30 });
    net = await startLocalnet({ wallets: 4 });
    const { root, image } = await allowSimulatedImageAndTinyModel(net, tiny);
    expect(await net.chain.blockchain.openContract(root).getIsImageAllowed(image)).toBe(true);
    dataDir = mkdtempSync(join(tmpdir(), 'worker-crash-'));
    const w = await startWorker('register', PORT);
    workerUrl = w.url;
    workerAccount = Address.parse(w.account);
}, 300_000);

afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await tiny?.stop();
    await net?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function openJob(jobId: bigint) {
    const bc = net!.chain.blockchain;
    const root = bc.openContract(Root.createFromAddress(Address.parse(net!.protocol!.root)));
    const clientWallet = await bc.treasury(`crash client ${jobId}`);
    const keys = keyPairFromSeed(Buffer.alloc(32, Number(jobId)));
    const job = bc.openContract(Job.createForJob({ root: root.address, client: clientWallet.address, worker: workerAccount, jobId }));
    const params = await root.getParams();
    const max = toNano('5000');
    await root.sendOpenJob(clientWallet.getSender(), toNano('50'), { worker: workerAccount, jobId, clientKey: keys.publicKey, challenge: params.minChallenge, maxPrices: { prompt: max, cached: max, completion: max, reasoning: max } });
    expect(await job.getState()).toBe(2);
    return { job, keys };
}

const chat = (content: string) => ({ kind: 'chat' as const, body: { model: 'cocoon-tiny', messages: [{ role: 'user', content }], stream: true, max_tokens: 40 } });

it('kill -9 mid-stream: nothing was signed, so after the restart the same seqno is served once', async () => {
    const { job } = await openJob(1n);
    let c = client();
    await c.attest();
    // the worker dies while the client is still reading: the stream breaks, no receipt was ever signed
    let killed: Promise<void> | null = null;
    const partial = await c.request(job.address, 1, chat('tell me a long story'), { onData: (n) => void (n === 2 && (killed = kill9())) }).catch((e: Error) => e);
    expect('status' in (partial as object)).toBe(false); // the read failed (fetch's TypeError "terminated"), no answer
    await killed;
    // the next test needs a worker that holds its vouchers: it claims nothing by amount
    workerUrl = (await startWorker('start', PORT, CLAIM_NEVER_BY_AMOUNT)).url;
    c = client();
    await c.attest(); // new keys, registered through the wallet by the restarted worker
    const a = await c.request(job.address, 1, chat('tell me a long story'));
    expect(a.status).toBe(200);
    c.checkReceipt(a);
    expect(a.receipt!.receipt.seqno).toBe(1);
}, 300_000);

it('kill -9 right after a voucher is acknowledged: after the restart the receipt is still there and the voucher is claimed', async () => {
    const { job, keys } = await openJob(2n);
    let c = client();
    await c.attest();
    const a = await c.request(job.address, 1, chat('hello'));
    expect(a.status).toBe(200);
    const r = a.receipt!.receipt;
    const v = signVoucher({ globalId: r.globalId, job: job.address, nonce: await job.getNonce(), amount: r.cumulative, tokens: BigInt(r.tokens.prompt + r.tokens.completion), head: chainHead(ZERO_HEAD, a.receipt!.cell), final: false }, keys.secretKey);
    const ack = await c.sendVoucher(v);
    expect(ack.status).toBe(200);
    await kill9();
    // nothing was claimed before the kill (that worker's threshold is out of reach), so a payment seen below is
    // the restarted worker's claim of the voucher it found in its store
    expect((await job.getJobData()).paid).toBe(0n);
    workerUrl = (await startWorker('start', PORT)).url;
    c = client();
    await c.attest();
    const again = await c.request(job.address, 1, chat('hello'));
    expect(again.error!.code).toBe('seqno_replayed');
    expect(receiptFromBase64(again.error!.details.receipt!).cell.hash().equals(a.receipt!.cell.hash())).toBe(true);
    // the restarted worker claims the stored voucher on its own
    let paid = 0n;
    for (let i = 0; i < 60 && paid < r.cumulative; i++) {
        await new Promise((res) => setTimeout(res, 500));
        paid = (await job.getJobData()).paid;
    }
    expect(paid).toBe(r.cumulative);
}, 300_000);

it('SIGTERM: a worker holding a voucher below its claim threshold claims it on-chain before it exits', async () => {
    await kill9();
    workerUrl = (await startWorker('start', PORT, CLAIM_NEVER_BY_AMOUNT)).url;
    const { job, keys } = await openJob(3n);
    const c = client();
    await c.attest();
    const a = await c.request(job.address, 1, chat('hello'));
    expect(a.status).toBe(200);
    const r = a.receipt!.receipt;
    const v = signVoucher({ globalId: r.globalId, job: job.address, nonce: await job.getNonce(), amount: r.cumulative, tokens: BigInt(r.tokens.prompt + r.tokens.completion), head: chainHead(ZERO_HEAD, a.receipt!.cell), final: false }, keys.secretKey);
    expect((await c.sendVoucher(v)).status).toBe(200);
    expect((await job.getJobData()).paid).toBe(0n); // held, below the threshold
    const w = worker!;
    const exited = new Promise<number | null>((res) => w.once('exit', (code) => res(code)));
    w.kill('SIGTERM');
    expect(await exited).toBe(0);
    // the claim landed before the process exited: no other process is left to send it
    expect((await job.getJobData()).paid).toBe(r.cumulative);
}, 300_000);
