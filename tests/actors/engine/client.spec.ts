/**
 * The engine client against a fault-injecting stub over real HTTP on 127.0.0.1: slow first token, hangs,
 * errors in both shapes, a truncated stream, garbage usage, usage beyond max_tokens, aborts, keep-alive.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { VllmClient } from '../../../actors/engine/client';
import { EngineError } from '../../../actors/engine/errors';
import type { EngineResult } from '../../../actors/engine/types';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

let handler: Handler;
let server: http.Server;
let baseUrl: string;
const sockets = new Set<Socket>();
let received: Buffer[] = [];
let requestClosed: Promise<void>;
let markClosed: () => void;

const sse = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
const chunk = (content: string, completion: number, finish: string | null = null) =>
    sse({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finish }], usage: { prompt_tokens: 10, total_tokens: 10 + completion, completion_tokens: completion } });
const finalUsage = (completion: number, extra: Record<string, unknown> = {}) =>
    sse({ id: 'c', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 10, total_tokens: 10 + completion, completion_tokens: completion, ...extra } });

beforeAll(async () => {
    server = http.createServer((req, res) => {
        const parts: Buffer[] = [];
        req.on('data', (c: Buffer) => parts.push(c));
        req.on('end', () => {
            const body = Buffer.concat(parts);
            received.push(body);
            res.on('close', () => markClosed());
            handler(req, res, body);
        });
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
    received = [];
    requestClosed = new Promise((r) => (markClosed = r));
});

const client = (over: Partial<ConstructorParameters<typeof VllmClient>[0]> = {}) =>
    new VllmClient({ baseUrl, maxModelLen: 512, headersTimeoutMs: 2_000, idleTimeoutMs: 400, ...over });
const chat = (stream: boolean, signal?: AbortSignal) => ({ kind: 'chat' as const, body: { messages: [{ role: 'user', content: 'hi' }], stream, max_tokens: 100 }, maxTokensCap: 8, signal });

async function drain(r: EngineResult): Promise<string> {
    let s = '';
    for await (const c of r.chunks) s += c.bytes.toString('utf8');
    return s;
}

async function refusal(p: Promise<unknown>): Promise<EngineError> {
    try {
        await p;
    } catch (e) {
        if (e instanceof EngineError) return e;
        throw e;
    }
    throw new Error('not refused');
}

describe('engine client: faults', () => {
    it('sends the rewritten bytes it returns, reads a slow first token, and reuses the keep-alive socket', async () => {
        handler = (_req, res) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            setTimeout(() => res.end(chunk('a', 1) + chunk('b', 2, 'length') + finalUsage(2) + 'data: [DONE]\n\n'), 250);
        };
        const c = client();
        const socketsBefore = sockets.size;
        const r1 = await c.run(chat(true));
        expect(received[0]).toEqual(r1.requestBytes);
        expect(JSON.parse(r1.requestBytes.toString())).toMatchObject({ max_tokens: 8, stream: true, stream_options: { include_usage: true, continuous_usage_stats: true } });
        await drain(r1);
        expect(await r1.done).toEqual({ usage: { counts: { prompt: 10, cached: 0, completion: 2, reasoning: 0 }, source: 'final' }, finishReason: 'length', error: null });
        const r2 = await c.run(chat(true));
        await drain(r2);
        expect((await r2.done).error).toBeNull();
        expect(sockets.size - socketsBefore).toBe(1);
        c.close();
    });

    it('a non-streamed answer is one chunk: the JSON body as received', async () => {
        const body = JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: { cached_tokens: 0 } } });
        handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        const c = client();
        const r = await c.run(chat(false));
        expect(r.streaming).toBe(false);
        expect(await drain(r)).toBe(body);
        expect(await r.done).toEqual({ usage: { counts: { prompt: 10, cached: 0, completion: 2, reasoning: 0 }, source: 'final' }, finishReason: 'stop', error: null });
        c.close();
    });

    it('500 (nested shape) and 404 (old flat shape) reject before any byte with the engine error', async () => {
        const c = client();
        handler = (_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom","type":"InternalServerError","param":null,"code":500}}');
        expect((await refusal(c.run(chat(true)))).info).toEqual({ status: 500, type: 'InternalServerError', message: 'boom', param: null });
        handler = (_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":"model","code":404}');
        expect((await refusal(c.run(chat(false)))).info).toEqual({ status: 404, type: 'NotFoundError', message: 'The model `x` does not exist.', param: 'model' });
        handler = (_req, res) => res.writeHead(503).end();
        expect((await refusal(c.run(chat(false)))).info.status).toBe(503);
        c.close();
    });

    it('headers that never come: EngineTimeout, and the upstream request is closed', async () => {
        handler = () => undefined;
        const c = client({ headersTimeoutMs: 300 });
        expect((await refusal(c.run(chat(true)))).info.type).toBe('EngineTimeout');
        await requestClosed;
        c.close();
    });

    it('an engine that hangs mid-stream: EngineTimeout with the counts served so far', async () => {
        handler = (_req, res) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write(chunk('a', 1));
        };
        const c = client();
        const r = await c.run(chat(true));
        await drain(r);
        expect(await r.done).toMatchObject({ usage: { counts: { completion: 1 }, source: 'continuous' }, error: { type: 'EngineTimeout', status: 504 } });
        await requestClosed;
        c.close();
    });

    it('a stream cut before [DONE]: EngineStreamTruncated with the counts served so far', async () => {
        handler = (_req, res) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write(chunk('a', 1) + chunk('b', 2));
            setTimeout(() => res.socket?.destroy(), 50);
        };
        const c = client();
        const r = await c.run(chat(true));
        const text = await drain(r);
        expect(text).toContain('"content":"b"');
        expect(await r.done).toMatchObject({ usage: { counts: { completion: 2 }, source: 'continuous' }, error: { type: 'EngineStreamTruncated' } });
        c.close();
    });

    it('garbage usage and usage larger than max_tokens are errors with no counts', async () => {
        const c = client();
        for (const bad of [finalUsage(2, { prompt_tokens: 'lots' }), finalUsage(50), finalUsage(2, { prompt_tokens_details: { cached_tokens: 11 } })]) {
            handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(chunk('a', 1) + bad + 'data: [DONE]\n\n');
            const r = await c.run(chat(true));
            await drain(r);
            const d = await r.done;
            expect(d.error?.type).toBe('InvalidUsage');
            expect(d.usage).toEqual({ counts: { prompt: 0, cached: 0, completion: 0, reasoning: 0 }, source: 'none' });
        }
        handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 9999, total_tokens: 10009 } }));
        const r = await c.run(chat(false));
        await drain(r);
        expect((await r.done).error?.type).toBe('InvalidUsage');
        c.close();
    });

    it('a mid-stream engine error after a 200 is forwarded and reported', async () => {
        handler = (_req, res) =>
            res.writeHead(200, { 'content-type': 'text/event-stream' }).end(chunk('a', 1) + 'data: {"error":{"message":"x","type":"InternalServerError","param":null,"code":500}}\n\ndata: [DONE]\n\n');
        const c = client();
        const r = await c.run(chat(true));
        expect(await drain(r)).toContain('"error"');
        expect(await r.done).toMatchObject({ usage: { counts: { completion: 1 }, source: 'continuous' }, error: { status: 500, type: 'InternalServerError' } });
        c.close();
    });

    it('an abort signal closes the upstream request; done reports ClientAborted with the counts so far', async () => {
        handler = (_req, res) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write(chunk('a', 1));
        };
        const c = client({ idleTimeoutMs: 30_000 });
        const ac = new AbortController();
        const r = await c.run(chat(true, ac.signal));
        const it = r.chunks[Symbol.asyncIterator]();
        expect((await it.next()).done).toBe(false);
        ac.abort();
        await requestClosed;
        expect(await r.done).toMatchObject({ usage: { counts: { completion: 1 } }, error: { type: 'ClientAborted', status: 499 } });
        expect((await it.next()).done).toBe(true);
        c.close();
    });

    it('a reader that stops iterating aborts the upstream request', async () => {
        handler = (_req, res) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write(chunk('a', 1));
        };
        const c = client({ idleTimeoutMs: 30_000 });
        const r = await c.run(chat(true));
        for await (const _ of r.chunks) break;
        await requestClosed;
        expect((await r.done).error?.type).toBe('ClientAborted');
        c.close();
    });

    it('an already aborted signal sends nothing; an engine that is down is EngineUnreachable; health and models', async () => {
        const c = client();
        const ac = new AbortController();
        ac.abort();
        expect((await refusal(c.run(chat(true, ac.signal)))).info.type).toBe('ClientAborted');
        expect(received).toHaveLength(0);

        const down = new VllmClient({ baseUrl: 'http://127.0.0.1:1', maxModelLen: 512 });
        expect((await refusal(down.run(chat(true)))).info.type).toBe('EngineUnreachable');
        expect(await down.health()).toBe(false);

        handler = (req, res) => {
            if (req.url === '/health') res.writeHead(200).end();
            else res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"m1","max_model_len":4096},{"id":"m2"}]}');
        };
        expect(await c.health()).toBe(true);
        expect(await c.models()).toEqual(['m1', 'm2']);
        c.close();
        down.close();
    });

    it('discovers max_model_len from /v1/models and bounds the prompt by it', async () => {
        handler = (req, res) => {
            if (req.url === '/v1/models') res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"m1","max_model_len":9}]}');
            else res.writeHead(200, { 'content-type': 'text/event-stream' }).end(finalUsage(1) + 'data: [DONE]\n\n');
        };
        const c = new VllmClient({ baseUrl, servedModelName: 'm1' });
        const r = await c.run(chat(true));
        await drain(r);
        // prompt_tokens 10 > max_model_len 9
        expect((await r.done).error?.message).toContain('max_model_len 9');
        c.close();
    });
});
