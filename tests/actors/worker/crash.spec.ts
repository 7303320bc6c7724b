/**
 * `kill -9` of a worker process: in the middle of a stream, and right after a voucher was acknowledged.
 * The worker runs as a child process (`npm run worker -- register|start`, simulated TDX, the real tiny
 * engine) against the local chain server on 127.0.0.1; after each restart nothing acknowledged is lost and
 * the stored voucher is claimed on-chain.
 */
import type { ChildProcess } from 'child_process';
import { X509Certificate } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Address } from '@ton/core';
import { startLocalnet, type Localnet } from '../../../actors/chain/dev/localnet/localnet';
import { anchorFromCertificate } from '../../../actors/tee';
import { TestClient, receiptFromBase64 } from './kit/client';
import { spawnTinyEngine, TinyEngineProcess } from './kit/tinyEngine';
import { allowSimulatedImageAndTinyModel } from './kit/allowlist';
import { openLocalnetJob } from './kit/localnetJob';
import { kill9 as killProcess, startServingWorker } from './kit/workerProcess';

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

async function startWorker(command: 'register' | 'start', port: number, claimThreshold = CLAIM_AT_ONCE): Promise<{ url: string; account: string }> {
    const w = await startServingWorker([
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
    ]);
    children.push(w.child);
    worker = w.child;
    return w;
}

const kill9 = () => killProcess(worker!);

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

const openJob = (jobId: bigint) => openLocalnetJob(net!, workerAccount, jobId, 'crash client');

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
    const { job, voucherFor } = await openJob(2n);
    let c = client();
    await c.attest();
    const a = await c.request(job.address, 1, chat('hello'));
    expect(a.status).toBe(200);
    const r = a.receipt!.receipt;
    const v = await voucherFor(a.receipt!);
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
    const { job, voucherFor } = await openJob(3n);
    const c = client();
    await c.attest();
    const a = await c.request(job.address, 1, chat('hello'));
    expect(a.status).toBe(200);
    const r = a.receipt!.receipt;
    const v = await voucherFor(a.receipt!);
    expect((await c.sendVoucher(v)).status).toBe(200);
    expect((await job.getJobData()).paid).toBe(0n); // held, below the threshold
    const w = worker!;
    const exited = new Promise<number | null>((res) => w.once('exit', (code) => res(code)));
    w.kill('SIGTERM');
    expect(await exited).toBe(0);
    // the claim landed before the process exited: no other process is left to send it
    expect((await job.getJobData()).paid).toBe(r.cumulative);
}, 300_000);
