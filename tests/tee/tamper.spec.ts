import { X509Certificate } from 'crypto';
import { parseQuote } from '../../actors/tee/quote/parse';
import { QuoteFormatError } from '../../actors/tee/quote/errors';
import { verifyQuote } from '../../actors/tee/verify/verifyQuote';
import { ReasonCode } from '../../actors/tee/verify/types';
import { collateralJson, EXPECTED, fixture, flipped, offsetIn } from './fixtures';

// Every tamper must fail with the precise reason, and with nothing unrelated.
const V4 = EXPECTED['cocoon/quote.dat'];
const V5 = EXPECTED['google-go-tdx-guest/quote_v5_sample.dat'];
const COL_V4 = collateralJson(V4.collateralFile!);

function codes(raw: Buffer, at: string, collateral: unknown = undefined): ReasonCode[] {
    const v = verifyQuote(raw, { at: new Date(at), collateral, policy: { allowedStatuses: ['UpToDate', 'NoCollateral'] } });
    expect(v.ok).toBe(false);
    return [...new Set(v.reasons.map((r) => r.code))];
}

/** Replaces one PEM certificate in the quote with a re-encoding of `der`, same length. */
function withCert(raw: Buffer, index: number, mutate: (der: Buffer) => Buffer): Buffer {
    const q = parseQuote(raw);
    const pem = q.signatureData.pckChainPem[index];
    const der = mutate(Buffer.from(new X509Certificate(pem).raw));
    const b64 = der.toString('base64').match(/.{1,64}/g)!.join('\n');
    const newPem = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----`;
    expect(newPem.length).toBe(pem.length);
    const start = raw.indexOf(pem, 0, 'latin1');
    const out = Buffer.from(raw);
    out.write(newPem, start, 'latin1');
    return out;
}

describe.each([
    ['v4', V4],
    ['v5 (TD 1.5)', V5],
])('tampering with a %s quote', (_name, exp) => {
    const raw = fixture(exp.file);
    const q = parseQuote(raw);
    const sd = q.signatureData;
    const at = exp.offlineChecksAt;

    it('the untouched quote passes offline', () => {
        expect(verifyQuote(raw, { at: new Date(at), policy: { allowedStatuses: ['NoCollateral'] } }).ok).toBe(true);
    });

    it.each([
        ['header user data', 28, []],
        ['TD body: MRTD', 48 + (exp.header.version === 5 ? 6 : 0) + 136, []],
        ['TD body: REPORTDATA', 48 + (exp.header.version === 5 ? 6 : 0) + 520, []],
        ['TD body: TDATTRIBUTES (DEBUG bit)', 48 + (exp.header.version === 5 ? 6 : 0) + 120, ['TD_DEBUG']],
    ])('flipping a byte of the %s breaks the quote signature', (_f, off, extra) => {
        expect(codes(flipped(raw, off as number), at)).toEqual(['QUOTE_SIGNATURE_INVALID', ...(extra as string[])]);
    });

    if (exp.header.version === 5) {
        it('flipping the (signed) v5 body descriptor is caught by the parser', () => {
            const v = verifyQuote(flipped(raw, 48, 0x04), { at: new Date(at) });
            expect(v.reasons.map((r) => r.code)).toEqual(['MALFORMED_QUOTE']);
        });
    }

    it('flipping the quote signature', () => {
        expect(codes(flipped(raw, offsetIn(raw, sd.signature) + 10), at)).toEqual(['QUOTE_SIGNATURE_INVALID']);
    });

    it('flipping the attestation key breaks the signature and the QE binding', () => {
        expect(codes(flipped(raw, offsetIn(raw, sd.attestationKey) + 63), at)).toEqual(['QUOTE_SIGNATURE_INVALID', 'QE_REPORT_DATA_MISMATCH']);
    });

    it('flipping the QE report (ISVSVN) breaks the QE report signature', () => {
        expect(codes(flipped(raw, offsetIn(raw, sd.qeReport.raw) + 258), at)).toEqual(['QE_REPORT_SIGNATURE_INVALID']);
    });

    it('flipping the QE report data breaks its signature and the binding', () => {
        expect(codes(flipped(raw, offsetIn(raw, sd.qeReport.reportData)), at)).toEqual(['QE_REPORT_SIGNATURE_INVALID', 'QE_REPORT_DATA_MISMATCH']);
    });

    it('flipping the QE report signature', () => {
        expect(codes(flipped(raw, offsetIn(raw, sd.qeReportSignature) + 40), at)).toEqual(['QE_REPORT_SIGNATURE_INVALID']);
    });

    it('flipping the QE auth data breaks the binding', () => {
        expect(codes(flipped(raw, offsetIn(raw, sd.qeAuthData) + 5), at)).toEqual(['QE_REPORT_DATA_MISMATCH']);
    });

    it('flipping the PCK leaf signature', () => {
        expect(codes(withCert(raw, 0, (d) => flipped(d, d.length - 3)), at)).toEqual(['PCK_CHAIN_SIGNATURE']);
    });

    it('flipping the PCK leaf public key also breaks the QE report signature', () => {
        const leafDer = Buffer.from(new X509Certificate(sd.pckChainPem[0]).raw);
        const spki = new X509Certificate(sd.pckChainPem[0]).publicKey.export({ format: 'der', type: 'spki' });
        const keyOff = leafDer.indexOf(spki.subarray(spki.length - 20));
        expect(keyOff).toBeGreaterThan(0);
        const c = codes(withCert(raw, 0, (d) => flipped(d, keyOff + 5)), at);
        expect(c).toContain('PCK_CHAIN_SIGNATURE');
        expect(c).toContain('QE_REPORT_SIGNATURE_INVALID');
    });

    it('flipping the intermediate signature', () => {
        expect(codes(withCert(raw, 1, (d) => flipped(d, d.length - 3)), at)).toEqual(['PCK_CHAIN_SIGNATURE']);
    });

    it('flipping a byte of the root makes it untrusted', () => {
        expect(codes(withCert(raw, 2, (d) => flipped(d, d.length - 3)), at)).toEqual(['ROOT_NOT_TRUSTED']);
    });

    it('pinning a different root rejects the real chain', () => {
        const v = verifyQuote(raw, { at: new Date(at), trustedRoots: [] });
        expect(v.status).toBe('Invalid');
        expect(v.reasons.map((r) => r.code)).toEqual(['ROOT_NOT_TRUSTED']);
    });
});

describe('time validity', () => {
    it('quote_v5_sample fails before its PCK leaf is valid (2026-01-01)', () => {
        expect(codes(fixture(V5.file), '2026-01-01T00:00:00Z')).toEqual(['CERT_NOT_TIME_VALID']);
    });

    it('collateral is refused after nextUpdate', () => {
        // The CRLs in this collateral expire before the TCB Info does, so both are reported.
        expect(codes(fixture(V4.file), '2026-03-21T00:00:00Z', COL_V4).sort()).toEqual(['COLLATERAL_EXPIRED', 'CRL_EXPIRED']);
    });

    it('collateral is refused before issueDate', () => {
        expect(codes(fixture(V4.file), '2026-02-18T00:00:00Z', COL_V4).sort()).toEqual(['COLLATERAL_EXPIRED', 'CRL_EXPIRED']);
    });
});

describe('tampering with collateral', () => {
    const raw = fixture(V4.file);
    const at = V4.offlineChecksAt;
    const edit = (patch: Record<string, string>) => ({ ...COL_V4, ...patch });
    const flipHex = (h: string, i: number) => h.slice(0, i) + (h[i] === '0' ? '1' : '0') + h.slice(i + 1);

    it('the untouched collateral gives UpToDate', () => {
        const v = verifyQuote(raw, { at: new Date(at), collateral: COL_V4 });
        expect(v.status).toBe('UpToDate');
        expect(v.ok).toBe(true);
    });

    it('TCB Info text changed (a status upgraded) fails its signature', () => {
        const tcbInfo = COL_V4.tcb_info.replace('"OutOfDate"', '"UpToDate"');
        expect(tcbInfo).not.toBe(COL_V4.tcb_info);
        expect(codes(raw, at, edit({ tcb_info: tcbInfo }))).toEqual(['COLLATERAL_SIGNATURE_INVALID']);
    });

    it('TCB Info re-serialised (same content, other bytes) fails its signature', () => {
        expect(codes(raw, at, edit({ tcb_info: JSON.stringify(JSON.parse(COL_V4.tcb_info), null, 1) }))).toEqual(['COLLATERAL_SIGNATURE_INVALID']);
    });

    it('TCB Info signature flipped', () => {
        expect(codes(raw, at, edit({ tcb_info_signature: flipHex(COL_V4.tcb_info_signature, 7) }))).toEqual(['COLLATERAL_SIGNATURE_INVALID']);
    });

    it('QE Identity text changed fails its signature', () => {
        expect(codes(raw, at, edit({ qe_identity: COL_V4.qe_identity.replace('"isvprodid":2', '"isvprodid":3') }))).toEqual(['COLLATERAL_SIGNATURE_INVALID', 'QE_IDENTITY_MISMATCH']);
    });

    it('QE Identity signature flipped', () => {
        expect(codes(raw, at, edit({ qe_identity_signature: flipHex(COL_V4.qe_identity_signature, 100) }))).toEqual(['COLLATERAL_SIGNATURE_INVALID']);
    });

    it('Root CA CRL signature flipped', () => {
        const h = COL_V4.root_ca_crl;
        expect(codes(raw, at, edit({ root_ca_crl: flipHex(h, h.length - 4) }))).toEqual(['CRL_SIGNATURE_INVALID']);
    });

    it('PCK CRL signature flipped', () => {
        const h = COL_V4.pck_crl;
        expect(codes(raw, at, edit({ pck_crl: flipHex(h, h.length - 4) }))).toEqual(['CRL_SIGNATURE_INVALID']);
    });

    it('a CRL from another issuer (the Processor CA CRL) is refused', () => {
        const other = collateralJson('phala-dcap-qvl/sgx_quote_collateral.json');
        expect(codes(raw, at, edit({ pck_crl: other.pck_crl }))).toContain('CRL_SIGNATURE_INVALID');
    });

    it('TCB signer chain replaced by a foreign certificate', () => {
        const foreignLeaf = parseQuote(raw).signatureData.pckChainPem[0];
        expect(codes(raw, at, edit({ tcb_info_issuer_chain: foreignLeaf }))).toEqual(['COLLATERAL_SIGNER_UNTRUSTED', 'COLLATERAL_SIGNATURE_INVALID']);
    });

    it('collateral for another FMSPC is refused', () => {
        const other = collateralJson('phala-dcap-qvl/tdx_quote_collateral.json');
        const c = codes(raw, '2025-07-04T10:24:15Z', other);
        expect(c).toContain('COLLATERAL_MISMATCH');
        expect(c).not.toContain('COLLATERAL_SIGNATURE_INVALID');
    });

    it('collateral with a missing field is malformed', () => {
        const { pck_crl: _omit, ...rest } = COL_V4;
        expect(codes(raw, at, rest)).toEqual(['COLLATERAL_MALFORMED']);
    });

    it('SGX collateral on a TDX quote is a mismatch', () => {
        const exp = EXPECTED['phala-dcap-qvl/tdx_quote'];
        const sgxCol = collateralJson('phala-dcap-qvl/sgx_quote_collateral.json');
        expect(codes(fixture(exp.file), exp.offlineChecksAt, sgxCol)).toContain('COLLATERAL_MISMATCH');
    });
});

describe('malformed input never throws from deep inside', () => {
    const raw = fixture(V4.file).subarray(0, V4.quoteLenDeclared);

    it('every truncation fails with TRUNCATED or BAD_LENGTH and a byte offset', () => {
        for (let len = 0; len < raw.length; len += len < 700 ? 1 : 37) {
            let err: unknown;
            try {
                parseQuote(raw.subarray(0, len));
            } catch (e) {
                err = e;
            }
            expect(err).toBeInstanceOf(QuoteFormatError);
            expect(['TRUNCATED', 'BAD_LENGTH']).toContain((err as QuoteFormatError).code);
        }
    });

    it.each([
        ['version 6', 0, 6, 'UNSUPPORTED_VERSION'],
        ['attestation key type 3 (ECDSA-384)', 2, 3, 'UNSUPPORTED_ATT_KEY_TYPE'],
        ['SGX tee type in a v4 quote', 4, 0, 'UNSUPPORTED_TEE_TYPE'],
        ['a foreign QE vendor', 12, 0xff, 'UNKNOWN_QE_VENDOR'],
    ])('%s', (_n, off, value, code) => {
        const bad = Buffer.from(raw);
        bad[off] = value;
        expect(() => parseQuote(bad)).toThrow(expect.objectContaining({ code, offset: off }));
    });

    it('certification type 3 instead of 6', () => {
        const bad = Buffer.from(raw);
        bad.writeUInt16LE(3, 632 + 4 + 128);
        expect(() => parseQuote(bad)).toThrow(expect.objectContaining({ code: 'BAD_CERTIFICATION_TYPE', offset: 764 }));
    });

    it('non-zero trailing bytes are refused in strict modes and ignored by default', () => {
        const padded = Buffer.concat([raw, Buffer.from('extra')]);
        expect(() => parseQuote(padded, { trailing: 'zero' })).toThrow(expect.objectContaining({ code: 'TRAILING_BYTES' }));
        expect(() => parseQuote(Buffer.concat([raw, Buffer.alloc(3)]), { trailing: 'none' })).toThrow(expect.objectContaining({ code: 'TRAILING_BYTES' }));
        expect(parseQuote(padded).declared.equals(raw)).toBe(true);
    });

    it('random byte corruption yields a verdict, never an exception', () => {
        let seed = 12345;
        const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        for (let i = 0; i < 300; i++) {
            const bad = Buffer.from(raw);
            for (let k = 0; k < 4; k++) bad[Math.floor(rnd() * bad.length)] = Math.floor(rnd() * 256);
            const v = verifyQuote(bad, { at: new Date(V4.offlineChecksAt), collateral: COL_V4 });
            expect(v.ok).toBe(false);
        }
    });
});
