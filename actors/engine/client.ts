/**
 * The production engine client: vLLM's OpenAI-compatible server over node:http with keep-alive.
 * Requests are rewritten (./rewrite), answers read by the pure core (./stream), token counts checked (./usage).
 *
 * Reading: `run()` resolves once the engine answered 200 (or rejects with an EngineError before any byte);
 * the answer then flows through `chunks`, and `done` settles when the answer ended, failed, timed out or was
 * aborted. Consume `chunks` to the end: the socket is paused while more than `maxQueuedChunks` events wait,
 * so `done` of an answer nobody reads may never settle. Leaving the `for await` loop early aborts the request.
 */
import http from 'node:http';
import { EngineError, errorFromResponse, localError } from './errors';
import { rewriteRequest } from './rewrite';
import { readJsonAnswer, SseAnswer, type AnswerOutcome } from './stream';
import type { EngineChunk, EngineClient, EngineErrorInfo, EngineRequest, EngineResult } from './types';
import { NO_USAGE } from './usage';

export interface VllmClientOptions {
    /** The engine's base URL without /v1, e.g. http://127.0.0.1:8000. */
    baseUrl: string;
    /** vLLM's --api-key, sent as a Bearer token. */
    apiKey?: string;
    /** vLLM's --served-model-name: forced into every request's `model`. */
    servedModelName?: string;
    /** The engine's max_model_len (usage bound); read from GET /v1/models when not given. */
    maxModelLen?: number;
    /** Time allowed until the response headers (vLLM sends them once the request is scheduled). */
    headersTimeoutMs?: number;
    /** Time allowed between two reads of the answer (a hung engine). */
    idleTimeoutMs?: number;
    /** Largest non-streamed answer or error body read, bytes. */
    maxBodyBytes?: number;
    maxQueuedChunks?: number;
    agent?: http.Agent;
}

const DEFAULTS = { headersTimeoutMs: 120_000, idleTimeoutMs: 120_000, maxBodyBytes: 16 << 20, maxQueuedChunks: 256 };

const PATHS = { chat: '/v1/chat/completions', completions: '/v1/completions' } as const;

export class VllmClient implements EngineClient {
    private readonly base: URL;
    private readonly agent: http.Agent;
    private readonly o: typeof DEFAULTS;
    private maxModelLen: number | undefined;

    constructor(private readonly options: VllmClientOptions) {
        this.base = new URL(options.baseUrl);
        if (this.base.protocol !== 'http:') throw new Error(`the engine URL must be http:// (the engine runs next to the worker): ${options.baseUrl}`);
        this.agent = options.agent ?? new http.Agent({ keepAlive: true, maxSockets: 512 });
        this.o = {
            headersTimeoutMs: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
            idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
            maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
            maxQueuedChunks: options.maxQueuedChunks ?? DEFAULTS.maxQueuedChunks,
        };
        this.maxModelLen = options.maxModelLen;
    }

    /** Closes idle keep-alive sockets (call on shutdown). */
    close(): void {
        this.agent.destroy();
    }

    private headers(extra: Record<string, string | number>): Record<string, string | number> {
        return { ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}), ...extra };
    }

    /** A small GET; resolves with status and body (bounded), rejects with EngineError. */
    private get(path: string, timeoutMs: number): Promise<{ status: number; body: Buffer }> {
        return new Promise((resolve, reject) => {
            const req = http.request(new URL(path, this.base), { method: 'GET', agent: this.agent, headers: this.headers({}) }, (res) => {
                readBounded(res, this.o.maxBodyBytes).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
            });
            req.setTimeout(timeoutMs, () => req.destroy(new EngineError(localError('EngineTimeout', `GET ${path} timed out`))));
            req.on('error', (e) => reject(e instanceof EngineError ? e : new EngineError(localError('EngineUnreachable', e.message))));
            req.end();
        });
    }

    async health(): Promise<boolean> {
        try {
            return (await this.get('/health', 5_000)).status === 200;
        } catch {
            return false;
        }
    }

    private async modelList(): Promise<{ id: string; maxModelLen: number | null }[]> {
        const { status, body } = await this.get('/v1/models', 10_000);
        if (status !== 200) throw new EngineError(errorFromResponse(status, body));
        let parsed: unknown;
        try {
            parsed = JSON.parse(body.toString('utf8'));
        } catch {
            throw new EngineError(localError('EngineProtocolError', '/v1/models is not JSON'));
        }
        const data = typeof parsed === 'object' && parsed !== null ? (parsed as { data?: unknown }).data : undefined;
        if (!Array.isArray(data)) throw new EngineError(localError('EngineProtocolError', '/v1/models has no data list'));
        return data
            .filter((m): m is { id: string; max_model_len?: unknown } => typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'string')
            .map((m) => ({ id: m.id, maxModelLen: Number.isSafeInteger(m.max_model_len) && (m.max_model_len as number) > 0 ? (m.max_model_len as number) : null }));
    }

    async models(): Promise<string[]> {
        return (await this.modelList()).map((m) => m.id);
    }

    private async boundModelLen(): Promise<number> {
        if (this.maxModelLen !== undefined) return this.maxModelLen;
        const list = await this.modelList();
        const entry = list.find((m) => m.id === this.options.servedModelName) ?? list[0];
        if (!entry || entry.maxModelLen === null)
            throw new EngineError(localError('EngineProtocolError', '/v1/models gives no max_model_len: set maxModelLen'));
        this.maxModelLen = entry.maxModelLen;
        return entry.maxModelLen;
    }

    async run(req: EngineRequest): Promise<EngineResult> {
        const rw = rewriteRequest(req.kind, req.body, { maxTokensCap: req.maxTokensCap, servedModelName: this.options.servedModelName });
        const bounds = { maxModelLen: await this.boundModelLen(), maxTokens: rw.maxTokens };
        const signal = req.signal;
        if (signal?.aborted) throw new EngineError(localError('ClientAborted', 'aborted before the request was sent'));

        const open = (): http.ClientRequest => http.request(new URL(PATHS[req.kind], this.base), {
            method: 'POST',
            agent: this.agent,
            headers: this.headers({
                'content-type': 'application/json',
                'content-length': rw.bytes.length,
                accept: rw.streaming ? 'text/event-stream' : 'application/json',
            }),
        });
        let upstream = open();
        // Why reading stopped early, when it did (set before destroying the request).
        let cut: EngineErrorInfo | null = null;
        const stop = (why: EngineErrorInfo): void => {
            cut ??= why;
            upstream.destroy();
        };
        const onAbort = (): void => stop(localError('ClientAborted', 'the client went away'));
        signal?.addEventListener('abort', onAbort, { once: true });
        const headersTimer = setTimeout(() => stop(localError('EngineTimeout', `no answer headers within ${this.o.headersTimeoutMs} ms`)), this.o.headersTimeoutMs);

        const answerHeaders = (r: http.ClientRequest): Promise<http.IncomingMessage> =>
            new Promise<http.IncomingMessage>((resolve, reject) => {
                r.once('response', resolve);
                r.once('error', (e) => reject(new EngineError(cut ?? localError('EngineUnreachable', e.message))));
                r.once('close', () => reject(new EngineError(cut ?? localError('EngineUnreachable', 'connection closed before the answer'))));
                r.end(rw.bytes);
            });
        let res: http.IncomingMessage;
        try {
            try {
                res = await answerHeaders(upstream);
            } catch (e) {
                // A kept-alive socket the engine closed while idle fails at once on reuse (ECONNRESET / hang-up)
                // before the engine saw the request: send it once more on a fresh socket. Nothing else is retried.
                if (cut !== null || !upstream.reusedSocket) throw e;
                upstream = open();
                res = await answerHeaders(upstream);
            }
        } catch (e) {
            signal?.removeEventListener('abort', onAbort);
            throw e;
        } finally {
            clearTimeout(headersTimer);
        }
        upstream.on('error', () => undefined); // later errors surface through `done`

        const contentType = String(res.headers['content-type'] ?? '');
        const wrongType = rw.streaming ? !contentType.startsWith('text/event-stream') : !contentType.includes('json');
        if (res.statusCode !== 200 || wrongType) {
            try {
                const body = await readBounded(res, 64 << 10);
                throw new EngineError(
                    res.statusCode !== 200
                        ? errorFromResponse(res.statusCode ?? 0, body)
                        : localError('EngineProtocolError', `engine answered 200 with content-type "${contentType}"`),
                );
            } catch (e) {
                if (e instanceof EngineError) throw e;
                throw new EngineError(cut ?? localError('EngineUnreachable', e instanceof Error ? e.message : String(e)));
            } finally {
                signal?.removeEventListener('abort', onAbort);
            }
        }

        return this.readAnswer(res, rw.bytes, rw.streaming, bounds, stop, () => cut, () => signal?.removeEventListener('abort', onAbort));
    }

    private readAnswer(
        res: http.IncomingMessage,
        requestBytes: Buffer,
        streaming: boolean,
        bounds: { maxModelLen: number; maxTokens: number },
        stop: (why: EngineErrorInfo) => void,
        cutReason: () => EngineErrorInfo | null,
        cleanup: () => void,
    ): EngineResult {
        const sse = streaming ? new SseAnswer(bounds) : null;
        const jsonParts: Buffer[] = [];
        let jsonSize = 0;
        const queue: EngineChunk[] = [];
        let wake: (() => void) | null = null;
        let ended = false;
        let resolveDone!: (o: AnswerOutcome) => void;
        const done = new Promise<AnswerOutcome>((r) => (resolveDone = r));
        let idleTimer: NodeJS.Timeout | undefined;
        const idleMs = this.o.idleTimeoutMs;
        const armIdle = (): void => {
            clearTimeout(idleTimer);
            idleTimer = setTimeout(() => stop(localError('EngineTimeout', `no bytes from the engine for ${idleMs} ms`)), idleMs);
        };
        const notify = (): void => {
            const w = wake;
            wake = null;
            w?.();
        };

        const finish = (): void => {
            if (ended) return;
            ended = true;
            clearTimeout(idleTimer);
            cleanup();
            const cut = cutReason() ?? (res.complete || sse?.finished ? null : localError('EngineStreamTruncated', 'the engine closed the connection mid-answer'));
            let outcome: AnswerOutcome;
            if (sse) outcome = sse.outcome(cut);
            else if (cut) outcome = { usage: NO_USAGE, finishReason: null, error: cut };
            else {
                const body = Buffer.concat(jsonParts);
                outcome = readJsonAnswer(body, bounds);
                queue.push({ bytes: body });
            }
            if (sse && !sse.done) res.destroy();
            else res.resume(); // drain whatever follows [DONE] so the keep-alive socket can be reused
            resolveDone(outcome);
            notify();
        };

        armIdle();
        res.on('data', (buf: Buffer) => {
            if (ended) return;
            armIdle();
            if (sse) {
                queue.push(...sse.feed(buf));
                if (sse.finished) finish();
            } else {
                jsonSize += buf.length;
                if (jsonSize > this.o.maxBodyBytes) stop(localError('EngineProtocolError', `answer larger than ${this.o.maxBodyBytes} bytes`));
                else jsonParts.push(buf);
            }
            if (queue.length > this.o.maxQueuedChunks) res.pause();
            notify();
        });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', () => finish());

        const maxQueued = this.o.maxQueuedChunks;
        async function* chunks(): AsyncGenerator<EngineChunk> {
            try {
                for (;;) {
                    const next = queue.shift();
                    if (next) {
                        if (res.isPaused() && queue.length <= maxQueued / 2 && !ended) res.resume();
                        yield next;
                        continue;
                    }
                    if (ended) return;
                    await new Promise<void>((r) => (wake = r));
                }
            } finally {
                // The consumer left before the end (break, throw): nobody reads the answer any more.
                if (!ended) stop(localError('ClientAborted', 'the reader stopped reading the answer'));
            }
        }

        return { requestBytes, streaming, chunks: chunks(), done };
    }
}

function readBounded(res: http.IncomingMessage, limit: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (b: Buffer) => {
            size += b.length;
            if (size <= limit) parts.push(b);
        });
        res.on('end', () => resolve(Buffer.concat(parts)));
        res.on('error', reject);
        res.on('close', () => (res.complete ? undefined : reject(new Error('connection closed mid-body'))));
    });
}
