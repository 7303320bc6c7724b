import { mkdtempSync, promises as fsp, rmSync } from 'fs';
import { tmpdir } from 'os';
import { basename, dirname, join } from 'path';
import { ConfigfsTsmProvider, TsmError, TsmFs } from '../../actors/tee/providers/configfsTsm';
import { SimulatedQuoteProvider } from '../../actors/tee/providers/simulated';
import { parseQuote } from '../../actors/tee/quote/parse';
import { TdQuote } from '../../actors/tee/quote/types';
import { INTEL_SGX_ROOT } from '../../actors/tee/trust/anchors';
import { verifyQuote } from '../../actors/tee/verify/verifyQuote';
import { reportDataFor } from '../../actors/tee/binding';
import { generateEd25519, generateX25519 } from '../../actors/crypto/keys';

const AT = new Date('2026-03-01T00:00:00Z');
const sim = new SimulatedQuoteProvider();
const devOptions = { at: AT, trustedRoots: [INTEL_SGX_ROOT, sim.trustAnchor], policy: { allowedStatuses: ['NoCollateral' as const] } };

describe('simulated provider', () => {
    const keys = { receiptKey: generateEd25519().publicKey, encKey: generateX25519().publicKey };
    const rd = reportDataFor(keys);

    it('produces a real-format v4 quote that carries the REPORTDATA', async () => {
        const q = parseQuote(await sim.getQuote(rd)) as TdQuote;
        expect(q.header.version).toBe(4);
        expect(q.tee).toBe('tdx');
        expect(q.td.reportData.equals(rd)).toBe(true);
        expect(q.signatureData.pckChainPem).toHaveLength(3);
        expect(q.signatureData.pckChainPem[2]).toContain('CERTIFICATE');
    });

    it('is refused by a default (Intel-only) verifier', async () => {
        const v = verifyQuote(await sim.getQuote(rd), { at: AT, policy: { allowedStatuses: ['NoCollateral'] } });
        expect(v.ok).toBe(false);
        expect(v.simulated).toBe(false);
        expect(v.reasons.map((r) => r.code)).toEqual(['ROOT_NOT_TRUSTED']);
    });

    it('is accepted, and marked simulated, only when its root is explicitly trusted', async () => {
        const v = verifyQuote(await sim.getQuote(rd), { ...devOptions, policy: { ...devOptions.policy, expectedReportData: rd } });
        expect(v.reasons).toEqual([]);
        expect(v.ok).toBe(true);
        expect(v.simulated).toBe(true);
        expect(v.checks.rootIsPinnedIntelRoot).toBe(false);
        expect(sim.trustAnchor.certificate.subject).toContain('SIMULATED');
    });

    it('another simulated root is not trusted by this one', async () => {
        const other = new SimulatedQuoteProvider();
        expect(verifyQuote(await other.getQuote(rd), devOptions).reasons.map((r) => r.code)).toEqual(['ROOT_NOT_TRUSTED']);
    });

    it('a debug simulated TD is refused by the policy even though its signatures are valid', async () => {
        const debug = new SimulatedQuoteProvider({ td: { tdAttributes: Buffer.from('0100001000000000', 'hex') } });
        const v = verifyQuote(await debug.getQuote(rd), { ...devOptions, trustedRoots: [debug.trustAnchor] });
        expect(v.reasons.map((r) => r.code)).toEqual(['TD_DEBUG']);
        expect(v.imageHash).not.toBe(verifyQuote(await sim.getQuote(rd), devOptions).imageHash);
    });

    it('tampering with a simulated quote fails like a real one', async () => {
        const q = await sim.getQuote(rd);
        q[48 + 200] ^= 1;
        expect(verifyQuote(q, devOptions).reasons.map((r) => r.code)).toEqual(['QUOTE_SIGNATURE_INVALID']);
    });

    it('refuses report data that is not 64 bytes', async () => {
        await expect(sim.getQuote(Buffer.alloc(32))).rejects.toThrow(/64 bytes/);
    });
});

/**
 * A fake configfs-tsm: a temporary folder where mkdir creates the attribute files, writing inblob bumps
 * generation and makes outblob a (simulated) quote over the written REPORTDATA, like the kernel does.
 */
class FakeTsm implements TsmFs {
    readonly root = mkdtempSync(join(tmpdir(), 'fake-tsm-'));
    racesLeft = 0;
    provider = 'tdx_guest';
    entries: string[] = [];

    async mkdir(path: string) {
        await fsp.mkdir(path);
        this.entries.push(basename(path));
        await fsp.writeFile(join(path, 'generation'), '0\n');
        await fsp.writeFile(join(path, 'provider'), `${this.provider}\n`);
        await fsp.writeFile(join(path, 'outblob'), Buffer.alloc(0));
    }
    async rmdir(path: string) {
        await fsp.rm(path, { recursive: true });
    }
    async readFile(path: string) {
        if (basename(path) === 'outblob' && this.racesLeft > 0) {
            // Another process writes inblob while our quote is being generated.
            this.racesLeft--;
            await this.bump(dirname(path));
        }
        return fsp.readFile(path);
    }
    async writeFile(path: string, data: Buffer) {
        if (basename(path) === 'inblob' && data.length !== 64) throw new Error('EINVAL');
        await fsp.writeFile(path, data);
        if (basename(path) === 'inblob') {
            await fsp.writeFile(join(dirname(path), 'outblob'), sim.buildQuote(data));
            await this.bump(dirname(path));
        }
    }
    private async bump(dir: string) {
        const g = Number((await fsp.readFile(join(dir, 'generation'))).toString());
        await fsp.writeFile(join(dir, 'generation'), `${g + 1}\n`);
    }
    cleanup() {
        rmSync(this.root, { recursive: true, force: true });
    }
}

describe('configfs-tsm provider (fake tree)', () => {
    let fake: FakeTsm;
    beforeEach(() => (fake = new FakeTsm()));
    afterEach(() => fake.cleanup());
    const rd = Buffer.alloc(64, 0x5a);

    it('writes inblob, reads outblob, removes its entry', async () => {
        const p = new ConfigfsTsmProvider({ root: fake.root, fs: fake });
        const quote = await p.getQuote(rd);
        expect((parseQuote(quote) as TdQuote).td.reportData.equals(rd)).toBe(true);
        expect(verifyQuote(quote, devOptions).ok).toBe(true);
        expect(fake.entries).toHaveLength(1);
        expect(await fsp.readdir(fake.root)).toEqual([]);
    });

    it('retries when the generation changes under it', async () => {
        fake.racesLeft = 1;
        const p = new ConfigfsTsmProvider({ root: fake.root, fs: fake });
        expect((parseQuote(await p.getQuote(rd)) as TdQuote).td.reportData.equals(rd)).toBe(true);
    });

    it('gives up after persistent races, and still cleans up', async () => {
        fake.racesLeft = 10;
        const p = new ConfigfsTsmProvider({ root: fake.root, fs: fake, maxAttempts: 3 });
        await expect(p.getQuote(rd)).rejects.toThrow(TsmError);
        expect(await fsp.readdir(fake.root)).toEqual([]);
    });

    it('refuses another TSM provider', async () => {
        fake.provider = 'sev_guest';
        await expect(new ConfigfsTsmProvider({ root: fake.root, fs: fake }).getQuote(rd)).rejects.toThrow(/sev_guest/);
    });

    it('reports a missing configfs clearly', async () => {
        const p = new ConfigfsTsmProvider({ root: join(fake.root, 'absent') });
        await expect(p.getQuote(rd)).rejects.toThrow(/configfs-tsm/);
    });

    it('with plain node:fs and no kernel behind the folder, fails instead of returning garbage', async () => {
        // No attribute files appear on mkdir, so reading generation fails: an error, never an empty quote.
        const p = new ConfigfsTsmProvider({ root: fake.root });
        await expect(p.getQuote(rd)).rejects.toThrow(/ENOENT|generation/);
    });
});
