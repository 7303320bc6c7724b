import { createHash, KeyObject, X509Certificate } from 'crypto';
import { TrustAnchor } from '../trust/anchors';
import { fromHex } from '../bytes';
import { Quote } from '../quote/types';
import { splitPemChain } from '../quote/parse';
import { certValidAt, issuedBy, parsePemCerts, publicKeyOf, serialOf } from '../x509/certs';
import { crlCurrent, crlSignedBy, parseCrl, ParsedCrl } from '../x509/crl';
import { PckChain, verifyP1363 } from '../verify/offline';
import { Checks, CollateralEvaluation, Reason, TcbStatus } from '../verify/types';
import { Collateral, CollateralSchema, describeZodError, QeIdentity, QeIdentitySchema, TcbInfo, TcbInfoSchema } from './schema';
import { convergeStatus, selectIsvLevel, selectPlatformLevel } from './tcbLevel';

export interface CollateralResult {
    checks: Checks;
    reasons: Reason[];
    evaluation?: CollateralEvaluation;
}

type Fail = (code: Reason['code'], detail: string) => void;

/** Validates the JSON shape; returns the typed collateral or a reason. */
export function parseCollateral(input: unknown): { ok: true; collateral: Collateral } | { ok: false; reason: Reason } {
    const r = CollateralSchema.safeParse(input);
    if (!r.success) return { ok: false, reason: { code: 'COLLATERAL_MALFORMED', detail: describeZodError(r.error) } };
    return { ok: true, collateral: r.data };
}

function parseSignedJson<T>(text: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, what: string, fail: Fail): T | undefined {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        fail('COLLATERAL_MALFORMED', `${what} is not JSON`);
        return undefined;
    }
    const r = schema.safeParse(json);
    if (!r.success) {
        fail('COLLATERAL_MALFORMED', `${what}: ${describeZodError(r.error)}`);
        return undefined;
    }
    return r.data;
}

/** An issuer chain (signer, root) must end at the same anchor as the PCK chain and be valid at `at`. */
function verifySignerChain(pem: string, anchorRoot: X509Certificate): { signer?: X509Certificate; chainOk: boolean } {
    const certs = parsePemCerts(splitPemChain(pem));
    if (!certs || certs.length === 0) return { chainOk: false };
    const signer = certs[0];
    const rootOk = certs.length === 1 || certs.slice(1).every((c) => c.raw.equals(anchorRoot.raw) || issuedBy(c, anchorRoot));
    const chainOk = rootOk && issuedBy(signer, anchorRoot);
    return { signer, chainOk };
}

function fresh(doc: { issueDate: string; nextUpdate: string }, at: Date): boolean {
    return Date.parse(doc.issueDate) <= at.getTime() && at.getTime() <= Date.parse(doc.nextUpdate);
}

function maskedEqual(value: Uint8Array, mask: Buffer, expected: Buffer): boolean {
    if (value.length !== mask.length || mask.length !== expected.length) return false;
    for (let i = 0; i < mask.length; i++) if ((value[i] & mask[i]) !== (expected[i] & mask[i])) return false;
    return true;
}

function tryParseCrl(hex: string, what: string, fail: Fail): ParsedCrl | undefined {
    try {
        return parseCrl(fromHex(hex));
    } catch (e) {
        fail('COLLATERAL_MALFORMED', `${what}: ${(e as Error).message}`);
        return undefined;
    }
}

function signatureOk(key: KeyObject | undefined, text: string, sigHex: string): boolean {
    return key !== undefined && verifyP1363(key, Buffer.from(text, 'utf8'), fromHex(sigHex));
}

/**
 * The time-independent half of collateral verification: JSON shape, signer chains, signatures and CRL
 * parsing. It depends only on the collateral and the trust anchor, so a relay caches it (CollateralCache)
 * and re-runs only the cheap time-dependent checks for each quote.
 */
export interface PreparedCollateral {
    anchor: TrustAnchor;
    checks: Checks;
    reasons: Reason[];
    tcbSigner?: X509Certificate;
    qeSigner?: X509Certificate;
    tcbInfo?: TcbInfo;
    qeId?: QeIdentity;
    rootCrl?: ParsedCrl;
    pckCrl?: ParsedCrl;
    /** PCK CRL signature result per issuing intermediate (DER hex of its SHA-256). */
    pckCrlSigByIssuer: Map<string, boolean>;
}

export function prepareCollateral(input: unknown, anchor: TrustAnchor): PreparedCollateral {
    const checks: Checks = {};
    const reasons: Reason[] = [];
    const fail: Fail = (code, detail) => reasons.push({ code, detail });
    const prepared: PreparedCollateral = { anchor, checks, reasons, pckCrlSigByIssuer: new Map() };
    const parsed = parseCollateral(input);
    if (!parsed.ok) {
        reasons.push(parsed.reason);
        return prepared;
    }
    const c = parsed.collateral;
    const root = anchor.certificate;

    // Signers of TCB Info and QE Identity (Intel SGX TCB Signing), chained to the same root.
    const tcbSigner = verifySignerChain(c.tcb_info_issuer_chain, root);
    const qeSigner = verifySignerChain(c.qe_identity_issuer_chain, root);
    checks.tcbSignerChain = tcbSigner.chainOk;
    checks.qeSignerChain = qeSigner.chainOk;
    prepared.tcbSigner = tcbSigner.signer;
    prepared.qeSigner = qeSigner.signer;
    if (!tcbSigner.chainOk || !qeSigner.chainOk) fail('COLLATERAL_SIGNER_UNTRUSTED', 'a collateral signing certificate does not chain to the trusted root');
    const tcbKey = tcbSigner.chainOk && tcbSigner.signer ? publicKeyOf(tcbSigner.signer) : undefined;
    const qeKey = qeSigner.chainOk && qeSigner.signer ? publicKeyOf(qeSigner.signer) : undefined;

    // Signatures cover the exact JSON text as shipped: never re-serialise before verifying.
    checks.tcbInfoSig = signatureOk(tcbKey, c.tcb_info, c.tcb_info_signature);
    checks.qeIdentitySig = signatureOk(qeKey, c.qe_identity, c.qe_identity_signature);
    if (!checks.tcbInfoSig) fail('COLLATERAL_SIGNATURE_INVALID', 'TCB Info signature does not verify');
    if (!checks.qeIdentitySig) fail('COLLATERAL_SIGNATURE_INVALID', 'QE Identity signature does not verify');
    prepared.tcbInfo = parseSignedJson(c.tcb_info, TcbInfoSchema, 'TCB Info', fail);
    prepared.qeId = parseSignedJson(c.qe_identity, QeIdentitySchema, 'QE Identity', fail);

    prepared.rootCrl = tryParseCrl(c.root_ca_crl, 'Root CA CRL', fail);
    prepared.pckCrl = tryParseCrl(c.pck_crl, 'PCK CRL', fail);
    checks.rootCrlSig = prepared.rootCrl !== undefined && crlSignedBy(prepared.rootCrl, publicKeyOf(root));
    return prepared;
}

/**
 * tdx.md §2.2 steps 8-14: TCB Info, QE Identity and both CRLs, each with its signature chain checked
 * against the anchor that anchored the PCK chain, then the TCB status by Intel's matching rule.
 */
export function verifyCollateral(quote: Quote, chain: PckChain, input: unknown, at: Date): CollateralResult {
    return evaluateCollateral(quote, chain, prepareCollateral(input, chain.anchor), at);
}

export function evaluateCollateral(quote: Quote, chain: PckChain, prepared: PreparedCollateral, at: Date): CollateralResult {
    const checks: Checks = { ...prepared.checks };
    const reasons: Reason[] = [...prepared.reasons];
    const fail: Fail = (code, detail) => reasons.push({ code, detail });
    if (prepared.anchor !== chain.anchor) {
        return { checks, reasons: [{ code: 'COLLATERAL_SIGNER_UNTRUSTED', detail: 'collateral was prepared for another trust anchor' }] };
    }
    const pck = chain.extensions;
    if (!pck) return { checks, reasons: [...reasons, { code: 'PCK_EXTENSIONS_UNREADABLE', detail: 'cannot evaluate TCB without the PCK SGX extension' }] };
    if (checks.tcbSignerChain === undefined) return { checks, reasons }; // malformed collateral

    const { tcbSigner, qeSigner, tcbInfo, qeId, rootCrl, pckCrl } = prepared;
    checks.tcbSignerTimeValid = tcbSigner !== undefined && certValidAt(tcbSigner, at);
    checks.qeSignerTimeValid = qeSigner !== undefined && certValidAt(qeSigner, at);
    if (!checks.tcbSignerTimeValid || !checks.qeSignerTimeValid) fail('CERT_NOT_TIME_VALID', `a collateral signing certificate is not valid at ${at.toISOString()}`);

    // CRLs: the Root CA CRL must not list the PCK intermediate or the TCB signer; the PCK CRL (issued by
    // the quote's own intermediate, platform or processor) must not list the leaf.
    const issuerId = createHash('sha256').update(chain.intermediate.raw).digest('hex');
    let pckCrlSig = prepared.pckCrlSigByIssuer.get(issuerId);
    if (pckCrlSig === undefined) {
        pckCrlSig = pckCrl !== undefined && crlSignedBy(pckCrl, publicKeyOf(chain.intermediate));
        prepared.pckCrlSigByIssuer.set(issuerId, pckCrlSig);
    }
    checks.rootCrlTimeValid = rootCrl !== undefined && crlCurrent(rootCrl, at);
    checks.interNotRevoked = rootCrl !== undefined && !rootCrl.revokedSerials.has(serialOf(chain.intermediate));
    checks.tcbSignerNotRevoked = rootCrl !== undefined && [tcbSigner, qeSigner].every((s) => s === undefined || !rootCrl.revokedSerials.has(serialOf(s)));
    checks.pckCrlSig = pckCrlSig;
    checks.pckCrlTimeValid = pckCrl !== undefined && crlCurrent(pckCrl, at);
    checks.pckNotRevoked = pckCrl !== undefined && !pckCrl.revokedSerials.has(serialOf(chain.leaf));
    if (!checks.rootCrlSig || !checks.pckCrlSig) fail('CRL_SIGNATURE_INVALID', 'a CRL is not signed by its issuer');
    if (!checks.rootCrlTimeValid || !checks.pckCrlTimeValid) fail('CRL_EXPIRED', `a CRL is not current at ${at.toISOString()}`);
    if (!checks.interNotRevoked || !checks.tcbSignerNotRevoked || !checks.pckNotRevoked) fail('REVOKED', 'a certificate in the chain is revoked');

    if (!tcbInfo || !qeId) return { checks, reasons };

    const td = quote.tee === 'tdx' ? quote.td : undefined;
    checks.tcbInfoId = tcbInfo.id === (td ? 'TDX' : 'SGX');
    checks.qeIdentityId = qeId.id === (td ? 'TD_QE' : 'QE');
    if (!checks.tcbInfoId || !checks.qeIdentityId) fail('COLLATERAL_MISMATCH', `collateral is for ${tcbInfo.id}/${qeId.id}, not this ${quote.tee} quote`);
    checks.tcbInfoFresh = fresh(tcbInfo, at);
    checks.qeIdentityFresh = fresh(qeId, at);
    if (!checks.tcbInfoFresh) fail('COLLATERAL_EXPIRED', `TCB Info valid ${tcbInfo.issueDate} .. ${tcbInfo.nextUpdate}, not at ${at.toISOString()}`);
    if (!checks.qeIdentityFresh) fail('COLLATERAL_EXPIRED', `QE Identity valid ${qeId.issueDate} .. ${qeId.nextUpdate}, not at ${at.toISOString()}`);
    checks.fmspcMatch = tcbInfo.fmspc.toLowerCase() === pck.fmspc.toString('hex');
    checks.pceIdMatch = tcbInfo.pceId.toLowerCase() === pck.pceId.toString('hex');
    if (!checks.fmspcMatch || !checks.pceIdMatch) fail('COLLATERAL_MISMATCH', `TCB Info is for FMSPC ${tcbInfo.fmspc}/PCEID ${tcbInfo.pceId}, the PCK says ${pck.fmspc.toString('hex')}/${pck.pceId.toString('hex')}`);

    const qe = quote.signatureData.qeReport;
    checks.qeMrsigner = qe.mrSigner.equals(fromHex(qeId.mrsigner));
    checks.qeIsvprodid = qe.isvProdId === qeId.isvprodid;
    const miscMask = parseInt(qeId.miscselectMask, 16);
    checks.qeMiscselect = ((qe.miscSelect & miscMask) >>> 0) === ((parseInt(qeId.miscselect, 16) & miscMask) >>> 0);
    checks.qeAttributes = maskedEqual(qe.attributes, fromHex(qeId.attributesMask), fromHex(qeId.attributes));
    if (!checks.qeMrsigner || !checks.qeIsvprodid || !checks.qeMiscselect || !checks.qeAttributes) fail('QE_IDENTITY_MISMATCH', 'QE report does not match the signed QE Identity');

    // TDX module identity (step 11).
    let moduleStatus: TcbStatus | 'NotSupported' | undefined;
    let moduleId: string | undefined;
    const moduleAdvisories: string[] = [];
    if (td) {
        if (!tcbInfo.tdxModule) {
            fail('COLLATERAL_MALFORMED', 'TDX TCB Info has no tdxModule');
            return { checks, reasons };
        }
        checks.tdxModuleMrsigner = td.mrSignerSeam.equals(fromHex(tcbInfo.tdxModule.mrsigner));
        checks.tdxSeamAttributes = maskedEqual(td.seamAttributes, fromHex(tcbInfo.tdxModule.attributesMask), fromHex(tcbInfo.tdxModule.attributes));
        if (td.teeTcbSvn[1] > 0) {
            moduleId = 'TDX_' + td.teeTcbSvn[1].toString(16).padStart(2, '0').toUpperCase();
            const ident = tcbInfo.tdxModuleIdentities?.find((m) => m.id.toUpperCase() === moduleId);
            checks.tdxModuleIdMrsigner = ident !== undefined && td.mrSignerSeam.equals(fromHex(ident.mrsigner));
            checks.tdxModuleIdAttributes = ident !== undefined && maskedEqual(td.seamAttributes, fromHex(ident.attributesMask), fromHex(ident.attributes));
            const lvl = ident && selectIsvLevel(ident.tcbLevels, td.teeTcbSvn[0]);
            moduleStatus = lvl ? lvl.tcbStatus : 'NotSupported';
            moduleAdvisories.push(...(lvl?.advisoryIDs ?? []));
        }
        if (!checks.tdxModuleMrsigner || !checks.tdxSeamAttributes || checks.tdxModuleIdMrsigner === false || checks.tdxModuleIdAttributes === false) {
            fail('TDX_MODULE_MISMATCH', 'TDX module MRSIGNERSEAM/SEAMATTRIBUTES do not match TCB Info');
        }
    }

    const platformLevel = selectPlatformLevel(tcbInfo, pck.tcbComponents, pck.pceSvn, td?.teeTcbSvn);
    const qeLevel = selectIsvLevel(qeId.tcbLevels, qe.isvSvn);
    const platformStatus: TcbStatus | 'NotSupported' = platformLevel ? platformLevel.tcbStatus : 'NotSupported';
    const qeStatus: TcbStatus | 'NotSupported' = qeLevel ? qeLevel.tcbStatus : 'NotSupported';
    const components: (TcbStatus | 'NotSupported' | undefined)[] = [moduleStatus, qeStatus];
    let combined: TcbStatus | 'NotSupported' = platformStatus;
    for (const s of components) {
        if (s === undefined || combined === 'NotSupported') continue;
        combined = s === 'NotSupported' ? 'NotSupported' : convergeStatus(combined, s);
    }
    if (combined === 'NotSupported') {
        fail('TCB_NOT_SUPPORTED', !platformLevel ? 'no TCB level matches the platform (TCB_NOT_SUPPORTED)' : `no ${qeLevel ? 'TDX module' : 'QE'} TCB level matches`);
    }
    const advisoryIDs = [...new Set([...(platformLevel?.advisoryIDs ?? []), ...moduleAdvisories, ...(qeLevel?.advisoryIDs ?? [])])];
    const evaluation: CollateralEvaluation = {
        platformTcbStatus: platformStatus,
        platformTcbDate: platformLevel?.tcbDate ?? null,
        ...(moduleId ? { tdxModuleIdentity: moduleId, tdxModuleTcbStatus: moduleStatus } : {}),
        qeTcbStatus: qeStatus,
        combinedPlatformStatus: combined,
        advisoryIDs,
        tcbEvaluationDataNumber: tcbInfo.tcbEvaluationDataNumber,
        pckCrlRevokedCount: pckCrl?.revokedSerials.size ?? 0,
    };
    return { checks, reasons, evaluation };
}

