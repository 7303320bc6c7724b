/**
 * Requests through the relay to an honest worker on the fast stub engine, over real HTTP on 127.0.0.1: an API
 * key's spending cap holds under concurrent requests (each request's worst case is reserved at admission), a
 * client that disconnects mid-stream stops the engine's work, /v1/completions answers bad input in the OpenAI
 * error shape with the right status, and its `usage` is the counts of the worker's signed receipt.
 */
import { Cell } from '@ton/core';
import { worstCaseCost } from '../../../actors/relay/core/ledger';
import { parseSignedReceiptCell } from '../../../wrappers/payloads';
import { API_KEY, MODEL, PRICES, startStressNet, type StressNet } from '../../stress/kit/relayNet';

jest.setTimeout(180_000);

type ErrorBody = { error: { message: string; type: string; param: string | null; code: string } };

describe('relay requests', () => {
    let net: StressNet;
    beforeAll(async () => {
        net = await startStressNet({ maxBodyBytes: 16 * 1024, maxTokens: 48, requestTimeoutMs: 20_000 });
        net.use('good');
    });
    afterAll(async () => {
        await net?.stop();
    });

    const post = (path: string, body: string, key = API_KEY, signal?: AbortSignal) =>
        fetch(`${net.relayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body, signal });
    /** Polls a condition the test waits for (another process's side of an abort), failing after `ms`. */
    const until = async (what: string, ok: () => boolean, ms = 20_000) => {
        const end = Date.now() + ms;
        while (!ok()) {
            if (Date.now() > end) throw new Error(`still not: ${what}`);
            await new Promise((r) => setTimeout(r, 50));
        }
    };

    it("concurrent requests of one key never overshoot its cap: each request's worst case is reserved while it is in flight", async () => {
        const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hello relay' }], max_tokens: 8 });
        const worst = worstCaseCost(PRICES, Buffer.byteLength(body), 8 + 1);
        // room for one request's worst case, not two; an answer costs a fifth of it, so 20 unreserved requests
        // in flight together would spend several times the cap
        const cap = worst + worst / 2n;
        const secret = 'sk-capped-concurrent';
        const k = net.relay.addKey(secret, 'capped concurrent app', cap);
        net.engine.o.chunkDelayMs = 150; // every answer takes about a second: the 20 overlap
        let results: { status: number; code: string | null }[];
        try {
            results = await Promise.all(
                Array.from({ length: 20 }, async () => {
                    const res = await post('/v1/chat/completions', body, secret);
                    const json = (await res.json()) as Partial<ErrorBody>;
                    return { status: res.status, code: json.error?.code ?? null };
                }),
            );
        } finally {
            net.engine.o.chunkDelayMs = 0;
        }
        const served = results.filter((r) => r.status === 200).length;
        expect(served).toBeGreaterThanOrEqual(1);
        for (const r of results.filter((x) => x.status !== 200)) expect(r).toEqual({ status: 429, code: 'spending_cap_reached' });
        const after = net.relayStore.getKey(k.id)!;
        expect(after.requests).toBe(served);
        expect(after.spent).toBeGreaterThan(0n);
        expect(after.spent).toBeLessThanOrEqual(cap);
        // the reservations are released when the requests end: what is left under the cap is usable
        expect(cap - after.spent).toBeGreaterThanOrEqual(worst);
        expect((await post('/v1/chat/completions', body, secret)).status).toBe(200);
    });

    it('a client that disconnects mid-stream stops the work upstream: the engine sees its request aborted', async () => {
        net.retireJobs('good');
        net.engine.fault = 'hang-mid'; // two words, then the engine would go on forever (until aborted)
        net.engine.failAfter = 2;
        const abortedBefore = net.engine.aborted;
        const client = new AbortController();
        try {
            const res = await post('/v1/chat/completions', JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'tell me a long story' }], max_tokens: 32, stream: true }), API_KEY, client.signal);
            expect(res.status).toBe(200);
            const reader = res.body!.getReader();
            let text = '';
            while (!text.includes('"content"')) {
                const { value, done } = await reader.read();
                if (done) throw new Error(`the stream ended before any content: ${text}`);
                text += Buffer.from(value).toString('utf8');
            }
            client.abort();
            await until('the engine saw the abort', () => net.engine.aborted > abortedBefore);
        } finally {
            net.engine.fault = 'none';
        }
        expect(net.engine.aborted).toBe(abortedBefore + 1);
        net.retireJobs('good');
        expect((await post('/v1/chat/completions', JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'still there?' }], max_tokens: 8 }))).status).toBe(200);
    });

    describe('/v1/completions bad input gets the OpenAI error shape with the right status', () => {
        const cases: { name: string; body: () => string; key?: string; status: number; code: string }[] = [
            { name: 'broken JSON', body: () => '{"model":', status: 400, code: 'invalid_json' },
            { name: 'unknown model', body: () => JSON.stringify({ model: 'no-such-model', prompt: 'hi', max_tokens: 4 }), status: 404, code: 'unknown_model' },
            { name: 'oversized body', body: () => JSON.stringify({ model: MODEL, prompt: 'x'.repeat(32 * 1024), max_tokens: 4 }), status: 413, code: 'payload_too_large' },
            { name: 'wrong key', body: () => JSON.stringify({ model: MODEL, prompt: 'hi', max_tokens: 4 }), key: 'sk-not-a-key', status: 401, code: 'invalid_api_key' },
        ];
        for (const c of cases) {
            it(`${c.name}: ${c.status} ${c.code}, and the relay keeps serving`, async () => {
                const res = await post('/v1/completions', c.body(), c.key);
                expect(res.status).toBe(c.status);
                expect(res.headers.get('content-type')).toMatch(/^application\/json/);
                const body = (await res.json()) as ErrorBody;
                expect(Object.keys(body)).toEqual(['error']);
                expect(body.error.code).toBe(c.code);
                expect(typeof body.error.message).toBe('string');
                expect(body.error.message.length).toBeGreaterThan(0);
                expect(typeof body.error.type).toBe('string');
                expect('param' in body.error).toBe(true);
                const good = await post('/v1/completions', JSON.stringify({ model: MODEL, prompt: 'still serving', max_tokens: 4 }));
                expect(good.status).toBe(200);
            });
        }
    });

    it("completions `usage` equals the worker's signed receipt, streamed and not", async () => {
        net.retireJobs('good');
        const lastReceipt = () => {
            const job = net.relayStore.jobs().find((j) => j.worker === net.accounts.good && j.state === 'open' && !j.stopped)!;
            const stored = net.relayStore.receipts(job.address).at(-1)!;
            return parseSignedReceiptCell(Cell.fromBoc(Buffer.from(stored.boc, 'base64'))[0]).receipt;
        };
        type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details: { cached_tokens: number }; cost_nanoton: string; receipt: { job: string; seqno: number } };
        const check = (usage: Usage) => {
            const r = lastReceipt();
            expect(r.tokens.completion).toBeGreaterThan(0);
            expect(usage.prompt_tokens).toBe(r.tokens.prompt);
            expect(usage.completion_tokens).toBe(r.tokens.completion);
            expect(usage.total_tokens).toBe(r.tokens.prompt + r.tokens.completion);
            expect(usage.prompt_tokens_details.cached_tokens).toBe(r.tokens.cached);
            expect(BigInt(usage.cost_nanoton)).toBe(r.cost);
            expect(usage.receipt).toMatchObject({ job: r.job.toRawString(), seqno: r.seqno });
        };

        const plain = await post('/v1/completions', JSON.stringify({ model: MODEL, prompt: 'one two three four', max_tokens: 12 }));
        expect(plain.status).toBe(200);
        check(((await plain.json()) as { usage: Usage }).usage);

        const streamed = await post('/v1/completions', JSON.stringify({ model: MODEL, prompt: 'five six seven', max_tokens: 12, stream: true, stream_options: { include_usage: true } }));
        expect(streamed.status).toBe(200);
        const events = (await streamed.text()).split('\n\n').filter((e) => e.startsWith('data: {'));
        const withUsage = events.map((e) => JSON.parse(e.slice(6)) as { usage?: Usage | null }).filter((e) => e.usage);
        expect(withUsage.length).toBe(1);
        check(withUsage[0].usage!);
    });
});
