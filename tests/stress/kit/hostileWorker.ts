/**
 * A hostile worker for the relay's bad-input catalogue. It holds real keys registered on-chain and answers its
 * attestation and freshness exactly like a worker (from a WorkerApp that never listens), so the relay verifies
 * and uses it; its answers to sealed requests are then wrong in one chosen way (`mode`): receipts signed by
 * another key or with garbage usage, frames truncated, reordered, replayed or from another request, garbage
 * bodies, errors that are not JSON, hangs. Every frame and receipt is built with the project's codecs
 * (actors/wire, actors/crypto, wrappers/payloads) and then broken, so each mode is wrong in exactly one place.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Address, Cell } from '@ton/core';
import { openRequest, sealRequest } from '../../../actors/crypto/request';
import { signReceipt } from '../../../actors/crypto/payloads';
import { x25519PrivateKey } from '../../../actors/crypto/keys';
import { decodeInnerRequest, decodeRequestEnvelope, encodeTrailer, FrameKind, MediaTypes, padInner, Paths, requestHash, SealedStreamWriter, type AttestationDoc, type FreshnessProof } from '../../../actors/wire';
import { buildSignedReceiptCell, requestCost, type Receipt, type SignedReceipt, type TokenCounts } from '../../../wrappers/payloads';
import type { Prices } from '../../../wrappers/common';
import type { BootKeys } from '../../../actors/worker/boot/attest';
import { ed25519FromLabel } from '../../../wrappers/testkit';

export type HostileMode =
    | 'honest'
    // receipts
    | 'receipt-other-key'
    | 'usage-over-max'
    | 'prompt-over-bound'
    | 'cost-off'
    | 'cumulative-off'
    | 'receipt-other-job'
    | 'receipt-other-seqno'
    | 'receipt-wrong-network'
    | 'receipt-wrong-request-hash'
    | 'receipt-wrong-response-hash'
    | 'receipt-stale'
    | 'receipt-wrong-model'
    | 'end-without-receipt'
    | 'trailer-receipt-garbage'
    // frames
    | 'garbage-body'
    | 'huge-frame-length'
    | 'truncated-frame'
    | 'no-trailer'
    | 'frames-reordered'
    | 'frame-replayed'
    | 'frame-other-seqno'
    | 'data-flagged-final'
    | 'bytes-after-final'
    | 'endless-stream'
    | 'non-json-answer'
    | 'error-trailer-unknown-code'
    // transport and errors before the stream
    | 'html-500'
    | 'unknown-error-shape'
    | 'fake-replay'
    | 'hang'
    | 'reset';

export interface HostileWorkerOptions {
    keys: BootKeys;
    globalId: number;
    modelHash: Buffer;
    prices: Prices;
    /** The attestation and freshness of a WorkerApp built with `keys` (never listening). */
    attestation(): AttestationDoc;
    freshness(nonce: Buffer): FreshnessProof;
}

const frameOf = (sealed: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(sealed.length);
    return Buffer.concat([len, sealed]);
};

export class HostileWorker {
    mode: HostileMode = 'honest';
    url = '';
    /** Requests answered, by mode (the catalogue checks its row reached the hostile worker). */
    readonly served: HostileMode[] = [];
    private server: http.Server | null = null;
    private readonly jobs = new Map<string, { cumulative: bigint }>();
    /** The last honest receipt it sent (what 'receipt-stale' sends again). */
    private lastHonest: SignedReceipt | null = null;
    private readonly hanging = new Set<http.ServerResponse>();

    constructor(private readonly o: HostileWorkerOptions) {}

    /** Forgets the last honest receipt (so 'receipt-stale' replays one of the row's own job). */
    forgetHonest(): void {
        this.lastHonest = null;
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
        await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this.url;
    }

    async stop(): Promise<void> {
        const s = this.server;
        if (!s) return;
        for (const r of this.hanging) r.destroy();
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
        this.server = null;
    }

    private json(res: http.ServerResponse, status: number, body: unknown): void {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': MediaTypes.json, 'content-length': Buffer.byteLength(text) });
        res.end(text);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? '/', 'http://hostile');
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const body = Buffer.concat(chunks);
        if (url.pathname === Paths.attestation) return this.json(res, 200, this.o.attestation());
        if (url.pathname === Paths.freshness) return this.json(res, 200, this.o.freshness(Buffer.from(url.searchParams.get('nonce') ?? '', 'hex')));
        if (url.pathname === Paths.vouchers) return this.json(res, 200, { job: '0:' + '00'.repeat(32), best: '0', accepted: true });
        if (url.pathname !== Paths.requests) return this.json(res, 404, { error: { code: 'not_found', message: 'no', status: 404 } });
        this.served.push(this.mode);
        return this.answer(body, res);
    }

    private receipt(job: string, seqno: number, reqHash: Buffer, respHash: Buffer, change: Partial<Receipt> = {}, tokens: Partial<TokenCounts> = {}): { signed: SignedReceipt; cell: Cell } {
        const state = this.jobs.get(job) ?? { cumulative: 0n };
        const t: TokenCounts = { prompt: 5, cached: 0, completion: 3, reasoning: 0, ...tokens };
        const cost = requestCost(t, this.o.prices);
        const r: Receipt = {
            globalId: this.o.globalId,
            job: Address.parseRaw(job),
            seqno,
            modelHash: this.o.modelHash,
            tokens: t,
            cost,
            cumulative: state.cumulative + cost,
            requestHash: reqHash,
            responseHash: respHash,
            ...change,
        };
        const signed = signReceipt(r, this.mode === 'receipt-other-key' ? ed25519FromLabel('not the attested receipt key').secretKey : this.o.keys.receiptSecret);
        return { signed, cell: buildSignedReceiptCell(signed) };
    }

    private async answer(body: Buffer, res: http.ServerResponse): Promise<void> {
        const mode = this.mode;
        if (mode === 'hang') {
            this.hanging.add(res);
            res.on('close', () => this.hanging.delete(res));
            return; // never answers; the relay's request timeout must end it
        }
        if (mode === 'reset') return void res.socket?.destroy();
        if (mode === 'html-500') {
            res.writeHead(500, { 'content-type': 'text/html' });
            return void res.end('<html><body>Internal Server Error</body></html>');
        }
        if (mode === 'unknown-error-shape') return this.json(res, 400, { message: 'no', detail: [1, 2, 3] });
        const env = decodeRequestEnvelope(body);
        if (mode === 'fake-replay') {
            // claims the seqno was served, attaching a receipt by another key
            const fake = this.receipt(env.job, env.seqno, Buffer.alloc(32), Buffer.alloc(32));
            const signed = signReceipt(fake.signed.receipt, ed25519FromLabel('forger').secretKey);
            return this.json(res, 409, { error: { code: 'seqno_replayed', message: 'served already', status: 409, receipt: buildSignedReceiptCell(signed).toBoc().toString('base64') } });
        }
        const opened = openRequest({ recipientPrivateKey: x25519PrivateKey(this.o.keys.encPrivate), jobAddress: env.job, seqno: env.seqno, receiptKey: this.o.keys.receiptPublic, enc: env.enc, ciphertext: env.ciphertext });
        const inner = decodeInnerRequest(opened.plaintext);
        const stream = inner.body.stream === true;
        const answer = mode === 'non-json-answer' ? 'this is not JSON at all' : stream ? sse(inner.kind) : nonStream(inner.kind);
        const writer = new SealedStreamWriter(opened.responseSealer);
        // two data frames (the answer split in two), so frames can be reordered or replayed
        const half = Math.floor(answer.length / 2);
        const data = [...writer.data(Buffer.from(answer.slice(0, half))), ...writer.data(Buffer.from(answer.slice(half)))];
        const reqHash = requestHash(opened.plaintext);
        const respHash = writer.responseHash();
        const state = this.jobs.get(env.job) ?? { cumulative: 0n };

        res.writeHead(200, { 'content-type': MediaTypes.stream });
        const send = (parts: Buffer[]): void => void res.end(Buffer.concat(parts));
        const honestEnd = () => {
            const r = this.receipt(env.job, env.seqno, reqHash, respHash);
            this.jobs.set(env.job, { cumulative: r.signed.receipt.cumulative });
            this.lastHonest = r.signed;
            return writer.end(r.cell, { finishReason: 'stop', usageSource: 'final' });
        };
        const badEnd = (change: Partial<Receipt>, tokens: Partial<TokenCounts> = {}) => writer.end(this.receipt(env.job, env.seqno, reqHash, respHash, change, tokens).cell, { finishReason: 'stop', usageSource: 'final' });
        // the writer refuses to build these (a bare trailer, a data frame flagged final): seal them with its sealer
        const rawEnd = (trailer: Buffer, kind: number = FrameKind.end) => frameOf(opened.responseSealer.seal(padInner(kind, trailer), true));

        switch (mode) {
            case 'honest':
            case 'non-json-answer':
                return send([...data, honestEnd()]);
            case 'receipt-other-key':
                return send([...data, badEnd({})]);
            case 'usage-over-max':
                return send([...data, badEnd({}, { completion: 5_000 })]);
            case 'prompt-over-bound':
                return send([...data, badEnd({}, { prompt: 1_000_000 })]);
            case 'cost-off':
                return send([...data, badEnd({ cost: 1n, cumulative: state.cumulative + 1n })]);
            case 'cumulative-off':
                return send([...data, badEnd({ cumulative: 10n ** 15n })]);
            case 'receipt-other-job':
                return send([...data, badEnd({ job: Address.parseRaw('0:' + '44'.repeat(32)) })]);
            case 'receipt-other-seqno':
                return send([...data, badEnd({ seqno: env.seqno + 5 })]);
            case 'receipt-wrong-network':
                return send([...data, badEnd({ globalId: this.o.globalId + 1 })]);
            case 'receipt-wrong-request-hash':
                return send([...data, badEnd({ requestHash: randomBytes(32) })]);
            case 'receipt-wrong-response-hash':
                return send([...data, badEnd({ responseHash: randomBytes(32) })]);
            case 'receipt-wrong-model':
                return send([...data, badEnd({ modelHash: randomBytes(32) })]);
            case 'receipt-stale': {
                // the first request is answered honestly; the next one gets that old receipt again
                if (!this.lastHonest) return send([...data, honestEnd()]);
                return send([...data, writer.end(buildSignedReceiptCell(this.lastHonest), { finishReason: 'stop', usageSource: 'final' })]);
            }
            case 'end-without-receipt':
                return send([...data, rawEnd(encodeTrailer(null, { finishReason: 'stop', usageSource: 'final' }))]);
            case 'trailer-receipt-garbage': {
                const len = Buffer.alloc(4);
                len.writeUInt32BE(60);
                return send([...data, rawEnd(Buffer.concat([len, randomBytes(60), Buffer.from('{}')]))]);
            }
            case 'garbage-body':
                return send([randomBytes(1500)]);
            case 'huge-frame-length':
                return send([Buffer.from([0xff, 0xff, 0xff, 0xff]), randomBytes(100)]);
            case 'truncated-frame': {
                const all = Buffer.concat([...data, honestEnd()]);
                return send([all.subarray(0, all.length - 10)]);
            }
            case 'no-trailer':
                return send(data);
            case 'frames-reordered':
                return send([data[1], data[0], honestEnd()]);
            case 'frame-replayed':
                return send([data[0], data[0], data[1], honestEnd()]);
            case 'frame-other-seqno': {
                // frames sealed for the same job's next seqno: valid frames, but of another request
                const other = sealRequest({ recipientPublicKey: this.o.keys.encPublic, jobAddress: env.job, seqno: env.seqno + 1, receiptKey: this.o.keys.receiptPublic, plaintext: opened.plaintext });
                const theirs = openRequest({ recipientPrivateKey: x25519PrivateKey(this.o.keys.encPrivate), jobAddress: env.job, seqno: env.seqno + 1, receiptKey: this.o.keys.receiptPublic, enc: other.enc, ciphertext: other.ciphertext });
                const w2 = new SealedStreamWriter(theirs.responseSealer);
                return send([...w2.data(Buffer.from(answer)), honestEnd()]);
            }
            case 'data-flagged-final':
                return send([data[0], rawEnd(Buffer.from(answer.slice(half)), FrameKind.data)]);
            case 'bytes-after-final':
                return send([...data, honestEnd(), randomBytes(533)]);
            case 'error-trailer-unknown-code':
                return send([...data, writer.error({ error: { code: 'zz_unknown' as never, message: 'something', status: 500 } }, null)]);
            case 'endless-stream': {
                // data frames of the largest bucket, 64 MiB of them, and never a trailer: a relay that
                // buffers a non-streamed answer without a bound would hold all of it
                const piece = Buffer.alloc(32_000, 0x61);
                let left = 2_048;
                const pump = () => {
                    while (!res.destroyed && left-- > 0) {
                        if (!res.write(Buffer.concat(writer.data(piece)))) return void res.once('drain', pump);
                    }
                };
                this.hanging.add(res);
                res.on('close', () => this.hanging.delete(res));
                res.write(Buffer.concat(data));
                return pump();
            }
        }
    }
}

function nonStream(kind: 'chat' | 'completions'): string {
    const choice = kind === 'chat' ? { index: 0, message: { role: 'assistant', content: 'hostile answer' }, finish_reason: 'stop' } : { index: 0, text: 'hostile answer', finish_reason: 'stop' };
    return JSON.stringify({ id: 'hostile', object: kind === 'chat' ? 'chat.completion' : 'text_completion', created: 1767000000, model: 'stub-model', choices: [choice] });
}

function sse(kind: 'chat' | 'completions'): string {
    const chunk = (content: string, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'hostile', object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: 1767000000, model: 'stub-model', choices: [kind === 'chat' ? { index: 0, delta: { content }, finish_reason: finish } : { index: 0, text: content, finish_reason: finish }] })}\n\n`;
    return chunk('hostile', null) + chunk(' answer', 'stop') + 'data: [DONE]\n\n';
}
