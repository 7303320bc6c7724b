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
import { DEFAULT_HTTP_LIMITS, validateRequest, type Limits } from '../openai/validate';
import { guardedServerOptions, guardServer, MAX_JSON_DEPTH, nestsDeeperThan, type ClientFault } from '../../wire';
import { barReason, type Relay, type StreamSink } from '../relay';
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

/**
 * Reads the whole body within the size and time limits. A client that sends too slowly gets 408 (its fault,
 * not an upstream timeout); what is left of a refused body is drained, so the answer can be written.
 */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const declared = Number(req.headers['content-length'] ?? '0');
        if (declared > limit) return reject(new RelayError('payload_too_large', `the body is larger than ${limit} bytes`));
        const parts: Buffer[] = [];
        let size = 0;
        let done = false;
        const finish = (err: RelayError | null) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            req.off('data', onData);
            if (err) {
                req.resume();
                reject(err);
            } else resolve(Buffer.concat(parts, size));
        };
        const timer = setTimeout(() => finish(new RelayError('client_timeout', `the request body did not arrive within ${timeoutMs} ms`)), timeoutMs);
        const onData = (c: Buffer) => {
            size += c.length;
            if (size > limit) return finish(new RelayError('payload_too_large', `the body is larger than ${limit} bytes`));
            parts.push(c);
        };
        req.on('data', onData);
        req.on('end', () => finish(null));
        req.on('error', () => finish(new RelayError('invalid_json', 'the request body was cut off')));
    });
}

/** The relay's error code for a request Node's HTTP parser refused. */
const CLIENT_FAULT_CODE: Record<ClientFault, 'bad_http' | 'headers_too_large' | 'client_timeout'> = {
    bad_http: 'bad_http',
    headers_too_large: 'headers_too_large',
    request_timeout: 'client_timeout',
};

function bearer(req: IncomingMessage): string | null {
    const h = req.headers.authorization;
    if (!h) return null;
    const m = /^Bearer\s+(.+)$/i.exec(h);
    return m ? m[1].trim() : null;
}

/** How one streamed response went, for metrics and tests (what the relay held for the client, at most). */
export interface StreamStats {
    /** Largest response buffer (bytes queued for the client, in Node and its socket) right after a write. */
    bufferedPeak: number;
    /** Largest single SSE event written. */
    largestWrite: number;
    bytesWritten: number;
    /** How often the relay stopped reading from the worker until the client caught up. */
    drainWaits: number;
    outcome: 'complete' | 'slow_reader' | 'client_gone' | 'error';
}

export interface RelayHttpObserver {
    streamEnded?(s: StreamStats): void;
}

/** The relay's surface the HTTP adapter uses. */
export type ServedRelay = Pick<Relay, 'authenticate' | 'serve' | 'models' | 'workerStatus'>;

export function createRelayHttpServer(relay: ServedRelay, limits: Limits, log: Logger, observer: RelayHttpObserver = {}): http.Server {
    const timeouts = {
        headersTimeoutMs: limits.headersTimeoutMs ?? DEFAULT_HTTP_LIMITS.headersTimeoutMs,
        keepAliveTimeoutMs: limits.keepAliveTimeoutMs ?? DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs,
    };
    // every socket's write buffer: what the relay holds for a client before it stops reading from the worker
    const highWaterMark = limits.streamBufferBytes ?? DEFAULT_HTTP_LIMITS.streamBufferBytes;
    const server = http.createServer({ ...guardedServerOptions(timeouts), highWaterMark }, (req, res) => {
        handle(relay, limits, log, observer, req, res).catch((e) => {
            log.error({ err: (e as Error).message }, 'unhandled error');
            sendError(res, asRelayError(e));
        });
    });
    // A request head must arrive within the headers timeout (slowloris, sockets that never send a request);
    // a request the HTTP parser refuses gets the same OpenAI-shaped JSON error as every other refusal.
    guardServer(server, timeouts, (fault, _status, message) => new RelayError(CLIENT_FAULT_CODE[fault], message).toBody(), { 'x-should-retry': 'false' });
    return server;
}

/**
 * Resolves once the client has read what the response buffered ('drain'); rejects with client_timeout when it
 * read nothing for `timeoutMs`, and with a plain error when it went away (the request's abort handles that).
 */
function drained(res: ServerResponse, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
        const done = (err: Error | null) => {
            clearTimeout(timer);
            res.off('drain', onDrain);
            res.off('close', onClose);
            if (err) reject(err);
            else resolve();
        };
        const onDrain = () => done(null);
        const onClose = () => done(new Error('the client went away'));
        const timer = setTimeout(
            () => done(new RelayError('client_timeout', `the client read nothing of the stream for ${timeoutMs} ms: the stream is ended and the worker's answer cut; usage is billed per the worker's signed receipt`)),
            timeoutMs,
        );
        res.on('drain', onDrain);
        res.on('close', onClose);
    });
}

async function handle(relay: ServedRelay, limits: Limits, log: Logger, observer: RelayHttpObserver, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
        // the operator's view of every worker: why one is not used is exactly what its checks found
        const { workers, barred } = relay.workerStatus();
        return sendJson(res, 200, {
            ok: true,
            verifiedWorkers: relay.models().reduce((a, m) => a + m.workers, 0),
            workers: workers.map((w) => ({ account: w.account, url: w.url, status: w.status, reasons: w.reasons, checkedAt: new Date(w.checkedAt).toISOString() })),
            barred: barred.map((b) => ({ account: b.account, reason: barReason(b) })),
        });
    }
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
    const stats: StreamStats = { bufferedPeak: 0, largestWrite: 0, bytesWritten: 0, drainWaits: 0, outcome: 'complete' };
    const slowReaderMs = limits.slowReaderTimeoutMs ?? DEFAULT_HTTP_LIMITS.slowReaderTimeoutMs;
    try {
        const key = relay.authenticate(bearer(req));
        const ct = String(req.headers['content-type'] ?? '');
        if (ct && !ct.toLowerCase().startsWith('application/json')) throw new RelayError('unsupported_media_type', 'send application/json');
        const raw = await readBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs ?? DEFAULT_HTTP_LIMITS.bodyTimeoutMs);
        const text = raw.toString('utf8');
        // JSON.parse takes any depth, but the copies and checks after it recurse: bound it at the door
        if (nestsDeeperThan(text)) throw new RelayError('invalid_request', `the body nests deeper than ${MAX_JSON_DEPTH} levels`);
        let json: unknown;
        try {
            json = JSON.parse(text);
        } catch {
            throw new RelayError('invalid_json', 'the body is not valid JSON');
        }
        const valid = validateRequest(kind, json, limits);
        if (valid.stream) {
            const s = {
                started: false,
                write(chunk: string): void | Promise<void> {
                    if (!s.started) {
                        s.started = true;
                        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
                    }
                    const size = Buffer.byteLength(chunk);
                    const room = res.write(chunk);
                    stats.bytesWritten += size;
                    stats.largestWrite = Math.max(stats.largestWrite, size);
                    stats.bufferedPeak = Math.max(stats.bufferedPeak, res.writableLength);
                    // full: the caller stops reading from the worker until the client catches up (or times out)
                    if (room) return;
                    stats.drainWaits++;
                    return drained(res, slowReaderMs);
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
            stats.outcome = 'client_gone';
            log.info({ path }, 'client went away; upstream work stopped');
            return;
        }
        if (err.code === 'internal') log.error({ err: (e as Error).stack }, 'internal error');
        if (sink?.started) {
            stats.outcome = err.code === 'client_timeout' ? 'slow_reader' : 'error';
            if (stats.outcome === 'slow_reader') log.warn({ path, slowReaderMs, buffered: res.writableLength }, 'slow reader: stream ended, worker answer cut');
            // mid-stream: an SSE error payload the openai SDK turns into an APIError, then the end
            res.write(sseEvent(err.toBody()));
            res.end();
            // a client that still reads nothing gets its connection closed after one more period: the bytes
            // queued for it (at most the buffer and this event) are freed then
            const timer = setTimeout(() => res.destroy(), slowReaderMs);
            timer.unref();
            res.once('close', () => clearTimeout(timer));
        } else sendError(res, err);
    } finally {
        if (sink?.started) observer.streamEnded?.(stats);
    }
}
