/**
 * Collateral stapled to GET /v1/attestation, with REAL TDX quotes and Intel collateral (tests/fixtures/tdx) over
 * real HTTP on 127.0.0.1: a worker app serves a real quote with (or without) its collateral file, and the relay
 * verifies it with the stapled copy, or with its own configured collateral when none is stapled, at a fixed time
 * inside the collateral's validity.
 *
 * A real quote's REPORTDATA binds someone else's keys, so the relay must still refuse the worker for exactly that
 * one reason; everything else the relay checks (the account, the keys, the quote hash, the image, the freshness
 * signature) is made to match, so the reasons list shows precisely what the collateral changed.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { randomBytes } from 'crypto';
import pino from 'pino';
import { Address, toNano } from '@ton/core';
import { WorkerApp } from '../../../actors/worker/app';
import { quoteFacts, freshKeys } from '../../../actors/worker/boot/attest';
import { CollateralFile } from '../../../actors/worker/boot/collateral';
import { BootError } from '../../../actors/worker/errors';
import { LmdbStore } from '../../../actors/worker/store/lmdb';
import { Relay } from '../../../actors/relay/relay';
import { RelayStore } from '../../../actors/relay/store/lmdb';
import { FileCollateral, PccsCollateral, type CollateralProvider } from '../../../actors/relay/workers/collateral';
import { collateralKeysOf, pccsSource, type Collateral } from '../../../actors/tee';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { JobFunding, WorkerOnChain } from '../../../actors/relay/types';
import { ed25519FromSeed } from '../../../actors/crypto/keys';
import { INTEL_SGX_ROOT } from '../../../actors/tee';
import { fetchAttestation } from '../../../actors/relay/workers/client';

const TDX = join(__dirname, '..', '..', 'fixtures', 'tdx');
const GLOBAL_ID = -239;
const ROOT = Address.parse('0:' + '11'.repeat(32));
const PRICES = { prompt: toNano('1'), cached: toNano('1'), completion: toNano('1'), reasoning: toNano('1') };
const MODEL_HASH = Buffer.alloc(32, 7);
const REPORTDATA_ONLY = ['REPORTDATA does not bind the advertised receipt and encryption keys'];

/** Two real platforms: each quote with the collateral for its FMSPC and a time inside that collateral's validity. */
const PLATFORMS = {
    phala: { quote: 'phala-dcap-qvl/tdx_quote', collateral: 'phala-dcap-qvl/tdx_quote_collateral.json', at: '2025-07-01T00:00:00Z' },
    cocoon: { quote: 'cocoon/quote.dat', collateral: 'phala-dcap-qvl/tdx_quote_outdated_collateral.json', at: '2026-03-01T00:00:00Z' },
} as const;
type Platform = keyof typeof PLATFORMS;

const unused = (): never => {
    throw new Error('not used by worker verification');
};
const noFunding = new Proxy({}, { get: () => unused }) as unknown as JobFunding;

describe('collateral stapled to the attestation (real TDX quotes, real HTTP)', () => {
    const dirs: string[] = [];
    const apps: WorkerApp[] = [];
    const relayStores: RelayStore[] = [];
    const tmp = (prefix: string) => {
        const d = mkdtempSync(join(tmpdir(), prefix));
        dirs.push(d);
        return d;
    };

    afterAll(async () => {
        for (const a of apps) await a.stop().catch(() => undefined);
        for (const s of relayStores) await s.close().catch(() => undefined);
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    /** A worker app serving the platform's real quote, stapling `collateralPath` if given; listening on 127.0.0.1. */
    async function worker(platform: Platform, collateralPath?: string) {
        const quote = readFileSync(join(TDX, PLATFORMS[platform].quote));
        const facts = quoteFacts(quote);
        const keys = freshKeys();
        const account = Address.parse('0:' + randomBytes(32).toString('hex'));
        const app = new WorkerApp({
            identity: { globalId: GLOBAL_ID, workerAccount: account, root: ROOT, receiptPublic: keys.receiptPublic, receiptSecret: keys.receiptSecret, encPublic: keys.encPublic, encPrivate: keys.encPrivate, modelId: 'm', modelHash: MODEL_HASH },
            attested: { kind: 'tdx', quote, quoteHash: facts.quoteHash, imageHash: facts.imageHash },
            receiptSeed: keys.receiptSeed,
            store: new LmdbStore(tmp('collateral-worker-')),
            jobs: { get: unused },
            engine: { run: unused, health: async () => true, models: async () => ['m'] },
            claims: { walletAvailable: false, send: unused, chainNow: async () => 0, finalize: unused, transactionsSince: unused },
            clock: { nowMs: () => Date.parse(PLATFORMS[platform].at) },
            log: pino({ level: 'silent' }),
            settings: {
                prices: PRICES,
                creditLimit: toNano('1'),
                maxTokens: 16,
                maxRequestBytes: 1 << 20,
                bodyTimeoutMs: 5_000,
                claimThreshold: toNano('1000'),
                claimVia: 'external',
                claimConfirmTimeoutMs: 60_000,
                claimIntervalMs: 3_600_000,
                collateral: collateralPath ? new CollateralFile(collateralPath, quote) : undefined,
            },
        });
        apps.push(app);
        const url = await app.listen('127.0.0.1', 0);
        const onChain: WorkerOnChain = {
            account,
            active: true,
            stake: toNano('10'),
            minStake: toNano('10'),
            receiptKey: keys.receiptPublic,
            encKey: keys.encPublic,
            imageHash: facts.imageHash,
            modelHash: MODEL_HASH,
            quoteHash: facts.quoteHash,
            prices: PRICES,
            endpoint: url,
            imageAllowed: true,
            modelAllowed: true,
            reputation: { jobs: 0, slashes: 0 },
        };
        return { url, account, onChain };
    }

    /** A relay trusting Intel's root, accepting UpToDate only, at the platform's time; `own` is its own collateral source. */
    function relay(platform: Platform, onChain: WorkerOnChain, own?: CollateralProvider, at: string = PLATFORMS[platform].at) {
        const store = new RelayStore(tmp('collateral-relay-'));
        relayStores.push(store);
        const seed = randomBytes(32);
        return new Relay({
            store,
            facts: { read: async () => onChain },
            funding: noFunding,
            clock: { now: () => Date.parse(at) },
            random: { bytes: (n) => randomBytes(n) },
            log: pino({ level: 'silent' }),
            voucherSeed: seed,
            voucherPublic: ed25519FromSeed(seed).publicKey,
            trust: { trustedRoots: [INTEL_SGX_ROOT], allowedStatuses: ['UpToDate'], globalId: GLOBAL_ID, root: ROOT.toRawString() },
            collateral: own,
            payment: { deposit: toNano('5'), maxPrices: PRICES, idleCloseMs: 3_600_000 },
            requestTimeoutMs: 10_000,
        });
    }

    it.each(Object.keys(PLATFORMS) as Platform[])('%s: the stapled collateral is served and the relay verifies the quote with it', async (platform) => {
        const file = join(TDX, PLATFORMS[platform].collateral);
        const w = await worker(platform, file);
        const doc = await fetchAttestation(w.url);
        expect(doc.collateral).toEqual(JSON.parse(readFileSync(file, 'utf8')));
        const entry = await relay(platform, w.onChain).checkWorker(w.account, w.url);
        expect(entry.status).toBe('refused');
        expect(entry.reasons).toEqual(REPORTDATA_ONLY);
    });

    it('without stapled collateral and no source of its own, the relay refuses the quote (no TCB status)', async () => {
        const w = await worker('phala');
        expect((await fetchAttestation(w.url)).collateral).toBeNull();
        const entry = await relay('phala', w.onChain).checkWorker(w.account, w.url);
        expect(entry.reasons[0]).toMatch(/^quote refused \(no collateral\)/);
        expect(entry.reasons.slice(1)).toEqual(REPORTDATA_ONLY);
    });

    it("without stapled collateral, the relay's own collateral files (picked by FMSPC) verify the quote", async () => {
        const own = new FileCollateral([join(TDX, PLATFORMS.cocoon.collateral), join(TDX, PLATFORMS.phala.collateral)]);
        for (const platform of ['phala', 'cocoon'] as const) {
            const w = await worker(platform);
            const entry = await relay(platform, w.onChain, own).checkWorker(w.account, w.url);
            expect(entry.reasons).toEqual(REPORTDATA_ONLY);
        }
    });

    it("without stapled collateral, the relay fetches its own from a PCCS once per platform and reuses it until nextUpdate", async () => {
        // a PCCS on 127.0.0.1 answering the phala platform's collateral as a PCCS does (chains URL-encoded in headers)
        const quote = readFileSync(join(TDX, PLATFORMS.phala.quote));
        const c = JSON.parse(readFileSync(join(TDX, PLATFORMS.phala.collateral), 'utf8')) as Collateral;
        const { fmspc, ca } = collateralKeysOf(quote);
        const routes: Record<string, { body: string | Buffer; headers?: Record<string, string> }> = {
            [`/tdx/certification/v4/tcb?fmspc=${fmspc}`]: { body: `{"tcbInfo":${c.tcb_info},"signature":"${c.tcb_info_signature}"}`, headers: { 'TCB-Info-Issuer-Chain': encodeURIComponent(c.tcb_info_issuer_chain) } },
            '/tdx/certification/v4/qe/identity': { body: `{"enclaveIdentity":${c.qe_identity},"signature":"${c.qe_identity_signature}"}`, headers: { 'SGX-Enclave-Identity-Issuer-Chain': encodeURIComponent(c.qe_identity_issuer_chain) } },
            [`/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`]: { body: Buffer.from(c.pck_crl, 'hex'), headers: { 'SGX-PCK-CRL-Issuer-Chain': encodeURIComponent(c.pck_crl_issuer_chain) } },
            '/sgx/certification/v4/rootcacrl': { body: c.root_ca_crl },
        };
        const requests: string[] = [];
        const pccs: Server = createServer((req, res) => {
            requests.push(req.url ?? '');
            const r = routes[req.url ?? ''];
            if (!r) return void res.writeHead(404).end();
            res.writeHead(200, r.headers ?? {}).end(r.body);
        });
        await new Promise<void>((ok) => pccs.listen(0, '127.0.0.1', ok));
        const errors: string[] = [];
        try {
            const url = `http://127.0.0.1:${(pccs.address() as AddressInfo).port}`;
            const own = new PccsCollateral(pccsSource(url), (e) => errors.push(e.message));
            const w = await worker('phala');
            const r = relay('phala', w.onChain, own);
            expect((await r.checkWorker(w.account, w.url)).reasons).toEqual(REPORTDATA_ONLY);
            expect((await r.checkWorker(w.account, w.url)).reasons).toEqual(REPORTDATA_ONLY);
            expect(requests.filter((u) => u.startsWith('/tdx/certification/v4/tcb'))).toHaveLength(1);
            // a PCCS that has nothing for the platform: the fetch fails, the quote is checked offline only and refused
            const empty = new PccsCollateral(pccsSource(url + '/nothing-here'), (e) => errors.push(e.message));
            const refused = await relay('phala', w.onChain, empty).checkWorker(w.account, w.url);
            expect(refused.reasons[0]).toMatch(/^quote refused \(no collateral\)/);
            expect(errors).toHaveLength(1);
            expect(errors[0]).toMatch(/HTTP 404/);
        } finally {
            await new Promise<void>((ok) => pccs.close(() => ok()));
        }
    });

    it("the stapled copy wins over the relay's own, and a tampered staple is refused whatever the relay holds", async () => {
        const c = JSON.parse(readFileSync(join(TDX, PLATFORMS.phala.collateral), 'utf8')) as Record<string, string>;
        const sig = c.tcb_info_signature;
        c.tcb_info_signature = (sig[0] === '0' ? '1' : '0') + sig.slice(1);
        const tampered = join(tmp('collateral-file-'), 'tampered.json');
        writeFileSync(tampered, JSON.stringify(c));
        const w = await worker('phala', tampered); // same shape and FMSPC: the worker can't tell, the relay can
        const own = new FileCollateral([join(TDX, PLATFORMS.phala.collateral)]);
        const entry = await relay('phala', w.onChain, own).checkWorker(w.account, w.url);
        expect(entry.reasons[0]).toMatch(/^quote refused \(stapled collateral\)/);
        expect(entry.reasons.slice(1)).toEqual(REPORTDATA_ONLY);
    });

    it('stapled collateral past its nextUpdate is refused', async () => {
        const w = await worker('phala', join(TDX, PLATFORMS.phala.collateral));
        const entry = await relay('phala', w.onChain, undefined, '2025-09-01T00:00:00Z').checkWorker(w.account, w.url);
        expect(entry.reasons[0]).toMatch(/^quote refused \(stapled collateral\)/);
    });

    it("the worker refuses at start a collateral file for another platform's FMSPC, or one that is not collateral", () => {
        const phalaQuote = readFileSync(join(TDX, PLATFORMS.phala.quote));
        expect(() => new CollateralFile(join(TDX, PLATFORMS.cocoon.collateral), phalaQuote)).toThrow(BootError);
        expect(() => new CollateralFile(join(TDX, PLATFORMS.cocoon.collateral), phalaQuote)).toThrow(/it is for FMSPC 90C06F000000, this platform's quote has B0C06F000000/);
        const notCollateral = join(tmp('collateral-file-'), 'x.json');
        writeFileSync(notCollateral, '{"tcb_info":"{}"}');
        expect(() => new CollateralFile(notCollateral, phalaQuote)).toThrow(/--collateral-file .*x\.json/);
        expect(() => new CollateralFile(join(tmp('collateral-file-'), 'missing.json'), phalaQuote)).toThrow(BootError);
    });

    it('the worker serves a refreshed file without a restart, and keeps the last good copy when a rewrite is broken', async () => {
        const dir = tmp('collateral-file-');
        const file = join(dir, 'collateral.json');
        copyFileSync(join(TDX, PLATFORMS.phala.collateral), file);
        const warnings: string[] = [];
        const staple = new CollateralFile(file, readFileSync(join(TDX, PLATFORMS.phala.quote)), (m) => warnings.push(m));
        const original = staple.current();
        const refreshed = { ...original, pck_crl: original.pck_crl.toUpperCase() };
        writeFileSync(file, JSON.stringify(refreshed));
        utimesSync(file, new Date(), new Date(Date.now() + 5_000)); // a distinct mtime whatever the file system's resolution
        expect(staple.current()).toEqual(refreshed);
        writeFileSync(file, '{ broken');
        utimesSync(file, new Date(), new Date(Date.now() + 10_000));
        expect(staple.current()).toEqual(refreshed);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/not reloaded, the last good copy stays/);
    });
});
