/**
 * Fetches the collateral a quote needs (TCB Info for its FMSPC, the TD QE Identity, the PCK CRL of its issuing
 * CA and the Root CA CRL) from Intel's provisioning certification service or a PCCS, into the dcap-qvl
 * QuoteCollateralV3 shape verifyQuote reads. Nothing here is trusted: verifyQuote checks every signature.
 * The signed JSON values are cut out of the response bodies byte for byte (re-serialising would break the
 * signature); issuer chains come URL-encoded in response headers.
 */
import { X509Certificate } from 'crypto';
import { parseQuote } from '../quote/parse';
import { commonName } from '../x509/certs';
import { parsePckExtensions } from '../x509/pckExtensions';
import { Collateral, CollateralSchema } from './schema';

export const INTEL_PCS = 'https://api.trustedservices.intel.com';
export const INTEL_ROOT_CA_CRL = 'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der';

export interface CollateralSource {
    /** Base URL serving /tdx/certification/v4/… and /sgx/certification/v4/… (Intel PCS or a PCCS). */
    base: string;
    /** Where the Root CA CRL is: Intel's certificate host for the PCS, {base}/sgx/certification/v4/rootcacrl for a PCCS. */
    rootCrlUrl: string;
}

export function intelSource(): CollateralSource {
    return { base: INTEL_PCS, rootCrlUrl: INTEL_ROOT_CA_CRL };
}

export function pccsSource(url: string): CollateralSource {
    const base = url.replace(/\/+$/, '');
    return { base, rootCrlUrl: `${base}/sgx/certification/v4/rootcacrl` };
}

/** What the quote says about where its collateral is: its FMSPC and the CA that issued its PCK certificate. */
export function collateralKeysOf(quote: Uint8Array): { fmspc: string; ca: 'platform' | 'processor' } {
    const q = parseQuote(quote);
    const [leafPem, intermediatePem] = q.signatureData.pckChainPem;
    if (!leafPem || !intermediatePem) throw new Error('the quote carries no PCK certificate chain');
    const fmspc = parsePckExtensions(new X509Certificate(leafPem).raw).fmspc.toString('hex');
    const cn = commonName(new X509Certificate(intermediatePem));
    if (/Platform CA/.test(cn)) return { fmspc, ca: 'platform' };
    if (/Processor CA/.test(cn)) return { fmspc, ca: 'processor' };
    throw new Error(`unexpected PCK issuer "${cn}"`);
}

/** The exact text of the JSON value under `key` in `body` (an object member), braces matched outside strings. */
export function rawJsonMember(body: string, key: string): string {
    const at = body.indexOf(`"${key}"`);
    if (at < 0) throw new Error(`the response has no "${key}"`);
    const start = body.indexOf('{', at + key.length + 2);
    if (start < 0) throw new Error(`"${key}" is not an object`);
    let depth = 0;
    let inString = false;
    for (let i = start; i < body.length; i++) {
        const c = body[i];
        if (inString) {
            if (c === '\\') i++;
            else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{') depth++;
        else if (c === '}' && --depth === 0) return body.slice(start, i + 1);
    }
    throw new Error(`"${key}" is not closed`);
}

async function get(url: string): Promise<Response> {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r;
}

function header(r: Response, name: string, url: string): string {
    const v = r.headers.get(name);
    if (!v) throw new Error(`${url}: no ${name} header`);
    return decodeURIComponent(v);
}

/** A CRL body as hex DER: PCS and PCCS answer binary DER, some PCCS versions hex or PEM text. */
async function crlHex(r: Response): Promise<string> {
    const bytes = Buffer.from(await r.arrayBuffer());
    const text = bytes.toString('latin1').trim();
    if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return text.toLowerCase();
    const pem = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
    if (pem) return Buffer.from(pem[1].replace(/\s+/g, ''), 'base64').toString('hex');
    return bytes.toString('hex');
}

/** Fetches and assembles the collateral for `quote`; the result passes CollateralSchema. */
export async function fetchCollateral(quote: Uint8Array, source: CollateralSource): Promise<Collateral> {
    const { fmspc, ca } = collateralKeysOf(quote);
    const tcbUrl = `${source.base}/tdx/certification/v4/tcb?fmspc=${fmspc}`;
    const tcb = await get(tcbUrl);
    const tcbBody = await tcb.text();
    const qeUrl = `${source.base}/tdx/certification/v4/qe/identity`;
    const qe = await get(qeUrl);
    const qeBody = await qe.text();
    const pckUrl = `${source.base}/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`;
    const pck = await get(pckUrl);
    const root = await get(source.rootCrlUrl);
    const signatureOf = (body: string, url: string) => {
        const s = (JSON.parse(body) as { signature?: unknown }).signature;
        if (typeof s !== 'string') throw new Error(`${url}: no signature`);
        return s;
    };
    return CollateralSchema.parse({
        tcb_info: rawJsonMember(tcbBody, 'tcbInfo'),
        tcb_info_signature: signatureOf(tcbBody, tcbUrl),
        tcb_info_issuer_chain: header(tcb, 'TCB-Info-Issuer-Chain', tcbUrl),
        qe_identity: rawJsonMember(qeBody, 'enclaveIdentity'),
        qe_identity_signature: signatureOf(qeBody, qeUrl),
        qe_identity_issuer_chain: header(qe, 'SGX-Enclave-Identity-Issuer-Chain', qeUrl),
        pck_crl_issuer_chain: header(pck, 'SGX-PCK-CRL-Issuer-Chain', pckUrl),
        pck_crl: await crlHex(pck),
        root_ca_crl: await crlHex(root),
    });
}
