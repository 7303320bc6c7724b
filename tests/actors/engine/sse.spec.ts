import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SseAnswer, readJsonAnswer, type AnswerOutcome } from '../../../actors/engine/stream';

const FIXTURES = join(__dirname, '../../fixtures/engine');
const load = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const BOUNDS = { maxModelLen: 512, maxTokens: 16 };

interface Read {
    forwarded: string;
    outcome: AnswerOutcome;
}

function readAll(parts: Buffer[], bounds = BOUNDS, cut: Parameters<SseAnswer['outcome']>[0] = null): Read {
    const a = new SseAnswer(bounds);
    let forwarded = '';
    for (const p of parts) for (const c of a.feed(p)) forwarded += c.bytes.toString('utf8');
    return { forwarded, outcome: a.outcome(cut) };
}

/** Every way of cutting the bytes in two, plus one byte at a time: all must read exactly like the whole. */
function expectSplitInvariant(bytes: Buffer, bounds = BOUNDS): Read {
    const whole = readAll([bytes], bounds);
    for (let i = 0; i <= bytes.length; i++) {
        const r = readAll([bytes.subarray(0, i), bytes.subarray(i)], bounds);
        if (r.forwarded !== whole.forwarded || JSON.stringify(r.outcome) !== JSON.stringify(whole.outcome))
            throw new Error(`split at byte ${i} reads differently`);
    }
    const bytewise = readAll(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)), bounds);
    expect(bytewise).toEqual(whole);
    return whole;
}

const counts = (prompt: number, cached: number, completion: number, reasoning: number) => ({ prompt, cached, completion, reasoning });

describe('SSE answers, split at every byte offset', () => {
    it('continuous usage then the final choices: [] chunk: the final usage wins, with its cached tokens', () => {
        const bytes = load('chat-continuous.sse');
        const r = expectSplitInvariant(bytes);
        expect(r.outcome).toEqual({ usage: { counts: counts(26, 16, 3, 0), source: 'final' }, finishReason: 'stop', error: null });
        // vLLM frames every event as `data: …\n\n`: re-framing forwards exactly the recorded bytes.
        expect(r.forwarded).toBe(bytes.toString('utf8'));
    });

    it('no final usage chunk: the last continuous usage counts, labelled continuous (multi-byte UTF-8 content)', () => {
        const r = expectSplitInvariant(load('chat-no-final-usage.sse'));
        expect(r.outcome).toEqual({ usage: { counts: counts(21, 0, 4, 0), source: 'continuous' }, finishReason: 'length', error: null });
        expect(r.forwarded).toContain('Париж 🗼');
    });

    it('no usage at all: source none, zero counts', () => {
        const r = expectSplitInvariant(load('chat-no-usage.sse'));
        expect(r.outcome).toEqual({ usage: { counts: counts(0, 0, 0, 0), source: 'none' }, finishReason: 'stop', error: null });
    });

    it('completions with only a final usage chunk', () => {
        const r = expectSplitInvariant(load('completions-final-only.sse'));
        expect(r.outcome).toEqual({ usage: { counts: counts(5, 0, 2, 0), source: 'final' }, finishReason: 'length', error: null });
    });

    it('n > 1: choices interleave, completion_tokens is their sum', () => {
        const r = expectSplitInvariant(load('chat-n2.sse'));
        expect(r.outcome.usage).toEqual({ counts: counts(9, 0, 5, 0), source: 'final' });
        expect(r.outcome.finishReason).toBe('length');
    });

    it('reasoning tokens from a top-level usage.reasoning_tokens and from completion_tokens_details', () => {
        expect(expectSplitInvariant(load('chat-reasoning-toplevel.sse')).outcome.usage).toEqual({ counts: counts(12, 0, 8, 6), source: 'final' });
        expect(expectSplitInvariant(load('chat-reasoning-details.sse')).outcome.usage).toEqual({ counts: counts(12, 0, 8, 5), source: 'final' });
    });

    it('a mid-stream error (current nested shape) is forwarded and reported, with the counts served so far', () => {
        const r = expectSplitInvariant(load('midstream-error.sse'));
        expect(r.outcome).toEqual({
            usage: { counts: counts(21, 0, 2, 0), source: 'continuous' },
            finishReason: null,
            error: { status: 500, type: 'InternalServerError', message: 'engine died', param: null },
        });
        expect(r.forwarded).toContain('data: {"error":');
        expect(r.forwarded.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    it('a mid-stream error in the old flat shape', () => {
        const r = expectSplitInvariant(load('midstream-error-flat.sse'));
        expect(r.outcome.error).toEqual({ status: 503, type: 'InternalServerError', message: 'The model ran out of KV cache', param: null });
        expect(r.outcome.usage.counts.completion).toBe(1);
    });

    it('CRLF framing and comments are understood; events after [DONE] are ignored', () => {
        const r = expectSplitInvariant(load('crlf-comment-after-done.sse'));
        expect(r.outcome).toEqual({ usage: { counts: counts(21, 0, 1, 0), source: 'final' }, finishReason: null, error: null });
        expect(r.forwarded).not.toContain('after-done');
        expect(r.forwarded).not.toContain('keep-alive');
        expect(r.forwarded.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    it('a stream cut before [DONE] is truncated, and keeps the counts served so far', () => {
        const bytes = load('chat-continuous.sse');
        const cutAt = bytes.indexOf('data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1796231326,"model":"cocoon-tiny","choices":[{"index":0,"delta":{"content":" by"}');
        for (let i = cutAt; i < cutAt + 40; i++) {
            const r = readAll([bytes.subarray(0, i)]);
            expect(r.outcome.error?.type).toBe('EngineStreamTruncated');
            expect(r.outcome.usage).toEqual({ counts: counts(26, 0, 1, 0), source: 'continuous' });
        }
    });

    it('a cut reason given by the reader (abort, timeout) wins over "truncated"', () => {
        const bytes = load('chat-continuous.sse');
        const r = readAll([bytes.subarray(0, 400)], BOUNDS, { status: 499, type: 'ClientAborted', message: 'gone', param: null });
        expect(r.outcome.error?.type).toBe('ClientAborted');
    });

    it('usage beyond max_tokens + EOS, beyond max_model_len, inconsistent or going backwards is an error, never counts', () => {
        const chunk = (usage: unknown, final = true) =>
            `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: final ? [] : [{ index: 0, delta: { content: 'a' }, finish_reason: null }], usage })}\n\n`;
        const cases: [string, string][] = [
            ['over max_tokens', chunk({ prompt_tokens: 5, completion_tokens: 18, total_tokens: 23 })],
            ['over max_model_len', chunk({ prompt_tokens: 513, completion_tokens: 1, total_tokens: 514 })],
            ['total mismatch', chunk({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 7 })],
            ['cached > prompt', chunk({ prompt_tokens: 5, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 6 } })],
            ['reasoning > completion', chunk({ prompt_tokens: 5, completion_tokens: 1, reasoning_tokens: 2 })],
            ['negative', chunk({ prompt_tokens: -1, completion_tokens: 1 })],
            ['fraction', chunk({ prompt_tokens: 5, completion_tokens: 1.5 })],
            ['string', chunk({ prompt_tokens: '5', completion_tokens: 1 })],
            ['not an object', chunk(7)],
            ['backwards', chunk({ prompt_tokens: 5, completion_tokens: 3 }, false) + chunk({ prompt_tokens: 5, completion_tokens: 2 })],
            ['prompt changes', chunk({ prompt_tokens: 5, completion_tokens: 1 }, false) + chunk({ prompt_tokens: 6, completion_tokens: 1 })],
        ];
        for (const [name, sse] of cases) {
            const r = expectSplitInvariant(Buffer.from(sse + 'data: [DONE]\n\n'));
            expect({ name, type: r.outcome.error?.type, usage: r.outcome.usage.source }).toEqual({ name, type: 'InvalidUsage', usage: 'none' });
            expect(r.outcome.usage.counts).toEqual(counts(0, 0, 0, 0));
        }
        // max_tokens + 1 (an EOS) is still believed.
        const ok = readAll([Buffer.from(chunk({ prompt_tokens: 5, completion_tokens: 17, total_tokens: 22 }) + 'data: [DONE]\n\n')]);
        expect(ok.outcome.error).toBeNull();
    });

    it('an event that is not JSON stops reading with a protocol error', () => {
        const r = readAll([Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\ndata: {oops\n\ndata: [DONE]\n\n')]);
        expect(r.outcome.error?.type).toBe('EngineProtocolError');
        expect(r.outcome.usage.source).toBe('final');
    });
});

describe('JSON answers', () => {
    it('reads usage (source final) and finish_reason', () => {
        const body = Buffer.from(
            '{"id":"chatcmpl-1","object":"chat.completion","created":1767000000,"model":"qwen3-8b","choices":[{"index":0,"message":{"role":"assistant","content":"Paris.","reasoning":null,"tool_calls":[]},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":21,"total_tokens":24,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":16}}}',
        );
        expect(readJsonAnswer(body, BOUNDS)).toEqual({ usage: { counts: counts(21, 16, 3, 0), source: 'final' }, finishReason: 'stop', error: null });
    });

    it('a usage over the bounds is an error with no counts', () => {
        const body = Buffer.from('{"choices":[{"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":100,"total_tokens":105}}');
        const o = readJsonAnswer(body, BOUNDS);
        expect(o.error?.type).toBe('InvalidUsage');
        expect(o.usage.source).toBe('none');
    });

    it('an error body in either shape, and a body that is not JSON', () => {
        expect(readJsonAnswer(Buffer.from('{"error":{"message":"m","type":"BadRequestError","param":"max_tokens","code":400}}'), BOUNDS).error).toEqual({
            status: 400,
            type: 'BadRequestError',
            message: 'm',
            param: 'max_tokens',
        });
        expect(readJsonAnswer(Buffer.from('{"object":"error","message":"m","type":"NotFoundError","param":"model","code":404}'), BOUNDS).error?.status).toBe(404);
        expect(readJsonAnswer(Buffer.from('{"choices":'), BOUNDS).error?.type).toBe('EngineProtocolError');
    });
});
