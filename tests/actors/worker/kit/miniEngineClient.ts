/**
 * TEMPORARY test double of the EngineClient until the engine client lands on main: plain fetch, SSE split on
 * blank lines, last usage wins, no bounds (the worker checks them itself). Replaced by actors/engine's
 * VllmClient at the merge.
 */
import type { EngineChunk, EngineClient, EngineRequest, EngineResult, EngineUsage, EngineErrorInfo } from '../../../../actors/engine/types';

export class MiniEngineClient implements EngineClient {
    constructor(private readonly base: string) {}

    async health(): Promise<boolean> {
        return (await fetch(this.base + '/health').catch(() => null))?.status === 200;
    }
    async models(): Promise<string[]> {
        const r = (await (await fetch(this.base + '/v1/models')).json()) as { data: { id: string }[] };
        return r.data.map((d) => d.id);
    }

    async run(req: EngineRequest): Promise<EngineResult> {
        const body = { ...req.body, max_tokens: Math.min(req.maxTokensCap, typeof req.body.max_tokens === 'number' ? req.body.max_tokens : req.maxTokensCap) } as Record<string, unknown>;
        const streaming = body.stream === true;
        if (streaming) body.stream_options = { include_usage: true, continuous_usage_stats: true };
        const requestBytes = Buffer.from(JSON.stringify(body));
        let res: Response;
        try {
            res = await fetch(this.base + (req.kind === 'chat' ? '/v1/chat/completions' : '/v1/completions'), { method: 'POST', body: requestBytes, headers: { 'content-type': 'application/json' }, signal: req.signal });
        } catch (e) {
            throw Object.assign(new Error('unreachable'), { info: { status: 502, type: 'EngineUnreachable', message: String(e), param: null } });
        }
        if (res.status !== 200) {
            const t = await res.text();
            let info: EngineErrorInfo = { status: res.status, type: 'EngineError', message: t, param: null };
            try {
                const e = JSON.parse(t).error;
                info = { status: e.code, type: e.type, message: e.message, param: e.param };
            } catch {
                /* empty body */
            }
            throw Object.assign(new Error(info.message), { info });
        }
        let usage: EngineUsage = { counts: { prompt: 0, cached: 0, completion: 0, reasoning: 0 }, source: 'none' };
        let finishReason: string | null = null;
        let error: EngineErrorInfo | null = null;
        let resolveDone!: (v: { usage: EngineUsage; finishReason: string | null; error: EngineErrorInfo | null }) => void;
        const done = new Promise<{ usage: EngineUsage; finishReason: string | null; error: EngineErrorInfo | null }>((r) => (resolveDone = r));
        const take = (j: Record<string, unknown>, final: boolean) => {
            const u = j.usage as { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number } } | undefined;
            if (u) usage = { counts: { prompt: u.prompt_tokens, cached: u.prompt_tokens_details?.cached_tokens ?? 0, completion: u.completion_tokens, reasoning: 0 }, source: final ? 'final' : 'continuous' };
            const ch = (j.choices as { finish_reason?: string | null }[] | undefined) ?? [];
            for (const c of ch) if (c.finish_reason) finishReason = c.finish_reason;
            if (j.error) {
                const e = j.error as { code: number; type: string; message: string };
                error = { status: e.code, type: e.type, message: e.message, param: null };
            }
        };
        const reader = res.body!;
        async function* chunks(): AsyncGenerator<EngineChunk> {
            try {
                if (!streaming) {
                    const parts: Buffer[] = [];
                    for await (const c of reader) parts.push(Buffer.from(c));
                    const b = Buffer.concat(parts);
                    take(JSON.parse(b.toString()), true);
                    yield { bytes: b };
                    return;
                }
                let buf = '';
                for await (const c of reader) {
                    buf += Buffer.from(c).toString('utf8');
                    let i: number;
                    while ((i = buf.indexOf('\n\n')) >= 0) {
                        const ev = buf.slice(0, i + 2);
                        buf = buf.slice(i + 2);
                        const data = ev.replace(/^data: /, '').trim();
                        if (data !== '[DONE]') {
                            const j = JSON.parse(data);
                            take(j, Array.isArray(j.choices) && j.choices.length === 0);
                        }
                        yield { bytes: Buffer.from(ev) };
                    }
                }
            } catch (e) {
                error = { status: 499, type: 'ClientAborted', message: String(e), param: null };
            } finally {
                resolveDone({ usage, finishReason, error });
            }
        }
        return { requestBytes, done, chunks: chunks(), streaming };
    }
}
