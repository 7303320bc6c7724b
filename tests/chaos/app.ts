/**
 * The app of the chaos harness: streamed chats through the relay with the `openai` SDK, each classified as a
 * full answer (a finish_reason, then the usage chunk with the receipt it was billed under), a clear error
 * (the SDK threw: an HTTP error, an SSE error payload, or a broken connection), or a silently truncated
 * answer (the stream ended without either: the defect the harness exists to catch).
 */
import OpenAI from 'openai';

export interface Billed {
    job: string;
    seqno: number;
    cost: bigint;
}

export type Outcome =
    | { kind: 'full'; chunks: number; text: string; billed: Billed }
    | { kind: 'error'; chunks: number; message: string }
    | { kind: 'truncated'; chunks: number; text: string; why: string };

interface UsageWithReceipt {
    cost_nanoton?: string;
    receipt?: { job: string; seqno: number };
}

export async function streamChat(baseURL: string, apiKey: string, o: { model: string; prompt: string; maxTokens: number; onChunk?: (n: number) => void }): Promise<Outcome> {
    const client = new OpenAI({ baseURL, apiKey, maxRetries: 1, timeout: 90_000 });
    let chunks = 0;
    let text = '';
    let finish: string | null = null;
    let usage: UsageWithReceipt | null = null;
    try {
        const stream = await client.chat.completions.create({ model: o.model, messages: [{ role: 'user', content: o.prompt }], max_tokens: o.maxTokens, stream: true, stream_options: { include_usage: true } });
        for await (const c of stream) {
            chunks++;
            text += c.choices[0]?.delta?.content ?? '';
            finish = c.choices[0]?.finish_reason ?? finish;
            if (c.usage) usage = c.usage as UsageWithReceipt;
            o.onChunk?.(chunks);
        }
    } catch (e) {
        return { kind: 'error', chunks, message: (e as Error).message.slice(0, 300) };
    }
    if (!finish) return { kind: 'truncated', chunks, text, why: 'the stream ended without a finish_reason' };
    if (!usage?.receipt || usage.cost_nanoton === undefined) return { kind: 'truncated', chunks, text, why: 'the stream ended without the usage chunk and its receipt' };
    return { kind: 'full', chunks, text, billed: { job: usage.receipt.job, seqno: usage.receipt.seqno, cost: BigInt(usage.cost_nanoton) } };
}
