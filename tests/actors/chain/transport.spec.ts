/**
 * The HTTP implementation's typed errors, provoked on purpose: a stopped server (unavailable), an answer that
 * is not the API's (bad_response), a rate limit (rate_limited with retry-after, and retried inside the layer),
 * and two processes writing to one local chain at once.
 */
// Local chain servers start in seconds on an idle machine, much slower on a loaded one: hooks get room.
jest.setTimeout(240_000);

import { Address, toNano } from '@ton/core';
import { spawn } from 'child_process';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import path from 'path';
import { ChainError, HttpChain, requireSuccess } from '../../../actors/chain';
import { Localnet, startLocalnet } from '../../../actors/chain/dev';

/** A tiny proxy in front of the local chain that can answer garbage or 429 instead of forwarding. */
class FaultProxy {
    mode: 'forward' | 'garbage' | 'wrong-shape' | 'rate-limit' = 'forward';
    /** In rate-limit mode: how many requests to refuse before forwarding again. */
    refusals = 0;
    requests = 0;
    private server: Server | null = null;
    port = 0;

    constructor(private readonly target: string) {}

    async start(): Promise<void> {
        this.server = createServer(async (req, res) => {
            this.requests++;
            const chunks: Buffer[] = [];
            for await (const c of req) chunks.push(c as Buffer);
            if (this.mode === 'garbage') {
                res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
                return;
            }
            if (this.mode === 'wrong-shape') {
                res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: { balance: 'lots' } }));
                return;
            }
            if (this.mode === 'rate-limit' && this.refusals > 0) {
                this.refusals--;
                res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'Ratelimit exceed', code: 429 }));
                return;
            }
            const upstream = await fetch(this.target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
            res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
        });
        await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
        this.port = (this.server!.address() as AddressInfo).port;
    }

    async stop(): Promise<void> {
        const s = this.server;
        this.server = null;
        if (!s) return;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
    }
}

describe('HTTP chain: typed errors and shared use', () => {
    let net: Localnet;
    let proxy: FaultProxy;
    const fast = { attempts: 3, baseDelayMs: 10, maxDelayMs: 2_000 };

    beforeAll(async () => {
        net = await startLocalnet({ deploy: false, wallets: 2 });
        proxy = new FaultProxy(net.endpoint);
        await proxy.start();
    });
    afterAll(async () => {
        await proxy?.stop();
        await net?.stop();
    });
    beforeEach(() => {
        proxy.mode = 'forward';
        proxy.requests = 0;
    });

    const viaProxy = (attempts = fast.attempts) => new HttpChain({ endpoint: `http://127.0.0.1:${proxy.port}/jsonRPC` }, { retry: { ...fast, attempts } });

    it('answers through the proxy when nothing is wrong', async () => {
        expect((await viaProxy().getAccount(net.wallets[0].address)).status).toBe('active');
    });

    it('bad_response when the endpoint answers something that is not the API (and does not retry it)', async () => {
        proxy.mode = 'garbage';
        await expect(viaProxy().getAccount(net.wallets[0].address)).rejects.toMatchObject({ code: 'bad_response' });
        expect(proxy.requests).toBe(1);
        proxy.mode = 'wrong-shape';
        await expect(viaProxy().getAccount(net.wallets[0].address)).rejects.toMatchObject({ code: 'bad_response' });
    });

    it('rate_limited with the retry-after once retries are exhausted', async () => {
        proxy.mode = 'rate-limit';
        proxy.refusals = 100;
        const e = await viaProxy(1).getAccount(net.wallets[0].address).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(ChainError);
        expect((e as ChainError).code).toBe('rate_limited');
        expect((e as ChainError).details.retryAfterMs).toBe(1000);
    });

    it('a rate limit that passes is retried inside the layer, waiting the retry-after', async () => {
        proxy.mode = 'rate-limit';
        proxy.refusals = 1;
        expect((await viaProxy(3).getAccount(net.wallets[0].address)).status).toBe('active');
        expect(proxy.requests).toBe(2);
    });

    it('unavailable when nothing listens (a stopped server), after the retries', async () => {
        const stopped = new FaultProxy(net.endpoint);
        await stopped.start();
        const chain = new HttpChain({ endpoint: `http://127.0.0.1:${stopped.port}/jsonRPC` }, { retry: fast });
        expect((await chain.getAccount(net.wallets[0].address)).status).toBe('active');
        await stopped.stop();
        await expect(chain.getAccount(net.wallets[0].address)).rejects.toMatchObject({ code: 'unavailable' });
    });

    it('the server answers a malformed request with a clear JSON error and the right status', async () => {
        const post = (body: string) => fetch(net.endpoint, { method: 'POST', body });
        const notJson = await post('{');
        expect(notJson.status).toBe(400);
        expect(await notJson.json()).toMatchObject({ ok: false, code: 400 });
        const unknown = await post(JSON.stringify({ method: 'dropDatabase', params: {} }));
        expect(unknown.status).toBe(404);
        const badAddress = await post(JSON.stringify({ method: 'getAddressInformation', params: { address: 'nope' } }));
        expect(badAddress.status).toBe(400);
        expect(((await badAddress.json()) as { error: string }).error).toMatch(/not an address/);
        const badBoc = await post(JSON.stringify({ method: 'sendBoc', params: { boc: 'AAAA' } }));
        expect(badBoc.status).toBe(400);
        const advance = await fetch(`${net.url}/dev/advance`, { method: 'POST', body: JSON.stringify({ seconds: -5 }) });
        expect(advance.status).toBe(400);
    });

    it('two processes read and write one local chain at once', async () => {
        const chain = new HttpChain({ endpoint: net.endpoint }, { pollMs: { first: 20, max: 200 } });
        const sink = new Address(0, Buffer.alloc(32, 9));
        const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'secondProcess.ts'), net.endpoint, sink.toString(), ...net.wallets[1].mnemonic], {
            cwd: path.resolve(__dirname, '..', '..', '..'),
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d) => (out += String(d)));
        child.stderr.on('data', (d) => (out += String(d)));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        try {
            const wallet = await chain.openWallet(net.wallets[0].mnemonic);
            const sent = await wallet.send([{ to: sink, value: toNano('2'), bounce: false }]);
            requireSuccess(await chain.waitForTrace(wallet.address, sent));
            expect(await exited).toBe(0);
        } finally {
            if (child.exitCode === null) child.kill();
        }
        expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ ok: true });
        // Both transfers landed on the one chain, from the two wallets (2 + 1.5 TON, less a nanoton of storage rent).
        const { transactions } = await chain.transactionsSince(sink, null);
        expect(transactions.map((t) => t.inMessage?.source?.toRawString()).sort()).toEqual(
            [net.wallets[0].address.toRawString(), net.wallets[1].address.toRawString()].sort(),
        );
        expect((await chain.getAccount(sink)).balance).toBeGreaterThan(toNano('3.49'));
    });
});
