/**
 * The plaintext inside the sealed request (only the client and the worker's TD ever see it):
 *
 *   kind   1    0x01 = chat completions (/v1/chat/completions), 0x02 = completions (/v1/completions)
 *   body   rest UTF-8 JSON object: the OpenAI request the client wants served
 *
 * The receipt's request_hash is SHA-256 of exactly these bytes, so the client can check it without
 * knowing how the worker rewrote the request for its engine.
 */
import { createHash } from 'crypto';
import type { EndpointKind } from '../engine/types';
import { WireError } from './errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './jsonDepth';

export const InnerKind = { chat: 0x01, completions: 0x02 } as const;

export interface InnerRequest {
    kind: EndpointKind;
    body: Record<string, unknown>;
}

export function encodeInnerRequest(r: InnerRequest): Buffer {
    return Buffer.concat([Buffer.of(InnerKind[r.kind]), Buffer.from(JSON.stringify(r.body), 'utf8')]);
}

export function decodeInnerRequest(plaintext: Buffer): InnerRequest {
    if (plaintext.length < 3) throw new WireError('bad_inner_request', 'inner request too short');
    const k = plaintext[0];
    const kind: EndpointKind | null = k === InnerKind.chat ? 'chat' : k === InnerKind.completions ? 'completions' : null;
    if (!kind) throw new WireError('bad_inner_request', `unknown inner request kind 0x${k.toString(16)}`);
    const text = plaintext.subarray(1).toString('utf8');
    if (nestsDeeperThan(text)) throw new WireError('bad_inner_request', `inner request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch {
        throw new WireError('bad_inner_request', 'inner request body is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new WireError('bad_inner_request', 'inner request body must be a JSON object');
    return { kind, body: body as Record<string, unknown> };
}

/** request_hash of the receipt: SHA-256 of the exact plaintext the client sealed. */
export function requestHash(plaintext: Uint8Array): Buffer {
    return createHash('sha256').update(plaintext).digest();
}
