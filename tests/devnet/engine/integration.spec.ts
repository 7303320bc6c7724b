/**
 * The production engine client against the real tiny engine over HTTP on 127.0.0.1: the generated GGUF model,
 * the vLLM-shaped server (a child process, as an operator would run it), chat and completions, streaming or
 * not. Counts must equal the server's own usage, text must be deterministic, and an abort must stop generation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VllmClient } from '../../../actors/engine/client';
import type { EngineRequest, EngineResult } from '../../../actors/engine/types';
import { spawnEngineProcess, type EngineProcess } from '../../../devnet/engine/process';
import { writeTinyModel } from '../../../devnet/engine/tinyModel';

let dir: string;
let engine: EngineProcess | undefined;
let url: string;
let client: VllmClient;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiny-engine-'));
    const modelPath = writeTinyModel(join(dir, 'tiny.gguf'));
    engine = await spawnEngineProcess(modelPath, 'cocoon-tiny', ['--token-delay-ms', '5']);
    url = engine.url;
    client = new VllmClient({ baseUrl: url, servedModelName: 'cocoon-tiny' });
}, 120_000);

afterAll(async () => {
    client?.close();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
});

interface Collected {
    text: string;
    result: EngineResult;
    done: Awaited<EngineResult['done']>;
    /** The usage object of the final SSE chunk or the JSON body, as the server sent it. */
    serverUsage: Record<string, unknown>;
}

async function collect(req: EngineRequest): Promise<Collected> {
    const result = await client.run(req);
    let raw = '';
    for await (const c of result.chunks) raw += c.bytes.toString('utf8');
    const done = await result.done;
    let text = '';
    let serverUsage: Record<string, unknown> = {};
    if (result.streaming) {
        for (const ev of raw.split('\n\n')) {
            const data = ev.replace(/^data: /, '');
            if (!data || data === '[DONE]') continue;
            const o = JSON.parse(data) as { choices: { delta?: { content?: string }; text?: string }[]; usage?: Record<string, unknown> };
            for (const ch of o.choices) text += ch.delta?.content ?? ch.text ?? '';
            if (o.usage && o.choices.length === 0) serverUsage = o.usage;
        }
    } else {
        const o = JSON.parse(raw) as { choices: { message?: { content: string }; text?: string }[]; usage: Record<string, unknown> };
        text = o.choices[0].message?.content ?? o.choices[0].text ?? '';
        serverUsage = o.usage;
    }
    return { text, result, done, serverUsage };
}

function expectCountsMatch(c: Collected): void {
    expect(c.done.error).toBeNull();
    expect(c.done.usage.source).toBe('final');
    const u = c.serverUsage as { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
    expect(c.done.usage.counts).toEqual({ prompt: u.prompt_tokens, cached: u.prompt_tokens_details.cached_tokens, completion: u.completion_tokens, reasoning: 0 });
    expect(u.prompt_tokens).toBeGreaterThan(0);
    expect(u.completion_tokens).toBeGreaterThan(0);
}

async function metric(name: string): Promise<number> {
    const res = await fetch(`${url}/metrics`);
    const line = (await res.text()).split('\n').find((l) => l.startsWith(name + '{'));
    if (!line) throw new Error(`no metric ${name}`);
    return Number(line.split(' ').pop());
}

const chat = (stream: boolean, max: number, content = 'what is a sealed quote?'): EngineRequest => ({
    kind: 'chat',
    body: { model: 'cocoon-tiny', messages: [{ role: 'user', content }], stream, max_tokens: max },
    maxTokensCap: 400,
});
const completion = (stream: boolean, max: number, prompt = 'hello'): EngineRequest => ({ kind: 'completions', body: { prompt, stream, max_tokens: max }, maxTokensCap: 400 });

describe('engine client against the tiny vLLM-shaped engine', () => {
    it('serves the model and answers health', async () => {
        expect(await client.health()).toBe(true);
        expect(await client.models()).toEqual(['cocoon-tiny']);
    });

    it('chat, streamed and not: counts equal the server usage; the text is deterministic and the same both ways', async () => {
        const plain1 = await collect(chat(false, 24));
        const plain2 = await collect(chat(false, 24));
        const streamed = await collect(chat(true, 24));
        for (const c of [plain1, plain2, streamed]) expectCountsMatch(c);
        expect(plain1.text.length).toBeGreaterThan(0);
        expect(plain2.text).toBe(plain1.text);
        expect(streamed.text).toBe(plain1.text);
        expect(streamed.done.usage.counts).toEqual(plain1.done.usage.counts);
        expect(streamed.done.finishReason).toBe(plain1.done.finishReason);
    });

    it('completions, streamed and not, including an answer ended by EOS (counted in completion_tokens)', async () => {
        const plain = await collect(completion(false, 40));
        const streamed = await collect(completion(true, 40));
        expectCountsMatch(plain);
        expectCountsMatch(streamed);
        expect(streamed.text).toBe(plain.text);
        expect(streamed.done.usage.counts).toEqual(plain.done.usage.counts);
        // "hello" ends with EOS before 40 tokens: the EOS is one of the completion tokens, as in vLLM.
        expect(plain.done.finishReason).toBe('stop');
        expect(plain.done.usage.counts.completion).toBeLessThan(40);
    });

    it('the job budget caps max_tokens: the engine generates at most the cap', async () => {
        const c = await collect({ ...chat(true, 300), maxTokensCap: 5 });
        expectCountsMatch(c);
        expect(c.done.usage.counts.completion).toBeLessThanOrEqual(5);
        expect(JSON.parse(c.result.requestBytes.toString()).max_tokens).toBe(5);
    });

    it('an engine refusal (prompt + max_tokens beyond the context) rejects with vLLM error fields', async () => {
        await expect(client.run(chat(false, 400, 'x'.repeat(300)))).rejects.toMatchObject({ info: { status: 400, type: 'BadRequestError', param: 'max_tokens' } });
    });

    it('follows vLLM: stream_options rules (include_usage defaults to true), error shapes and statuses', async () => {
        const post = async (path: string, body: string) => {
            const r = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
            return { status: r.status, text: await r.text() };
        };
        const req = (extra: Record<string, unknown>) => JSON.stringify({ prompt: 'hello', max_tokens: 3, ...extra });
        const finalUsage = (sse: string) => sse.split('\n\n').filter((e) => e.includes('"choices":[]')).length;
        const noOptions = await post('/v1/completions', req({ stream: true }));
        expect(finalUsage(noOptions.text)).toBe(0);
        expect(noOptions.text).not.toContain('"usage"');
        const emptyOptions = await post('/v1/completions', req({ stream: true, stream_options: {} }));
        expect(finalUsage(emptyOptions.text)).toBe(1);
        const optedOut = await post('/v1/completions', req({ stream: true, stream_options: { include_usage: false, continuous_usage_stats: true } }));
        expect(optedOut.text).not.toContain('"usage"');
        expect(optedOut.text.endsWith('data: [DONE]\n\n')).toBe(true);

        expect(await post('/v1/completions', req({ stream_options: { include_usage: true } }))).toMatchObject({ status: 400, text: expect.stringContaining('"param":"stream_options"') });
        expect(JSON.parse((await post('/v1/completions', req({ model: 'nope' }))).text)).toEqual({
            error: { message: 'The model `nope` does not exist.', type: 'NotFoundError', param: 'model', code: 404 },
        });
        expect(await post('/v1/chat/completions', '{not json')).toMatchObject({ status: 400, text: expect.stringContaining('"type":"BadRequestError"') });
        expect(await post('/v1/chat/completions', JSON.stringify({ messages: [] }))).toMatchObject({ status: 400 });
        expect(await post('/v1/nothing', '{}')).toMatchObject({ status: 404 });
    });

    it('an abort stops the generation: num_requests_running returns to 0 and the request never completes', async () => {
        const long = await collect(chat(false, 300, 'tell me about ton'));
        expect(long.done.finishReason).toBe('length'); // no EOS for this prompt: generation would run all 300 tokens
        const successBefore = await metric('vllm:request_success_total');
        const generatedBefore = await metric('vllm:generation_tokens_total');
        const ac = new AbortController();
        const r = await client.run({ ...chat(true, 300, 'tell me about ton'), signal: ac.signal });
        let events = 0;
        for await (const _ of r.chunks) if (++events === 3) ac.abort();
        const done = await r.done;
        expect(done.error?.type).toBe('ClientAborted');
        expect(done.usage.source).toBe('continuous');
        expect(done.usage.counts.completion).toBeGreaterThan(0);
        let running = await metric('vllm:num_requests_running');
        while (running !== 0) {
            await new Promise((res) => setTimeout(res, 20));
            running = await metric('vllm:num_requests_running');
        }
        expect(await metric('vllm:request_success_total')).toBe(successBefore);
        expect((await metric('vllm:generation_tokens_total')) - generatedBefore).toBeLessThan(300);
    });
});
