/**
 * HTTP adapter to one worker (docs/wire.md): attestation, freshness, the sealed request and the voucher.
 * Transport only; every check is in core/.
 */
import {
    attestationDocSchema,
    encodeVoucherEnvelope,
    freshnessProofSchema,
    MediaTypes,
    parseWireErrorBody,
    Paths,
    voucherAckSchema,
    WireError,
    type AttestationDoc,
    type FreshnessProof,
    type VoucherAck,
} from '../../wire';
import type { SignedCell } from '../../../wrappers/payloads';

export class WorkerUnreachable extends Error {}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
    let res: Response;
    try {
        res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
        throw new WorkerUnreachable(`${url}: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (res.status !== 200) throw parseWireErrorBody(text);
    return JSON.parse(text);
}

export async function fetchAttestation(base: string, timeoutMs = 10_000): Promise<AttestationDoc> {
    return attestationDocSchema.parse(await getJson(base + Paths.attestation, timeoutMs));
}

export async function fetchFreshness(base: string, nonce: Buffer, timeoutMs = 10_000): Promise<FreshnessProof> {
    return freshnessProofSchema.parse(await getJson(`${base}${Paths.freshness}?nonce=${nonce.toString('hex')}`, timeoutMs));
}

/** POSTs a request envelope; resolves with the 200 response (stream body) or throws the worker's WireError. */
export async function postRequest(base: string, body: Buffer, signal: AbortSignal): Promise<Response> {
    let res: Response;
    try {
        res = await fetch(base + Paths.requests, { method: 'POST', headers: { 'content-type': MediaTypes.request }, body, signal });
    } catch (e) {
        if (signal.aborted) throw e;
        throw new WorkerUnreachable(`${base}: ${(e as Error).message}`);
    }
    if (res.status !== 200) throw parseWireErrorBody(await res.text());
    return res;
}

export async function postVoucher(base: string, v: SignedCell, timeoutMs = 10_000): Promise<VoucherAck> {
    let res: Response;
    try {
        res = await fetch(base + Paths.vouchers, { method: 'POST', headers: { 'content-type': MediaTypes.voucher }, body: encodeVoucherEnvelope(v), signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
        throw new WorkerUnreachable(`${base}: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (res.status !== 200) throw parseWireErrorBody(text);
    return voucherAckSchema.parse(JSON.parse(text));
}

export { WireError };
