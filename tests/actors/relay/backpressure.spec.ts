/**
 * Slow readers: a streaming client that reads slowly or not at all never makes the relay buffer without
 * bound. The relay writes an SSE event only while the client's response buffer has room (res.write() true),
 * else it stops reading from the worker until 'drain'; a client that reads nothing for slowReaderTimeoutMs
 * gets its stream ended with a client_timeout SSE error and the worker's answer is cut, billed only as far as
 * the worker's signed receipt goes. Real clients over 127.0.0.1, no timed assertions: the bounds hold by
 * construction and are read from the adapter's per-stream figures.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createRelayHttpServer, type ServedRelay, type StreamStats } from '../../../actors/relay/http/server';
import { RelayError } from '../../../actors/relay/errors';
import { validateRequest, type Limits } from '../../../actors/relay/openai/validate';
import type { StreamSink } from '../../../actors/relay/relay';
import { newApiKey } from '../../../actors/relay/core/keys';
import { startNetwork, type Network, API_KEY, MODEL } from './kit/network';

jest.setTimeout(180_000);

const STREAM_BUFFER = 16 * 1024;
/** Far more than any socket pair can hold: a relay that buffered without bound would produce all of it. */
const ENDLESS_EVENTS = 200_000;
const EVENT = `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'x'.repeat(300) } }] })}\n\n`;

/**
 * The relay's serving surface with a worker that never stops: each streamed request writes events until the
 * sink refuses (the HTTP adapter's backpressure) or the cap; non-streamed requests answer at once.
 */
class EndlessRelay implements ServedRelay {
    produced = 0;
    /** Events a stream has at most. */
    cap = ENDLESS_EVENTS;
    waits = 0;
    /** Resolves on the first time the sink asked the producer to wait (the client's buffer is full). */
    blocked: Promise<void>;
    private onBlocked!: () => void;
    constructor() {
        this.blocked = new Promise((r) => (this.onBlocked = r));
    }
    authenticate(): ReturnType<ServedRelay['authenticate']> {
        return newApiKey('k', 'test', null, 0);
    }
    workerStatus(): ReturnType<ServedRelay['workerStatus']> {
        return { workers: [], barred: [] };
    }
    models(): ReturnType<ServedRelay['models']> {
        return [];
    }
    async serve(...[req, , sink, signal]: Parameters<ServedRelay['serve']>): ReturnType<ServedRelay['serve']> {
        const worker = { account: '0:' + '11'.repeat(32), simulated: true } as Awaited<ReturnType<ServedRelay['serve']>>['worker'];
        if (!req.stream || !sink) return { json: { object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' } }] }, worker };
        for (let i = 0; i < this.cap && !signal.aborted; i++) {
            this.produced++;
            const full = (sink as StreamSink).write(EVENT);
            if (full) {
                this.waits++;
                this.onBlocked();
                await full;
            }
        }
        return { json: null, worker };
    }
}

function post(url: string, body: unknown): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' } }, resolve);
        req.on('error', reject);
        req.end(JSON.stringify(body));
    });
}

function readAll(res: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        res.on('error', reject);
        res.resume();
    });
}

describe('relay: a streaming client that reads slowly or not at all', () => {
    let server: http.Server;
    let url: string;
    let relay: EndlessRelay;
    const ended: StreamStats[] = [];
    let onEnded: (s: StreamStats) => void = () => undefined;
    const limits: Limits = { maxBodyBytes: 64 * 1024, maxTokens: 64, requestTimeoutMs: 120_000, slowReaderTimeoutMs: 2_000, streamBufferBytes: STREAM_BUFFER };

    beforeAll(async () => {
        relay = new EndlessRelay();
        server = createRelayHttpServer(relay, limits, pino({ level: 'silent' }), {
            streamEnded: (s) => {
                ended.push(s);
                onEnded(s);
            },
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
    });

    it('buffers at most its high-water mark and one event, serves other clients meanwhile, and ends the stream with client_timeout', async () => {
        const streamEnded = new Promise<StreamStats>((r) => (onEnded = r));
        const res = await post(`${url}/v1/chat/completions`, { model: MODEL, messages: [{ role: 'user', content: 'go' }], stream: true });
        expect(res.statusCode).toBe(200);
        res.pause(); // the client reads nothing

        // the producer stops when the client's buffer is full (after the socket pair took what it could)
        await relay.blocked;
        // another client is served while this one is stalled
        const other = await post(`${url}/v1/chat/completions`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
        expect(other.statusCode).toBe(200);
        expect(JSON.parse(await readAll(other)).choices[0].message.content).toBe('ok');

        const stats = await streamEnded;
        expect(stats.outcome).toBe('slow_reader');
        expect(stats.drainWaits).toBeGreaterThanOrEqual(1); // the socket pair took some, then nothing more
        // what the relay itself held for the client: never more than the high-water mark plus the event that crossed it
        expect(stats.largestWrite).toBe(Buffer.byteLength(EVENT));
        expect(stats.bufferedPeak).toBeLessThanOrEqual(STREAM_BUFFER + stats.largestWrite);
        // and the producer was held back: it never ran to its end (it would have produced 200,000 events)
        expect(relay.produced).toBeLessThan(ENDLESS_EVENTS);
        expect(relay.produced * Buffer.byteLength(EVENT)).toBe(stats.bytesWritten);

        // a client that reads again gets what was queued, then an SSE error and a clean end of the stream
        const text = await readAll(res);
        const events = text.split('\n\n').filter(Boolean);
        const last = JSON.parse(events[events.length - 1].slice('data: '.length)) as { error: { code: string; message: string } };
        expect(last.error.code).toBe('client_timeout');
        expect(last.error.message).toMatch(/read nothing of the stream for 2000 ms/);
        expect(events.length - 1).toBe(relay.produced);
    });

    it('a client that reads slowly but steadily gets the whole stream', async () => {
        relay.produced = 0;
        relay.cap = 3_000; // about 1 MB: many times the buffer
        const streamEnded = new Promise<StreamStats>((r) => (onEnded = r));
        const res = await post(`${url}/v1/chat/completions`, { model: MODEL, messages: [{ role: 'user', content: 'go' }], stream: true });
        // reads in bursts with pauses: every pause fills the buffer, every read drains it
        let bytes = 0;
        await new Promise<void>((resolve, reject) => {
            res.on('data', (c: Buffer) => {
                bytes += c.length;
                res.pause();
                setImmediate(() => res.resume());
            });
            res.on('end', () => resolve());
            res.on('error', reject);
        });
        const stats = await streamEnded;
        expect(stats.outcome).toBe('complete');
        expect(relay.produced).toBe(3_000);
        expect(bytes).toBe(stats.bytesWritten);
        expect(stats.bufferedPeak).toBeLessThanOrEqual(STREAM_BUFFER + stats.largestWrite);
    });
});

describe('relay: a stream cut for a slow reader, with a real worker', () => {
    let net: Network;
    beforeAll(async () => {
        net = await startNetwork({ workers: 1 });
    });
    afterAll(async () => {
        await net?.stop();
    });

    it('the worker answer is cut, billed only as far as its signed receipt goes, and the relay keeps serving', async () => {
        const key = net.relay.authenticate(API_KEY);
        const req = validateRequest('chat', { model: MODEL, messages: [{ role: 'user', content: 'Tell a long story' }], max_tokens: 40, stream: true }, { maxBodyBytes: 65536, maxTokens: 48, requestTimeoutMs: 60_000 });
        // the client's buffer is full at the first event and it never reads: the adapter's drain wait times out
        let writes = 0;
        const sink: StreamSink = {
            started: true,
            write: () => {
                writes++;
                return Promise.reject(new RelayError('client_timeout', 'the client read nothing of the stream'));
            },
        };
        await expect(net.relay.serve(req, key, sink, new AbortController().signal)).rejects.toMatchObject({ code: 'client_timeout' });
        expect(writes).toBe(1); // nothing more was read from the worker or written after the buffer filled

        // the next request of the job fetches the cut request's receipt (if the worker signed one) before its own
        const res = await net.openai({ maxRetries: 0 }).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });
        expect(res.choices[0].message).toBeDefined();

        // billed: exactly the receipts the relay accepted, each once; the key's spend is their sum
        const receipts = net.relayStore.jobs().flatMap((j) => net.relayStore.receipts(j.address));
        const billed = receipts.reduce((a, r) => a + r.cost, 0n);
        expect(net.relayStore.getKey(key.id)!.spent).toBe(billed);
        for (const j of net.relayStore.jobs()) {
            expect(j.pending).toBeNull();
            expect(j.cumulative).toBe(net.relayStore.receipts(j.address).reduce((a, r) => a + r.cost, 0n));
        }
    });
});
