/**
 * A vLLM-shaped OpenAI server that runs a GGUF model on the CPU with node-llama-cpp: the real engine behind the
 * worker in tests and the demo. Dev only (never imported by actors/). It follows vLLM's wire format as described
 * in the shared vLLM notes: /health, /v1/models, /metrics, /v1/chat/completions and /v1/completions, streaming
 * or not, with vLLM's stream_options rules (include_usage defaults to true once stream_options is present),
 * vLLM's error shapes, EOS counted in completion_tokens, and generation stopped when the client goes away.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// node-llama-cpp is ESM with top-level await: it can't be require()d from our CommonJS build, so import it
// natively. Types only from the static import (erased at compile time).
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<typeof import('node-llama-cpp')>;

export interface TinyEngineOptions {
    modelPath: string;
    servedModelName: string;
    host?: string;
    port?: number;
    /** Parallel sequences (each gets `contextSize` tokens). */
    sequences?: number;
    contextSize?: number;
    threads?: number;
    /** Sleep after each generated token: makes the tiny model as slow as a real one, so aborts land mid-answer. */
    tokenDelayMs?: number;
}

export interface TinyEngine {
    url: string;
    port: number;
    close(): Promise<void>;
    /** ms spent loading the model and creating the context (measured once, reported by the CLI). */
    loadMs: number;
}

interface ChatMessage {
    role: string;
    content: string;
}

class HttpError extends Error {
    constructor(
        readonly status: number,
        readonly type: string,
        message: string,
        readonly param: string | null = null,
    ) {
        super(message);
    }
}

/** vLLM's current error body: {"error":{message,type,param,code}}, HTTP status = code. */
function errorBody(e: HttpError): string {
    return JSON.stringify({ error: { message: e.message, type: e.type, param: e.param, code: e.status } });
}

/** ChatML, the same template the tiny model carries in tokenizer.chat_template. */
export function renderChatML(messages: ChatMessage[], addGenerationPrompt = true): string {
    let s = '';
    for (const m of messages) s += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
    if (addGenerationPrompt) s += '<|im_start|>assistant\n';
    return s;
}

/** A fixed pool of context sequences; a request waits for a free one (vLLM's "waiting" queue). */
class SequencePool {
    private free: LlamaContextSequence[];
    private waiters: ((s: LlamaContextSequence) => void)[] = [];
    running = 0;
    constructor(sequences: LlamaContextSequence[]) {
        this.free = [...sequences];
    }
    get waiting(): number {
        return this.waiters.length;
    }
    async acquire(): Promise<LlamaContextSequence> {
        const s = this.free.pop();
        const seq = s ?? (await new Promise<LlamaContextSequence>((resolve) => this.waiters.push(resolve)));
        this.running++;
        return seq;
    }
    async release(seq: LlamaContextSequence): Promise<void> {
        this.running--;
        // Reusing sequences with clearHistory (rather than dispose/getSequence per request) avoids the
        // "No sequences left" race in node-llama-cpp.
        await seq.clearHistory();
        const next = this.waiters.shift();
        if (next) next(seq);
        else this.free.push(seq);
    }
}

interface Metrics {
    promptTokens: number;
    generationTokens: number;
    requestsSuccess: number;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const parts: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limit) {
                reject(new HttpError(413, 'BadRequestError', 'request body too large'));
                req.destroy();
                return;
            }
            parts.push(c);
        });
        req.on('end', () => resolve(Buffer.concat(parts)));
        req.on('error', reject);
    });
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalPositiveInt(body: Record<string, unknown>, key: string): number | undefined {
    const v = body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
        throw new HttpError(400, 'BadRequestError', `${key} must be a positive integer`, key);
    return v;
}

export async function startTinyEngine(opts: TinyEngineOptions): Promise<TinyEngine> {
    const t0 = performance.now();
    const { getLlama, LlamaLogLevel } = await importEsm('node-llama-cpp');
    // build: 'never' makes a missing/bad prebuilt binary fail fast instead of trying a source build from the network.
    const llama: Llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model: LlamaModel = await llama.loadModel({ modelPath: opts.modelPath });
    const contextSize = opts.contextSize ?? 512;
    const nSeq = opts.sequences ?? 4;
    const context: LlamaContext = await model.createContext({ contextSize, sequences: nSeq, threads: opts.threads ?? 1 });
    const pool = new SequencePool(Array.from({ length: nSeq }, () => context.getSequence()));
    const loadMs = performance.now() - t0;
    const eos = model.tokens.eos;
    const maxModelLen = contextSize;
    const metrics: Metrics = { promptTokens: 0, generationTokens: 0, requestsSuccess: 0 };
    const created = Math.floor(Date.now() / 1000);
    let nextId = 1;

    function checkModel(body: Record<string, unknown>): void {
        if (body.model !== undefined && body.model !== opts.servedModelName)
            throw new HttpError(404, 'NotFoundError', `The model \`${String(body.model)}\` does not exist.`, 'model');
    }

    async function handleGeneration(kind: 'chat' | 'completions', req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const raw = await readBody(req, 1 << 20);
        let parsed: unknown;
        try {
            parsed = JSON.parse(raw.toString('utf8'));
        } catch {
            throw new HttpError(400, 'BadRequestError', 'request body is not valid JSON');
        }
        if (!isRecord(parsed)) throw new HttpError(400, 'BadRequestError', 'request body must be a JSON object');
        const body = parsed;
        checkModel(body);
        const stream = body.stream === true;
        const so = body.stream_options;
        if (so !== undefined && so !== null && !stream)
            throw new HttpError(400, 'BadRequestError', 'Stream options can only be defined when `stream=True`.', 'stream_options');
        if (so !== undefined && so !== null && !isRecord(so))
            throw new HttpError(400, 'BadRequestError', 'stream_options must be an object', 'stream_options');
        // vLLM: include_usage defaults to true once stream_options is present (OpenAI's default is false).
        const includeUsage = isRecord(so) ? so.include_usage !== false : false;
        const continuous = includeUsage && isRecord(so) && so.continuous_usage_stats === true;
        const n = body.n ?? 1;
        if (n !== 1) throw new HttpError(400, 'BadRequestError', 'this engine supports n = 1 only', 'n');

        let text: string;
        if (kind === 'chat') {
            const msgs = body.messages;
            if (!Array.isArray(msgs) || msgs.length === 0)
                throw new HttpError(400, 'BadRequestError', 'messages must be a non-empty array', 'messages');
            const messages: ChatMessage[] = msgs.map((m) => {
                if (!isRecord(m) || typeof m.role !== 'string' || typeof m.content !== 'string')
                    throw new HttpError(400, 'BadRequestError', 'each message needs a string role and content', 'messages');
                return { role: m.role, content: m.content };
            });
            text = renderChatML(messages);
        } else {
            if (typeof body.prompt !== 'string')
                throw new HttpError(400, 'BadRequestError', 'prompt must be a string', 'prompt');
            text = body.prompt;
        }
        const promptTokens = model.tokenize(text, true);
        if (promptTokens.length === 0) throw new HttpError(400, 'BadRequestError', 'the prompt is empty', 'prompt');
        const requested = optionalPositiveInt(body, 'max_completion_tokens') ?? optionalPositiveInt(body, 'max_tokens');
        if (promptTokens.length >= maxModelLen)
            throw new HttpError(
                400,
                'BadRequestError',
                `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${promptTokens.length} input tokens.`,
                'input_tokens',
            );
        if (requested !== undefined && promptTokens.length + requested > maxModelLen)
            throw new HttpError(
                400,
                'BadRequestError',
                `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptTokens.length + requested} tokens (${promptTokens.length} in the messages, ${requested} in the completion).`,
                'max_tokens',
            );
        const maxTokens = requested ?? maxModelLen - promptTokens.length;

        const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${nextId++}`;
        const object = kind === 'chat' ? 'chat.completion' : 'text_completion';
        const modelName = opts.servedModelName;
        let clientGone = false;
        res.on('close', () => {
            if (!res.writableFinished) clientGone = true;
        });

        const usage = (completion: number, withDetails: boolean): Record<string, unknown> => ({
            prompt_tokens: promptTokens.length,
            total_tokens: promptTokens.length + completion,
            completion_tokens: completion,
            ...(withDetails ? { prompt_tokens_details: { cached_tokens: 0 } } : {}),
        });
        const choice = (delta: string, finish: string | null): Record<string, unknown> =>
            kind === 'chat'
                ? { index: 0, delta: { content: delta }, logprobs: null, finish_reason: finish, stop_reason: null }
                : { index: 0, text: delta, logprobs: null, finish_reason: finish, stop_reason: null };
        const send = (payload: Record<string, unknown>): void => {
            res.write(`data: ${JSON.stringify(payload)}\n\n`);
        };
        const chunk = (choices: unknown[], completion: number | null): Record<string, unknown> => ({
            id,
            object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
            created,
            model: modelName,
            choices,
            ...(continuous && completion !== null ? { usage: usage(completion, false) } : {}),
        });

        const seq = await pool.acquire();
        let generated: Token[] = [];
        let finish: 'stop' | 'length' | 'abort' = 'length';
        let emitted = '';
        try {
            if (stream) {
                res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
                if (kind === 'chat')
                    send(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], 0));
            }
            if (clientGone) finish = 'abort';
            else
                for await (const token of seq.evaluate(promptTokens, { temperature: 0 })) {
                    if (clientGone) {
                        finish = 'abort';
                        break;
                    }
                    generated.push(token);
                    if (opts.tokenDelayMs) await new Promise((r) => setTimeout(r, opts.tokenDelayMs));
                    const last = generated.length >= maxTokens;
                    if (stream) {
                        // Hold back a trailing partial UTF-8 sequence until its remaining bytes arrive.
                        const full = model.detokenize(generated);
                        const ready = full.endsWith('\uFFFD') && !last ? emitted.length : full.length;
                        const delta = full.slice(emitted.length, ready);
                        emitted = full.slice(0, ready);
                        send(chunk([choice(delta, last ? 'length' : null)], generated.length));
                    }
                    if (last) break;
                }
            // evaluate() ends at EOS without yielding it; vLLM counts the EOS token in completion_tokens.
            if (finish !== 'abort' && generated.length < maxTokens) {
                finish = 'stop';
                generated = [...generated, eos as Token];
            }
        } finally {
            await pool.release(seq);
        }
        metrics.promptTokens += promptTokens.length;
        metrics.generationTokens += generated.length;
        if (finish === 'abort') {
            res.destroy();
            return;
        }
        metrics.requestsSuccess++;
        const completion = generated.length;
        const textOut = model.detokenize(finish === 'stop' ? generated.slice(0, -1) : generated);
        if (stream) {
            if (finish === 'stop') send(chunk([choice('', 'stop')], completion));
            if (includeUsage) send({ id, object: chunk([], null).object, created, model: modelName, choices: [], usage: usage(completion, true) });
            res.end('data: [DONE]\n\n');
            return;
        }
        const message =
            kind === 'chat'
                ? { index: 0, message: { role: 'assistant', content: textOut, reasoning: null, tool_calls: [] }, logprobs: null, finish_reason: finish, stop_reason: null }
                : { index: 0, text: textOut, logprobs: null, finish_reason: finish, stop_reason: null };
        const out = JSON.stringify({ id, object, created, model: modelName, choices: [message], usage: usage(completion, true) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(out);
    }

    function metricsText(): string {
        const l = `{model_name="${opts.servedModelName}"}`;
        return [
            '# TYPE vllm:num_requests_running gauge',
            `vllm:num_requests_running${l} ${pool.running}`,
            '# TYPE vllm:num_requests_waiting gauge',
            `vllm:num_requests_waiting${l} ${pool.waiting}`,
            '# TYPE vllm:prompt_tokens_total counter',
            `vllm:prompt_tokens_total${l} ${metrics.promptTokens}`,
            '# TYPE vllm:generation_tokens_total counter',
            `vllm:generation_tokens_total${l} ${metrics.generationTokens}`,
            '# TYPE vllm:request_success_total counter',
            `vllm:request_success_total${l} ${metrics.requestsSuccess}`,
            '',
        ].join('\n');
    }

    const server = http.createServer((req, res) => {
        const url = (req.url ?? '/').split('?')[0];
        const route = `${req.method} ${url}`;
        const fail = (e: unknown): void => {
            const he = e instanceof HttpError ? e : new HttpError(500, 'InternalServerError', e instanceof Error ? e.message : String(e));
            if (res.headersSent) {
                // vLLM's mid-stream failure: an error event, then [DONE].
                if (!res.destroyed) res.end(`data: ${errorBody(he)}\n\ndata: [DONE]\n\n`);
                return;
            }
            res.writeHead(he.status, { 'content-type': 'application/json' });
            res.end(errorBody(he));
        };
        try {
            switch (route) {
                case 'GET /health':
                    res.writeHead(200).end();
                    return;
                case 'GET /v1/models':
                    res.writeHead(200, { 'content-type': 'application/json' });
                    res.end(
                        JSON.stringify({
                            object: 'list',
                            data: [{ id: opts.servedModelName, object: 'model', created, owned_by: 'vllm', root: opts.modelPath, parent: null, max_model_len: maxModelLen }],
                        }),
                    );
                    return;
                case 'GET /metrics':
                    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
                    res.end(metricsText());
                    return;
                case 'POST /v1/chat/completions':
                    handleGeneration('chat', req, res).catch(fail);
                    return;
                case 'POST /v1/completions':
                    handleGeneration('completions', req, res).catch(fail);
                    return;
                default:
                    fail(new HttpError(404, 'NotFoundError', `no route ${route}`));
            }
        } catch (e) {
            fail(e);
        }
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
        port,
        loadMs,
        async close() {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            await context.dispose();
            await model.dispose();
            await llama.dispose();
        },
    };
}
