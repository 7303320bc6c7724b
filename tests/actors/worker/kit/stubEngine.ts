/**
 * A small vLLM-shaped HTTP stub (node:http): /health, /v1/models, /v1/chat/completions and /v1/completions,
 * streaming (SSE with continuous usage, the role chunk, the final usage chunk with `choices: []`, `[DONE]`)
 * or not, vLLM's nested error shape, and faults on demand. It answers deterministically from the prompt in
 * microseconds, so it also serves as the fast engine of the load benchmarks.
 *
 * Token model: prompt tokens = 4 + whitespace words of every message; the answer is `n` words from a fixed
 * list chosen by the prompt's SHA-256, n = min(max_tokens, answerWords); completion tokens = words + 1 (EOS)
 * when it stopped by itself, = max_tokens when it hit the cap (finish_reason "length").
 */
import { createHash } from 'crypto';
import http from 'http';
import type { AddressInfo } from 'net';

export type StubFault =
    | 'none'
    | 'refuse' //        400 BadRequestError before any byte
    | 'down' //          503 with an empty body (like /health of a dead vLLM)
    | 'fail-mid' //      a mid-stream error after `failAfter` content chunks
    | 'fail-first' //    a mid-stream error before any content (after the headers)
    | 'overcount' //     usage claims more completion tokens than max_tokens allows
    | 'no-usage' //      no usage anywhere
    | 'hang-mid'; //     stops sending after `failAfter` chunks and never ends (tests client aborts)

export interface StubEngineOptions {
    model?: string;
    answerWords?: number;
    /** Delay between chunks, ms (0: as fast as possible). */
    chunkDelayMs?: number;
    /** Keep every request body in `received` (default true; the load benchmark turns it off to stay bounded). */
    record?: boolean;
    /** Port on 127.0.0.1 (default 0: any free port). */
    port?: number;
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu'];

export interface StubAnswer {
    words: string[];
    promptTokens: number;
}

function promptText(body: Record<string, unknown>): string {
    if (Array.isArray(body.messages)) return (body.messages as { content?: unknown }[]).map((m) => String(m.content ?? '')).join('\n');
    return String(body.prompt ?? '');
}

/** What the stub answers for a request body (tests compare the worker's answer with it). */
export function stubAnswer(body: Record<string, unknown>, answerWords = 6): StubAnswer {
    const text = promptText(body);
    const h = createHash('sha256').update(text).digest();
    const max = typeof body.max_tokens === 'number' ? body.max_tokens : 1 << 20;
    const n = Math.min(answerWords, max);
    const words = Array.from({ length: n }, (_, i) => WORDS[h[i % 32] % WORDS.length] + (i === 0 ? '' : ''));
    const promptTokens = 4 + text.split(/\s+/).filter(Boolean).length;
    return { words, promptTokens };
}

export class StubEngine {
    fault: StubFault = 'none';
    failAfter = 2;
    /** Every request body the stub received, parsed (tests check the worker's rewrite). */
    readonly received: Record<string, unknown>[] = [];
    aborted = 0;
    private server: http.Server | null = null;
    url = '';

    constructor(readonly o: StubEngineOptions = {}) {}

    get model(): string {
        return this.o.model ?? 'stub-model';
    }

    async start(): Promise<string> {
        this.server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => void this.handle(req, res));
        await new Promise<void>((r) => this.server!.listen(this.o.port ?? 0, '127.0.0.1', () => r()));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this.url;
    }

    async stop(): Promise<void> {
        const s = this.server;
        if (!s) return;
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
        this.server = null;
    }

    private error(res: http.ServerResponse, status: number, type: string, message: string, param: string | null = null): void {
        const body = JSON.stringify({ error: { message, type, param, code: status } });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = req.url ?? '/';
        if (req.method === 'GET' && url === '/health') {
            res.writeHead(this.fault === 'down' ? 503 : 200);
            return void res.end();
        }
        if (req.method === 'GET' && url === '/v1/models') {
            res.writeHead(200, { 'content-type': 'application/json' });
            return void res.end(JSON.stringify({ object: 'list', data: [{ id: this.model, object: 'model', owned_by: 'vllm', root: this.model, max_model_len: 4096 }] }));
        }
        const kind = url === '/v1/chat/completions' ? 'chat' : url === '/v1/completions' ? 'completions' : null;
        if (req.method !== 'POST' || !kind) return this.error(res, 404, 'NotFoundError', `no route ${url}`);
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        let body: Record<string, unknown>;
        try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
            return this.error(res, 400, 'BadRequestError', 'body is not JSON');
        }
        if (this.o.record !== false) this.received.push(body);
        if (this.fault === 'down') {
            res.writeHead(503);
            return void res.end();
        }
        if (this.fault === 'refuse') return this.error(res, 400, 'BadRequestError', 'prompt too long for max_model_len', 'input_tokens');
        if (body.model !== undefined && body.model !== this.model) return this.error(res, 404, 'NotFoundError', `The model \`${String(body.model)}\` does not exist.`, 'model');

        const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 1 << 20;
        const ans = stubAnswer(body, this.o.answerWords);
        const hitCap = ans.words.length >= maxTokens;
        const completion = hitCap ? maxTokens : ans.words.length + 1;
        const finish = hitCap ? 'length' : 'stop';
        const usage = (c: number) => ({ prompt_tokens: ans.promptTokens, total_tokens: ans.promptTokens + c, completion_tokens: c });
        const overcount = this.fault === 'overcount' ? maxTokens + 50 : null;
        const id = kind === 'chat' ? 'chatcmpl-stub' : 'cmpl-stub';
        const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
        const text = ans.words.join(' ');

        if (body.stream !== true) {
            const choice = kind === 'chat' ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: finish } : { index: 0, text, finish_reason: finish };
            res.writeHead(200, { 'content-type': 'application/json' });
            const u = this.fault === 'no-usage' ? undefined : { ...usage(overcount ?? completion), prompt_tokens_details: { cached_tokens: 0 } };
            return void res.end(JSON.stringify({ id, object: kind === 'chat' ? 'chat.completion' : 'text_completion', created: 1767000000, model: this.model, choices: [choice], usage: u }));
        }
        const so = (body.stream_options ?? null) as { include_usage?: boolean; continuous_usage_stats?: boolean } | null;
        const includeUsage = so ? so.include_usage !== false : false;
        const continuous = includeUsage && so?.continuous_usage_stats === true && this.fault !== 'no-usage';
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        let closed = false;
        res.on('close', () => {
            if (!res.writableFinished) {
                closed = true;
                this.aborted++;
            }
        });
        const send = async (payload: unknown) => {
            if (closed) return;
            res.write(`data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`);
            if (this.o.chunkDelayMs) await new Promise((r) => setTimeout(r, this.o.chunkDelayMs));
        };
        const chunk = (delta: Record<string, unknown> | string, c: number, finishReason: string | null = null) => {
            const choice = kind === 'chat' ? { index: 0, delta, logprobs: null, finish_reason: finishReason, stop_reason: null } : { index: 0, text: delta, logprobs: null, finish_reason: finishReason, stop_reason: null };
            return { id, object, created: 1767000000, model: this.model, choices: [choice], ...(continuous ? { usage: usage(c) } : {}) };
        };
        if (kind === 'chat') await send(chunk({ role: 'assistant', content: '' }, 0));
        if (this.fault === 'fail-first') {
            await send({ error: { message: 'engine died', type: 'InternalServerError', param: null, code: 500 } });
            await send('[DONE]');
            return void res.end();
        }
        for (let i = 0; i < ans.words.length; i++) {
            if (closed) return;
            if ((this.fault === 'fail-mid' || this.fault === 'hang-mid') && i === this.failAfter) {
                if (this.fault === 'hang-mid') return; // never ends; the client must abort
                await send({ error: { message: 'engine died', type: 'InternalServerError', param: null, code: 500 } });
                await send('[DONE]');
                return void res.end();
            }
            const piece = (i === 0 ? '' : ' ') + ans.words[i];
            const last = i === ans.words.length - 1;
            await send(chunk(kind === 'chat' ? { content: piece } : piece, overcount ?? i + 1, last ? finish : null));
        }
        if (includeUsage && this.fault !== 'no-usage') await send({ id, object, created: 1767000000, model: this.model, choices: [], usage: { ...usage(overcount ?? completion), prompt_tokens_details: { cached_tokens: 0 } } });
        await send('[DONE]');
        res.end();
    }
}
