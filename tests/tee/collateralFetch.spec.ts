/**
 * `npm run collateral -- fetch <quote> [--pccs URL]` against RECORDED provisioning-service responses served on
 * 127.0.0.1 (no network): Intel PCS bodies recorded by go-tdx-guest for the SPR E4 quote, and PCCS-shaped
 * answers rebuilt from dcap-qvl's collateral file. The fetched JSON must be the collateral verify-quote accepts.
 */
import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { Collateral } from '../../actors/tee/collateral/schema';
import { collateralKeysOf, fetchCollateral, pccsSource, rawJsonMember } from '../../actors/tee/collateral/fetch';
import { verifyQuote } from '../../actors/tee/verify/verifyQuote';
import { FIXTURES } from './fixtures';

const fixture = (f: string) => readFileSync(join(FIXTURES, f));
const json = (f: string) => JSON.parse(fixture(f).toString('utf8')) as Collateral;
const expected = JSON.parse(fixture('expected.json').toString('utf8')) as Record<string, { offlineChecksAt: string; collateralEvaluation?: { combinedPlatformStatus: string } }>;

interface Recorded {
    body: Buffer | string;
    headers?: Record<string, string>;
}

/** Serves recorded responses by path+query; anything else is a 404, and every request is logged. */
async function serve(routes: Record<string, Recorded>): Promise<{ url: string; server: Server; requests: string[] }> {
    const requests: string[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        requests.push(req.url ?? '');
        const r = routes[req.url ?? ''];
        if (!r) {
            res.writeHead(404).end('not recorded');
            return;
        }
        res.writeHead(200, r.headers ?? {}).end(r.body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}

const close = (s: Server) => new Promise<void>((ok) => s.close(() => ok()));

/** The PCS routes for a collateral file: the bodies as PCS sends them, chains URL-encoded in headers. */
function routesFor(c: Collateral, fmspc: string, ca: string, bodies?: { tcb: string; qe: string }): Record<string, Recorded> {
    return {
        [`/tdx/certification/v4/tcb?fmspc=${fmspc}`]: {
            body: bodies?.tcb ?? `{"tcbInfo":${c.tcb_info},"signature":"${c.tcb_info_signature}"}`,
            headers: { 'TCB-Info-Issuer-Chain': encodeURIComponent(c.tcb_info_issuer_chain), 'Content-Type': 'application/json' },
        },
        '/tdx/certification/v4/qe/identity': {
            body: bodies?.qe ?? `{"enclaveIdentity":${c.qe_identity},"signature":"${c.qe_identity_signature}"}`,
            headers: { 'SGX-Enclave-Identity-Issuer-Chain': encodeURIComponent(c.qe_identity_issuer_chain), 'Content-Type': 'application/json' },
        },
        [`/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`]: {
            body: Buffer.from(c.pck_crl, 'hex'),
            headers: { 'SGX-PCK-CRL-Issuer-Chain': encodeURIComponent(c.pck_crl_issuer_chain) },
        },
        // a PCCS answers the root CA CRL as hex text; Intel's certificate host as binary DER
        '/sgx/certification/v4/rootcacrl': { body: c.root_ca_crl },
    };
}

describe('collateral fetch', () => {
    it('cuts the signed JSON out of recorded Intel PCS bodies byte for byte', () => {
        const c = json('google-go-tdx-guest/pcs/composed_collateral_SPR_E4.json');
        expect(rawJsonMember(fixture('google-go-tdx-guest/pcs/sample_tcbInfo_response').toString('utf8'), 'tcbInfo')).toBe(c.tcb_info);
        expect(rawJsonMember(fixture('google-go-tdx-guest/pcs/sample_qeIdentity_response').toString('utf8'), 'enclaveIdentity')).toBe(c.qe_identity);
        expect(() => rawJsonMember('{"x":1}', 'tcbInfo')).toThrow(/no "tcbInfo"/);
    });

    it('fetches the SPR E4 quote’s collateral from recorded PCS responses; verify-quote accepts it as it accepts the file', async () => {
        const quote = fixture('google-go-tdx-guest/tdx_prod_quote_SPR_E4.dat');
        expect(collateralKeysOf(quote)).toEqual({ fmspc: '50806f000000', ca: 'platform' });
        const file = json('google-go-tdx-guest/pcs/composed_collateral_SPR_E4.json');
        const s = await serve({
            ...routesFor(file, '50806f000000', 'platform', {
                tcb: fixture('google-go-tdx-guest/pcs/sample_tcbInfo_response').toString('utf8'),
                qe: fixture('google-go-tdx-guest/pcs/sample_qeIdentity_response').toString('utf8'),
            }),
            '/sgx/certification/v4/pckcrl?ca=platform&encoding=der': {
                body: fixture('google-go-tdx-guest/pcs/pckcrl'),
                headers: { 'SGX-PCK-CRL-Issuer-Chain': encodeURIComponent(file.pck_crl_issuer_chain) },
            },
            '/IntelSGXRootCA.der': { body: fixture('google-go-tdx-guest/pcs/rootcrl.der') },
        });
        try {
            const fetched = await fetchCollateral(quote, { base: s.url, rootCrlUrl: `${s.url}/IntelSGXRootCA.der` });
            expect(fetched).toEqual(file);
            const exp = expected['google-go-tdx-guest/tdx_prod_quote_SPR_E4.dat'];
            const at = new Date(exp.offlineChecksAt);
            expect(JSON.stringify(verifyQuote(quote, { at, collateral: fetched }))).toBe(JSON.stringify(verifyQuote(quote, { at, collateral: file })));
            expect(verifyQuote(quote, { at, collateral: fetched }).status).toBe(exp.collateralEvaluation!.combinedPlatformStatus);
        } finally {
            await close(s.server);
        }
    });

    it('npm run collateral -- fetch <quote> --pccs URL writes the file verify-quote reads', async () => {
        const quote = join(FIXTURES, 'phala-dcap-qvl/tdx_quote');
        const file = json('phala-dcap-qvl/tdx_quote_collateral.json');
        const { fmspc, ca } = collateralKeysOf(readFileSync(quote));
        const s = await serve(routesFor(file, fmspc, ca));
        const dir = mkdtempSync(join(tmpdir(), 'collateral-'));
        try {
            const out = join(dir, 'c.json');
            await promisify(execFile)('npx', ['ts-node', '--transpile-only', 'actors/tee/cli/collateral.ts', 'fetch', quote, '--pccs', s.url + '/', '--out', out], { cwd: join(__dirname, '..', '..') });
            expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(file);
            expect(s.requests).toContain(`/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`);
        } finally {
            rmSync(dir, { recursive: true, force: true });
            await close(s.server);
        }
    });

    it('names the URL that failed', async () => {
        const s = await serve({});
        try {
            await expect(fetchCollateral(fixture('phala-dcap-qvl/tdx_quote'), pccsSource(s.url))).rejects.toThrow(/tcb\?fmspc=.*HTTP 404/);
        } finally {
            await close(s.server);
        }
    });
});
