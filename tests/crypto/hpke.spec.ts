import { CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { aeadSeal, deriveKeyPair, HpkeError, setupBaseR, setupBaseS } from '../../actors/crypto/hpke';
import { generateX25519 } from '../../actors/crypto/keys';
import { A21, h } from './vectors';

const hex = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('hex');
const suite = () => new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });

describe('RFC 9180 A.2.1 (base, X25519/HKDF-SHA256/ChaCha20-Poly1305) with the node:crypto implementation', () => {
    it('DeriveKeyPair reproduces both key pairs', () => {
        expect(hex(deriveKeyPair(h(A21.ikmE)).privateKey)).toBe(A21.skEm);
        expect(hex(deriveKeyPair(h(A21.ikmE)).publicKey)).toBe(A21.pkEm);
        expect(hex(deriveKeyPair(h(A21.ikmR)).privateKey)).toBe(A21.skRm);
        expect(hex(deriveKeyPair(h(A21.ikmR)).publicKey)).toBe(A21.pkRm);
    });

    it('sender and recipient reproduce the key schedule', () => {
        const { enc, context } = setupBaseS(h(A21.pkRm), h(A21.info), h(A21.skEm));
        const recipient = setupBaseR(h(A21.enc), h(A21.skRm), h(A21.info));
        expect(hex(enc)).toBe(A21.enc);
        for (const c of [context, recipient]) {
            expect(hex(c.schedule.sharedSecret)).toBe(A21.shared_secret);
            expect(hex(c.schedule.key)).toBe(A21.key);
            expect(hex(c.schedule.baseNonce)).toBe(A21.base_nonce);
            expect(hex(c.schedule.exporterSecret)).toBe(A21.exporter_secret);
        }
    });

    it('reproduces every encryption by advancing the sequence number, and opens it', () => {
        const { context } = setupBaseS(h(A21.pkRm), h(A21.info), h(A21.skEm));
        const recipient = setupBaseR(h(A21.enc), h(A21.skRm), h(A21.info));
        const bySeq = new Map(A21.encryptions.map((e) => [e.sequence_number, e]));
        for (let seq = 0; seq <= 256; seq++) {
            const v = bySeq.get(seq);
            expect(context.sequence).toBe(seq);
            expect(context.nonce(seq).length).toBe(12);
            if (!v) {
                const filler = context.seal(Buffer.alloc(0), Buffer.alloc(1));
                recipient.open(Buffer.alloc(0), filler);
                continue;
            }
            expect(hex(context.nonce(seq))).toBe(v.nonce);
            expect(hex(context.seal(h(v.aad), h(v.pt)))).toBe(v.ct);
            expect(hex(recipient.open(h(v.aad), h(v.ct)))).toBe(v.pt);
        }
        expect(A21.encryptions.map((e) => e.sequence_number)).toEqual([0, 1, 2, 4, 255, 256]);
    });

    it('reproduces the exported values', () => {
        const recipient = setupBaseR(h(A21.enc), h(A21.skRm), h(A21.info));
        for (const e of A21.exports) expect(hex(recipient.export(h(e.exporter_context), e.L))).toBe(e.exported_value);
    });

    it('refuses a small-order (all-zero) enc instead of deriving a public secret', () => {
        expect(() => setupBaseR(Buffer.alloc(32), h(A21.skRm), h(A21.info))).toThrow(HpkeError);
    });

    it('a wrong key, info, aad or flipped bit does not open', () => {
        const { enc, context } = setupBaseS(h(A21.pkRm), h(A21.info));
        const ct = context.seal(Buffer.from('aad'), Buffer.from('secret prompt'));
        expect(() => setupBaseR(enc, generateX25519().privateKey, h(A21.info)).open(Buffer.from('aad'), ct)).toThrow(HpkeError);
        expect(() => setupBaseR(enc, h(A21.skRm), Buffer.from('other')).open(Buffer.from('aad'), ct)).toThrow(HpkeError);
        expect(() => setupBaseR(enc, h(A21.skRm), h(A21.info)).open(Buffer.from('aaD'), ct)).toThrow(HpkeError);
        const bad = Buffer.from(ct);
        bad[0] ^= 0x80;
        expect(() => setupBaseR(enc, h(A21.skRm), h(A21.info)).open(Buffer.from('aad'), bad)).toThrow(HpkeError);
        expect(setupBaseR(enc, h(A21.skRm), h(A21.info)).open(Buffer.from('aad'), ct).toString()).toBe('secret prompt');
    });

    it('raw AEAD matches the vector for sequence 0', () => {
        const v = A21.encryptions[0];
        expect(hex(aeadSeal(h(A21.key), h(v.nonce), h(v.aad), h(v.pt)))).toBe(v.ct);
    });
});

describe('@hpke/core agrees with the fixture and interoperates', () => {
    it('@hpke/core reproduces the A.2.1 vector from the same ikmE (independent check of the fixture)', async () => {
        const s = suite();
        const pkR = await s.kem.deserializePublicKey(h(A21.pkRm));
        const sender = await s.createSenderContext({ recipientPublicKey: pkR, info: h(A21.info), ekm: h(A21.ikmE) });
        expect(hex(sender.enc)).toBe(A21.enc);
        expect(hex(await sender.seal(h(A21.encryptions[0].pt), h(A21.encryptions[0].aad)))).toBe(A21.encryptions[0].ct);
        expect(hex(await sender.export(h(A21.exports[2].exporter_context), 32))).toBe(A21.exports[2].exported_value);
    });

    it('ours seals, @hpke/core opens; @hpke/core seals, ours opens; exports agree', async () => {
        const s = suite();
        const r = generateX25519();
        const info = Buffer.from('interop');
        const { enc, context } = setupBaseS(r.publicKey, info);
        const ct = context.seal(Buffer.alloc(0), Buffer.from('hello worker'));
        const skR = await s.kem.deserializePrivateKey(r.privateKey);
        const theirRecipient = await s.createRecipientContext({ recipientKey: skR, enc, info });
        expect(Buffer.from(await theirRecipient.open(ct)).toString()).toBe('hello worker');
        expect(hex(await theirRecipient.export(Buffer.from('x'), 32))).toBe(hex(context.export(Buffer.from('x'), 32)));

        const theirSender = await s.createSenderContext({ recipientPublicKey: await s.kem.deserializePublicKey(r.publicKey), info });
        const ct2 = await theirSender.seal(Buffer.from('hello app'));
        const ours = setupBaseR(new Uint8Array(theirSender.enc), r.privateKey, info);
        expect(ours.open(Buffer.alloc(0), new Uint8Array(ct2)).toString()).toBe('hello app');
    });
});
