/** A TCP proxy on 127.0.0.1 that keeps every byte passing through (the capture test between relay and worker). */
import net from 'node:net';

export interface CaptureProxy {
    url: string;
    bytes(): Buffer;
    close(): Promise<void>;
}

export async function captureProxy(target: string): Promise<CaptureProxy> {
    const t = new URL(target);
    const seen: Buffer[] = [];
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
        const upstream = net.connect(Number(t.port), t.hostname);
        sockets.add(client).add(upstream);
        client.on('data', (b: Buffer) => seen.push(Buffer.from(b)));
        upstream.on('data', (b: Buffer) => seen.push(Buffer.from(b)));
        client.pipe(upstream).pipe(client);
        const end = () => {
            client.destroy();
            upstream.destroy();
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        bytes: () => Buffer.concat(seen),
        close: async () => {
            for (const s of sockets) s.destroy();
            await new Promise<void>((r) => server.close(() => r()));
        },
    };
}
