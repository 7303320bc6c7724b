import { EngineError } from '../../../actors/engine/errors';
import { rewriteRequest } from '../../../actors/engine/rewrite';

const messages = [{ role: 'user', content: 'hi' }];

function refusal(f: () => unknown): { type: string; param: string | null } {
    try {
        f();
    } catch (e) {
        if (e instanceof EngineError) return { type: e.info.type, param: e.info.param };
        throw e;
    }
    throw new Error('not refused');
}

describe('request rewrite', () => {
    it('keeps allow-listed chat fields only and returns the exact bytes it made', () => {
        const r = rewriteRequest(
            'chat',
            { model: 'm', messages, temperature: 0.2, stream: false, request_id: 'x', cache_salt: 's', return_token_ids: true, chat_template: '{{evil}}', priority: -5, ignore_eos: true, min_tokens: 99, echo: true, best_of: 4 },
            { maxTokensCap: 64 },
        );
        expect(r.body).toEqual({ messages, model: 'm', temperature: 0.2, max_tokens: 64, max_completion_tokens: 64, stream: false });
        expect(r.bytes.toString('utf8')).toBe(JSON.stringify(r.body));
        expect(r.streaming).toBe(false);
    });

    it('caps max_tokens and max_completion_tokens at the job budget; max_completion_tokens wins', () => {
        expect(rewriteRequest('chat', { messages, max_tokens: 1000 }, { maxTokensCap: 50 }).maxTokens).toBe(50);
        expect(rewriteRequest('chat', { messages, max_tokens: 10 }, { maxTokensCap: 50 }).maxTokens).toBe(10);
        const both = rewriteRequest('chat', { messages, max_tokens: 5, max_completion_tokens: 20 }, { maxTokensCap: 50 });
        expect([both.body.max_tokens, both.body.max_completion_tokens]).toEqual([20, 20]);
        const c = rewriteRequest('completions', { prompt: 'p', max_tokens: 9999 }, { maxTokensCap: 7 });
        expect(c.body).toEqual({ prompt: 'p', max_tokens: 7, stream: false });
    });

    it('streamed requests always ask for final and continuous usage; the client cannot turn it off', () => {
        const r = rewriteRequest('chat', { messages, stream: true, stream_options: { include_usage: false, include_obfuscation: true } }, { maxTokensCap: 8 });
        expect(r.body.stream).toBe(true);
        expect(r.body.stream_options).toEqual({ include_usage: true, continuous_usage_stats: true });
        expect(r.streaming).toBe(true);
        // stream_options without stream: true is refused by vLLM, so it is never sent.
        expect(rewriteRequest('chat', { messages, stream_options: { include_usage: true } }, { maxTokensCap: 8 }).body.stream_options).toBeUndefined();
    });

    it('forces the served model name; a client model must be that name (optionally name@revision)', () => {
        expect(rewriteRequest('chat', { messages, model: 'qwen3-8b@abc:def' }, { maxTokensCap: 8, servedModelName: 'qwen3-8b' }).body.model).toBe('qwen3-8b');
        expect(rewriteRequest('chat', { messages }, { maxTokensCap: 8, servedModelName: 'qwen3-8b' }).body.model).toBe('qwen3-8b');
        expect(refusal(() => rewriteRequest('chat', { messages, model: 'other' }, { maxTokensCap: 8, servedModelName: 'qwen3-8b' }))).toEqual({ type: 'InvalidRequest', param: 'model' });
    });

    it('refuses what would break the cost bound or is malformed', () => {
        expect(refusal(() => rewriteRequest('chat', { messages, n: 2 }, { maxTokensCap: 8 })).param).toBe('n');
        expect(refusal(() => rewriteRequest('completions', { prompt: ['a', 'b'] }, { maxTokensCap: 8 })).param).toBe('prompt');
        expect(refusal(() => rewriteRequest('chat', { messages, max_tokens: 0 }, { maxTokensCap: 8 })).param).toBe('max_tokens');
        expect(refusal(() => rewriteRequest('chat', { messages, max_tokens: 1.5 }, { maxTokensCap: 8 })).param).toBe('max_tokens');
        expect(refusal(() => rewriteRequest('chat', { messages, max_completion_tokens: '9' }, { maxTokensCap: 8 })).param).toBe('max_completion_tokens');
        expect(refusal(() => rewriteRequest('chat', { messages }, { maxTokensCap: 0 })).param).toBe('max_tokens');
        expect(refusal(() => rewriteRequest('chat', { messages, stream: 'yes' }, { maxTokensCap: 8 })).param).toBe('stream');
        expect(refusal(() => rewriteRequest('chat', { prompt: 'x' }, { maxTokensCap: 8 })).param).toBe('messages');
    });
});
