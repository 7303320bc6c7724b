import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { SimulatedQuoteProvider } from '../../actors/tee/providers/simulated';
import { imageHash } from '../../actors/tee/imageHash';
import { parseQuote } from '../../actors/tee/quote/parse';
import { TdQuote } from '../../actors/tee/quote/types';
import { EXPECTED, FIXTURES, fixture } from './fixtures';

const ROOT = join(__dirname, '..', '..');

function run(script: 'imageHash' | 'verifyQuote', args: string[]) {
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'actors', 'tee', 'cli', `${script}.ts`), ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
        timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const V4 = EXPECTED['cocoon/quote.dat'];
const quotePath = join(FIXTURES, V4.file);

describe('image-hash CLI', () => {
    it('prints the hash as 64 hex, 0x uint256 and decimal', () => {
        const r = run('imageHash', [quotePath]);
        expect(r.code).toBe(0);
        const expected = imageHash((parseQuote(fixture(V4.file)) as TdQuote).td).toString('hex');
        const lines = r.stdout.trim().split('\n');
        expect(lines[0]).toBe(expected);
        expect(lines[1]).toBe(`uint256  0x${expected}`);
        expect(lines[2]).toBe(`decimal  ${BigInt('0x' + expected).toString(10)}`);
    });

    it('--json includes the COCOON-compatible hash and measurements', () => {
        const r = run('imageHash', [quotePath, '--json']);
        const out = JSON.parse(r.stdout);
        expect(out.cocoonImageHash).toBe(V4.cocoonImageHash);
        expect(out.measurements.mrTd).toBe(V4.body.mrtd);
    });

    it('fails on a malformed file', () => {
        const dir = mkdtempSync(join(tmpdir(), 'cli-'));
        writeFileSync(join(dir, 'bad.dat'), Buffer.alloc(100));
        const r = run('imageHash', [join(dir, 'bad.dat')]);
        rmSync(dir, { recursive: true });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/malformed quote/);
    });
});

describe('verify-quote CLI', () => {
    it('exits 0 with an UpToDate verdict for the COCOON quote with collateral', () => {
        const r = run('verifyQuote', [quotePath, '--collateral', join(FIXTURES, V4.collateralFile!), '--at', V4.offlineChecksAt]);
        expect(r.code).toBe(0);
        const v = JSON.parse(r.stdout);
        expect(v).toMatchObject({ ok: true, status: 'UpToDate', simulated: false, advisoryIds: [], reasons: [] });
        expect(v.imageHash).toMatch(/^[0-9a-f]{64}$/);
        expect(v.imageHashUint).toBe('0x' + v.imageHash);
        expect(v.measurements.rtmr).toEqual(V4.body.rtmr);
    });

    it('exits 1 for a NotSupported TCB and names the reason', () => {
        const e = EXPECTED['phala-dcap-qvl/tdx_quote_outdated'];
        const r = run('verifyQuote', [join(FIXTURES, e.file), '--collateral', join(FIXTURES, e.collateralFile!), '--at', e.offlineChecksAt]);
        expect(r.code).toBe(1);
        const v = JSON.parse(r.stdout);
        expect(v.status).toBe('NotSupported');
        expect(v.reasons.map((x: { code: string }) => x.code)).toContain('TCB_NOT_SUPPORTED');
    });

    it('offline only: exits 1 by default, 0 with --allow-status NoCollateral; expired collateral exits 1', () => {
        expect(run('verifyQuote', [quotePath, '--at', V4.offlineChecksAt]).code).toBe(1);
        expect(run('verifyQuote', [quotePath, '--at', V4.offlineChecksAt, '--allow-status', 'UpToDate', 'NoCollateral']).code).toBe(0);
        const late = run('verifyQuote', [quotePath, '--collateral', join(FIXTURES, V4.collateralFile!), '--at', '2026-04-30T00:00:00Z']);
        expect(late.code).toBe(1);
        expect(JSON.parse(late.stdout).reasons.map((x: { code: string }) => x.code)).toContain('COLLATERAL_EXPIRED');
    });

    it('simulated quotes pass only with --trust-simulated-root and are marked simulated', () => {
        const sim = new SimulatedQuoteProvider();
        const dir = mkdtempSync(join(tmpdir(), 'cli-'));
        writeFileSync(join(dir, 'q.dat'), sim.buildQuote(Buffer.alloc(64)));
        writeFileSync(join(dir, 'root.pem'), sim.rootPem);
        const common = [join(dir, 'q.dat'), '--at', '2026-03-01T00:00:00Z', '--allow-status', 'NoCollateral'];
        const refused = run('verifyQuote', common);
        const accepted = run('verifyQuote', [...common, '--trust-simulated-root', join(dir, 'root.pem')]);
        rmSync(dir, { recursive: true });
        expect(refused.code).toBe(1);
        expect(JSON.parse(refused.stdout).reasons[0].code).toBe('ROOT_NOT_TRUSTED');
        expect(accepted.code).toBe(0);
        expect(JSON.parse(accepted.stdout).simulated).toBe(true);
    });

    it('exits 2 on usage errors', () => {
        expect(run('verifyQuote', [join(FIXTURES, 'missing.dat')]).code).toBe(2);
        expect(run('verifyQuote', [quotePath, '--allow-status', 'Fine']).code).not.toBe(0);
    });
});
