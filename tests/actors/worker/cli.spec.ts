/** The operator CLI as an operator runs it (a child process): attest output, and one clear line per bad setting. */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseQuote, reportDataFor } from '../../../actors/tee';
import { modelHash } from '../../../actors/engine';

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
