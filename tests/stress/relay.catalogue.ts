/**
 * The relay's bad-input catalogue: malformed and hostile inputs to its OpenAI API (/v1/chat/completions,
 * /v1/completions, /v1/models; it has no admin endpoint: keys are managed by the CLI on its database) and to its
 * HTTP parser, then a hostile worker behind it (kit/hostileWorker.ts) answering with forged or stale receipts,
 * garbage usage, broken frames and broken errors. Client faults get 4xx; upstream faults 502/503 (504 when the
 * worker never answers).
 */
import type { BadInput, Outcome } from './kit/catalogue';
import { codeOf, outcomeOf } from './kit/catalogue';
import type { HostileMode } from './kit/hostileWorker';
import { chunked, head, rawRequest, withBody, type RawRequest } from './kit/rawHttp';
import type { StressNet } from './kit/relayNet';
import { API_KEY, MODEL } from './kit/relayNet';
import { collectGarbage } from './kit/memory';

export interface RelayCtx {
    net: StressNet;
    /** A key revoked before the catalogue runs, and one whose spending cap is one nanoton. */
    revokedKey: string;
    cappedKey: string;
}

const CHAT = '/v1/chat/completions';
const COMPLETIONS = '/v1/completions';
const AUTH = { Authorization: `Bearer ${API_KEY}` };
const JSON_TYPE = { 'Content-Type': 'application/json' };
const messages = [{ role: 'user', content: 'hello relay' }];
const goodChat = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: MODEL, messages, max_tokens: 8, ...extra });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const rawOutcome = async (c: RelayCtx, r: RawRequest): Promise<Outcome> => outcomeOf(await rawRequest(c.net.relayUrl, r));
const post = (c: RelayCtx, path: string, body: string | Buffer, headers: Record<string, string> = { ...AUTH, ...JSON_TYPE }) => rawOutcome(c, withBody('POST', path, body, headers));

/**
 * How long a row's client waits for the relay: well past the relay's request timeout (8 s here), well inside
 * the test's. A relay that never answers fails its own row here, instead of running on into the next row
 * (whose hostile mode this row's cleanup would then reset).
 */
const CLIENT_GIVES_UP_MS = 60_000;

/**
 * A chat request through the relay to the hostile worker in `mode`; the code from the JSON body or the SSE
 * error event. With `gcWhileWaiting`, full garbage collections run every 100 ms until the answer: the relay's
 * timers must not be lost to a collection.
 */
async function viaHostile(c: RelayCtx, mode: HostileMode, o: { stream?: boolean; before?: () => Promise<Outcome>; gcWhileWaiting?: boolean } = {}): Promise<Outcome> {
    c.net.use('hostile');
    c.net.retireJobs('hostile'); // a fresh job for every row: seqno 1, nothing pending from the row before
    c.net.hostile.mode = mode;
    const reached = c.net.hostile.served.length;
    const collector = o.gcWhileWaiting ? setInterval(collectGarbage, 100) : null;
    try {
        if (o.before) {
            const first = await o.before();
            if (first.status !== 200) return { ...first, detail: `the honest first request failed: ${first.detail}` };
            c.net.hostile.mode = mode;
        }
        const res = await fetch(c.net.relayUrl + CHAT, {
            method: 'POST',
            headers: { ...AUTH, 'content-type': 'application/json' },
            body: goodChat(o.stream ? { stream: true } : {}),
            signal: AbortSignal.timeout(CLIENT_GIVES_UP_MS),
        });
        const text = await res.text();
        let code: string | null = null;
        if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
            for (const ev of text.split('\n\n')) {
                if (!ev.startsWith('data: {')) continue;
                code = codeOf(JSON.parse(ev.slice(6))) ?? code;
            }
        } else {
            try {
                code = codeOf(JSON.parse(text));
            } catch {
                code = null;
            }
        }
        const hit = c.net.hostile.served.length > reached;
        return { status: res.status, code: hit ? code : `(never reached the hostile worker) ${code}`, detail: text.slice(0, 300) };
    } finally {
        if (collector) clearInterval(collector);
        c.net.hostile.mode = 'honest';
        c.net.use('good');
    }
}

const honestFirst = (c: RelayCtx) => async (): Promise<Outcome> => {
    c.net.hostile.mode = 'honest';
    c.net.hostile.forgetHonest();
    const r = await fetch(c.net.relayUrl + CHAT, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: goodChat() });
    await r.text();
    return { status: r.status, code: null };
};

type Row = BadInput<RelayCtx>;
const hostileRow = (name: string, sends: string, mode: HostileMode, status: number, code: string, o: { stream?: boolean; gcWhileWaiting?: boolean } = {}): Row => ({
    name,
    sends,
    expect: { status, code, in: o.stream ? 'sse' : 'body' },
    send: (c) => viaHostile(c, mode, o),
});

export const RELAY_CATALOGUE: Row[] = [
    // ---------------------------------------------------------------- routing, methods, keys
    { name: 'root path', sends: 'GET /', expect: { status: 404, code: 'not_found' }, send: (c) => rawOutcome(c, { head: head('GET', '/', AUTH) }) },
    { name: 'unknown path', sends: 'GET /v1/engines', expect: { status: 404, code: 'not_found' }, send: (c) => rawOutcome(c, { head: head('GET', '/v1/engines', AUTH) }) },
    { name: 'admin-looking path', sends: 'POST /admin/keys', expect: { status: 404, code: 'not_found' }, send: (c) => post(c, '/admin/keys', '{"name":"x"}') },
    { name: 'GET on chat', sends: 'GET /v1/chat/completions', expect: { status: 405, code: 'method_not_allowed' }, send: (c) => rawOutcome(c, { head: head('GET', CHAT, AUTH) }) },
    { name: 'PUT on completions', sends: 'PUT /v1/completions', expect: { status: 405, code: 'method_not_allowed' }, send: (c) => rawOutcome(c, withBody('PUT', COMPLETIONS, '{}', { ...AUTH, ...JSON_TYPE })) },
    { name: 'POST on models', sends: 'POST /v1/models', expect: { status: 405, code: 'method_not_allowed' }, send: (c) => post(c, '/v1/models', '{}') },
    { name: 'models without a key', sends: 'GET /v1/models, no Authorization', expect: { status: 401, code: 'invalid_api_key' }, send: (c) => rawOutcome(c, { head: head('GET', '/v1/models') }) },
    { name: 'models with a wrong key', sends: 'GET /v1/models, Bearer sk-wrong', expect: { status: 401, code: 'invalid_api_key' }, send: (c) => rawOutcome(c, { head: head('GET', '/v1/models', { Authorization: 'Bearer sk-wrong' }) }) },
    { name: 'chat without a key', sends: 'a good chat body, no Authorization', expect: { status: 401, code: 'invalid_api_key' }, send: (c) => post(c, CHAT, goodChat(), JSON_TYPE) },
    { name: 'chat with Basic auth', sends: 'Authorization: Basic …', expect: { status: 401, code: 'invalid_api_key' }, send: (c) => post(c, CHAT, goodChat(), { ...JSON_TYPE, Authorization: 'Basic dXNlcjpwYXNz' }) },
    { name: 'chat with an unknown key', sends: 'Bearer sk-unknown', expect: { status: 401, code: 'invalid_api_key' }, send: (c) => post(c, CHAT, goodChat(), { ...JSON_TYPE, Authorization: 'Bearer sk-unknown' }) },
    { name: 'chat with a revoked key', sends: 'Bearer <revoked key>', expect: { status: 401, code: 'invalid_api_key' }, send: (c) => post(c, CHAT, goodChat(), { ...JSON_TYPE, Authorization: `Bearer ${c.revokedKey}` }) },
    { name: 'chat with an empty Bearer', sends: 'Authorization: Bearer', expect: { status: 401, code: 'invalid_api_key' }, send: (c) => post(c, CHAT, goodChat(), { ...JSON_TYPE, Authorization: 'Bearer ' }) },
    { name: 'key over its spending cap', sends: 'a key capped at 1 nanoton', expect: { status: 429, code: 'spending_cap_reached' }, send: (c) => post(c, CHAT, goodChat(), { ...JSON_TYPE, Authorization: `Bearer ${c.cappedKey}` }) },

    // ---------------------------------------------------------------- content types and JSON
    { name: 'text/plain body', sends: 'Content-Type: text/plain', expect: { status: 415, code: 'unsupported_media_type' }, send: (c) => post(c, CHAT, goodChat(), { ...AUTH, 'Content-Type': 'text/plain' }) },
    { name: 'form body', sends: 'Content-Type: application/x-www-form-urlencoded', expect: { status: 415, code: 'unsupported_media_type' }, send: (c) => post(c, CHAT, 'model=x', { ...AUTH, 'Content-Type': 'application/x-www-form-urlencoded' }) },
    { name: 'binary body', sends: 'Content-Type: application/octet-stream', expect: { status: 415, code: 'unsupported_media_type' }, send: (c) => post(c, CHAT, Buffer.alloc(64, 1), { ...AUTH, 'Content-Type': 'application/octet-stream' }) },
    { name: 'broken JSON', sends: '{"model":', expect: { status: 400, code: 'invalid_json' }, send: (c) => post(c, CHAT, '{"model":') },
    { name: 'empty body', sends: 'zero bytes', expect: { status: 400, code: 'invalid_json' }, send: (c) => post(c, CHAT, '') },
    { name: 'not UTF-8', sends: 'bytes 0xff 0xfe …', expect: { status: 400, code: 'invalid_json' }, send: (c) => post(c, CHAT, Buffer.from([0xff, 0xfe, 0x7b, 0x7d, 0xc3])) },
    { name: 'trailing garbage', sends: 'a good body followed by "}}}"', expect: { status: 400, code: 'invalid_json' }, send: (c) => post(c, CHAT, goodChat() + '}}}') },
    { name: 'JSON null', sends: 'null', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, 'null') },
    { name: 'JSON array', sends: '[1,2,3]', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, '[1,2,3]') },
    { name: 'JSON string', sends: '"hello"', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, '"hello"') },
    { name: 'deeply nested extra field', sends: 'a good body plus "x": 20,000 nested arrays', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, `{"model":"${MODEL}","messages":[{"role":"user","content":"hi"}],"x":${nested(20_000)}}`) },
    { name: 'deeply nested content', sends: 'message content of 20,000 nested arrays', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, `{"model":"${MODEL}","messages":[{"role":"user","content":${nested(20_000)}}]}`) },
    { name: 'deeply nested objects', sends: '{"a":{"a":{… 5,000 levels', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)) },

    // ---------------------------------------------------------------- OpenAI request fields
    { name: 'model missing', sends: 'messages only', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, JSON.stringify({ messages })) },
    { name: 'model not a string', sends: 'model: 42', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, JSON.stringify({ model: 42, messages })) },
    { name: 'unknown model', sends: 'model: "gpt-9"', expect: { status: 404, code: 'unknown_model' }, send: (c) => post(c, CHAT, goodChat({ model: 'gpt-9' })) },
    { name: 'huge model name', sends: 'a 50 KB model name', expect: { status: 404, code: 'unknown_model' }, send: (c) => post(c, CHAT, goodChat({ model: 'm'.repeat(50_000) })) },
    { name: 'messages empty', sends: 'messages: []', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ messages: [] })) },
    { name: 'messages not a list', sends: 'messages: "hi"', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ messages: 'hi' })) },
    { name: 'message role unknown', sends: 'role: "root"', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ messages: [{ role: 'root', content: 'x' }] })) },
    { name: 'message content a number', sends: 'content: 7', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ messages: [{ role: 'user', content: 7 }] })) },
    { name: 'max_tokens negative', sends: 'max_tokens: -1', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ max_tokens: -1 })) },
    { name: 'max_tokens fractional', sends: 'max_tokens: 1.5', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ max_tokens: 1.5 })) },
    { name: 'max_tokens above the limit', sends: 'max_tokens: 10^9', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ max_tokens: 1e9 })) },
    { name: 'max_tokens a string', sends: 'max_tokens: "8"', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ max_tokens: '8' })) },
    { name: 'n = 2', sends: 'n: 2', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ n: 2 })) },
    { name: 'stream not a boolean', sends: 'stream: "yes"', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, CHAT, goodChat({ stream: 'yes' })) },
    { name: 'completions without prompt', sends: 'POST /v1/completions {model}', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, COMPLETIONS, JSON.stringify({ model: MODEL })) },
    { name: 'completions prompt a list', sends: 'prompt: [1,2]', expect: { status: 400, code: 'invalid_request' }, send: (c) => post(c, COMPLETIONS, JSON.stringify({ model: MODEL, prompt: [1, 2] })) },

    // ---------------------------------------------------------------- sizes
    {
        name: 'body over the limit (declared)',
        sends: 'Content-Length above maxBodyBytes',
        expect: { status: 413, code: 'payload_too_large' },
        send: (c) => rawOutcome(c, { head: head('POST', CHAT, { ...AUTH, ...JSON_TYPE, 'Content-Length': c.net.limits.maxBodyBytes + 1 }), body: ['{"model":'] }),
    },
    {
        name: 'body over the limit (chunked)',
        sends: 'chunks adding up past maxBodyBytes, no length',
        expect: { status: 413, code: 'payload_too_large' },
        send: (c) => rawOutcome(c, chunked('POST', CHAT, Array.from({ length: Math.ceil(c.net.limits.maxBodyBytes / 8192) + 2 }, () => Buffer.alloc(8192, 0x20)), { ...AUTH, ...JSON_TYPE })),
    },
    {
        name: 'body of 8 MiB',
        sends: 'an 8 MiB body streamed at once',
        expect: { status: 413, code: 'payload_too_large' },
        send: (c) => rawOutcome(c, chunked('POST', CHAT, Array.from({ length: 128 }, () => Buffer.alloc(64 * 1024, 0x20)), { ...AUTH, ...JSON_TYPE })),
    },

    // ---------------------------------------------------------------- the HTTP parser and slow clients
    { name: 'request line is garbage', sends: 'HELLO WORLD\\r\\n\\r\\n', expect: { status: 400, code: 'bad_http' }, send: (c) => rawOutcome(c, { head: 'HELLO WORLD\r\n\r\n' }) },
    { name: 'header without a colon', sends: 'a header line with no colon', expect: { status: 400, code: 'bad_http' }, send: (c) => rawOutcome(c, { head: 'GET /health HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n' }) },
    {
        name: 'content-length with transfer-encoding (smuggling)',
        sends: 'Content-Length: 5 and Transfer-Encoding: chunked',
        expect: { status: 400, code: 'bad_http' },
        send: (c) => rawOutcome(c, { head: `POST ${CHAT} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`, body: ['0\r\n\r\n'] }),
    },
    {
        name: 'broken chunked framing',
        sends: 'a chunk size "zz"',
        expect: { status: 400, code: 'bad_http' },
        send: (c) => rawOutcome(c, { head: `POST ${CHAT} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, body: ['zz\r\nabc\r\n0\r\n\r\n'] }),
    },
    { name: 'huge header', sends: 'a 64 KiB Authorization header', expect: { status: 431, code: 'headers_too_large' }, send: (c) => rawOutcome(c, { head: head('GET', '/v1/models', { Authorization: 'Bearer ' + 'k'.repeat(64 * 1024) }) }) },
    {
        name: 'thousands of headers',
        sends: '3,000 small headers',
        expect: { status: 431, code: 'headers_too_large' },
        send: (c) => rawOutcome(c, { head: head('GET', '/v1/models', Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, 'v']))) }),
    },
    { name: 'huge URL', sends: 'a 100 KiB query string', expect: { status: 431, code: 'headers_too_large' }, send: (c) => rawOutcome(c, { head: head('GET', `/v1/models?q=${'a'.repeat(100 * 1024)}`, AUTH) }) },
    {
        name: 'slowloris headers',
        sends: 'the request head one byte every 250 ms, never finished',
        expect: { status: 408, code: 'client_timeout' },
        send: (c) => rawOutcome(c, { head: `POST ${CHAT} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ` + 'a'.repeat(200), trickleHead: 1, pauseMs: 250, giveUpMs: 30_000 }),
    },
    {
        name: 'body trickled',
        sends: 'a 500-byte body one byte every 250 ms',
        expect: { status: 408, code: 'client_timeout' },
        send: (c) => rawOutcome(c, { head: head('POST', CHAT, { ...AUTH, ...JSON_TYPE, 'Content-Length': 500 }), body: Array.from({ length: 500 }, () => ' '), pauseMs: 250, giveUpMs: 30_000 }),
    },
    {
        name: 'content-length lies',
        sends: 'Content-Length: 500, then 3 bytes and silence',
        expect: { status: 408, code: 'client_timeout' },
        send: (c) => rawOutcome(c, { head: head('POST', CHAT, { ...AUTH, ...JSON_TYPE, 'Content-Length': 500 }), body: ['{"m'], giveUpMs: 30_000 }),
    },

    // ---------------------------------------------------------------- a hostile worker: receipts
    hostileRow('receipt signed by another key', 'the worker signs its receipt with a key that is not the attested one', 'receipt-other-key', 502, 'receipt_rejected'),
    hostileRow('garbage usage: completion', 'a receipt for 5,000 completion tokens on max_tokens 8', 'usage-over-max', 502, 'receipt_rejected'),
    hostileRow('garbage usage: prompt', 'a receipt for 1,000,000 prompt tokens', 'prompt-over-bound', 502, 'receipt_rejected'),
    hostileRow('receipt cost off the prices', 'cost 1 nanoton for the counts', 'cost-off', 502, 'receipt_rejected'),
    hostileRow('receipt cumulative off', 'cumulative of 10^15 nanoton', 'cumulative-off', 502, 'receipt_rejected'),
    hostileRow('receipt of another job', 'the receipt names 0:4444…', 'receipt-other-job', 502, 'receipt_rejected'),
    hostileRow('receipt of another seqno', 'the receipt names seqno + 5', 'receipt-other-seqno', 502, 'receipt_rejected'),
    hostileRow('receipt on another network', 'the receipt names global_id + 1', 'receipt-wrong-network', 502, 'receipt_rejected'),
    hostileRow('receipt for another request', 'a random request_hash', 'receipt-wrong-request-hash', 502, 'receipt_rejected'),
    hostileRow('receipt for another answer', 'a random response_hash', 'receipt-wrong-response-hash', 502, 'receipt_rejected'),
    hostileRow('receipt of another life of the job', "the receipt names the job's nonce + 1", 'receipt-other-nonce', 502, 'receipt_rejected'),
    hostileRow('receipt off the chain', 'a random prev_head (not the head of the last accepted receipt)', 'receipt-wrong-prev-head', 502, 'receipt_rejected'),
    {
        name: 'stale receipt replayed',
        sends: "the job's previous receipt again, for the next request",
        expect: { status: 502, code: 'receipt_rejected' },
        send: (c) => viaHostile(c, 'receipt-stale', { before: honestFirst(c) }),
    },
    hostileRow('end trailer without a receipt', 'an end trailer with receipt_len 0', 'end-without-receipt', 502, 'worker_failed'),
    hostileRow('receipt that does not parse', 'an end trailer with 60 random receipt bytes', 'trailer-receipt-garbage', 502, 'worker_failed'),
    hostileRow('streamed: receipt by another key', 'stream: true; the receipt signed by another key', 'receipt-other-key', 200, 'receipt_rejected', { stream: true }),
    hostileRow('streamed: garbage usage', 'stream: true; 5,000 completion tokens billed', 'usage-over-max', 200, 'receipt_rejected', { stream: true }),

    // ---------------------------------------------------------------- a hostile worker: frames
    hostileRow('garbage stream', '200 with 1,500 random bytes', 'garbage-body', 502, 'worker_failed'),
    hostileRow('frame length 4 GiB', 'a frame length of 0xffffffff', 'huge-frame-length', 502, 'worker_failed'),
    hostileRow('truncated frame', 'the stream cut 10 bytes before its end', 'truncated-frame', 502, 'worker_failed'),
    hostileRow('no trailer', 'data frames, then the body ends', 'no-trailer', 502, 'worker_failed'),
    hostileRow('frames reordered', 'data frame 2 before data frame 1', 'frames-reordered', 502, 'worker_failed'),
    hostileRow('frame replayed', 'data frame 1 sent twice', 'frame-replayed', 502, 'worker_failed'),
    hostileRow('frames of another request', 'frames sealed for the next seqno of the job', 'frame-other-seqno', 502, 'worker_failed'),
    hostileRow('data frame flagged final', 'the last data frame carries the final flag', 'data-flagged-final', 502, 'worker_failed'),
    hostileRow('bytes after the final frame', 'a whole frame of junk after the trailer', 'bytes-after-final', 502, 'worker_failed'),
    hostileRow('endless answer', 'data frames without end for a non-streamed request', 'endless-stream', 502, 'worker_failed'),
    hostileRow('answer that is not JSON', 'a non-streamed answer "this is not JSON at all" with a good receipt', 'non-json-answer', 502, 'worker_failed'),
    hostileRow('error trailer with an unknown code', 'an error trailer with code "zz_unknown"', 'error-trailer-unknown-code', 502, 'worker_failed'),
    hostileRow('streamed: truncated', 'stream: true; cut 10 bytes before the end', 'truncated-frame', 200, 'worker_failed', { stream: true }),

    // ---------------------------------------------------------------- a hostile worker: before the stream
    hostileRow('worker answers an HTML 500', '500 text/html', 'html-500', 503, 'no_worker_available'),
    hostileRow('worker error of unknown shape', '400 {"message":"no"}', 'unknown-error-shape', 503, 'no_worker_available'),
    hostileRow('forged replay claim', '409 seqno_replayed with a receipt by another key, on a fresh seqno', 'fake-replay', 502, 'worker_failed'),
    hostileRow('worker resets the connection', 'the socket destroyed on the request', 'reset', 503, 'no_worker_available'),
    // garbage collections while it waits: the relay's request timeout must survive them (a composite
    // AbortSignal.any([client, AbortSignal.timeout()]) did not on Node 20, and the request hung)
    hostileRow('worker never answers', 'the request accepted and never answered; full GCs every 100 ms meanwhile', 'hang', 504, 'request_timeout', { gcWhileWaiting: true }),
    // last: a validly signed receipt for another model is slashing evidence; the relay reports it on-chain
    hostileRow('receipt for another model', 'a validly signed receipt naming another model hash', 'receipt-wrong-model', 502, 'receipt_rejected'),
];
