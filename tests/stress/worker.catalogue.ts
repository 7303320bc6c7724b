/**
 * The worker's bad-input catalogue: malformed and hostile inputs to every endpoint (/v1/attestation,
 * /v1/freshness, /v1/requests, /v1/vouchers, /health, /metrics) and to its HTTP parser, each with the status
 * and JSON error code the worker must answer. Hostile envelopes, ciphertexts and vouchers are built with the
 * project's own codecs (actors/wire, actors/crypto, wrappers/payloads through the job kit), then broken.
 */
import { Address, beginCell } from '@ton/core';
import { randomBytes } from 'crypto';
import type { OpenedJob } from '../../wrappers/testkit/jobs';
import { ed25519FromLabel } from '../../wrappers/testkit';
import { generateX25519 } from '../../actors/crypto/keys';
import {
    decodeRequestEnvelope,
    encodeRequestEnvelope,
    encodeVoucherEnvelope,
    InnerKind,
    MediaTypes,
    Paths,
    REQUEST_HEADER_LEN,
    sealForWorker,
    type AttestationDoc,
    type InnerRequest,
} from '../../actors/wire';
import { sealRequest } from '../../actors/crypto/request';
import type { Answer } from '../actors/worker/kit/client';
import type { BadInput, Outcome } from './kit/catalogue';
import { outcomeOf } from './kit/catalogue';
import { chunked, head, rawRequest, withBody, type RawAnswer, type RawRequest } from './kit/rawHttp';

/** What the worker's catalogue rows need from the running worker. */
export interface WorkerCtx {
    url: string;
    doc: AttestationDoc;
    /** An open job of this worker whose seqno 1 was never served (refusals never consume it). */
    scratch: OpenedJob;
    /** Opens a fresh job of this worker. */
    openJob(): Promise<OpenedJob>;
    /** An open job of another worker account. */
    foreignJob: OpenedJob;
    /** The worker's settings the rows depend on. */
    maxRequestBytes: number;
    /** Sends a sealed request through the test client and reads the whole answer (stream and trailer). */
    request(job: Address, seqno: number, req?: InnerRequest, opts?: { voucher?: { cell: import('@ton/core').Cell; signature: Buffer } | null; globalId?: number }): Promise<Answer>;
}

const CHAT: InnerRequest = { kind: 'chat', body: { model: 'stub-model', messages: [{ role: 'user', content: 'hello there' }], stream: true } };

const raw = (ctx: WorkerCtx, r: RawRequest): Promise<RawAnswer> => rawRequest(ctx.url, r);
const rawOutcome = async (ctx: WorkerCtx, r: RawRequest): Promise<Outcome> => outcomeOf(await raw(ctx, r));

/** POSTs a request envelope as it is (no re-encoding) and reports the JSON error, if any. */
const postEnvelope = (ctx: WorkerCtx, body: Buffer, type: string = MediaTypes.request) => rawOutcome(ctx, withBody('POST', Paths.requests, body, { 'Content-Type': type }));
const postVoucher = (ctx: WorkerCtx, body: Buffer, type: string = MediaTypes.voucher) => rawOutcome(ctx, withBody('POST', Paths.vouchers, body, { 'Content-Type': type }));

/** A correctly sealed envelope for `job`, `seqno` (what the rows then break). */
function sealed(ctx: WorkerCtx, job: Address, seqno = 1, o: { encKey?: Buffer; receiptKey?: Buffer; request?: InnerRequest; globalId?: number } = {}): Buffer {
    return sealForWorker({
        encKey: o.encKey ?? Buffer.from(ctx.doc.encKey, 'hex'),
        receiptKey: o.receiptKey ?? Buffer.from(ctx.doc.receiptKey, 'hex'),
        globalId: o.globalId ?? ctx.doc.globalId,
        job,
        seqno,
        request: o.request ?? CHAT,
    }).body;
}

/** An envelope around an arbitrary inner plaintext (built with the crypto module, so only the plaintext is wrong). */
function sealedPlaintext(ctx: WorkerCtx, job: Address, plaintext: Buffer, seqno = 1): Buffer {
    const receiptKey = Buffer.from(ctx.doc.receiptKey, 'hex');
    const s = sealRequest({ recipientPublicKey: Buffer.from(ctx.doc.encKey, 'hex'), jobAddress: job.toRawString(), seqno, receiptKey, plaintext });
    return encodeRequestEnvelope({ globalId: ctx.doc.globalId, job: job.toRawString(), seqno, enc: s.enc, ciphertext: s.ciphertext });
}

/** Decodes a good envelope, changes fields, encodes it again with the codec. */
function reencode(body: Buffer, change: (e: ReturnType<typeof decodeRequestEnvelope>) => Partial<Parameters<typeof encodeRequestEnvelope>[0]>): Buffer {
    const e = decodeRequestEnvelope(body);
    return encodeRequestEnvelope({ ...e, voucher: e.voucher, ...change(e) });
}

/** Offsets inside the request envelope header, from the codec's own header length (docs/wire.md §2). */
const SEQNO_OFFSET = REQUEST_HEADER_LEN - 2 - 4;
const VOUCHER_LEN_OFFSET = REQUEST_HEADER_LEN - 2;

function mutate(b: Buffer, f: (c: Buffer) => void): Buffer {
    const c = Buffer.from(b);
    f(c);
    return c;
}

/** Outcome of a sealed request read to its end: the JSON error, or the code of the sealed error trailer. */
function answerOutcome(a: Answer): Outcome {
    if (a.status !== 200) return { status: a.status, code: a.error?.code ?? null, detail: a.error?.message };
    return { status: 200, code: a.trailerError?.code ?? (a.receipt ? 'served' : null), detail: a.trailerError?.message };
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

export const WORKER_CATALOGUE: BadInput<WorkerCtx>[] = [
    // ---------------------------------------------------------------- routing and methods
    { name: 'unknown path', sends: 'GET /v1/nope', expect: { status: 404, code: 'not_found' }, send: (c) => rawOutcome(c, { head: head('GET', '/v1/nope') }) },
    { name: 'root path', sends: 'GET /', expect: { status: 404, code: 'not_found' }, send: (c) => rawOutcome(c, { head: head('GET', '/') }) },
    { name: 'path traversal', sends: 'GET /v1/../../etc/passwd', expect: { status: 404, code: 'not_found' }, send: (c) => rawOutcome(c, { head: head('GET', '/v1/../../etc/passwd') }) },
    { name: 'request target that is not a URL', sends: 'GET //[ HTTP/1.1', expect: { status: 400, code: 'bad_http' }, send: (c) => rawOutcome(c, { head: head('GET', '//[') }) },
    { name: 'GET on requests', sends: 'GET /v1/requests', expect: { status: 405, code: 'method_not_allowed' }, send: (c) => rawOutcome(c, { head: head('GET', Paths.requests) }) },
    { name: 'DELETE on vouchers', sends: 'DELETE /v1/vouchers', expect: { status: 405, code: 'method_not_allowed' }, send: (c) => rawOutcome(c, { head: head('DELETE', Paths.vouchers) }) },
    { name: 'POST on attestation', sends: 'POST /v1/attestation with a JSON body', expect: { status: 405, code: 'method_not_allowed' }, send: (c) => rawOutcome(c, withBody('POST', Paths.attestation, '{"a":1}', { 'Content-Type': 'application/json' })) },
    { name: 'POST on health', sends: 'POST /health', expect: { status: 405, code: 'method_not_allowed' }, send: (c) => rawOutcome(c, withBody('POST', Paths.health, 'x')) },
    { name: 'PUT on metrics', sends: 'PUT /metrics', expect: { status: 405, code: 'method_not_allowed' }, send: (c) => rawOutcome(c, withBody('PUT', Paths.metrics, 'x')) },

    // ---------------------------------------------------------------- the HTTP parser
    { name: 'request line is garbage', sends: 'HELLO WORLD\\r\\n\\r\\n', expect: { status: 400, code: 'bad_http' }, send: (c) => rawOutcome(c, { head: 'HELLO WORLD\r\n\r\n' }) },
    { name: 'header without a colon', sends: 'a header line with no colon', expect: { status: 400, code: 'bad_http' }, send: (c) => rawOutcome(c, { head: 'GET /health HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n' }) },
    { name: 'control byte in a header', sends: 'X-A: a\\x01b', expect: { status: 400, code: 'bad_http' }, send: (c) => rawOutcome(c, { head: 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n' }) },
    { name: 'content-length not a number', sends: 'Content-Length: abc', expect: { status: 400, code: 'bad_http' }, send: (c) => rawOutcome(c, { head: `POST ${Paths.requests} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n` }) },
    {
        name: 'two different content-lengths',
        sends: 'Content-Length: 5 and Content-Length: 7',
        expect: { status: 400, code: 'bad_http' },
        send: (c) => rawOutcome(c, { head: `POST ${Paths.requests} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n`, body: ['12345'] }),
    },
    {
        name: 'content-length with transfer-encoding (smuggling)',
        sends: 'Content-Length: 5 and Transfer-Encoding: chunked',
        expect: { status: 400, code: 'bad_http' },
        send: (c) => rawOutcome(c, { head: `POST ${Paths.requests} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`, body: ['0\r\n\r\n'] }),
    },
    {
        name: 'broken chunked framing',
        sends: 'a chunk size "zz"',
        expect: { status: 400, code: 'bad_http' },
        send: (c) => rawOutcome(c, { head: `POST ${Paths.requests} HTTP/1.1\r\nHost: x\r\nContent-Type: ${MediaTypes.request}\r\nTransfer-Encoding: chunked\r\n\r\n`, body: ['zz\r\nabc\r\n0\r\n\r\n'] }),
    },
    { name: 'huge header', sends: 'one 64 KiB header', expect: { status: 431, code: 'headers_too_large' }, send: (c) => rawOutcome(c, { head: head('GET', Paths.health, { 'X-Big': 'a'.repeat(64 * 1024) }) }) },
    {
        name: 'thousands of headers',
        sends: '3,000 small headers',
        expect: { status: 431, code: 'headers_too_large' },
        send: (c) => rawOutcome(c, { head: head('GET', Paths.health, Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, 'v']))) }),
    },
    { name: 'huge URL', sends: 'a 100 KiB query string', expect: { status: 431, code: 'headers_too_large' }, send: (c) => rawOutcome(c, { head: head('GET', `${Paths.freshness}?nonce=${'ab'.repeat(50 * 1024)}`) }) },
    {
        name: 'slowloris headers',
        sends: 'the request head one byte every 250 ms, never finished',
        expect: { status: 408, code: 'request_timeout' },
        send: (c) => rawOutcome(c, { head: `GET ${Paths.health} HTTP/1.1\r\nHost: 127.0.0.1\r\n` + 'X-Slow: ' + 'a'.repeat(200), trickleHead: 1, pauseMs: 250, giveUpMs: 30_000 }),
    },
    {
        name: 'body trickled',
        sends: 'a 500-byte envelope one byte every 250 ms',
        expect: { status: 408, code: 'request_timeout' },
        send: (c) => rawOutcome(c, { head: head('POST', Paths.requests, { 'Content-Type': MediaTypes.request, 'Content-Length': 500 }), body: Array.from({ length: 500 }, () => 'x'), pauseMs: 250, giveUpMs: 30_000 }),
    },
    {
        name: 'content-length lies',
        sends: 'Content-Length: 500, then 3 bytes and silence',
        expect: { status: 408, code: 'request_timeout' },
        send: (c) => rawOutcome(c, { head: head('POST', Paths.requests, { 'Content-Type': MediaTypes.request, 'Content-Length': 500 }), body: ['abc'], giveUpMs: 30_000 }),
    },
    {
        name: 'voucher body stalls',
        sends: 'a voucher envelope cut half-way, socket left open',
        expect: { status: 408, code: 'request_timeout' },
        send: (c) => rawOutcome(c, { head: head('POST', Paths.vouchers, { 'Content-Type': MediaTypes.voucher, 'Content-Length': 200 }), body: ['CTVC', '\x01'], giveUpMs: 30_000 }),
    },

    // ---------------------------------------------------------------- freshness
    { name: 'freshness without nonce', sends: 'GET /v1/freshness', expect: { status: 400, code: 'bad_nonce' }, send: (c) => rawOutcome(c, { head: head('GET', Paths.freshness) }) },
    { name: 'freshness short nonce', sends: 'nonce of 31 bytes', expect: { status: 400, code: 'bad_nonce' }, send: (c) => rawOutcome(c, { head: head('GET', `${Paths.freshness}?nonce=${'ab'.repeat(31)}`) }) },
    { name: 'freshness long nonce', sends: 'nonce of 33 bytes', expect: { status: 400, code: 'bad_nonce' }, send: (c) => rawOutcome(c, { head: head('GET', `${Paths.freshness}?nonce=${'ab'.repeat(33)}`) }) },
    { name: 'freshness non-hex nonce', sends: '64 characters, not hex', expect: { status: 400, code: 'bad_nonce' }, send: (c) => rawOutcome(c, { head: head('GET', `${Paths.freshness}?nonce=${'zz'.repeat(32)}`) }) },
    { name: 'freshness percent-encoded junk', sends: 'nonce=%00%FF…', expect: { status: 400, code: 'bad_nonce' }, send: (c) => rawOutcome(c, { head: head('GET', `${Paths.freshness}?nonce=${'%00%ff'.repeat(16)}`) }) },

    // ---------------------------------------------------------------- request envelope: transport
    { name: 'request as JSON', sends: 'POST /v1/requests with application/json', expect: { status: 415, code: 'unsupported_media_type' }, send: (c) => postEnvelope(c, Buffer.from('{"model":"x"}'), 'application/json') },
    { name: 'request without content-type', sends: 'an envelope with no content-type', expect: { status: 415, code: 'unsupported_media_type' }, send: (c) => rawOutcome(c, withBody('POST', Paths.requests, sealed(c, c.scratch.address))) },
    { name: 'request with the voucher type', sends: 'an envelope labelled as a voucher', expect: { status: 415, code: 'unsupported_media_type' }, send: (c) => postEnvelope(c, sealed(c, c.scratch.address), MediaTypes.voucher) },
    {
        name: 'request over the limit (declared)',
        sends: 'Content-Length above maxRequestBytes',
        expect: { status: 413, code: 'payload_too_large' },
        send: (c) => rawOutcome(c, { head: head('POST', Paths.requests, { 'Content-Type': MediaTypes.request, 'Content-Length': c.maxRequestBytes + 1 }), body: [Buffer.alloc(1024)] }),
    },
    {
        name: 'request over the limit (chunked)',
        sends: 'chunks adding up past maxRequestBytes, no length',
        expect: { status: 413, code: 'payload_too_large' },
        send: (c) => rawOutcome(c, chunked('POST', Paths.requests, Array.from({ length: Math.ceil(c.maxRequestBytes / 8192) + 2 }, () => Buffer.alloc(8192, 7)), { 'Content-Type': MediaTypes.request })),
    },
    {
        name: 'request of 8 MiB',
        sends: 'an 8 MiB body streamed at once',
        expect: { status: 413, code: 'payload_too_large' },
        send: (c) => rawOutcome(c, chunked('POST', Paths.requests, Array.from({ length: 128 }, () => Buffer.alloc(64 * 1024, 1)), { 'Content-Type': MediaTypes.request })),
    },

    // ---------------------------------------------------------------- request envelope: framing
    { name: 'empty envelope', sends: 'zero bytes', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postEnvelope(c, Buffer.alloc(0)) },
    { name: 'garbage envelope', sends: '200 random bytes', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postEnvelope(c, randomBytes(200)) },
    { name: 'wrong magic', sends: 'a sealed envelope with magic "XXXX"', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postEnvelope(c, mutate(sealed(c, c.scratch.address), (b) => b.write('XXXX', 0))) },
    { name: 'wrong version', sends: 'version byte 9', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postEnvelope(c, mutate(sealed(c, c.scratch.address), (b) => (b[4] = 9))) },
    { name: 'seqno 0', sends: 'seqno field 0', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postEnvelope(c, mutate(sealed(c, c.scratch.address), (b) => b.writeUInt32BE(0, SEQNO_OFFSET))) },
    { name: 'voucher_len runs past the end', sends: 'voucher_len 0xffff', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postEnvelope(c, mutate(sealed(c, c.scratch.address), (b) => b.writeUInt16BE(0xffff, VOUCHER_LEN_OFFSET))) },
    { name: 'sealed part cut short', sends: 'header + 40 bytes of sealed part', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postEnvelope(c, sealed(c, c.scratch.address).subarray(0, REQUEST_HEADER_LEN + 40)) },
    { name: 'header only', sends: 'the 51-byte header and nothing else', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postEnvelope(c, sealed(c, c.scratch.address).subarray(0, REQUEST_HEADER_LEN)) },

    // ---------------------------------------------------------------- request envelope: the ciphertext
    { name: 'ciphertext truncated', sends: 'the last 10 bytes of the ciphertext cut off', expect: { status: 400, code: 'cannot_decrypt' }, send: (c) => { const b = sealed(c, c.scratch.address); return postEnvelope(c, b.subarray(0, b.length - 10)); } },
    { name: 'ciphertext byte flipped', sends: 'one ciphertext bit flipped', expect: { status: 400, code: 'cannot_decrypt' }, send: (c) => postEnvelope(c, mutate(sealed(c, c.scratch.address), (b) => (b[b.length - 20] ^= 1))) },
    { name: 'ciphertext extended', sends: '16 random bytes appended to the ciphertext', expect: { status: 400, code: 'cannot_decrypt' }, send: (c) => postEnvelope(c, Buffer.concat([sealed(c, c.scratch.address), randomBytes(16)])) },
    { name: 'random enc', sends: 'the HPKE enc replaced by random bytes', expect: { status: 400, code: 'cannot_decrypt' }, send: (c) => postEnvelope(c, reencode(sealed(c, c.scratch.address), () => ({ enc: randomBytes(32) }))) },
    {
        name: 'ciphertext from another job',
        sends: 'a request sealed for job A sent under job B',
        expect: { status: 400, code: 'cannot_decrypt' },
        send: async (c) => postEnvelope(c, reencode(sealed(c, (await c.openJob()).address), () => ({ job: c.scratch.address.toRawString() }))),
    },
    {
        name: 'ciphertext from another seqno',
        sends: 'a request sealed for seqno 2 sent as seqno 1',
        expect: { status: 400, code: 'cannot_decrypt' },
        send: (c) => postEnvelope(c, reencode(sealed(c, c.scratch.address, 2), () => ({ seqno: 1 }))),
    },
    {
        name: 'sealed to another encryption key',
        sends: 'a request sealed to a key the worker does not hold',
        expect: { status: 400, code: 'cannot_decrypt' },
        send: (c) => postEnvelope(c, sealed(c, c.scratch.address, 1, { encKey: generateX25519().publicKey })),
    },
    {
        name: 'bound to another receipt key',
        sends: 'a request whose HPKE info names another receipt key',
        expect: { status: 400, code: 'cannot_decrypt' },
        send: (c) => postEnvelope(c, sealed(c, c.scratch.address, 1, { receiptKey: ed25519FromLabel('not the worker').publicKey })),
    },

    // ---------------------------------------------------------------- request envelope: job, network, sequence
    { name: 'wrong network id', sends: 'global_id of testnet (-3)', expect: { status: 400, code: 'wrong_network' }, send: (c) => postEnvelope(c, sealed(c, c.scratch.address, 1, { globalId: -3 })) },
    { name: 'neighbouring network id', sends: "global_id one above the worker's", expect: { status: 400, code: 'wrong_network' }, send: (c) => postEnvelope(c, sealed(c, c.scratch.address, 1, { globalId: c.doc.globalId + 1 })) },
    { name: 'job that does not exist', sends: 'an envelope for 0:1111…', expect: { status: 404, code: 'job_not_found' }, send: (c) => postEnvelope(c, sealed(c, Address.parseRaw('0:' + '11'.repeat(32)))) },
    { name: 'job on the masterchain', sends: 'an envelope for -1:2222…', expect: { status: 404, code: 'job_not_found' }, send: (c) => postEnvelope(c, sealed(c, Address.parseRaw('-1:' + '22'.repeat(32)))) },
    { name: 'job of another worker', sends: "an envelope for another worker's open job", expect: { status: 403, code: 'job_wrong_worker' }, send: (c) => postEnvelope(c, sealed(c, c.foreignJob.address)) },
    { name: 'seqno gap', sends: 'seqno 7 on a fresh job', expect: { status: 409, code: 'seqno_gap' }, send: (c) => postEnvelope(c, sealed(c, c.scratch.address, 7)) },
    { name: 'seqno far ahead', sends: 'seqno 0xffffffff', expect: { status: 409, code: 'seqno_gap' }, send: (c) => postEnvelope(c, sealed(c, c.scratch.address, 0xffffffff)) },
    {
        name: 'replayed envelope',
        sends: 'the exact bytes of a served request, again',
        expect: { status: 409, code: 'seqno_replayed' },
        send: async (c) => {
            const j = await c.openJob();
            const body = sealed(c, j.address);
            const first = await postEnvelopeStream(c, body);
            if (first.status !== 200) return { status: first.status, code: first.code, detail: 'the first send was not served' };
            return postEnvelope(c, body);
        },
    },

    // ---------------------------------------------------------------- the inner request (sealed, then refused)
    { name: 'inner request not JSON', sends: 'kind 0x01 then "not json"', expect: { status: 400, code: 'bad_inner_request' }, send: (c) => postEnvelope(c, sealedPlaintext(c, c.scratch.address, Buffer.concat([Buffer.of(InnerKind.chat), Buffer.from('not json')]))) },
    { name: 'inner request unknown kind', sends: 'kind 0x7f', expect: { status: 400, code: 'bad_inner_request' }, send: (c) => postEnvelope(c, sealedPlaintext(c, c.scratch.address, Buffer.concat([Buffer.of(0x7f), Buffer.from('{"a":1}')]))) },
    { name: 'inner request is an array', sends: 'kind 0x01 then [1,2,3]', expect: { status: 400, code: 'bad_inner_request' }, send: (c) => postEnvelope(c, sealedPlaintext(c, c.scratch.address, Buffer.concat([Buffer.of(InnerKind.chat), Buffer.from('[1,2,3]')]))) },
    { name: 'inner request empty', sends: 'an empty plaintext', expect: { status: 400, code: 'bad_inner_request' }, send: (c) => postEnvelope(c, sealedPlaintext(c, c.scratch.address, Buffer.alloc(0))) },
    {
        name: 'inner request deeply nested',
        sends: 'a JSON object with 20,000 nested arrays',
        expect: { status: 400, code: 'bad_inner_request' },
        send: (c) => postEnvelope(c, sealedPlaintext(c, c.scratch.address, Buffer.from(String.fromCharCode(InnerKind.chat) + `{"model":"stub-model","messages":[{"role":"user","content":"hi"}],"x":${nested(20_000)}}`))),
    },
    {
        name: 'inner request deeply nested content',
        sends: 'a chat message whose content nests 20,000 arrays',
        expect: { status: 400, code: 'bad_inner_request' },
        send: (c) => postEnvelope(c, sealedPlaintext(c, c.scratch.address, Buffer.from(String.fromCharCode(InnerKind.chat) + `{"model":"stub-model","messages":[{"role":"user","content":${nested(20_000)}}]}`))),
    },
    {
        name: 'inner request n = 5',
        sends: 'a sealed chat request asking for 5 choices',
        expect: { status: 200, code: 'engine_refused', in: 'trailer' },
        send: async (c) => answerOutcome(await c.request(c.scratch.address, 1, { kind: 'chat', body: { ...CHAT.body, n: 5 } })),
    },
    {
        name: 'inner request messages not a list',
        sends: 'a sealed chat request with messages = "hi"',
        expect: { status: 200, code: 'engine_refused', in: 'trailer' },
        send: async (c) => answerOutcome(await c.request(c.scratch.address, 1, { kind: 'chat', body: { model: 'stub-model', messages: 'hi' } })),
    },
    {
        name: 'inner request for another model',
        sends: 'a sealed request naming model "gpt-9"',
        expect: { status: 200, code: 'engine_refused', in: 'trailer' },
        send: async (c) => answerOutcome(await c.request(c.scratch.address, 1, { kind: 'chat', body: { ...CHAT.body, model: 'gpt-9' } })),
    },
    {
        name: 'inner request max_tokens negative',
        sends: 'a sealed request with max_tokens -5',
        expect: { status: 200, code: 'engine_refused', in: 'trailer' },
        send: async (c) => answerOutcome(await c.request(c.scratch.address, 1, { kind: 'chat', body: { ...CHAT.body, max_tokens: -5 } })),
    },

    // ---------------------------------------------------------------- vouchers (outside a request)
    { name: 'voucher as JSON', sends: 'POST /v1/vouchers with application/json', expect: { status: 415, code: 'unsupported_media_type' }, send: (c) => postVoucher(c, Buffer.from('{"amount":"1"}'), 'application/json') },
    { name: 'voucher empty', sends: 'zero bytes', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postVoucher(c, Buffer.alloc(0)) },
    { name: 'voucher wrong magic', sends: 'a signed voucher with magic "CTRQ"', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postVoucher(c, mutate(encodeVoucherEnvelope(c.scratch.voucher(10n)), (b) => b.write('CTRQ', 0))) },
    { name: 'voucher wrong version', sends: 'version byte 0', expect: { status: 400, code: 'bad_envelope' }, send: (c) => postVoucher(c, mutate(encodeVoucherEnvelope(c.scratch.voucher(10n)), (b) => (b[4] = 0))) },
    { name: 'voucher BoC garbage', sends: 'a signature then 100 random bytes', expect: { status: 400, code: 'bad_voucher' }, send: (c) => postVoucher(c, Buffer.concat([Buffer.from('CTVC'), Buffer.of(1), randomBytes(64), randomBytes(100)])) },
    { name: 'voucher BoC cut', sends: 'a voucher envelope missing its last 8 bytes', expect: { status: 400, code: 'bad_voucher' }, send: (c) => { const b = encodeVoucherEnvelope(c.scratch.voucher(10n)); return postVoucher(c, b.subarray(0, b.length - 8)); } },
    { name: 'voucher with a foreign tag', sends: 'a voucher cell tagged 0x12345678', expect: { status: 400, code: 'bad_voucher' }, send: (c) => postVoucher(c, encodeVoucherEnvelope(c.scratch.voucher(10n, { tag: 0x12345678 }))) },
    { name: 'voucher that is an empty cell', sends: 'a signed empty cell', expect: { status: 400, code: 'bad_voucher' }, send: (c) => postVoucher(c, encodeVoucherEnvelope({ signature: randomBytes(64), cell: beginCell().endCell() })) },
    { name: 'voucher forged', sends: "a voucher signed by a key that is not the job's client key", expect: { status: 400, code: 'bad_voucher' }, send: (c) => postVoucher(c, encodeVoucherEnvelope(c.scratch.voucher(10n, { secretKey: ed25519FromLabel('mallory').secretKey }))) },
    { name: 'voucher signature flipped', sends: 'a good voucher with one signature bit flipped', expect: { status: 400, code: 'bad_voucher' }, send: (c) => postVoucher(c, mutate(encodeVoucherEnvelope(c.scratch.voucher(10n)), (b) => (b[10] ^= 1))) },
    { name: 'voucher for a job that does not exist', sends: 'a voucher naming 0:3333…', expect: { status: 404, code: 'job_not_found' }, send: (c) => postVoucher(c, encodeVoucherEnvelope(c.scratch.voucher(10n, { job: Address.parseRaw('0:' + '33'.repeat(32)) }))) },
    { name: 'voucher for another worker', sends: "a voucher for another worker's job", expect: { status: 403, code: 'job_wrong_worker' }, send: (c) => postVoucher(c, encodeVoucherEnvelope(c.foreignJob.voucher(10n))) },
    { name: 'voucher wrong network', sends: 'a voucher with global_id -3', expect: { status: 400, code: 'wrong_network' }, send: (c) => postVoucher(c, encodeVoucherEnvelope(c.scratch.voucher(10n, { globalId: -3 }))) },
    {
        name: 'voucher stale',
        sends: 'a voucher for less than the best one held',
        expect: { status: 409, code: 'voucher_backwards' },
        send: async (c) => {
            const j = await c.openJob();
            const first = await postVoucher(c, encodeVoucherEnvelope(j.voucher(500n)));
            if (first.status !== 200) return { ...first, detail: 'the first voucher was refused' };
            return postVoucher(c, encodeVoucherEnvelope(j.voucher(499n)));
        },
    },
    { name: 'voucher too large', sends: 'a 5,000-byte voucher body', expect: { status: 413, code: 'payload_too_large' }, send: (c) => postVoucher(c, Buffer.concat([Buffer.from('CTVC'), Buffer.of(1), Buffer.alloc(5000)])) },

    // ---------------------------------------------------------------- vouchers piggybacked on a request
    {
        name: 'piggybacked forged voucher',
        sends: 'a request carrying a voucher by the wrong key',
        expect: { status: 400, code: 'bad_voucher' },
        send: async (c) => answerOutcome(await c.request(c.scratch.address, 1, CHAT, { voucher: c.scratch.voucher(10n, { secretKey: ed25519FromLabel('mallory').secretKey }) })),
    },
    {
        name: 'piggybacked voucher of another job',
        sends: "a request carrying another job's voucher",
        expect: { status: 400, code: 'bad_voucher' },
        send: async (c) => answerOutcome(await c.request(c.scratch.address, 1, CHAT, { voucher: (await c.openJob()).voucher(10n) })),
    },
    {
        name: 'piggybacked stale voucher',
        sends: 'a request carrying a voucher below the best held',
        expect: { status: 409, code: 'voucher_backwards' },
        send: async (c) => {
            const j = await c.openJob();
            await postVoucher(c, encodeVoucherEnvelope(j.voucher(800n)));
            return answerOutcome(await c.request(j.address, 1, CHAT, { voucher: j.voucher(700n) }));
        },
    },
    {
        name: 'piggybacked voucher wrong network',
        sends: 'a request carrying a voucher with global_id -3',
        expect: { status: 400, code: 'wrong_network' },
        send: async (c) => answerOutcome(await c.request(c.scratch.address, 1, CHAT, { voucher: c.scratch.voucher(10n, { globalId: -3 }) })),
    },
];

/** POSTs an envelope and reads the whole answer body (served or not); for rows that need a request served first. */
async function postEnvelopeStream(c: WorkerCtx, body: Buffer): Promise<Outcome> {
    const res = await fetch(c.url + Paths.requests, { method: 'POST', headers: { 'content-type': MediaTypes.request }, body });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, code: null, detail: `${bytes.length} bytes` };
}
