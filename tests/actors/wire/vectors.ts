/**
 * Deterministic wire vectors: fixed keys, a fixed HPKE ephemeral key, fixed payloads. The spec checks that
 * the code still produces tests/fixtures/wire/vectors.json byte for byte (UPDATE_WIRE_VECTORS=1 rewrites it
 * after an intended format change; the diff then belongs in docs/wire.md too).
 */
import { Address } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { createHash } from 'crypto';
import { deriveKeyPair, setupBaseS } from '../../../actors/crypto/hpke';
import { openRequest, requestInfo } from '../../../actors/crypto/request';
import { encodeInnerRequest, encodeRequestEnvelope, encodeVoucherEnvelope, requestHash, SealedStreamWriter, WireError } from '../../../actors/wire';
import { signReceipt, signVoucher } from '../../../actors/crypto/payloads';
import { buildSignedReceiptCell, chainHead, ZERO_HEAD } from '../../../wrappers/payloads';

export function seed(label: string): Buffer {
    return createHash('sha256').update(`cocoon-ton wire vector ${label}`).digest();
}

export interface WireVectors {
    inputs: {
        workerEncPrivate: string;
        workerEncPublic: string;
        receiptSeed: string;
        receiptPublic: string;
        clientSeed: string;
        clientPublic: string;
        ephemeralSeed: string;
        globalId: number;
        job: string;
        seqno: number;
        inner: string;
        answerPieces: string[];
    };
    requestEnvelope: string;
    voucherEnvelope: string;
    requestHash: string;
    responseHash: string;
    /** The response body: frames as hex, in order (the last one is the end trailer). */
    responseFrames: string[];
    /** A second response body that ends with an error trailer carrying the receipt for what was served. */
    errorFrames: string[];
    signedReceiptBoc: string;
    headAfter: string;
}

export function buildVectors(): WireVectors {
    const enc = deriveKeyPair(seed('worker enc'));
    const receipt = keyPairFromSeed(seed('worker receipt'));
    const client = keyPairFromSeed(seed('client voucher'));
    const ephemeral = deriveKeyPair(seed('ephemeral'));
    const globalId = -239;
    const job = Address.parseRaw('0:' + seed('job').toString('hex'));
    const seqno = 1;
    const inner = encodeInnerRequest({ kind: 'chat', body: { model: 'tiny', messages: [{ role: 'user', content: 'hello' }], stream: true, max_tokens: 4 } });

    const info = requestInfo({ jobAddress: job.toRawString(), seqno, receiptKey: receipt.publicKey });
    const { enc: encapsulated, context } = setupBaseS(enc.publicKey, info, ephemeral.privateKey);
    const ciphertext = context.seal(Buffer.alloc(0), inner);

    const voucher = signVoucher({ globalId, job, nonce: 41_000_001n, amount: 1000n, tokens: 3n, head: ZERO_HEAD, final: false }, client.secretKey);
    const requestEnvelope = encodeRequestEnvelope({ globalId, job: job.toRawString(), seqno, voucher, enc: encapsulated, ciphertext });

    const answerPieces = [
        'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n',
        'data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n',
        'data: {"choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}]}\n\n',
        'data: [DONE]\n\n',
    ];

    function answer(withError: boolean) {
        const opened = openRequest({ recipientPrivateKey: enc.privateKey, jobAddress: job.toRawString(), seqno, receiptKey: receipt.publicKey, enc: encapsulated, ciphertext });
        const w = new SealedStreamWriter(opened.responseSealer);
        const frames: Buffer[] = [];
        for (const p of withError ? answerPieces.slice(0, 2) : answerPieces) frames.push(...w.data(Buffer.from(p)));
        const signed = signReceipt(
            {
                globalId,
                job,
                nonce: 41_000_001n,
                seqno,
                modelHash: seed('model'),
                tokens: { prompt: 9, cached: 0, completion: withError ? 1 : 3, reasoning: 0 },
                cost: withError ? 300n : 700n,
                cumulative: withError ? 300n : 700n,
                prevHead: ZERO_HEAD,
                requestHash: requestHash(inner),
                responseHash: w.responseHash(),
            },
            receipt.secretKey,
        );
        const cell = buildSignedReceiptCell(signed);
        frames.push(withError ? w.error(new WireError('engine_failed', 'the engine failed mid-stream'), cell) : w.end(cell, { finishReason: 'stop', usageSource: 'final' }));
        return { frames, cell, signed, responseHash: w.responseHash() };
    }
    const ok = answer(false);
    const failed = answer(true);

    return {
        inputs: {
            workerEncPrivate: enc.privateKey.toString('hex'),
            workerEncPublic: enc.publicKey.toString('hex'),
            receiptSeed: seed('worker receipt').toString('hex'),
            receiptPublic: receipt.publicKey.toString('hex'),
            clientSeed: seed('client voucher').toString('hex'),
            clientPublic: client.publicKey.toString('hex'),
            ephemeralSeed: seed('ephemeral').toString('hex'),
            globalId,
            job: job.toRawString(),
            seqno,
            inner: inner.toString('hex'),
            answerPieces,
        },
        requestEnvelope: requestEnvelope.toString('hex'),
        voucherEnvelope: encodeVoucherEnvelope(voucher).toString('hex'),
        requestHash: requestHash(inner).toString('hex'),
        responseHash: ok.responseHash.toString('hex'),
        responseFrames: ok.frames.map((f) => f.toString('hex')),
        errorFrames: failed.frames.map((f) => f.toString('hex')),
        signedReceiptBoc: ok.cell.toBoc({ idx: false, crc32: false }).toString('hex'),
        headAfter: chainHead(ZERO_HEAD, ok.signed.cell).toString('hex'),
    };
}
