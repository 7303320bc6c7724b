/**
 * The inference engine as the worker sees it: a vLLM-compatible OpenAI server on a local URL (vLLM in
 * production; the project's tiny node-llama-cpp server in tests and the demo). See ../shared notes on vLLM
 * and docs/run-a-worker.md. The worker hands the engine the decrypted request body and gets the answer as a
 * stream of raw SSE/JSON bytes plus parsed events, and the final token counts taken from `usage`.
 */
import type { TokenCounts } from '../../wrappers/payloads';

export type EndpointKind = 'chat' | 'completions';

export interface EngineRequest {
    kind: EndpointKind;
    /** The client's request JSON (decrypted inside the TEE). The client rewrites it (allowed fields only). */
    body: Record<string, unknown>;
    /** Upper bound on completion tokens the job can pay for; the request's max_tokens is capped at it. */
    maxTokensCap: number;
    /** Aborts the upstream request (client went away, worker shutting down). */
    signal?: AbortSignal;
}

/** Where the token counts came from (signed into the receipt's bookkeeping; see the vLLM notes §5). */
export type UsageSource = 'final' | 'continuous' | 'none';

export interface EngineUsage {
    counts: TokenCounts;
    source: UsageSource;
}

/** One piece of the answer, in order: the exact bytes to forward to the client (an SSE event or a JSON body). */
export interface EngineChunk {
    bytes: Buffer;
}

export interface EngineResult {
    /** The exact bytes of the upstream request sent to the engine (their SHA-256 goes into the receipt). */
    requestBytes: Buffer;
    /** Resolves when the answer is complete (or failed); `usage` holds the last valid counts seen. */
    done: Promise<{ usage: EngineUsage; finishReason: string | null; error: EngineErrorInfo | null }>;
    chunks: AsyncIterable<EngineChunk>;
    /** Whether the answer is an SSE stream (stream: true) or a single JSON body. */
    streaming: boolean;
}

export interface EngineErrorInfo {
    status: number;
    type: string;
    message: string;
    param: string | null;
}

export interface EngineClient {
    /** Sends one request; rejects with an EngineError before any byte if the engine refused it. */
    run(req: EngineRequest): Promise<EngineResult>;
    /** GET /health: true when the engine answers 200. */
    health(): Promise<boolean>;
    /** The served model ids (GET /v1/models). */
    models(): Promise<string[]>;
}
