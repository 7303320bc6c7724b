/**
 * The TonAPI index of the chain layer, provoked on purpose through a proxy in front of the local chain server's
 * TonAPI routes: an index that is down (fallback to polling, or `unavailable` when pinned), an index that lies
 * about a transaction (refused as bad_response, never believed), a rate limit (retried inside the layer), a
 * message the index has not seen (a timeout, not an error), and what createChain builds from the settings.
 */
// Local chain servers start in seconds on an idle machine, much slower on a loaded one: hooks get room.
jest.setTimeout(240_000);

import { Address, toNano } from '@ton/core';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { ChainError, chainSettingsFromEnv, createChain, HttpBackend, IndexedChain, requireSuccess, TonApiIndex } from '../../../actors/chain';
import { Localnet, startLocalnet } from '../../../actors/chain/dev';

/**
 * Forwards GETs to the local chain; can refuse with 429, tamper with the hash of every trace's root, or not know
 * any message (an index that lags, or keys externals by another hash).
 */
class IndexProxy {
    mode: 'forward' | 'rate-limit' | 'tamper' | 'blind' = 'forward';
    refusals = 0;
    requests = 0;
    port = 0;
    private server: Server | null = null;

    constructor(private readonly target: string) {}

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    async start(): Promise<void> {
        this.server = createServer(async (req, res) => {
            this.requests++;
            if (this.mode === 'rate-limit' && this.refusals > 0) {
                this.refusals--;
                res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end(JSON.stringify({ error: 'rate limit' }));
                return;
            }
            if (this.mode === 'blind' && req.url?.startsWith('/v2/blockchain/messages/')) {
                res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'entity not found' }));
                return;
            }
            const upstream = await fetch(`${this.target}${req.url}`);
            let text = await upstream.text();
            if (this.mode === 'tamper' && upstream.ok && req.url?.startsWith('/v2/traces/')) {
                // Claim another hash for the root transaction (its raw BOC stays what it is).
                const trace = JSON.parse(text) as { transaction: { hash: string } };
                trace.transaction.hash = 'ab'.repeat(32);
                text = JSON.stringify(trace);
            }
            res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
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

/** A port nothing listens on: a server started and stopped at once. */
async function deadPort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    return port;
}

describe('TonAPI index: failures', () => {
    let net: Localnet;
    let proxy: IndexProxy;
    const sink = new Address(0, Buffer.alloc(32, 3));
    const fast = { pollMs: { first: 20, max: 200 }, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 } };

    beforeAll(async () => {
        net = await startLocalnet({ deploy: false, wallets: 3 });
        proxy = new IndexProxy(net.url);
        await proxy.start();
    });
    afterAll(async () => {
        await proxy?.stop();
        await net?.stop();
    });

    const chainWith = (indexUrl: string, fallback: boolean, indexGraceMs?: number) =>
        new IndexedChain(new HttpBackend({ endpoint: net.endpoint }), new TonApiIndex({ endpoint: indexUrl, timeoutMs: 2_000 }), { ...fast, fallback, indexGraceMs });

    it('an index that is down: the trace and the cursor still come, by polling; pinned to the index, unavailable', async () => {
        const dead = `http://127.0.0.1:${await deadPort()}`;
        const chain = chainWith(dead, true);
        const w = await chain.openWallet(net.wallets[0].mnemonic);
        const trace = requireSuccess(await chain.waitForTrace(w.address, await w.send([{ to: sink, value: toNano('1'), bounce: false }])));
        expect(trace.transactions.map((t) => t.account.toRawString())).toEqual([w.address.toRawString(), sink.toRawString()]);
        expect((await chain.transactionsSince(sink, null)).transactions.length).toBeGreaterThanOrEqual(1);
        expect(chain.usage).toEqual({ indexed: 0, fellBack: 2 });

        const pinned = chainWith(dead, false);
        await expect(pinned.transactionsSince(sink, null)).rejects.toMatchObject({ code: 'unavailable' });
    });

    it('an index that lies about a transaction hash is refused (bad_response), and the fallback answers instead', async () => {
        proxy.mode = 'tamper';
        try {
            const pinned = chainWith(proxy.url, false);
            const w = await pinned.openWallet(net.wallets[1].mnemonic);
            const sent = await w.send([{ to: sink, value: toNano('1'), bounce: false }]);
            const error = await pinned.waitForTrace(w.address, sent).catch((e: unknown) => e);
            expect(error).toBeInstanceOf(ChainError);
            expect((error as ChainError).code).toBe('bad_response');
            expect((error as ChainError).message).toMatch(/raw hashes to/);

            const tolerant = chainWith(proxy.url, true);
            const trace = requireSuccess(await tolerant.waitForTrace(w.address, sent));
            expect(trace.transactions).toHaveLength(2);
            expect(tolerant.usage.fellBack).toBe(1);
        } finally {
            proxy.mode = 'forward';
        }
    });

    it('a rate limit is retried inside the layer; a message the index never saw times out', async () => {
        const chain = chainWith(proxy.url, false);
        const w = await chain.openWallet(net.wallets[2].mnemonic);
        const sent = await w.send([{ to: sink, value: toNano('1'), bounce: false }]);
        proxy.mode = 'rate-limit';
        proxy.refusals = 2;
        try {
            const trace = requireSuccess(await chain.waitForTrace(w.address, sent));
            expect(trace.transactions).toHaveLength(2);
            expect(proxy.refusals).toBe(0);
        } finally {
            proxy.mode = 'forward';
        }
        await expect(chain.waitForTrace(w.address, { messageHash: Buffer.alloc(32, 7) }, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'timeout' });
        expect(chain.usage.fellBack).toBe(0);
    });

    it('an index that never learns of the message: after the grace period the wait polls instead', async () => {
        const chain = chainWith(proxy.url, true, 300);
        const w = await chain.openWallet(net.wallets[0].mnemonic);
        proxy.mode = 'blind';
        try {
            const trace = requireSuccess(await chain.waitForTrace(w.address, await w.send([{ to: sink, value: toNano('1'), bounce: false }])));
            expect(trace.transactions).toHaveLength(2);
            expect(chain.usage).toEqual({ indexed: 0, fellBack: 1 });
        } finally {
            proxy.mode = 'forward';
        }
    });

    it('the local TonAPI routes answer TonAPI errors: 404 for an unknown message, 400 for a bad hash or limit', async () => {
        const unknown = await fetch(`${net.url}/v2/blockchain/messages/${'00'.repeat(32)}/transaction`);
        expect(unknown.status).toBe(404);
        expect(await unknown.json()).toEqual({ error: 'transaction not found' });
        expect((await fetch(`${net.url}/v2/traces/zz`)).status).toBe(400);
        expect((await fetch(`${net.url}/v2/blockchain/accounts/${sink.toRawString()}/transactions?limit=0`)).status).toBe(400);
        expect((await fetch(`${net.url}/v2/no/such/route`)).status).toBe(404);
    });

    it('createChain: TON_INDEX=tonapi gives the indexed chain on the network preset or TON_INDEX_ENDPOINT', () => {
        const plain = createChain(chainSettingsFromEnv({ TON_NETWORK: 'localnet' }));
        expect(plain).not.toBeInstanceOf(IndexedChain);
        const indexed = createChain(chainSettingsFromEnv({ TON_NETWORK: 'testnet', TON_INDEX: 'tonapi' }));
        expect(indexed).toBeInstanceOf(IndexedChain);
        expect((indexed as IndexedChain).index.name).toBe('tonapi:https://testnet.tonapi.io');
        const custom = createChain(chainSettingsFromEnv({ TON_NETWORK: 'localnet', TON_INDEX: 'tonapi', TON_INDEX_ENDPOINT: net.url, TON_INDEX_FALLBACK: 'false' }));
        expect((custom as IndexedChain).index.name).toBe(`tonapi:${net.url}`);
        expect(() => chainSettingsFromEnv({ TON_INDEX: 'toncenter-v3' })).toThrow();
    });
});
