/**
 * The chain transport (and the TonAPI index) bounds the requests in flight to one endpoint (TON_MAX_IN_FLIGHT, 32 by default):
 * a relay opening 500 jobs at once, each waiting for its trace, must queue its reads instead of opening
 * hundreds of connections to the node (a local chain under that storm refused connections for 10 s, and the
 * opens failed). Queued requests start their timeout only when they go out.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { JsonRpcTransport } from '../../../actors/chain/http/transport';
import { Address } from '@ton/core';
import { ChainError } from '../../../actors/chain';
import { TonApiIndex } from '../../../actors/chain/tonapi/tonApiIndex';

/** An endpoint that answers every request after `delayMs` with `answer` and records the most requests it held at once. */
class SlowEndpoint {
    open = 0;
    mostAtOnce = 0;
    served = 0;
    private server: Server | null = null;
    url = '';
    base = '';
    constructor(
        private readonly delayMs: number,
        private readonly answer: unknown = { ok: true, result: 'fine' },
    ) {}
    async start(): Promise<void> {
        this.server = createServer(async (req, res) => {
            this.open++;
            this.mostAtOnce = Math.max(this.mostAtOnce, this.open);
            for await (const _ of req) void _;
            await new Promise((r) => setTimeout(r, this.delayMs));
            this.open--;
            this.served++;
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.answer));
        });
        await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
        this.base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
        this.url = `${this.base}/jsonRPC`;
    }
    async stop(): Promise<void> {
        const s = this.server!;
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
    }
}

/** Runs `body` against a started endpoint and stops it whatever happens. */
async function withEndpoint(ep: SlowEndpoint, body: (ep: SlowEndpoint) => Promise<void>): Promise<void> {
    await ep.start();
    try {
        await body(ep);
    } finally {
        await ep.stop();
    }
}

describe('chain transport: requests in flight', () => {
    it('200 concurrent calls: at most maxInFlight reach the endpoint at once, and every one is answered', async () => {
        await withEndpoint(new SlowEndpoint(20), async (ep) => {
            const t = new JsonRpcTransport({ endpoint: ep.url, maxInFlight: 8 });
            const answers = await Promise.all(Array.from({ length: 200 }, () => t.post('{"id":1,"jsonrpc":"2.0","method":"x","params":{}}')));
            expect(answers.every((a) => a.ok && a.result === 'fine')).toBe(true);
            expect(ep.served).toBe(200);
            expect(ep.mostAtOnce).toBeLessThanOrEqual(8);
            expect(ep.mostAtOnce).toBeGreaterThanOrEqual(2);
        });
    });

    it('a queued request is not timed out while it waits for a slot: 20 requests of 300 ms, 2 at a time, a 1 s timeout each', async () => {
        await withEndpoint(new SlowEndpoint(300), async (ep) => {
            const t = new JsonRpcTransport({ endpoint: ep.url, maxInFlight: 2, timeoutMs: 1_000 });
            const t0 = Date.now();
            const answers = await Promise.all(Array.from({ length: 20 }, () => t.post('{}')));
            expect(answers).toHaveLength(20);
            expect(Date.now() - t0).toBeGreaterThanOrEqual(2_900); // ten rounds of two
            expect(ep.mostAtOnce).toBe(2);
        });
    });

    it('a failed request frees its slot (a stopped endpoint: every call fails, none hangs)', async () => {
        const ep = new SlowEndpoint(0);
        await ep.start();
        const url = ep.url;
        await ep.stop();
        const t = new JsonRpcTransport({ endpoint: url, maxInFlight: 1 });
        const results = await Promise.allSettled(Array.from({ length: 5 }, () => t.post('{}')));
        expect(results.map((r) => (r.status === 'rejected' && r.reason instanceof ChainError ? r.reason.code : r.status))).toEqual(Array(5).fill('unavailable'));
    });

    it('the TonAPI index is bounded the same way: 100 concurrent history reads, at most maxInFlight at once', async () => {
        await withEndpoint(new SlowEndpoint(20, { transactions: [] }), async (ep) => {
            const index = new TonApiIndex({ endpoint: ep.base, maxInFlight: 4 });
            const account = Address.parseRaw('0:' + '11'.repeat(32));
            const pages = await Promise.all(Array.from({ length: 100 }, () => index.transactionsAfter(account, null, 10)));
            expect(pages.every((p) => p.length === 0)).toBe(true);
            expect(ep.served).toBe(100);
            expect(ep.mostAtOnce).toBeLessThanOrEqual(4);
        });
    });
});
