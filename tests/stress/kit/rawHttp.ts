/**
 * HTTP at the socket level, for inputs a well-behaved client (fetch) refuses to send: broken request lines,
 * header overflows, lying content lengths, bodies or headers trickled a few bytes at a time, and floods of idle
 * connections. Every call ends by itself: the server answers and closes, or the socket is dropped after
 * `giveUpMs` (then the answer says `timedOut`, and the catalogue entry fails on its status).
 */
import net from 'node:net';

export interface RawAnswer {
    /** HTTP status, 0 when nothing parseable came back. */
    status: number;
    headers: Record<string, string>;
    /** The body, de-chunked. */
    body: Buffer;
    /** The body parsed as JSON, or undefined when it is not JSON. */
    json: unknown;
    /** The socket was dropped by us after giveUpMs without a full answer. */
    timedOut: boolean;
}

export interface RawRequest {
    /** Bytes of the request line and headers, sent first (pieces are sent one after another). */
    head: Buffer | string;
    /** Body pieces sent after the head. */
    body?: (Buffer | string)[];
    /** Pause between body pieces (and between head bytes when `trickleHead`), ms: slow clients. */
    pauseMs?: number;
    /** Send the head one `trickleHead`-byte piece at a time, `pauseMs` apart (slowloris on the headers). */
    trickleHead?: number;
    /** Stop sending after this many body pieces (a client that stops half-way and keeps the socket open). */
    stallAfter?: number;
    giveUpMs?: number;
}

function parseAnswer(raw: Buffer, timedOut: boolean): RawAnswer {
    const end = raw.indexOf('\r\n\r\n');
    if (end < 0) return { status: 0, headers: {}, body: Buffer.alloc(0), json: undefined, timedOut };
    const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let body = raw.subarray(end + 4);
    if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
    else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
    let json: unknown;
    try {
        json = JSON.parse(body.toString('utf8'));
    } catch {
        json = undefined;
    }
    return { status: m ? Number(m[1]) : 0, headers, body, json, timedOut };
}

function dechunk(b: Buffer): Buffer {
    const out: Buffer[] = [];
    let off = 0;
    for (;;) {
        const nl = b.indexOf('\r\n', off);
        if (nl < 0) break;
        const size = parseInt(b.subarray(off, nl).toString('latin1'), 16);
        if (!Number.isFinite(size) || size === 0) break;
        out.push(b.subarray(nl + 2, nl + 2 + size));
        off = nl + 2 + size + 2;
    }
    return Buffer.concat(out);
}

/** True once `raw` holds a whole answer (headers plus the body its framing announces). */
function complete(raw: Buffer): boolean {
    const end = raw.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const head = raw.subarray(0, end).toString('latin1').toLowerCase();
    const cl = /\r\ncontent-length:\s*(\d+)/.exec(head);
    if (cl) return raw.length - end - 4 >= Number(cl[1]);
    if (/\r\ntransfer-encoding:\s*chunked/.test(head)) return raw.includes('\r\n0\r\n\r\n', end);
    return false; // read until the server closes
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends raw bytes to `url`'s host and port; resolves with the first answer (or what came before giveUpMs). */
export function rawRequest(url: string, r: RawRequest): Promise<RawAnswer> {
    const u = new URL(url);
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        let settled = false;
        const s = net.connect(Number(u.port), u.hostname);
        const finish = (timedOut: boolean) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            s.destroy();
            resolve(parseAnswer(Buffer.concat(chunks), timedOut));
        };
        const timer = setTimeout(() => finish(true), r.giveUpMs ?? 20_000);
        s.on('data', (d: Buffer) => {
            chunks.push(d);
            if (complete(Buffer.concat(chunks))) finish(false);
        });
        s.on('error', () => finish(false)); // a reset after the answer: keep what came
        s.on('close', () => finish(false));
        s.on('connect', () => {
            void (async () => {
                const write = (b: Buffer | string) => {
                    if (!settled && !s.destroyed && s.writable) s.write(b, () => undefined);
                };
                const head = Buffer.from(r.head);
                if (r.trickleHead) {
                    for (let i = 0; i < head.length && !settled; i += r.trickleHead) {
                        write(head.subarray(i, i + r.trickleHead));
                        await sleep(r.pauseMs ?? 100);
                    }
                } else write(head);
                const body = r.body ?? [];
                for (let i = 0; i < body.length && !settled; i++) {
                    if (r.stallAfter !== undefined && i >= r.stallAfter) return;
                    if (r.pauseMs && i > 0) await sleep(r.pauseMs);
                    write(body[i]);
                }
            })();
        });
    });
}

/** A request head with the given method, path and headers (Host and Connection: close added). */
export function head(method: string, path: string, headers: Record<string, string | number> = {}): string {
    const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    return lines.join('\r\n') + '\r\n\r\n';
}

/** A complete request with a body and its content length. */
export function withBody(method: string, path: string, body: Buffer | string, headers: Record<string, string | number> = {}): RawRequest {
    const b = Buffer.from(body);
    return { head: head(method, path, { ...headers, 'Content-Length': b.length }), body: [b] };
}

/** A chunked request body (no content length): each piece one chunk, then the terminator. */
export function chunked(method: string, path: string, pieces: Buffer[], headers: Record<string, string | number> = {}): RawRequest {
    const body: Buffer[] = [];
    for (const p of pieces) body.push(Buffer.concat([Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]));
    body.push(Buffer.from('0\r\n\r\n'));
    return { head: head(method, path, { ...headers, 'Transfer-Encoding': 'chunked' }), body };
}

/**
 * Opens `n` TCP connections to the server that never send a byte, in batches (so the listen backlog keeps up).
 * Returns the sockets and a counter of those the server closed.
 */
export async function idleFlood(url: string, n: number): Promise<{ sockets: net.Socket[]; closedByServer(): number; close(): void }> {
    const u = new URL(url);
    const sockets: net.Socket[] = [];
    let closedByServer = 0;
    let closing = false;
    for (let i = 0; i < n; i += 200) {
        const batch = await Promise.all(
            Array.from({ length: Math.min(200, n - i) }, () =>
                new Promise<net.Socket>((resolve, reject) => {
                    const s = net.connect(Number(u.port), u.hostname);
                    s.once('connect', () => resolve(s));
                    s.once('error', reject);
                }),
            ),
        );
        for (const s of batch) {
            s.resume(); // read (and drop) whatever the server says, so its close reaches us
            s.on('error', () => undefined);
            s.on('close', () => {
                if (!closing) closedByServer++;
            });
            sockets.push(s);
        }
    }
    return {
        sockets,
        closedByServer: () => closedByServer,
        close: () => {
            closing = true;
            for (const s of sockets) s.destroy();
        },
    };
}

/**
 * Opens `n` idle sockets to `url`, checks a real request is served meanwhile, and waits (up to 60 s) for the
 * server to close every idle one by its headers timeout; the sockets are always closed before it returns.
 */
export async function idleFloodWhileServing(url: string, n: number, servesGood: () => Promise<boolean>): Promise<{ sockets: number; closedByServer: number; servedMeanwhile: boolean }> {
    const flood = await idleFlood(url, n);
    try {
        const servedMeanwhile = await servesGood();
        for (let i = 0; i < 600 && flood.closedByServer() < n; i++) await new Promise((r) => setTimeout(r, 100));
        return { sockets: n, closedByServer: flood.closedByServer(), servedMeanwhile };
    } finally {
        flood.close();
    }
}
