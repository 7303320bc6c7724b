/**
 * What both actors' HTTP servers need against hostile clients before a request reaches a route:
 *
 * - Timeouts: a client must finish its request head within `headersTimeoutMs` (slowloris on the headers, and
 *   connections that never send a byte), an idle keep-alive socket is closed after `keepAliveTimeoutMs`. Node
 *   checks both on a timer (`connectionsCheckingInterval`, 30 s by default): it is set from the headers
 *   timeout, or a 2-second timeout would be enforced up to 30 s late.
 * - Answers to requests Node's parser refuses (broken request line or headers, a header block above the limit,
 *   conflicting lengths, a head that did not arrive in time): Node writes a bare status line with no body; here
 *   each actor answers its own JSON error, so a client sees a clear error on every path.
 */
import http, { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export interface ServerTimeouts {
    /** Time a client has to send the whole request head (and a fresh connection its first request). */
    headersTimeoutMs: number;
    /** Time an idle keep-alive connection stays open between requests. */
    keepAliveTimeoutMs: number;
}

/** Why Node's parser refused a request: the actor turns it into its own error code. */
export type ClientFault = 'bad_http' | 'headers_too_large' | 'request_timeout';

const FAULT_STATUS: Record<ClientFault, number> = { bad_http: 400, headers_too_large: 431, request_timeout: 408 };

export function clientFaultOf(err: NodeJS.ErrnoException): ClientFault {
    if (err.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT') return 'request_timeout';
    return 'bad_http';
}

const FAULT_MESSAGE: Record<ClientFault, string> = {
    bad_http: 'the HTTP request does not parse',
    headers_too_large: 'the request head is larger than the server accepts',
    request_timeout: 'the request head did not arrive in time',
};

/** Options for http.createServer: how often Node looks for expired heads (a quarter of the timeout, 0.25-5 s). */
export function guardedServerOptions(t: ServerTimeouts): http.ServerOptions {
    return { connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(t.headersTimeoutMs / 4))) };
}

/**
 * Sets the timeouts and answers parser refusals with `body(fault)` as JSON (status by fault), then closes.
 * `headers` go on every such answer (the worker's wire headers).
 */
export function guardServer(
    server: http.Server,
    t: ServerTimeouts,
    body: (fault: ClientFault, status: number, message: string) => unknown,
    headers: Record<string, string> = {},
): void {
    server.headersTimeout = t.headersTimeoutMs;
    server.keepAliveTimeout = t.keepAliveTimeoutMs;
    // Streams may run long and bodies have their own timers in each actor: no whole-request timeout.
    server.requestTimeout = 0;
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
        const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
        if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
            socket.destroy();
            return;
        }
        const fault = clientFaultOf(err);
        const status = FAULT_STATUS[fault];
        const text = JSON.stringify(body(fault, status, FAULT_MESSAGE[fault]));
        const lines = [
            `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
            'content-type: application/json',
            `content-length: ${Buffer.byteLength(text)}`,
            'connection: close',
            ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        ];
        socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
    });
}
