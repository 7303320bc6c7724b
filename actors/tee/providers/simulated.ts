import { createHash, generateKeyPairSync, KeyObject, sign as nodeSign, X509Certificate } from 'crypto';
import { anchorFromCertificate, TrustAnchor } from '../trust/anchors';
import { INTEL_QE_VENDOR_ID, TD10_BODY_LEN } from '../quote/parse';
import { TDATTR_SEPT_VE_DISABLE } from '../quote/tdAttributes';
import { distinguishedName, issueCertificate } from './certBuilder';
import { sgxExtension } from './sgxExtensionBuilder';
import { checkReportData, QuoteProvider } from './types';

/**
 * Development quote provider. It emits quotes in the real TDX v4 layout, signed through a locally
 * generated chain (root -> "PCK Platform CA" -> "PCK Certificate") whose root is NOT Intel's, so:
 *  - a verifier with default settings (Intel root only) refuses every simulated quote (ROOT_NOT_TRUSTED);
 *  - a development verifier must list `provider.trustAnchor` explicitly, and every verdict anchored by it
 *    carries `simulated: true`;
 *  - every certificate name says SIMULATED, so a leaked quote cannot be mistaken for a real one.
 */
export interface SimulatedTd {
    mrTd: Buffer;
    rtmr: [Buffer, Buffer, Buffer, Buffer];
    mrConfigId: Buffer;
    mrOwner: Buffer;
    mrOwnerConfig: Buffer;
    /** 8 bytes, little-endian as in the quote. Default: SEPT_VE_DISABLE only. */
    tdAttributes: Buffer;
    xfam: Buffer;
    teeTcbSvn: Buffer;
    mrSeam: Buffer;
}

export interface SimulatedOptions {
    td?: Partial<SimulatedTd>;
    /** Certificate validity window. Defaults: 2020-01-01 to 2050-01-01 (fixed, so tests are stable). */
    notBefore?: Date;
    notAfter?: Date;
    /**
     * A root kept across restarts (its P-256 private key and the certificate issued for it), so a verifier
     * that trusts it keeps trusting a restarted machine, as it keeps trusting Intel's root. Default: a new
     * root per provider.
     */
    root?: { privateKey: KeyObject; certificate: X509Certificate };
}

const ORG = 'cocoon-ton development (SIMULATED, not Intel)';

function p256(): { privateKey: KeyObject; publicKey: KeyObject } {
    return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function rawP256(pub: KeyObject): Buffer {
    const jwk = pub.export({ format: 'jwk' });
    return Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

function signP1363(key: KeyObject, data: Buffer): Buffer {
    return nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
}

function u16(n: number): Buffer {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(n);
    return b;
}
function u32(n: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
}

export function defaultSimulatedTd(): SimulatedTd {
    const attrs = Buffer.alloc(8);
    attrs.writeBigUInt64LE(TDATTR_SEPT_VE_DISABLE);
    const fill = (tag: string) => createHash('sha384').update(`cocoon-ton simulated ${tag}`).digest();
    return {
        mrTd: fill('mrtd'),
        rtmr: [fill('rtmr0'), fill('rtmr1'), fill('rtmr2'), Buffer.alloc(48)],
        mrConfigId: Buffer.alloc(48),
        mrOwner: Buffer.alloc(48),
        mrOwnerConfig: Buffer.alloc(48),
        tdAttributes: attrs,
        xfam: Buffer.from('e702060000000000', 'hex'),
        teeTcbSvn: Buffer.from('07010300000000000000000000000000', 'hex'),
        mrSeam: fill('mrseam'),
    };
}

export class SimulatedQuoteProvider implements QuoteProvider {
    readonly kind = 'simulated' as const;
    /** Pass this (and only in development) in VerifyOptions.trustedRoots to accept these quotes. */
    readonly trustAnchor: TrustAnchor;
    readonly td: SimulatedTd;
    private readonly chainPem: string;
    private readonly pckKey: KeyObject;
    private readonly rootKey: KeyObject;
    private readonly attKey: { privateKey: KeyObject; publicKey: KeyObject };

    constructor(options: SimulatedOptions = {}) {
        this.td = { ...defaultSimulatedTd(), ...options.td };
        const notBefore = options.notBefore ?? new Date('2020-01-01T00:00:00Z');
        const notAfter = options.notAfter ?? new Date('2050-01-01T00:00:00Z');
        const root = options.root ? { privateKey: options.root.privateKey, publicKey: options.root.certificate.publicKey } : p256();
        const inter = p256();
        const leaf = p256();
        const rootName = distinguishedName('cocoon-ton SIMULATED Root CA', ORG);
        const interName = distinguishedName('cocoon-ton SIMULATED PCK Platform CA', ORG);
        const rootCert = options.root?.certificate ?? issueCertificate({ subject: rootName, issuer: rootName, subjectKey: root.publicKey, issuerKey: root.privateKey, notBefore, notAfter, ca: true });
        const interCert = issueCertificate({ subject: interName, issuer: rootName, subjectKey: inter.publicKey, issuerKey: root.privateKey, notBefore, notAfter, ca: true });
        const leafCert = issueCertificate({
            subject: distinguishedName('cocoon-ton SIMULATED PCK Certificate', ORG),
            issuer: interName,
            subjectKey: leaf.publicKey,
            issuerKey: inter.privateKey,
            notBefore,
            notAfter,
            ca: false,
            extraExtensions: [
                sgxExtension({
                    ppid: Buffer.alloc(16),
                    tcbComponents: Array.from({ length: 16 }, () => 0),
                    pceSvn: 0,
                    cpuSvn: Buffer.alloc(16),
                    pceId: Buffer.alloc(2),
                    fmspc: Buffer.alloc(6),
                }),
            ],
        });
        this.trustAnchor = anchorFromCertificate(rootCert, 'cocoon-ton SIMULATED Root CA', true);
        this.chainPem = [leafCert, interCert, rootCert].map((c) => c.toString().trim()).join('\n') + '\n';
        this.pckKey = leaf.privateKey;
        this.rootKey = root.privateKey;
        this.attKey = p256();
    }

    /** PKCS#8 PEM of the root's private key (to keep the root across restarts: SimulatedOptions.root). */
    rootKeyPem(): string {
        return this.rootKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    }

    /** PEM of the simulated root, for `verify-quote --trust-simulated-root`. */
    get rootPem(): string {
        return this.trustAnchor.certificate.toString();
    }

    async getQuote(reportData: Uint8Array): Promise<Buffer> {
        return this.buildQuote(reportData);
    }

    /** Synchronous form, handy for tests and benchmarks. */
    buildQuote(reportData: Uint8Array): Buffer {
        checkReportData(reportData);
        const td = this.td;
        const header = Buffer.concat([u16(4), u16(2), u32(0x81), Buffer.alloc(4), Buffer.from(INTEL_QE_VENDOR_ID, 'hex'), Buffer.alloc(20)]);
        const body = Buffer.concat([
            td.teeTcbSvn, td.mrSeam, Buffer.alloc(48), Buffer.alloc(8), td.tdAttributes, td.xfam, td.mrTd,
            td.mrConfigId, td.mrOwner, td.mrOwnerConfig, ...td.rtmr, Buffer.from(reportData),
        ]);
        if (body.length !== TD10_BODY_LEN) throw new Error('simulated TD fields have the wrong sizes');
        const signed = Buffer.concat([header, body]);
        const attPub = rawP256(this.attKey.publicKey);
        const authData = Buffer.alloc(32);
        // QE report with the TD QE's identity fields, so the same verification path runs as for real quotes.
        const qeReportData = Buffer.concat([createHash('sha256').update(attPub).update(authData).digest(), Buffer.alloc(32)]);
        const qeReport = Buffer.concat([
            Buffer.alloc(16), u32(0), Buffer.alloc(28), Buffer.from('11000000000000000000000000000000', 'hex'),
            Buffer.alloc(32), Buffer.alloc(32), Buffer.from('dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5', 'hex'),
            Buffer.alloc(96), u16(2), u16(8), Buffer.alloc(60), qeReportData,
        ]);
        const chain = Buffer.concat([Buffer.from(this.chainPem, 'latin1'), Buffer.of(0)]);
        const inner = Buffer.concat([qeReport, signP1363(this.pckKey, qeReport), u16(authData.length), authData, u16(5), u32(chain.length), chain]);
        const sigData = Buffer.concat([signP1363(this.attKey.privateKey, signed), attPub, u16(6), u32(inner.length), inner]);
        return Buffer.concat([signed, u32(sigData.length), sigData]);
    }
}

export function isSimulatedRoot(cert: X509Certificate): boolean {
    return /SIMULATED/.test(cert.subject);
}
