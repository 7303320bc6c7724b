/**
 * The worker's HTTP adapter (node:http): routes, body limits and timeouts, JSON errors, and streaming the
 * session's frames. All decisions are the session's; this file only moves bytes and maps WireError to
 * statuses. Every answer carries the wire version and quote-provider headers.
 */
import http, { IncomingMessage, ServerResponse } from 'http';
import type { Logger } from 'pino';
import { guardedServerOptions, guardServer, Headers as WireHeaders, MediaTypes, Paths, WIRE_VERSION, WireError, decodeVoucherEnvelope, type AttestationDoc, type FreshnessProof, type ServerTimeouts } from '../../wire';
import type { WorkerSession } from '../core/session';
import type { WorkerMetrics } from '../metrics';

export interface HttpDeps {
    session: WorkerSession;
    attestation(): AttestationDoc;
    freshness(nonce: Buffer): FreshnessProof;
    health(): Promise<{ ok: boolean; [k: string]: unknown }>;
    metrics: WorkerMetrics;
    quoteProvider: 'tdx' | 'simulated';
    maxRequestBytes: number;
    /** Time a client has to send its whole body (slow clients get 408 and are dropped). */
    bodyTimeoutMs: number;
    /** Head and keep-alive timeouts (slowloris heads, idle connections). */
    timeouts: ServerTimeouts;
    log: Logger;
}

function baseHeaders(deps: HttpDeps): Record<string, string> {
    return { [WireHeaders.wireVersion]: String(WIRE_VERSION), [WireHeaders.quoteProvider]: deps.quoteProvider };
}

function sendJson(res: ServerResponse, deps: HttpDeps, status: number, body: unknown): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { ...baseHeaders(deps), 'content-type': MediaTypes.json, 'content-length': Buffer.byteLength(text) });
    res.end(text);
}

function sendError(res: ServerResponse, deps: HttpDeps, e: unknown): void {
    const err = e instanceof WireError ? e : new WireError('internal', 'internal error');
    if (!(e instanceof WireError)) deps.log.error({ err: e }, 'unexpected error on the request path');
    deps.metrics.requests.inc({ outcome: err.code });
    sendJson(res, deps, err.status, err.toJSON());
}

/** Reads the whole body within the size and time limits. */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const declared = Number(req.headers['content-length'] ?? NaN);
        if (Number.isFinite(declared) && declared > limit) return reject(new WireError('payload_too_large', `body of ${declared} bytes exceeds the limit of ${limit}`));
        const parts: Buffer[] = [];
        let size = 0;
        const timer = setTimeout(() => finish(new WireError('request_timeout', `the body did not arrive within ${timeoutMs} ms`)), timeoutMs);
        let done = false;
        const finish = (err: WireError | null) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            req.off('data', onData);
            if (err) {
                req.resume(); // drain what is left so the answer can be written
                reject(err);
            } else resolve(Buffer.concat(parts, size));
        };
        const onData = (c: Buffer) => {
            size += c.length;
            if (size > limit) return finish(new WireError('payload_too_large', `body exceeds the limit of ${limit} bytes`));
            parts.push(c);
        };
        req.on('data', onData);
        req.on('end', () => finish(null));
        req.on('error', () => finish(new WireError('bad_envelope', 'the body was cut off')));
    });
}

function requireType(req: IncomingMessage, type: string): void {
    const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (ct !== type) throw new WireError('unsupported_media_type', `content-type must be ${type}`);
}

async function serveRequest(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
    requireType(req, MediaTypes.request);
    const body = await readBody(req, deps.maxRequestBytes, deps.bodyTimeoutMs);
    const abort = new AbortController();
    // The client went away: stop the engine; the session still stores a receipt for what was served.
    res.on('close', () => {
        if (!res.writableFinished) abort.abort();
    });
    const stream = await deps.session.start(body, abort.signal);
    // One frame per token: never let Nagle hold a frame back waiting for the next one.
    res.socket?.setNoDelay(true);
    res.writeHead(200, { ...baseHeaders(deps), 'content-type': MediaTypes.stream, 'cache-control': 'no-store' });
    res.flushHeaders();
    for await (const frame of stream.frames) {
        if (res.destroyed) continue; // keep draining: the receipt must be stored and the job released
        if (!res.write(frame)) await new Promise<void>((r) => {
            const done = () => {
                res.off('drain', done);
                res.off('close', done);
                r();
            };
            res.on('drain', done);
            res.on('close', done);
        });
    }
    res.end();
}

async function route(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
    let url: URL;
    try {
        url = new URL(req.url ?? '/', 'http://worker');
    } catch {
        throw new WireError('bad_http', 'the request target is not a URL');
    }
    const method = req.method ?? 'GET';
    const allow = (m: string) => {
        if (method !== m) throw new WireError('method_not_allowed', `${url.pathname} accepts ${m} only`);
    };
    switch (url.pathname) {
        case Paths.attestation:
            allow('GET');
            return sendJson(res, deps, 200, deps.attestation());
        case Paths.freshness: {
            allow('GET');
            const n = url.searchParams.get('nonce') ?? '';
            if (!/^[0-9a-fA-F]{64}$/.test(n)) throw new WireError('bad_nonce', 'nonce must be 32 bytes as 64 hex digits');
            return sendJson(res, deps, 200, deps.freshness(Buffer.from(n, 'hex')));
        }
        case Paths.requests:
            allow('POST');
            return serveRequest(req, res, deps);
        case Paths.vouchers: {
            allow('POST');
            requireType(req, MediaTypes.voucher);
            const body = await readBody(req, 4096, deps.bodyTimeoutMs);
            return sendJson(res, deps, 200, await deps.session.acceptVoucher(decodeVoucherEnvelope(body)));
        }
        case Paths.health: {
            allow('GET');
            const h = await deps.health();
            return sendJson(res, deps, h.ok ? 200 : 503, h);
        }
        case Paths.metrics: {
            allow('GET');
            const text = await deps.metrics.registry.metrics();
            res.writeHead(200, { ...baseHeaders(deps), 'content-type': deps.metrics.registry.contentType });
            res.end(text);
            return;
        }
        default:
            throw new WireError('not_found', `no such path: ${url.pathname}`);
    }
}

export function createWorkerHttpServer(deps: HttpDeps): http.Server {
    const server = http.createServer(guardedServerOptions(deps.timeouts), (req, res) => {
        route(req, res, deps).catch((e) => {
            if (res.headersSent) {
                deps.log.error({ err: e }, 'error after the stream started');
                res.destroy();
            } else sendError(res, deps, e);
        });
    });
    // Idle keep-alive sockets stay open longer than clients keep them (undici: 4 s), so a client never
    // sends a request on a socket the server is closing (ECONNRESET). A request head must arrive within the
    // headers timeout (slowloris, idle connections that never send a request); the body has its own timer
    // (readBody, bodyTimeoutMs); streams may run long, so there is no whole-request timeout. A request the
    // HTTP parser refuses gets the same JSON error body as every other refusal.
    guardServer(
        server,
        deps.timeouts,
        (fault, _status, message) => {
            deps.metrics.requests.inc({ outcome: fault });
            return new WireError(fault, message).toJSON();
        },
        baseHeaders(deps),
    );
    return server;
}
