/**
 * OpenAI request bodies as the relay accepts them: the fields it needs are checked with zod (with OpenAI's
 * `param` named in the error); everything else passes to the worker, whose engine rewrite allow-lists fields.
 */
import { z } from 'zod';
import { RelayError } from '../errors';
import type { EndpointKind } from '../../engine/types';

export interface Limits {
    maxBodyBytes: number;
    /** Largest max_tokens accepted; also the default when the request names none. */
    maxTokens: number;
    /** Time the relay gives the workers to serve a request (504 after it). */
    requestTimeoutMs: number;
    /** Time a client has to send its request body (408 after it); default DEFAULT_HTTP_LIMITS. */
    bodyTimeoutMs?: number;
    /** Time a client has to send its request head; connections that never send one are closed after it too. */
    headersTimeoutMs?: number;
    /** How long an idle keep-alive connection stays open. */
    keepAliveTimeoutMs?: number;
}

export const DEFAULT_HTTP_LIMITS = { bodyTimeoutMs: 30_000, headersTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000 } as const;

const common = {
    model: z.string().min(1),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).passthrough().nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    n: z.literal(1).nullish(),
};

const message = z.object({ role: z.enum(['system', 'user', 'assistant', 'developer', 'tool']), content: z.union([z.string(), z.array(z.unknown()), z.null()]) }).passthrough();
const chatSchema = z.object({ ...common, messages: z.array(message).min(1) }).passthrough();
const completionSchema = z.object({ ...common, prompt: z.string() }).passthrough();

export interface ValidRequest {
    kind: EndpointKind;
    model: string;
    stream: boolean;
    includeUsage: boolean;
    maxTokens: number;
    /** The body sent to the worker (stream_options removed: the worker sets its own). */
    body: Record<string, unknown>;
    /** Upper bound on prompt tokens (UTF-8 bytes of the body). */
    maxPrompt: number;
}

export function validateRequest(kind: EndpointKind, json: unknown, limits: Limits): ValidRequest {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new RelayError('invalid_request', 'the request body must be a JSON object');
    const r = (kind === 'chat' ? chatSchema : completionSchema).safeParse(json);
    if (!r.success) {
        const issue = r.error.issues[0];
        const param = issue.path.map(String).join('.') || null;
        throw new RelayError('invalid_request', `${param ?? 'body'}: ${issue.message}`, param);
    }
    const d = r.data as Record<string, unknown> & z.infer<typeof completionSchema>;
    const asked = d.max_completion_tokens ?? d.max_tokens ?? null;
    if (asked !== null && asked > limits.maxTokens) {
        throw new RelayError('invalid_request', `max_tokens ${asked} is above this relay's limit of ${limits.maxTokens}`, d.max_completion_tokens ? 'max_completion_tokens' : 'max_tokens');
    }
    const maxTokens = asked ?? limits.maxTokens;
    const body: Record<string, unknown> = { ...(json as Record<string, unknown>), max_tokens: maxTokens };
    delete body.max_completion_tokens;
    delete body.stream_options;
    const stream = d.stream === true;
    body.stream = stream;
    return {
        kind,
        model: d.model,
        stream,
        includeUsage: stream && d.stream_options?.include_usage === true,
        maxTokens,
        body,
        maxPrompt: Buffer.byteLength(JSON.stringify(json), 'utf8'),
    };
}
