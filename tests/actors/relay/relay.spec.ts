/**
 * The official openai SDK -> relay -> worker -> tiny real engine, every hop over HTTP on 127.0.0.1, the
 * protocol in @ton/sandbox: answers equal what the engine produces, usage equals the signed receipts, and
 * the job pays exactly the vouchers minus the fee.
 */
import { Address } from '@ton/core';
import OpenAI from 'openai';
import { claimSplit, Job } from '../../../wrappers/Job';
import { parseSignedReceiptCell } from '../../../wrappers/payloads';
import { Cell } from '@ton/core';
import { startNetwork, Network, MODEL, API_KEY } from './kit/network';
import { captureProxy } from './kit/captureProxy';

jest.setTimeout(120_000);

const messages = [{ role: 'user' as const, content: 'Say something about walruses' }];

async function engineDirect(net: Network, path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await fetch(`${net.engine.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, model: MODEL }) });
    return (await res.json()) as Record<string, unknown>;
}

describe('relay: the openai SDK through relay, worker and the tiny engine', () => {
    let net: Network;
    let sdk: OpenAI;
    beforeAll(async () => {
        net = await startNetwork();
        sdk = net.openai();
    });
    afterAll(async () => {
        await net?.stop();
    });

    function receiptOf(job: string, seqno: number) {
        const r = net.relayStore.receipts(job).find((x) => x.seqno === seqno)!;
        return parseSignedReceiptCell(Cell.fromBoc(Buffer.from(r.boc, 'base64'))[0]).receipt;
    }

    it('verifies the worker and lists its model', async () => {
        const st = net.relay.status();
        expect(st.workers[0].status).toBe('verified');
        const models = await sdk.models.list();
        expect(models.data.map((m) => m.id)).toEqual([MODEL]);
    });

    it('non-streamed chat: the engine answer, usage from the signed receipt, cost in TON', async () => {
        const direct = await engineDirect(net, '/v1/chat/completions', { messages, max_tokens: 16, temperature: 0 });
        const r = await sdk.chat.completions.create({ model: MODEL, messages, max_tokens: 16, temperature: 0 });
        const directText = (direct.choices as { message: { content: string } }[])[0].message.content;
        expect(r.choices[0].message.content).toBe(directText);
        const u = r.usage as OpenAI.CompletionUsage & { cost_ton: string; cost_nanoton: string; receipt: { job: string; seqno: number } };
        const rc = receiptOf(u.receipt.job, u.receipt.seqno);
        expect(u.prompt_tokens).toBe(rc.tokens.prompt);
        expect(u.completion_tokens).toBe(rc.tokens.completion);
        expect(u.total_tokens).toBe(rc.tokens.prompt + rc.tokens.completion);
        expect(BigInt(u.cost_nanoton)).toBe(rc.cost);
        expect(rc.cost).toBeGreaterThan(0n);
        expect((r as unknown as { cocoon: { simulated: boolean } }).cocoon.simulated).toBe(true);
    });

    it('streamed chat with include_usage: the same text, usage on the final choices:[] chunk, then [DONE]', async () => {
        const direct = await engineDirect(net, '/v1/chat/completions', { messages, max_tokens: 16, temperature: 0 });
        const stream = await sdk.chat.completions.create({ model: MODEL, messages, max_tokens: 16, temperature: 0, stream: true, stream_options: { include_usage: true } });
        let text = '';
        let usage: (OpenAI.CompletionUsage & { cost_nanoton: string; receipt: { job: string; seqno: number } }) | null = null;
        let usageChunks = 0;
        for await (const c of stream) {
            if (c.choices.length > 0) {
                text += c.choices[0].delta.content ?? '';
                expect(c.usage ?? null).toBeNull();
            }
            if (c.usage) {
                usageChunks++;
                expect(c.choices).toEqual([]);
                usage = c.usage as unknown as typeof usage;
            }
        }
        expect(text).toBe((direct.choices as { message: { content: string } }[])[0].message.content);
        expect(usageChunks).toBe(1);
        const rc = receiptOf(usage!.receipt.job, usage!.receipt.seqno);
        expect(usage!.completion_tokens).toBe(rc.tokens.completion);
        expect(BigInt(usage!.cost_nanoton)).toBe(rc.cost);
    });

    it('streamed without include_usage carries no usage; raw SSE ends with data: [DONE]', async () => {
        const res = await fetch(`${net.relayUrl}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: MODEL, messages, max_tokens: 8, stream: true }),
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/event-stream');
        const body = await res.text();
        expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
        expect(body.includes('"usage"')).toBe(false);
        for (const ev of body.split('\n\n').filter(Boolean)) expect(ev.startsWith('data: ')).toBe(true);
    });

    it('completions, streamed and not', async () => {
        const direct = await engineDirect(net, '/v1/completions', { prompt: 'The walrus', max_tokens: 12, temperature: 0 });
        const r = await sdk.completions.create({ model: MODEL, prompt: 'The walrus', max_tokens: 12, temperature: 0 });
        expect(r.choices[0].text).toBe((direct.choices as { text: string }[])[0].text);
        const s = await sdk.completions.create({ model: MODEL, prompt: 'The walrus', max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true } });
        let text = '';
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const c of s) {
            text += c.choices[0]?.text ?? '';
            if (c.usage) usage = c.usage;
        }
        expect(text).toBe(r.choices[0].text);
        expect(usage!.completion_tokens).toBe(r.usage!.completion_tokens);
    });

    it('a capture of every byte between relay and worker holds neither the prompt nor the answer', async () => {
        const w = net.workers[0];
        const proxy = await captureProxy(w.url);
        try {
            expect((await net.relay.checkWorker(w.reg.worker.address, proxy.url)).status).toBe('verified');
            const secret = 'zanzibar-quokka-7781 is my password';
            const r = await sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: secret }], max_tokens: 16 });
            const answer = r.choices[0].message.content!;
            expect(answer.length).toBeGreaterThan(0);
            const all = proxy.bytes();
            expect(all.length).toBeGreaterThan(1000);
            for (const needle of [secret, 'zanzibar', 'quokka', answer, ...answer.split(/\s+/).filter((x) => x.length > 4)]) expect(all.includes(Buffer.from(needle))).toBe(false);
        } finally {
            await net.relay.checkWorker(w.reg.worker.address, w.url);
            await proxy.close();
        }
    });

    it('the job pays exactly the vouchers minus the fee once the worker claims', async () => {
        const jobs = net.relayStore.jobs();
        expect(jobs.length).toBe(1);
        const j = jobs[0];
        const v = net.relayStore.getVoucher(j.address)!;
        expect(v.amount).toBe(j.cumulative);
        const receipts = net.relayStore.receipts(j.address);
        expect(receipts.reduce((a, r) => a + r.cost, 0n)).toBe(j.cumulative);
        // the worker holds the relay's last voucher and claims it
        const w = net.workers[0];
        const before = (await net.p.blockchain.getContract(w.reg.owner.address)).balance;
        await w.app.claimer.pass({ all: true });
        const job = net.p.blockchain.openContract(Job.createFromAddress(Address.parse(j.address)));
        const data = await job.getJobData();
        expect(data.paid).toBe(v.amount);
        const split = claimSplit(0n, v.amount, j.feeBps);
        expect(data.feesOwed).toBe(split.fee);
        void before;
    });

    it('keys: 401 without a valid key, per-key usage recorded', async () => {
        await expect(net.openai({ apiKey: 'sk-wrong' }).chat.completions.create({ model: MODEL, messages })).rejects.toMatchObject({ status: 401 });
        const k = net.relayStore.keys()[0];
        expect(k.requests).toBeGreaterThanOrEqual(5);
        const total = net.relayStore.jobs().reduce((a, j) => a + j.cumulative, 0n);
        expect(k.spent).toBe(total);
    });

    describe('bad input gets the OpenAI error shape with the right status, and the relay keeps serving', () => {
        const post = (path: string, body: string, headers: Record<string, string> = {}) =>
            fetch(`${net.relayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers }, body });
        const cases: [string, () => Promise<Response>, number, string, string | null][] = [
            ['broken JSON', () => post('/v1/chat/completions', '{"model":'), 400, 'invalid_json', null],
            ['body not an object', () => post('/v1/chat/completions', '[1,2]'), 400, 'invalid_request', null],
            ['missing messages', () => post('/v1/chat/completions', JSON.stringify({ model: MODEL })), 400, 'invalid_request', 'messages'],
            ['missing prompt', () => post('/v1/completions', JSON.stringify({ model: MODEL })), 400, 'invalid_request', 'prompt'],
            ['wrong type', () => post('/v1/chat/completions', JSON.stringify({ model: MODEL, messages, max_tokens: 'many' })), 400, 'invalid_request', 'max_tokens'],
            ['max_tokens above the limit', () => post('/v1/completions', JSON.stringify({ model: MODEL, prompt: 'x', max_tokens: 100000 })), 400, 'invalid_request', 'max_tokens'],
            ['unknown model', () => post('/v1/chat/completions', JSON.stringify({ model: 'gpt-17', messages })), 404, 'unknown_model', 'model'],
            ['oversized body', () => post('/v1/chat/completions', JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(100_000) }] })), 413, 'payload_too_large', null],
            ['wrong key', () => post('/v1/chat/completions', JSON.stringify({ model: MODEL, messages }), { authorization: 'Bearer nope' }), 401, 'invalid_api_key', null],
            ['no key', () => fetch(`${net.relayUrl}/v1/models`), 401, 'invalid_api_key', null],
            ['wrong media type', () => post('/v1/chat/completions', 'model=tiny', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type', null],
            ['unknown path', () => post('/v1/embeddings', '{}'), 404, 'not_found', null],
            ['wrong method', () => fetch(`${net.relayUrl}/v1/chat/completions`, { headers: { authorization: `Bearer ${API_KEY}` } }), 405, 'method_not_allowed', null],
        ];
        it.each(cases)('%s', async (_name, send, status, code, param) => {
            const res = await send();
            expect(res.status).toBe(status);
            expect(res.headers.get('x-should-retry')).toBe('false');
            const body = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string } };
            expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
            expect(body.error.code).toBe(code);
            expect(typeof body.error.message).toBe('string');
            expect(body.error.param).toBe(param);
        });
        it('the SDK sees these as typed errors and the relay still serves', async () => {
            await expect(sdk.chat.completions.create({ model: 'gpt-17', messages })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
            const r = await sdk.chat.completions.create({ model: MODEL, messages, max_tokens: 4 });
            expect(r.choices[0].message.content).toBeTruthy();
        });
    });

    it('closes the idle job through the wallet and finalizes it after the challenge period (the escrow settles and is gone)', async () => {
        const closed = await net.relay.closeIdle(true);
        expect(closed.length).toBe(1);
        const job = Address.parse(closed[0]);
        expect((await net.funding.read(job)).state).toBe(3); // closing
        expect(await net.relay.finalizeDue(await net.chain.now())).toEqual([]); // not before the deadline
        net.chain.advance(net.p.params.minChallenge + 1);
        expect(await net.relay.finalizeDue(await net.chain.now())).toEqual(closed);
        expect((await net.chain.getAccount(job)).status).not.toBe('active');
        expect(net.relayStore.getJob(closed[0])!.state).toBe('finalized');
    });
});
