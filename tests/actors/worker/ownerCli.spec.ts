/**
 * The operator CLI's owner and bookkeeping commands as an operator runs them (child processes) against the
 * local chain: register and serve, then `claim` (through the owner wallet), `status --json`, `set-prices`,
 * `collect`, `unbond`, and a `withdraw` before the unbonding period is over (refused, one clear line).
 * Every `--json` stdout is JSON lines only: the logs go to stderr.
 */
import { X509Certificate } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Address, toNano } from '@ton/core';
import { startLocalnet, type Localnet } from '../../../actors/chain/dev/localnet/localnet';
import { EmbeddedChain } from '../../../actors/chain/dev/embedded';
import { anchorFromCertificate } from '../../../actors/tee';
import { Worker } from '../../../wrappers/Worker';
import { WorkerStatus } from '../../../wrappers/Constants';
import { allowSimulatedImageAndTinyModel } from './kit/allowlist';
import { TestClient } from './kit/client';
import { openLocalnetJob } from './kit/localnetJob';
import { StubEngine } from './kit/stubEngine';
import { kill9, runWorkerCli, startServingWorker, type CliRun, type ServingWorker } from './kit/workerProcess';

const MODEL = 'owner-cli-model';
let net: Localnet | undefined;
let engine: StubEngine | undefined;
let dir: string;
let serving: ServingWorker | undefined;

const common = () => [
    '--network', 'localnet',
    '--chain-endpoint', net!.endpoint,
    '--root', net!.protocol!.root,
    '--wallet-mnemonic', net!.wallets[3].mnemonic.join(' '),
    '--data-dir', join(dir, 'state'),
];

/** Each stdout line of a --json command is one JSON document (no log line among them). */
function jsonLines(r: CliRun): Record<string, unknown>[] {
    return r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'worker-owner-cli-'));
    writeFileSync(join(dir, 'model.bin'), 'owner cli weights');
    engine = new StubEngine({ model: MODEL });
    await engine.start();
    net = await startLocalnet({ wallets: 4 });
    await allowSimulatedImageAndTinyModel(net, { modelPath: join(dir, 'model.bin'), model: MODEL });
}, 300_000);

afterAll(async () => {
    if (serving) await kill9(serving.child);
    await engine?.stop();
    await net?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

it('claim --json --claim-via wallet: a voucher the worker held is claimed through the owner wallet and pays the job', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    serving = await startServingWorker([
        'register', '--json', ...common(),
        '--quote-provider', 'simulated', '--model-id', MODEL, '--model-path', join(dir, 'model.bin'), '--engine-url', engine!.url,
        '--prices', '5000,1000,5000,5000', '--endpoint', `http://127.0.0.1:${port}`, '--listen', `127.0.0.1:${port}`,
        '--credit-limit', '100', '--claim-threshold', '1000000', '--stake', '10', '--log-level', 'info',
    ]);
    // with --log-level info the worker logs plenty; none of it is on stdout
    for (const line of serving.stdout().trim().split('\n')) expect(JSON.parse(line)).not.toHaveProperty('level');
    const account = Address.parse(serving.account);
    const { job, voucherFor } = await openLocalnetJob(net!, account, 1n, 'owner cli client');
    const pem = readFileSync(join(dir, 'state', 'simulated-root.pem'), 'utf8');
    const client = new TestClient(serving.url, [anchorFromCertificate(new X509Certificate(pem), 'simulated worker root', true)]);
    await client.attest();
    const a = await client.request(job.address, 1, { kind: 'chat', body: { model: MODEL, messages: [{ role: 'user', content: 'hello' }], stream: true, max_tokens: 20 } });
    expect(a.status).toBe(200);
    const amount = a.receipt!.receipt.cumulative;
    expect((await client.sendVoucher(await voucherFor(a.receipt!))).status).toBe(200);
    await kill9(serving.child); // the voucher stays in the store, unclaimed (the threshold is out of reach)
    serving = undefined;
    expect((await job.getJobData()).paid).toBe(0n);

    const r = await runWorkerCli(['claim', '--json', '--claim-via', 'wallet', '--log-level', 'info', ...common()]);
    expect(r.code).toBe(0);
    expect(jsonLines(r)).toEqual([{ unconfirmed: 0 }]);
    expect((await job.getJobData()).paid).toBe(amount);
    // the claim came from the owner wallet (an internal message), not as a gasless external
    const wallet = net!.wallets[3].address;
    const txs = await EmbeddedChain.over(net!.chain.blockchain).transactionsSince(job.address, null, { limit: 20 });
    const claims = txs.transactions.filter((t) => t.inMessage?.source?.equals(wallet));
    expect(claims).toHaveLength(1);
    expect(claims[0].success).toBe(true);
    expect(txs.transactions.filter((t) => t.inMessage?.kind === 'external-in')).toHaveLength(0);

    const s = await runWorkerCli(['status', '--json', ...common()]);
    expect(s.code).toBe(0);
    const [status] = jsonLines(s) as [{ exists: boolean; onChain: { state: { status: number; stake: string } }; local: { jobs: number; served: number; claimed: string; unclaimed: string } }];
    expect(status.exists).toBe(true);
    expect(status.onChain.state.status).toBe(WorkerStatus.Active);
    expect(BigInt(status.onChain.state.stake)).toBeGreaterThanOrEqual(toNano('10'));
    expect(status.local).toMatchObject({ jobs: 1, served: 1, claimed: amount.toString(), unclaimed: '0' });
    const human = await runWorkerCli(['status', ...common()]);
    expect(human.stdout).toContain(`${amount} nanoton paid by claims (confirmed on-chain)`);
}, 600_000);

it('set-prices, collect and unbond go through the owner wallet; withdraw before the unbonding period is one refusal line', async () => {
    const statusJson = async () => (jsonLines(await runWorkerCli(['status', '--json', ...common()]))[0] as { account: string }).account;
    const account = Address.parse(await statusJson());
    const w = net!.chain.blockchain.openContract(Worker.createFromAddress(account));

    const p = await runWorkerCli(['set-prices', '--json', '--prices', '6000,1000,6000,6000', ...common()]);
    expect([p.code, p.stderr]).toEqual([0, '']);
    expect(jsonLines(p)).toEqual([{ what: 'set-prices', sent: true, success: true }]);
    expect((await w.getProfile()).prices.prompt).toBe(toNano('6000'));

    const c = await runWorkerCli(['collect', '--json', ...common()]);
    expect([c.code, c.stderr]).toEqual([0, '']);
    expect(jsonLines(c)).toEqual([{ what: 'collect', sent: true, success: true }]);

    const u = await runWorkerCli(['unbond', '--json', ...common()]);
    expect([u.code, u.stderr]).toEqual([0, '']);
    const state = await w.getState();
    expect(state.status).toBe(WorkerStatus.Unbonding);
    expect(state.unbondAt).toBeGreaterThan(0);

    const x = await runWorkerCli(['withdraw', '--json', ...common()]);
    expect(x.code).toBe(1);
    expect(x.stdout).toBe('');
    const lines = x.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^worker: refused_on_chain: withdraw: .* refused it: the unbonding period is not over \(error 142 unbondNotDue\)$/);
    expect((await w.getState()).stake).toBe(state.stake); // nothing left
}, 600_000);
