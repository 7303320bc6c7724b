import { Address, Cell } from '@ton/core';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { openRequest } from '../../../actors/crypto/request';
import { ResponseStreamOpener, ResponseStreamSealer, StreamError } from '../../../actors/crypto/stream';
import { setupBaseS } from '../../../actors/crypto/hpke';
import {
    BUCKETS,
    decodeInnerRequest,
    decodeRequestEnvelope,
    decodeVoucherEnvelope,
    FRAME_LENGTHS,
    FrameKind,
    padInner,
    parseWireErrorBody,
    REQUEST_HEADER_LEN,
    SealedStreamReader,
    SealedStreamWriter,
    statusOf,
    StreamEvent,
    WIRE_ERROR_CODES,
    WireError,
} from '../../../actors/wire';
import { verifyReceipt, verifyVoucher } from '../../../actors/crypto/payloads';
import { parseSignedReceiptCell, ZERO_HEAD } from '../../../wrappers/payloads';
import { buildVectors, WireVectors } from './vectors';

const FIXTURE = join(__dirname, '../../fixtures/wire/vectors.json');

function load(): WireVectors {
    if (process.env.UPDATE_WIRE_VECTORS === '1' || !existsSync(FIXTURE)) writeFileSync(FIXTURE, JSON.stringify(buildVectors(), null, 2) + '\n');
    return JSON.parse(readFileSync(FIXTURE, 'utf8')) as WireVectors;
}

const v = load();
const hex = (s: string) => Buffer.from(s, 'hex');

/** The client's opener for the vector request (same ephemeral key => same HPKE context). */
function vectorReader(): SealedStreamReader {
    const { context } = setupBaseS(hex(v.inputs.workerEncPublic), requestInfoOf(), hex(ephemeralPrivate()));
    return new SealedStreamReader(ResponseStreamOpener.fromContext(context));
}
function ephemeralPrivate(): string {
    // deriveKeyPair is deterministic; re-derive from the stored seed.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { deriveKeyPair } = require('../../../actors/crypto/hpke') as typeof import('../../../actors/crypto/hpke');
    return deriveKeyPair(hex(v.inputs.ephemeralSeed)).privateKey.toString('hex');
}
function requestInfoOf(): Buffer {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { requestInfo } = require('../../../actors/crypto/request') as typeof import('../../../actors/crypto/request');
    return requestInfo({ jobAddress: v.inputs.job, seqno: v.inputs.seqno, receiptKey: hex(v.inputs.receiptPublic) });
}

function readAll(frames: string[], split?: number): StreamEvent[] {
    const r = vectorReader();
    const body = Buffer.concat(frames.map(hex));
    const events: StreamEvent[] = [];
    if (split === undefined) events.push(...r.push(body));
    else {
        events.push(...r.push(body.subarray(0, split)));
        events.push(...r.push(body.subarray(split)));
    }
    r.finish();
    return events;
}

describe('wire vectors (tests/fixtures/wire/vectors.json)', () => {
    it('the code reproduces the stored vectors byte for byte', () => {
        expect(buildVectors()).toEqual(v);
    });

    it('the request envelope decodes to its fields and the worker opens the sealed request', () => {
        const env = decodeRequestEnvelope(hex(v.requestEnvelope));
        expect(env.globalId).toBe(-239);
        expect(env.job).toBe(v.inputs.job);
        expect(env.seqno).toBe(1);
        expect(env.voucher!.voucher.amount).toBe(1000n);
        expect(verifyVoucher(env.voucher!, hex(v.inputs.clientPublic))).toBe(true);
        const opened = openRequest({
            recipientPrivateKey: hex(v.inputs.workerEncPrivate),
            jobAddress: env.job,
            seqno: env.seqno,
            receiptKey: hex(v.inputs.receiptPublic),
            enc: env.enc,
            ciphertext: env.ciphertext,
        });
        expect(opened.plaintext.toString('hex')).toBe(v.inputs.inner);
        expect(decodeInnerRequest(opened.plaintext)).toEqual({ kind: 'chat', body: { model: 'tiny', messages: [{ role: 'user', content: 'hello' }], stream: true, max_tokens: 4 } });
        // header layout: magic, version, global id, job, seqno, voucher_len
        const b = hex(v.requestEnvelope);
        expect(b.subarray(0, 5).toString('hex')).toBe('4354525101');
        expect(b.readUInt16BE(REQUEST_HEADER_LEN - 2)).toBe(b.length - REQUEST_HEADER_LEN - 32 - env.ciphertext.length);
    });

    it('the voucher envelope decodes to the same signed voucher', () => {
        const w = decodeVoucherEnvelope(hex(v.voucherEnvelope));
        expect(w.voucher.job.equals(Address.parseRaw(v.inputs.job))).toBe(true);
        expect(verifyVoucher(w, hex(v.inputs.clientPublic))).toBe(true);
    });

    it('the response stream opens to the answer and a receipt that verifies and binds both hashes', () => {
        const events = readAll(v.responseFrames);
        const data = events.filter((e) => e.type === 'data').map((e) => (e as { bytes: Buffer }).bytes.toString());
        expect(data).toEqual(v.inputs.answerPieces);
        const end = events[events.length - 1];
        if (end.type !== 'end') throw new Error('no end trailer');
        expect(end.meta).toEqual({ finishReason: 'stop', usageSource: 'final' });
        expect(verifyReceipt(end.receipt, hex(v.inputs.receiptPublic))).toBe(true);
        expect(end.receipt.receipt.requestHash.toString('hex')).toBe(v.requestHash);
        expect(end.receipt.receipt.responseHash.toString('hex')).toBe(v.responseHash);
        expect(parseSignedReceiptCell(Cell.fromBoc(hex(v.signedReceiptBoc))[0]).receipt.cost).toBe(700n);
        // the receipt names the job's life (the voucher's nonce) and the empty chain before seqno 1
        expect(end.receipt.receipt.nonce).toBe(41_000_001n);
        expect(end.receipt.receipt.prevHead.equals(ZERO_HEAD)).toBe(true);
    });

    it('an error trailer carries the code, its status and the receipt for what was served', () => {
        const events = readAll(v.errorFrames);
        const last = events[events.length - 1];
        if (last.type !== 'error') throw new Error('no error trailer');
        expect(last.error.code).toBe('engine_failed');
        expect(last.error.status).toBe(502);
        expect(last.receipt!.receipt.tokens.completion).toBe(1);
    });

    it('every frame has a bucket length, so one-token frames all look alike', () => {
        for (const f of [...v.responseFrames, ...v.errorFrames]) {
            const b = hex(f);
            expect(b.readUInt32BE(0)).toBe(b.length - 4);
            expect(FRAME_LENGTHS).toContain(b.length - 4);
        }
        const data = v.responseFrames.slice(0, -1).map((f) => hex(f).length);
        expect(new Set(data).size).toBe(1);
    });

    it('the reader gives the same events for every split of the body', () => {
        const norm = (es: StreamEvent[]) => es.map((e) => (e.type === 'data' ? e.bytes.toString('hex') : e.type === 'end' ? e.receipt.cell.hash().toString('hex') : e.error.code));
        const whole = norm(readAll(v.responseFrames));
        const total = v.responseFrames.reduce((n, f) => n + f.length / 2, 0);
        for (let i = 0; i <= total; i += 5) expect(norm(readAll(v.responseFrames, i))).toEqual(whole);
    });
});

describe('stream tampering', () => {
    const body = () => Buffer.concat(v.responseFrames.map(hex));

    it('truncation (no final frame) is detected by finish()', () => {
        const r = vectorReader();
        r.push(Buffer.concat(v.responseFrames.slice(0, -1).map(hex)));
        expect(() => r.finish()).toThrow(StreamError);
    });
    it('a cut inside a frame is detected', () => {
        const r = vectorReader();
        const b = body();
        r.push(b.subarray(0, b.length - 3));
        expect(() => r.finish()).toThrow(/inside a frame|truncated/);
    });
    it('a frame length that is not a bucket length is refused', () => {
        const b = Buffer.from(body());
        b.writeUInt32BE(100, 0);
        expect(() => vectorReader().push(b)).toThrow(/bucket/);
    });
    it('swapped frames fail authentication', () => {
        const f = v.responseFrames.map(hex);
        expect(() => vectorReader().push(Buffer.concat([f[1], f[0], ...f.slice(2)]))).toThrow(StreamError);
    });
    it('a flipped ciphertext bit fails authentication', () => {
        const b = Buffer.from(body());
        b[20] ^= 1;
        expect(() => vectorReader().push(b)).toThrow(StreamError);
    });
    it('bytes after the final frame are refused', () => {
        const r = vectorReader();
        expect(() => r.push(Buffer.concat([body(), Buffer.alloc(4)]))).toThrow(/after the final/);
    });
    it('a data frame flagged final and a trailer not flagged final are refused', () => {
        const key = Buffer.alloc(32, 7);
        const s1 = new ResponseStreamSealer(key);
        const bad1 = s1.seal(padInner(FrameKind.data, Buffer.from('x')), true);
        const len = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, (b.length >> 8) & 0xff, b.length & 0xff]), b]);
        expect(() => new SealedStreamReader(new ResponseStreamOpener(key)).push(len(bad1))).toThrow(/final flag/);
        const s2 = new ResponseStreamSealer(key);
        const bad2 = s2.seal(padInner(FrameKind.end, Buffer.from('x')), false);
        expect(() => new SealedStreamReader(new ResponseStreamOpener(key)).push(len(bad2))).toThrow(/not flagged final/);
    });
    it('non-zero padding is refused', () => {
        const key = Buffer.alloc(32, 9);
        const inner = padInner(FrameKind.data, Buffer.from('abc'));
        inner[inner.length - 1] = 1;
        const sealed = new ResponseStreamSealer(key).seal(inner);
        const f = Buffer.concat([Buffer.alloc(4), sealed]);
        f.writeUInt32BE(sealed.length);
        expect(() => new SealedStreamReader(new ResponseStreamOpener(key)).push(f)).toThrow(/padding/);
    });
});

describe('padding', () => {
    it('large answers are split at the largest bucket and reassemble exactly', () => {
        const key = Buffer.alloc(32, 3);
        const w = new SealedStreamWriter(new ResponseStreamSealer(key));
        const big = Buffer.alloc(100_000, 0x61);
        const frames = w.data(big);
        expect(frames.length).toBe(Math.ceil(big.length / (BUCKETS[BUCKETS.length - 1] - 5)));
        const r = new SealedStreamReader(new ResponseStreamOpener(key));
        const got = r.push(Buffer.concat(frames));
        expect(Buffer.concat(got.map((e) => (e as { bytes: Buffer }).bytes)).equals(big)).toBe(true);
        expect(r.responseHash().equals(w.responseHash())).toBe(true);
    });
    it('the bucket depends only on size class, not on the exact length', () => {
        const key = Buffer.alloc(32, 4);
        const w = new SealedStreamWriter(new ResponseStreamSealer(key));
        const lens = [1, 100, 300, 507].map((n) => w.data(Buffer.alloc(n, 1))[0].length);
        expect(new Set(lens).size).toBe(1);
        expect(w.data(Buffer.alloc(508, 1))[0].length).toBe(4 + 2048 + 17);
    });
});

describe('envelope refusals', () => {
    const good = () => Buffer.from(hex(v.requestEnvelope));
    const code = (f: () => unknown) => {
        try {
            f();
        } catch (e) {
            return (e as WireError).code;
        }
        return 'accepted';
    };
    it.each([
        ['too short', () => good().subarray(0, 60), 'bad_envelope'],
        ['bad magic', () => Object.assign(good(), { 0: 0x41 }), 'bad_envelope'],
        ['bad version', () => Object.assign(good(), { 4: 9 }), 'bad_envelope'],
        ['seqno 0', () => { const b = good(); b.writeUInt32BE(0, 45); return b; }, 'bad_envelope'],
        ['voucher_len past the end', () => { const b = good(); b.writeUInt16BE(0xffff, 49); return b; }, 'bad_envelope'],
        ['voucher BoC garbage', () => { const b = good(); b.fill(0x55, REQUEST_HEADER_LEN + 64, REQUEST_HEADER_LEN + 80); return b; }, 'bad_voucher'],
    ])('%s', (_name, make, expected) => {
        expect(code(() => decodeRequestEnvelope(make()))).toBe(expected);
    });
    it('voucher envelope with a bad magic', () => {
        const b = Buffer.from(hex(v.voucherEnvelope));
        b[0] = 0;
        expect(code(() => decodeVoucherEnvelope(b))).toBe('bad_envelope');
    });
    it('inner request: unknown kind, not JSON, not an object', () => {
        expect(code(() => decodeInnerRequest(Buffer.from('\x09{"a":1}', 'binary')))).toBe('bad_inner_request');
        expect(code(() => decodeInnerRequest(Buffer.from('\x01{nope', 'binary')))).toBe('bad_inner_request');
        expect(code(() => decodeInnerRequest(Buffer.from('\x01[1,2]', 'binary')))).toBe('bad_inner_request');
    });
});

describe('error codes', () => {
    it('every code has an HTTP status and survives the JSON round trip', () => {
        for (const c of WIRE_ERROR_CODES) {
            const e = new WireError(c, `m ${c}`, { retryable: false });
            expect(statusOf(c)).toBeGreaterThanOrEqual(400);
            const back = parseWireErrorBody(JSON.stringify(e.toJSON()));
            expect(back.code).toBe(c);
            expect(back.status).toBe(statusOf(c));
            expect(back.details.retryable).toBe(false);
        }
    });
    it('an unknown shape is reported, never thrown', () => {
        expect(parseWireErrorBody('not json').code).toBe('internal');
        expect(parseWireErrorBody('{"error":{"code":"nope"}}').code).toBe('internal');
    });
});
