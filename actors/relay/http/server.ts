/**
 * The OpenAI-compatible HTTP adapter: routing, body limits, JSON parsing, Bearer keys, the response shapes
 * and SSE framing. A client that disconnects aborts the work upstream (the worker aborts its engine).
 * Every error is {"error":{message,type,param,code}} with its status; `x-should-retry: false` goes with every
 * error the openai SDK must not repeat on its own (anything that may have been served and billed).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { asRelayError, RelayError } from '../errors';
import { sseEvent } from '../openai/shape';
import { validateRequest, type Limits } from '../openai/validate';
import type { Relay, StreamSink } from '../relay';
import type { EndpointKind } from '../../engine/types';

const ROUTES: Record<string, EndpointKind> = { '/v1/chat/completions': 'chat', '/v1/completions': 'completions' };

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const b = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b), ...headers });
    res.end(b);
}

function sendError(res: ServerResponse, e: RelayError): void {
    sendJson(res, e.status, e.toBody(), { 'x-should-retry': String(e.retry) });
}

async function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) throw new RelayError('payload_too_large', `the body is larger than ${limit} bytes`);
    return new Promise((resolve, reject) => {
        const parts: Buffer[] = [];
        let size = 0;
        const timer = setTimeout(() => reject(new RelayError('request_timeout', 'the request body did not arrive in time')), timeoutMs);
        req.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limit) {
                clearTimeout(timer);
                reject(new RelayError('payload_too_large', `the body is larger than ${limit} bytes`));
                req.resume();
                return;
            }
            parts.push(c);
        });
        req.on('end', () => {
            clearTimeout(timer);
            resolve(Buffer.concat(parts));
        });
        req.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
        });
    });
}

function bearer(req: IncomingMessage): string | null {
    const h = req.headers.authorization;
    if (!h) return null;
    const m = /^Bearer\s+(.+)$/i.exec(h);
    return m ? m[1].trim() : null;
}

export function createRelayHttpServer(relay: Relay, limits: Limits, log: Logger): http.Server {
    return http.createServer((req, res) => {
        handle(relay, limits, log, req, res).catch((e) => {
            log.error({ err: (e as Error).message }, 'unhandled error');
            sendError(res, asRelayError(e));
        });
    });
}

async function handle(relay: Relay, limits: Limits, log: Logger, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return sendJson(res, 200, { ok: true, verifiedWorkers: relay.models().reduce((a, m) => a + m.workers, 0) });
    if (path === '/v1/models') {
        if (req.method !== 'GET') return sendError(res, new RelayError('method_not_allowed', 'use GET'));
        try {
            relay.authenticate(bearer(req));
        } catch (e) {
            return sendError(res, asRelayError(e));
        }
        return sendJson(res, 200, { object: 'list', data: relay.models().map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: 'cocoon-ton', model_hash: m.hash, workers: m.workers })) });
    }
    const kind = ROUTES[path];
    if (!kind) return sendError(res, new RelayError('not_found', `unknown path ${path}`));
    if (req.method !== 'POST') return sendError(res, new RelayError('method_not_allowed', 'use POST'));

    const abort = new AbortController();
    res.on('close', () => {
        if (!res.writableFinished) abort.abort();
    });
    let sink: (StreamSink & { started: boolean }) | null = null;
    try {
        const key = relay.authenticate(bearer(req));
        const ct = String(req.headers['content-type'] ?? '');
        if (ct && !ct.toLowerCase().startsWith('application/json')) throw new RelayError('unsupported_media_type', 'send application/json');
        const raw = await readBody(req, limits.maxBodyBytes, limits.requestTimeoutMs);
        let json: unknown;
        try {
            json = JSON.parse(raw.toString('utf8'));
        } catch {
            throw new RelayError('invalid_json', 'the body is not valid JSON');
        }
        const valid = validateRequest(kind, json, limits);
        if (valid.stream) {
            const s = {
                started: false,
                write(chunk: string) {
                    if (!s.started) {
                        s.started = true;
                        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
                    }
                    res.write(chunk);
                },
            };
            sink = s;
        }
        const served = await relay.serve(valid, key, sink, abort.signal);
        const headers = { 'x-cocoon-worker': served.worker.account, 'x-cocoon-quote-provider': served.worker.simulated ? 'simulated' : 'tdx' };
        if (sink) {
            if (!sink.started) res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
            res.end();
        } else sendJson(res, 200, served.json, headers);
    } catch (e) {
        const err = asRelayError(e);
        if (abort.signal.aborted) {
            log.info({ path }, 'client went away; upstream work stopped');
            return;
        }
        if (err.code === 'internal') log.error({ err: (e as Error).stack }, 'internal error');
        if (sink?.started) {
            // mid-stream: an SSE error payload the openai SDK turns into an APIError, then the end
            res.write(sseEvent(err.toBody()));
            res.end();
        } else sendError(res, err);
    }
}
