import { randomBytes } from 'crypto';
import { HpkeError } from '../../actors/crypto/hpke';
import { encodeJobAddress, formatJobAddress } from '../../actors/crypto/jobAddress';
import { generateEd25519, generateX25519, x25519PrivateKey } from '../../actors/crypto/keys';
import { decodeSealedRequest, encodeSealedRequest, openRequest, requestInfo, sealRequest } from '../../actors/crypto/request';
import { ResponseStreamOpener, ResponseStreamSealer, StreamError, chunkNonce } from '../../actors/crypto/stream';

const worker = generateX25519();
const receipt = generateEd25519();
const JOB = '0:' + 'ab'.repeat(32);
const base = { jobAddress: JOB, seqno: 7, receiptKey: receipt.publicKey };

function roundTrip(plaintext: Buffer) {
    const sealed = sealRequest({ ...base, recipientPublicKey: worker.publicKey, plaintext });
    const opened = openRequest({ ...base, recipientPrivateKey: worker.privateKey, enc: sealed.enc, ciphertext: sealed.ciphertext });
    return { sealed, opened };
}

describe('job address encoding', () => {
    it('raw string and 36 bytes are the same binding', () => {
        const b = encodeJobAddress(JOB);
        expect(b.length).toBe(36);
        expect(b.readInt32BE(0)).toBe(0);
        expect(formatJobAddress(b)).toBe(JOB);
        expect(encodeJobAddress('-1:' + '00'.repeat(31) + '01').subarray(0, 4).toString('hex')).toBe('ffffffff');
    });
    it.each(['EQAbc', '0:abcd', '0:' + 'zz'.repeat(32), '99999999999:' + '00'.repeat(32)])('rejects %s', (a) => {
        expect(() => encodeJobAddress(a)).toThrow();
    });
});

describe('request sealing', () => {
    it('info layout is "creq" ‖ address(36) ‖ seqno u32 BE ‖ receipt key(32)', () => {
        const info = requestInfo(base);
        expect(info.length).toBe(76);
        expect(info.subarray(0, 4).toString('ascii')).toBe('creq');
        expect(info.subarray(4, 40).equals(encodeJobAddress(JOB))).toBe(true);
        expect(info.readUInt32BE(40)).toBe(7);
        expect(info.subarray(44).equals(receipt.publicKey)).toBe(true);
        expect(requestInfo({ ...base, jobAddress: encodeJobAddress(JOB) }).equals(info)).toBe(true);
    });

    it.each([0, 1, 1024, 16 * 1024 + 3])('round-trips a %d-byte prompt with 16 bytes of overhead', (n) => {
        const pt = randomBytes(n);
        const { sealed, opened } = roundTrip(pt);
        expect(sealed.enc.length).toBe(32);
        expect(sealed.ciphertext.length).toBe(n + 16);
        expect(opened.plaintext.equals(pt)).toBe(true);
        const wire = encodeSealedRequest(sealed);
        expect(decodeSealedRequest(wire).ciphertext.equals(sealed.ciphertext)).toBe(true);
    });

    it('fresh ephemeral key per request', () => {
        const a = sealRequest({ ...base, recipientPublicKey: worker.publicKey, plaintext: Buffer.from('x') });
        const b = sealRequest({ ...base, recipientPublicKey: worker.publicKey, plaintext: Buffer.from('x') });
        expect(a.enc.equals(b.enc)).toBe(false);
    });

    const sealed = sealRequest({ ...base, recipientPublicKey: worker.publicKey, plaintext: Buffer.from('prompt') });
    const open = (patch: Record<string, unknown>) => () =>
        openRequest({ ...base, recipientPrivateKey: worker.privateKey, enc: sealed.enc, ciphertext: sealed.ciphertext, ...patch });

    it.each<[string, Record<string, unknown>]>([
        ['another job', { jobAddress: '0:' + 'ac'.repeat(32) }],
        ['another workchain', { jobAddress: '-1:' + 'ab'.repeat(32) }],
        ['another seqno', { seqno: 8 }],
        ['another receipt key', { receiptKey: generateEd25519().publicKey }],
        ['another worker key', { recipientPrivateKey: generateX25519().privateKey }],
        ['a flipped ciphertext byte', { ciphertext: Buffer.from(sealed.ciphertext.map((b, i) => (i === 2 ? b ^ 1 : b))) }],
        ['a flipped tag byte', { ciphertext: Buffer.from(sealed.ciphertext.map((b, i, a) => (i === a.length - 1 ? b ^ 1 : b))) }],
        ['a flipped enc byte', { enc: Buffer.from(sealed.enc.map((b, i) => (i === 0 ? b ^ 1 : b))) }],
        ['a truncated ciphertext', { ciphertext: sealed.ciphertext.subarray(0, 10) }],
    ])('does not open with %s', (_n, patch) => {
        expect(open(patch)).toThrow(HpkeError);
    });

    it('opens unchanged', () => expect(open({})().plaintext.toString()).toBe('prompt'));
    it('opens with a private key imported once as a KeyObject', () => {
        expect(open({ recipientPrivateKey: x25519PrivateKey(worker.privateKey) })().plaintext.toString()).toBe('prompt');
    });
});

describe('response stream', () => {
    function pair() {
        const { sealed, opened } = roundTrip(Buffer.from('q'));
        return { sealer: opened.responseSealer, opener: sealed.responseOpener };
    }

    it('nonce = 0^3 ‖ u64 index ‖ final flag', () => {
        expect(chunkNonce(0, false).toString('hex')).toBe('000000000000000000000000');
        expect(chunkNonce(258, true).toString('hex')).toBe('000000000000000000010201');
    });

    it('delivers chunks in order, ends on the final chunk', () => {
        const { sealer, opener } = pair();
        const parts = ['Hel', 'lo, ', '', 'world'];
        const wire = parts.map((p, i) => sealer.seal(Buffer.from(p), i === parts.length - 1));
        expect(wire[0].length).toBe(3 + 17);
        expect(wire[0][0]).toBe(0);
        expect(wire[3][0]).toBe(1);
        const out = wire.map((c) => opener.open(c));
        expect(out.map((o) => o.plaintext.toString()).join('')).toBe('Hello, world');
        expect(out.map((o) => o.final)).toEqual([false, false, false, true]);
        expect(() => opener.finish()).not.toThrow();
        expect(() => sealer.seal(Buffer.from('late'))).toThrow(StreamError);
    });

    it('detects reordering', () => {
        const { sealer, opener } = pair();
        const a = sealer.seal(Buffer.from('a'));
        const b = sealer.seal(Buffer.from('b'));
        expect(() => opener.open(b)).toThrow(StreamError);
        void a;
    });

    it('detects a dropped chunk', () => {
        const { sealer, opener } = pair();
        opener.open(sealer.seal(Buffer.from('a')));
        sealer.seal(Buffer.from('b'));
        expect(() => opener.open(sealer.seal(Buffer.from('c'), true))).toThrow(StreamError);
    });

    it('detects a replayed chunk', () => {
        const { sealer, opener } = pair();
        const a = sealer.seal(Buffer.from('a'));
        opener.open(a);
        expect(() => opener.open(a)).toThrow(StreamError);
    });

    it('detects truncation (no final chunk) and a final flag forged onto a middle chunk', () => {
        const { sealer, opener } = pair();
        opener.open(sealer.seal(Buffer.from('a')));
        const mid = sealer.seal(Buffer.from('b'));
        expect(() => opener.finish()).toThrow(/truncated/);
        const forged = Buffer.from(mid);
        forged[0] = 1;
        expect(() => opener.open(forged)).toThrow(StreamError);
        opener.open(mid);
        expect(() => opener.finish()).toThrow(/truncated/);
    });

    it('refuses data after the final chunk and unknown flags', () => {
        const { sealer, opener } = pair();
        const fin = sealer.seal(Buffer.from('end'), true);
        const bad = Buffer.from(fin);
        bad[0] = 2;
        expect(() => opener.open(bad)).toThrow(/flag/);
        opener.open(fin);
        expect(() => opener.open(fin)).toThrow(/after the final/);
    });

    it('a stream from another request does not open', () => {
        const one = pair();
        const two = pair();
        expect(() => two.opener.open(one.sealer.seal(Buffer.from('x'), true))).toThrow(StreamError);
    });

    it('the classes also work from a raw key (for resumable workers)', () => {
        const key = randomBytes(32);
        const s = new ResponseStreamSealer(key);
        const o = new ResponseStreamOpener(key);
        expect(o.open(s.seal(Buffer.from('z'), true)).plaintext.toString()).toBe('z');
    });
});
