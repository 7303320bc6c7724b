import { createHash } from 'crypto';
import { parseQuote, parseTdReportBody } from '../../actors/tee/quote/parse';
import { cocoonImageHash, IMAGE_HASH_TAG, imageHash, imageHashUint } from '../../actors/tee/imageHash';
import { newNonce, noncePayload, reportDataFor, signNonce, verifyNonce } from '../../actors/tee/binding';
import { generateEd25519, generateX25519 } from '../../actors/crypto/keys';
import { tdPolicyReasons, DEFAULT_POLICY } from '../../actors/tee/verify/policy';
import { TdQuote } from '../../actors/tee/quote/types';
import { EXPECTED, fixture } from './fixtures';

const td = (parseQuote(fixture('cocoon/quote.dat')) as TdQuote).td;

function withBodyByte(offset: number, value: number) {
    const raw = Buffer.from(td.raw);
    raw[offset] = value;
    return parseTdReportBody(raw);
}

describe('image hash v1', () => {
    it('is SHA-256 of the tag and body bytes [120, 520), byte for byte', () => {
        const manual = createHash('sha256')
            .update(Buffer.from('cocoon-ton:img:1'))
            .update(Buffer.concat([td.tdAttributes, td.xfam, td.mrTd, td.mrConfigId, td.mrOwner, td.mrOwnerConfig, ...td.rtmr]))
            .digest();
        expect(IMAGE_HASH_TAG.length).toBe(16);
        expect(imageHash(td).equals(manual)).toBe(true);
        expect(imageHashUint(manual)).toBe('0x' + manual.toString('hex'));
        expect(BigInt(imageHashUint(manual))).toBe(BigInt('0x' + manual.toString('hex')));
    });

    it.each([
        ['TDATTRIBUTES DEBUG bit', 120],
        ['XFAM', 128],
        ['MRTD', 136],
        ['MRCONFIGID', 184],
        ['MROWNER', 232],
        ['MROWNERCONFIG', 280],
        ['RTMR0', 328],
        ['RTMR2', 424],
        ['RTMR3', 472],
    ])('changes with %s', (_n, off) => {
        expect(imageHash(withBodyByte(off, td.raw[off] ^ 1)).equals(imageHash(td))).toBe(false);
    });

    it.each([
        ['REPORTDATA', 520],
        ['REPORTDATA end', 583],
        ['TEE_TCB_SVN', 0],
        ['MRSEAM', 16],
    ])('ignores %s', (_n, off) => {
        expect(imageHash(withBodyByte(off, td.raw[off] ^ 1)).equals(imageHash(td))).toBe(true);
    });

    it('differs from COCOON\'s hash, which a debug TD would share', () => {
        const debug = withBodyByte(120, td.raw[120] | 1);
        expect(cocoonImageHash(debug).equals(cocoonImageHash(td))).toBe(true);
        expect(imageHash(debug).equals(imageHash(td))).toBe(false);
        expect(cocoonImageHash(td).toString('hex')).toBe(EXPECTED['cocoon/quote.dat'].cocoonImageHash);
    });
});

describe('REPORTDATA key binding and nonce freshness', () => {
    const receipt = generateEd25519();
    const enc = generateX25519();

    it('REPORTDATA = SHA-512(tag || receipt key || enc key)', () => {
        const rd = reportDataFor({ receiptKey: receipt.publicKey, encKey: enc.publicKey });
        const manual = createHash('sha512').update(Buffer.concat([Buffer.from('cocoon-ton:rpt:1'), receipt.publicKey, enc.publicKey])).digest();
        expect(rd.equals(manual)).toBe(true);
        expect(reportDataFor({ receiptKey: enc.publicKey, encKey: receipt.publicKey }).equals(rd)).toBe(false);
        expect(() => reportDataFor({ receiptKey: receipt.publicKey.subarray(1), encKey: enc.publicKey })).toThrow(/32 bytes/);
    });

    it('nonce payload is "frsh" || nonce || quote hash (68 bytes) and verifies only unchanged', () => {
        const nonce = newNonce();
        const qh = createHash('sha256').update('quote').digest();
        const p = noncePayload(nonce, qh);
        expect(p.length).toBe(68);
        expect(p.subarray(0, 4).toString('ascii')).toBe('frsh');
        const sig = signNonce(receipt.privateKey, nonce, qh);
        expect(verifyNonce(receipt.publicKey, nonce, qh, sig)).toBe(true);
        expect(verifyNonce(receipt.publicKey, newNonce(), qh, sig)).toBe(false);
        expect(verifyNonce(receipt.publicKey, nonce, Buffer.alloc(32), sig)).toBe(false);
        expect(verifyNonce(generateEd25519().publicKey, nonce, qh, sig)).toBe(false);
        const bad = Buffer.from(sig);
        bad[5] ^= 1;
        expect(verifyNonce(receipt.publicKey, nonce, qh, bad)).toBe(false);
    });

    it('policy refuses a quote whose REPORTDATA does not bind the expected keys', () => {
        const rd = reportDataFor({ receiptKey: receipt.publicKey, encKey: enc.publicKey });
        expect(tdPolicyReasons(td, undefined, { ...DEFAULT_POLICY, expectedReportData: rd }).map((r) => r.code)).toEqual(['REPORT_DATA_MISMATCH']);
        expect(tdPolicyReasons(td, undefined, { ...DEFAULT_POLICY, expectedReportData: td.reportData })).toEqual([]);
    });
});

describe('TD policy', () => {
    const codes = (body: ReturnType<typeof parseTdReportBody>, p = {}) => tdPolicyReasons(body, undefined, { ...DEFAULT_POLICY, ...p }).map((r) => r.code);
    it('accepts the production attributes', () => expect(codes(td)).toEqual([]));
    it('refuses DEBUG even when the mask allows bit 0', () => {
        expect(codes(withBodyByte(120, td.raw[120] | 1), { allowedTdAttributesMask: 0xffffffffffffffffn })).toEqual(['TD_DEBUG']);
    });
    it('refuses reserved attribute bits', () => expect(codes(withBodyByte(121, 0x01))).toEqual(['TD_ATTRIBUTES_NOT_ALLOWED']));
    it('requires SEPT_VE_DISABLE by default', () => expect(codes(withBodyByte(123, 0))).toEqual(['SEPT_VE_DISABLE_REQUIRED']));
    it('checks XFAM against an allowlist', () => {
        expect(codes(td, { allowedXfam: ['e702060000000000'] })).toEqual([]);
        expect(codes(td, { allowedXfam: ['e700060000000000'] })).toEqual(['XFAM_NOT_ALLOWED']);
    });
    it('refuses a non-zero MRSERVICETD unless allowed', () => {
        const v5 = (parseQuote(fixture('google-go-tdx-guest/quote_v5_sample.dat')) as TdQuote).td;
        expect(codes(v5)).toEqual([]);
        const raw = Buffer.from(v5.raw);
        raw[600] = 1;
        expect(codes(parseTdReportBody(raw))).toEqual(['MRSERVICETD_NONZERO']);
        expect(codes(parseTdReportBody(raw), { allowMrServiceTd: true })).toEqual([]);
    });
    it('checks the image allowlist', () => {
        const h = imageHash(td).toString('hex');
        expect(tdPolicyReasons(td, h, { ...DEFAULT_POLICY, allowedImageHashes: ['0x' + h] })).toEqual([]);
        expect(tdPolicyReasons(td, h, { ...DEFAULT_POLICY, allowedImageHashes: ['00'.repeat(32)] }).map((r) => r.code)).toEqual(['IMAGE_NOT_ALLOWED']);
    });
});
