import { createHash, createPublicKey, KeyObject, verify as nodeVerify, X509Certificate } from 'crypto';
import { bytesEqual, isAllZero } from '../bytes';
import { EnclaveReportBody, Quote } from '../quote/types';
import { INTEL_SGX_ROOT, TrustAnchor } from '../trust/anchors';
import { certValidAt, issuedBy, parsePemCerts, publicKeyOf } from '../x509/certs';
import { parsePckExtensions, PckExtensions } from '../x509/pckExtensions';
import { Checks, Reason } from './types';

/** Raw 64-byte P-256 point x||y as a Node key (JWK import avoids hand-built SPKI DER). */
export function p256RawKey(xy: Uint8Array): KeyObject {
    const b = Buffer.from(xy);
    return createPublicKey({
        key: { kty: 'EC', crv: 'P-256', x: b.subarray(0, 32).toString('base64url'), y: b.subarray(32, 64).toString('base64url') },
        format: 'jwk',
    });
}

/** ECDSA-P256-SHA256 with a raw r||s signature; false (not a throw) on any malformed input. */
export function verifyP1363(key: KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
    try {
        return nodeVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
    } catch {
        return false;
    }
}

// Offline QE identity (tdx.md §2.1 step 6): used only when no signed QE Identity collateral is given.
const TD_QE_MRSIGNER = 'dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5';
const SGX_QE_MRSIGNER = '8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff';
const QE_ATTRIBUTES_MASK = Buffer.from('fbffffffffffffff0000000000000000', 'hex');
const QE_ATTRIBUTES_EXPECTED = Buffer.from('11000000000000000000000000000000', 'hex');

export function qePinnedIdentityOk(qe: EnclaveReportBody, tee: 'tdx' | 'sgx'): boolean {
    const masked = Buffer.from(qe.attributes.map((b, i) => b & QE_ATTRIBUTES_MASK[i]));
    return (
        qe.mrSigner.toString('hex') === (tee === 'tdx' ? TD_QE_MRSIGNER : SGX_QE_MRSIGNER) &&
        qe.isvProdId === (tee === 'tdx' ? 2 : 1) &&
        qe.miscSelect === 0 &&
        masked.equals(QE_ATTRIBUTES_EXPECTED)
    );
}

export interface PckChain {
    leaf: X509Certificate;
    intermediate: X509Certificate;
    root: X509Certificate;
    anchor: TrustAnchor;
    extensions?: PckExtensions;
}

export interface OfflineResult {
    checks: Checks;
    reasons: Reason[];
    /** Present when the chain verified up to a trusted anchor. */
    chain?: PckChain;
}

/**
 * tdx.md §2.1 steps 1-6: quote signature, PCK chain to a trusted root at `at`, QE report signature,
 * attestation-key binding, pinned QE identity. The quote was already structurally checked by parseQuote.
 */
export function verifyOffline(quote: Quote, at: Date, anchors: TrustAnchor[] = [INTEL_SGX_ROOT]): OfflineResult {
    const checks: Checks = {};
    const reasons: Reason[] = [];
    const fail = (code: Reason['code'], detail: string) => reasons.push({ code, detail });
    const sd = quote.signatureData;

    let attKey: KeyObject | undefined;
    try {
        attKey = p256RawKey(sd.attestationKey);
    } catch {
        attKey = undefined;
    }
    checks.quoteSig = attKey !== undefined && verifyP1363(attKey, quote.signedRegion, sd.signature);
    if (!checks.quoteSig) fail('QUOTE_SIGNATURE_INVALID', 'quote signature does not verify under the attestation key');

    const certs = parsePemCerts(sd.pckChainPem);
    checks.chainLen3 = sd.pckChainPem.length === 3;
    if (!checks.chainLen3) fail('PCK_CHAIN_LENGTH', `PCK chain has ${sd.pckChainPem.length} certificates, expected 3`);
    let chain: PckChain | undefined;
    if (!certs) {
        fail('PCK_CHAIN_UNPARSABLE', 'a PCK chain certificate cannot be parsed');
        Object.assign(checks, { leafSignedByInter: false, interSignedByRoot: false, rootIsPinnedIntelRoot: false, rootTrusted: false, rootSelfSigned: false, chainTimeValid: false, qeReportSig: false });
    } else {
        const [leaf, intermediate, root] = certs;
        checks.leafSignedByInter = certs.length >= 2 && issuedBy(leaf, intermediate) && !leaf.ca;
        checks.interSignedByRoot = certs.length >= 3 && issuedBy(intermediate, root) && intermediate.ca;
        if (!checks.leafSignedByInter || !checks.interSignedByRoot) fail('PCK_CHAIN_SIGNATURE', 'PCK chain signatures do not link leaf -> intermediate -> root');
        checks.rootSelfSigned = root !== undefined && issuedBy(root, root) && root.ca;
        checks.rootIsPinnedIntelRoot = root !== undefined && bytesEqual(root.raw, INTEL_SGX_ROOT.certificate.raw);
        const anchor = root && anchors.find((a) => bytesEqual(a.certificate.raw, root.raw));
        checks.rootTrusted = anchor !== undefined;
        if (!anchor) fail('ROOT_NOT_TRUSTED', checks.rootIsPinnedIntelRoot ? 'Intel root is not among the configured anchors' : 'chain root is not a configured trust anchor');
        checks.chainTimeValid = certs.every((c) => certValidAt(c, at));
        if (!checks.chainTimeValid) fail('CERT_NOT_TIME_VALID', `a PCK chain certificate is not valid at ${at.toISOString()}`);
        const leafKey = publicKeyOf(leaf);
        checks.qeReportSig = leafKey !== undefined && verifyP1363(leafKey, sd.qeReport.raw, sd.qeReportSignature);
        if (anchor && certs.length === 3) {
            chain = { leaf, intermediate, root, anchor };
            try {
                chain.extensions = parsePckExtensions(leaf.raw);
            } catch (e) {
                fail('PCK_EXTENSIONS_UNREADABLE', `PCK leaf SGX extension: ${(e as Error).message}`);
            }
        }
    }
    if (!checks.qeReportSig) fail('QE_REPORT_SIGNATURE_INVALID', 'QE report signature does not verify under the PCK leaf key');

    const expectedBinding = createHash('sha256').update(sd.attestationKey).update(sd.qeAuthData).digest();
    const rd = sd.qeReport.reportData;
    checks.qeReportDataBinding = rd.subarray(0, 32).equals(expectedBinding) && isAllZero(rd.subarray(32));
    if (!checks.qeReportDataBinding) fail('QE_REPORT_DATA_MISMATCH', 'QE REPORTDATA is not SHA-256(attestation key || QE auth data) || 0^32');

    checks.qeIdentityPinned = qePinnedIdentityOk(sd.qeReport, quote.tee);
    if (!checks.qeIdentityPinned) fail('QE_IDENTITY_MISMATCH', 'QE report is not from Intel\'s quoting enclave (MRSIGNER/ISVPRODID/ATTRIBUTES)');

    return { checks, reasons, chain };
}
