/**
 * The worker in front of the real tiny engine (a generated GGUF on node-llama-cpp, CPU, in a child
 * process): the answer through the worker equals what the engine produces for the same request, and the
 * receipt's counts are the engine's own usage.
 */
import { VllmClient } from '../../../actors/engine';
import { requestCost } from '../../../wrappers/payloads';
import { startHarness, Harness } from './kit/harness';
import { spawnTinyEngine, TinyEngineProcess } from './kit/tinyEngine';

let tiny: TinyEngineProcess | undefined;
let h: Harness | undefined;

beforeAll(async () => {
    tiny = await spawnTinyEngine();
    h = await startHarness({ engine: { url: tiny.url, model: tiny.model } });
    await h.client.attest();
}, 180_000);

afterAll(async () => {
    await h?.stop();
    await tiny?.stop();
});

function content(sse: string): string {
    return sse
        .split('\n\n')
        .filter((e) => e.startsWith('data: {'))
        .map((e) => JSON.parse(e.slice(6)))
        .map((j) => j.choices?.[0]?.delta?.content ?? j.choices?.[0]?.text ?? '')
        .join('');
}

async function direct(body: Record<string, unknown>, kind: 'chat' | 'completions', cap: number) {
    const c = new VllmClient({ baseUrl: tiny!.url, servedModelName: tiny!.model });
    try {
        const r = await c.run({ kind, body, maxTokensCap: cap });
        const parts: Buffer[] = [];
        for await (const ch of r.chunks) parts.push(ch.bytes);
        const done = await r.done;
        return { text: Buffer.concat(parts).toString('utf8'), usage: done.usage.counts };
    } finally {
        c.close();
    }
}

it('a streamed chat answer through the worker is the engine\'s answer, and the receipt carries its usage', async () => {
    const j = await h!.openJob();
    const body = { model: tiny!.model, messages: [{ role: 'user', content: 'hello tiny model' }], stream: true, max_tokens: 16 };
    const a = await h!.client.request(j.address, 1, { kind: 'chat', body });
    expect(a.status).toBe(200);
    h!.client.checkReceipt(a);
    const d = await direct(body, 'chat', 16);
    expect(content(a.text).length).toBeGreaterThan(0);
    expect(content(a.text)).toBe(content(d.text));
    expect(a.receipt!.receipt.tokens).toEqual(d.usage);
    expect(a.receipt!.receipt.cost).toBe(requestCost(d.usage, h!.worker.registration.prices));
});

it('a non-streamed completion too', async () => {
    const j = await h!.openJob();
    const body = { model: tiny!.model, prompt: 'once upon a time', max_tokens: 12 };
    const a = await h!.client.request(j.address, 1, { kind: 'completions', body });
    expect(a.status).toBe(200);
    h!.client.checkReceipt(a);
    const d = await direct(body, 'completions', 12);
    expect(JSON.parse(a.text).choices[0].text).toBe(JSON.parse(d.text).choices[0].text);
    expect(a.receipt!.receipt.tokens).toEqual(d.usage);
});
