/** The operator CLI as an operator runs it (a child process): attest output, and one clear line per bad setting. */
import { spawnSync } from 'child_process';
import http from 'http';
import type { AddressInfo } from 'net';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseQuote, reportDataFor } from '../../../actors/tee';
import { modelHash } from '../../../actors/engine';
import { startLocalnet, type Localnet } from '../../../actors/chain/dev/localnet/localnet';
import { runWorkerCli } from './kit/workerProcess';

const ROOT = join(__dirname, '../../..');
let dir: string;

function worker(args: string[]) {
    const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, 'actors/worker/main.ts'), ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, WORKER_QUOTE_PROVIDER: '' },
        timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'worker-cli-'));
    writeFileSync(join(dir, 'model.bin'), 'weights');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('attest prints the keys, a quote binding them, its quote hash (of the declared bytes), image and model hashes', async () => {
    const r = worker(['attest', '--quote-provider', 'simulated', '--model-path', join(dir, 'model.bin'), '--data-dir', dir, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.quoteProvider).toBe('simulated');
    const quote = parseQuote(Buffer.from(out.quote, 'base64'));
    if (quote.tee !== 'tdx') throw new Error('not a TD quote');
    expect(quote.td.reportData.equals(reportDataFor({ receiptKey: Buffer.from(out.receiptKey, 'hex'), encKey: Buffer.from(out.encKey, 'hex') }))).toBe(true);
    expect(out.quoteHash).toBe(createHash('sha256').update(quote.declared).digest('hex'));
    expect(out.modelHash).toBe((await modelHash(join(dir, 'model.bin'))).toString('hex'));
    expect(out.imageHash).toMatch(/^[0-9a-f]{64}$/);
}, 180_000);

it('a missing quote provider or a bad value is one line and exit code 2', () => {
    const r = worker(['start', '--root', '0:' + '11'.repeat(32), '--model-id', 'm', '--model-path', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['worker: bad_config: --quote-provider (or WORKER_QUOTE_PROVIDER) is required: tdx (configfs-tsm inside a TD) or simulated (development only, marked in every answer); no default']);
    const b = worker(['start', '--root', 'nope', '--quote-provider', 'simulated', '--model-id', 'm', '--model-path', dir]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^worker: bad_config: --root \(or WORKER_ROOT\) = "nope": a TON address/);
}, 180_000);

it('several bad settings: every line carries the same "worker: bad_config:" prefix', () => {
    const r = worker(['start', '--root', 'nope', '--quote-provider', 'simulated', '--model-id', 'm', '--model-path', dir, '--credit-limit', 'lots']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBe(2);
    for (const line of lines) expect(line).toMatch(/^worker: bad_config: --(root|credit-limit) /);
}, 180_000);

describe('a chain endpoint that fails after the first answer', () => {
    let net: Localnet | undefined;
    let proxy: http.Server | undefined;
    let proxyUrl = '';

    beforeAll(async () => {
        net = await startLocalnet({ wallets: 3 });
        // Forwards the first calls (the chain's config check) to the local chain, then every get-method fails
        // the way a dead or overloaded endpoint does: a 502 with no JSON-RPC body.
        proxy = http.createServer((req, res) => {
            let body = '';
            req.on('data', (b: Buffer) => (body += b.toString()));
            req.on('end', () => {
                if (body.includes('"runGetMethod"')) return void res.writeHead(502).end('bad gateway');
                fetch(net!.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
                    .then(async (a) => res.writeHead(a.status, { 'content-type': 'application/json' }).end(await a.text()))
                    .catch(() => res.writeHead(502).end());
            });
        });
        await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', r));
        proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/jsonRPC`;
    }, 300_000);
    afterAll(async () => {
        if (proxy) {
            proxy.closeAllConnections();
            await new Promise((r) => proxy!.close(r));
        }
        await net?.stop();
    });

    it('a get-method failing inside the boot checks is one "worker: chain_unreachable:" line and exit 1, no stack trace', async () => {
        const r = await runWorkerCli([
            'start', '--network', 'localnet', '--chain-endpoint', proxyUrl, '--root', net!.protocol!.root,
            '--owner', net!.wallets[0].address.toString(), '--quote-provider', 'simulated', '--model-id', 'm',
            '--model-path', join(dir, 'model.bin'), '--data-dir', join(dir, 'boot-chain-down'),
        ]);
        expect(r.code).toBe(1);
        const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('{')); // pino warnings are JSON lines
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^worker: chain_unreachable: .*502/);
    }, 180_000);
});
