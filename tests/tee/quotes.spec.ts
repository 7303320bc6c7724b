import { createHash, X509Certificate } from 'crypto';
import { parseQuote } from '../../actors/tee/quote/parse';
import { decodeTdAttributes } from '../../actors/tee/quote/tdAttributes';
import { cocoonImageHash, imageHash } from '../../actors/tee/imageHash';
import { parsePckExtensions } from '../../actors/tee/x509/pckExtensions';
import { verifyParsedQuote, verifyQuote } from '../../actors/tee/verify/verifyQuote';
import { verifyOffline } from '../../actors/tee/verify/offline';
import { INTEL_SGX_ROOT, INTEL_SGX_ROOT_CA_SHA256 } from '../../actors/tee/trust/anchors';
import { collateralJson, EXPECTED, fixture } from './fixtures';

const hex = (b: Buffer | undefined) => b?.toString('hex');

describe.each(Object.entries(EXPECTED))('%s', (file, exp) => {
    const raw = fixture(file);
    const quote = parseQuote(raw);
    const at = new Date(exp.offlineChecksAt);

    it('is the same file the expected values were computed from', () => {
        expect(raw.length).toBe(exp.size);
        expect(createHash('sha256').update(raw).digest('hex')).toBe(exp.sha256);
    });

    it('parses header, framing and signature data', () => {
        expect(quote.header).toMatchObject({ version: exp.header.version, attKeyType: exp.header.attKeyType, teeType: exp.header.teeType, qeSvn: exp.header.qeSvn, pceSvn: exp.header.pceSvn });
        expect(hex(quote.header.qeVendorId)).toBe(exp.header.qeVendorId);
        expect(hex(quote.header.userData)).toBe(exp.header.userData);
        expect(quote.bodyType).toBe(exp.bodyType);
        expect(quote.declared.length).toBe(exp.quoteLenDeclared);
        expect(quote.trailingBytes).toBe(exp.trailingBytesAfterSignatureData);
        expect(hex(quote.signatureData.attestationKey)).toBe(exp.attestationKey);
        expect(hex(quote.signatureData.qeAuthData)).toBe(exp.qeAuthData);
        const qe = quote.signatureData.qeReport;
        expect({
            cpusvn: hex(qe.cpuSvn), miscselect: qe.miscSelect, attributes: hex(qe.attributes), mrenclave: hex(qe.mrEnclave),
            mrsigner: hex(qe.mrSigner), isvprodid: qe.isvProdId, isvsvn: qe.isvSvn, reportdata: hex(qe.reportData),
        }).toEqual(exp.qeReport);
    });

    it('parses every report body field', () => {
        if (quote.tee === 'tdx') {
            const td = quote.td;
            expect(td.raw.length).toBe(exp.bodyLen);
            const got: Record<string, string | string[] | undefined> = {
                teeTcbSvn: hex(td.teeTcbSvn), mrseam: hex(td.mrSeam), mrsignerseam: hex(td.mrSignerSeam), seamAttributes: hex(td.seamAttributes),
                tdAttributes: hex(td.tdAttributes), xfam: hex(td.xfam), mrtd: hex(td.mrTd), mrconfigid: hex(td.mrConfigId), mrowner: hex(td.mrOwner),
                mrownerconfig: hex(td.mrOwnerConfig), rtmr: td.rtmr.map((r) => r.toString('hex')), reportdata: hex(td.reportData),
            };
            if (td.teeTcbSvn2) got.teeTcbSvn2 = hex(td.teeTcbSvn2);
            if (td.mrServiceTd) got.mrservicetd = hex(td.mrServiceTd);
            expect(got).toEqual(exp.body);
            const { value: _value, ...decoded } = decodeTdAttributes(td.tdAttributes);
            expect(decoded).toEqual(exp.tdAttributesDecoded);
            expect(hex(cocoonImageHash(td))).toBe(exp.cocoonImageHash);
            expect(imageHash(td).length).toBe(32);
        } else {
            expect(quote.enclave.raw.length).toBe(exp.bodyLen);
            expect(hex(quote.enclave.mrEnclave)).toBe(exp.body.mrenclave);
            expect(hex(quote.enclave.mrSigner)).toBe(exp.body.mrsigner);
        }
    });

    it('reads the PCK chain and the SGX extension', () => {
        const certs = quote.signatureData.pckChainPem.map((p) => new X509Certificate(p));
        expect(certs.map((c) => ({ cn: /CN=([^\n]*)/.exec(c.subject)?.[1], serial: c.serialNumber.toUpperCase(), sha256: createHash('sha256').update(c.raw).digest('hex') }))).toEqual(
            exp.pckChain.map((c) => ({ cn: c.subjectCN, serial: c.serial, sha256: c.sha256 })),
        );
        const ext = parsePckExtensions(certs[0].raw);
        expect({
            fmspc: hex(ext.fmspc), pceId: hex(ext.pceId), pcesvn: ext.pceSvn, cpusvn: hex(ext.cpuSvn), tcbComponents: ext.tcbComponents, sgxType: ext.sgxType, ppid: hex(ext.ppid),
        }).toEqual(exp.pck);
    });

    it(`passes the offline checks at ${exp.offlineChecksAt}`, () => {
        const off = verifyOffline(quote, at);
        expect(off.checks).toMatchObject(exp.offlineChecks);
        expect(off.reasons).toEqual([]);
        expect(exp.offlineOk).toBe(true);
        expect(off.chain?.anchor).toBe(INTEL_SGX_ROOT);
    });

    if (exp.collateralFile && exp.collateralEvaluation) {
        const ev = exp.collateralEvaluation;
        it(`evaluates collateral to ${ev.combinedPlatformStatus}`, () => {
            const v = verifyParsedQuote(quote, { at, collateral: collateralJson(exp.collateralFile!) });
            expect(v.checks).toMatchObject(exp.collateralChecks!);
            expect(v.status).toBe(ev.combinedPlatformStatus);
            expect(v.advisoryIds).toEqual(ev.advisoryIDs);
            const { tcbInfo: _t, qeIdentity: _q, ...evaluation } = ev;
            expect(v.collateral).toEqual(evaluation);
            expect(v.simulated).toBe(false);
            // Default policy: UpToDate TDs only, SEPT_VE_DISABLE required.
            const acceptable = ev.combinedPlatformStatus === 'UpToDate' && quote.tee === 'tdx' && exp.tdAttributesDecoded?.septVeDisable === true;
            expect(v.ok).toBe(acceptable);
            if (acceptable) expect(v.reasons).toEqual([]);
            else expect(v.reasons.length).toBeGreaterThan(0);
        });
    }
});

describe('verdict details', () => {
    it('marks NotSupported quotes with TCB_NOT_SUPPORTED and nothing cryptographic', () => {
        const exp = EXPECTED['phala-dcap-qvl/tdx_quote_outdated'];
        const v = verifyQuote(fixture(exp.file), { at: new Date(exp.offlineChecksAt), collateral: collateralJson(exp.collateralFile!) });
        expect(v.status).toBe('NotSupported');
        expect(v.reasons.map((r) => r.code)).toEqual(['TCB_NOT_SUPPORTED', 'STATUS_NOT_ALLOWED']);
    });

    it('refuses the SPR sample for SEPT_VE_DISABLE = 0 as well as for its TCB', () => {
        const exp = EXPECTED['google-go-tdx-guest/tdx_prod_quote_SPR_E4.dat'];
        const v = verifyQuote(fixture(exp.file), { at: new Date(exp.offlineChecksAt), collateral: collateralJson(exp.collateralFile!) });
        expect(v.reasons.map((r) => r.code)).toEqual(['TCB_NOT_SUPPORTED', 'SEPT_VE_DISABLE_REQUIRED', 'STATUS_NOT_ALLOWED']);
    });

    it('refuses the SGX enclave quote as not a TD even though its collateral verifies', () => {
        const exp = EXPECTED['phala-dcap-qvl/sgx_quote'];
        const v = verifyQuote(fixture(exp.file), { at: new Date(exp.offlineChecksAt), collateral: collateralJson(exp.collateralFile!), policy: { allowedStatuses: ['ConfigurationAndSWHardeningNeeded'] } });
        expect(v.reasons.map((r) => r.code)).toEqual(['NOT_A_TD']);
        expect(v.imageHash).toBeUndefined();
    });

    it('accepts an offline-only verdict only when the policy names NoCollateral', () => {
        const exp = EXPECTED['google-go-tdx-guest/ccel/cos-113-tdx-quote.dat'];
        const at = new Date(exp.offlineChecksAt);
        const strict = verifyQuote(fixture(exp.file), { at });
        expect(strict.status).toBe('NoCollateral');
        expect(strict.ok).toBe(false);
        expect(strict.reasons.map((r) => r.code)).toEqual(['STATUS_NOT_ALLOWED']);
        const lax = verifyQuote(fixture(exp.file), { at, policy: { allowedStatuses: ['NoCollateral'] } });
        expect(lax.ok).toBe(true);
    });

    it('hashes only the declared bytes (trailing bytes do not change quoteHash)', () => {
        const exp = EXPECTED['cocoon/quote.dat'];
        const raw = fixture(exp.file);
        const v = verifyQuote(raw, { at: new Date(exp.offlineChecksAt) });
        expect(v.quoteHash).toBe(createHash('sha256').update(raw.subarray(0, exp.quoteLenDeclared)).digest('hex'));
    });

    it('embeds the pinned Intel root, byte-equal to the fixture copy', () => {
        expect(INTEL_SGX_ROOT.derSha256).toBe(INTEL_SGX_ROOT_CA_SHA256);
        expect(INTEL_SGX_ROOT.certificate.raw.equals(fixture('intel_sgx_root_ca.der'))).toBe(true);
    });
});
