/**
 * What a client (the relay, the tests) does with the wire format, without HTTP: seal an inner request into
 * an envelope for a worker, and get the reader for its answer. Transport stays with the caller.
 */
import { Address } from '@ton/core';
import type { SignedCell } from '../../wrappers/payloads';
import { sealRequest } from '../crypto/request';
import { encodeRequestEnvelope } from './envelope';
import { SealedStreamReader } from './frames';
import { encodeInnerRequest, InnerRequest, requestHash } from './innerRequest';

export interface SealForWorkerInput {
    /** From the verified attestation: the worker's X25519 and Ed25519 public keys. */
    encKey: Uint8Array;
    receiptKey: Uint8Array;
    globalId: number;
    job: Address | string;
    seqno: number;
    request: InnerRequest;
    voucher?: SignedCell | null;
}

export interface SealedForWorker {
    /** The POST body. */
    body: Buffer;
    /** SHA-256 of the inner plaintext: must equal the receipt's request_hash. */
    requestHash: Buffer;
    /** Opens the answer. */
    reader: SealedStreamReader;
}

export function sealForWorker(i: SealForWorkerInput): SealedForWorker {
    const job = typeof i.job === 'string' ? i.job : i.job.toRawString();
    const plaintext = encodeInnerRequest(i.request);
    const sealed = sealRequest({ recipientPublicKey: i.encKey, jobAddress: job, seqno: i.seqno, receiptKey: i.receiptKey, plaintext });
    const body = encodeRequestEnvelope({ globalId: i.globalId, job, seqno: i.seqno, voucher: i.voucher ?? null, enc: sealed.enc, ciphertext: sealed.ciphertext });
    return { body, requestHash: requestHash(plaintext), reader: new SealedStreamReader(sealed.responseOpener) };
}
