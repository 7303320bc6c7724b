/**
 * A small worker client for the tests, written from the same libraries the relay uses (actors/wire,
 * actors/tee, actors/crypto, wrappers/payloads): verify the attestation and freshness, seal a request,
 * read the answer, check the receipt. It keeps every byte it sent and received (the capture test).
 */
import { Address, Cell } from '@ton/core';
import { randomBytes } from 'crypto';
import type { TrustAnchor } from '../../../../actors/tee';
import { reportDataFor, verifyNonce, verifyQuote } from '../../../../actors/tee';
import {
    attestationDocSchema,
    encodeVoucherEnvelope,
    freshnessProofSchema,
    Headers,
    MediaTypes,
    parseWireErrorBody,
    Paths,
    sealForWorker,
    StreamEvent,
    WireError,
    type AttestationDoc,
} from '../../../../actors/wire';
import { parseSignedReceiptCell, SignedCell, SignedReceipt } from '../../../../wrappers/payloads';
import { verifyReceipt } from '../../../../actors/crypto/payloads';
import type { InnerRequest } from '../../../../actors/wire';

export interface Answer {
    status: number;
    headers: Record<string, string>;
    error: WireError | null;
    events: StreamEvent[];
    /** The data bytes, concatenated (the engine's answer as the worker forwarded it). */
    text: string;
    receipt: SignedReceipt | null;
    requestHash: Buffer;
    responseHash: Buffer | null;
    trailerError: WireError | null;
}

export class TestClient {
    /** Every request and response body byte exchanged with the worker. */
    readonly capture: Buffer[] = [];
    doc!: AttestationDoc;

    constructor(
        readonly url: string,
        private readonly trust: TrustAnchor[],
    ) {}

    /** Fetches and verifies the attestation: quote to the trusted (simulated) root, REPORTDATA = the keys, freshness. */
    async attest(): Promise<AttestationDoc> {
        const res = await fetch(this.url + Paths.attestation);
        const text = await res.text();
        this.capture.push(Buffer.from(text));
        const doc = attestationDocSchema.parse(JSON.parse(text));
        const verdict = verifyQuote(Buffer.from(doc.quote, 'base64'), { at: new Date(), trustedRoots: this.trust, policy: { allowedStatuses: ['NoCollateral'] } });
        if (!verdict.ok) throw new Error(`quote refused: ${JSON.stringify(verdict.reasons)}`);
        const rd = reportDataFor({ receiptKey: Buffer.from(doc.receiptKey, 'hex'), encKey: Buffer.from(doc.encKey, 'hex') });
        if (verdict.measurements!.reportData !== rd.toString('hex')) throw new Error('REPORTDATA does not bind the advertised keys');
        if (verdict.quoteHash !== doc.quoteHash) throw new Error('quote hash differs');
        const nonce = randomBytes(32);
        const f = freshnessProofSchema.parse(await (await fetch(`${this.url}${Paths.freshness}?nonce=${nonce.toString('hex')}`)).json());
        if (!verifyNonce(Buffer.from(doc.receiptKey, 'hex'), nonce, Buffer.from(doc.quoteHash, 'hex'), Buffer.from(f.signature, 'hex'))) throw new Error('freshness signature invalid');
        this.doc = doc;
        return doc;
    }

    get receiptKey(): Buffer {
        return Buffer.from(this.doc.receiptKey, 'hex');
    }

    async post(path: string, type: string, body: Buffer): Promise<Response> {
        this.capture.push(body);
        return fetch(this.url + path, { method: 'POST', headers: { 'content-type': type }, body });
    }

    async sendVoucher(v: SignedCell): Promise<{ status: number; json: unknown }> {
        const res = await this.post(Paths.vouchers, MediaTypes.voucher, encodeVoucherEnvelope(v));
        const text = await res.text();
        this.capture.push(Buffer.from(text));
        return { status: res.status, json: JSON.parse(text) };
    }

    /** Seals and sends one request; reads the whole answer. `abortAfterData` hangs up after that many data frames. */
    async request(job: Address, seqno: number, request: InnerRequest, opts: { voucher?: SignedCell | null; globalId?: number; abortAfterData?: number; onData?: (frames: number) => void } = {}): Promise<Answer> {
        const sealed = sealForWorker({
            encKey: Buffer.from(this.doc.encKey, 'hex'),
            receiptKey: this.receiptKey,
            globalId: opts.globalId ?? this.doc.globalId,
            job,
            seqno,
            request,
            voucher: opts.voucher ?? null,
        });
        const ctl = new AbortController();
        this.capture.push(sealed.body);
        const res = await fetch(this.url + Paths.requests, { method: 'POST', headers: { 'content-type': MediaTypes.request }, body: sealed.body, signal: ctl.signal });
        const headers = Object.fromEntries(res.headers.entries());
        const answer: Answer = { status: res.status, headers, error: null, events: [], text: '', receipt: null, requestHash: sealed.requestHash, responseHash: null, trailerError: null };
        if (res.status !== 200) {
            const text = await res.text();
            this.capture.push(Buffer.from(text));
            answer.error = parseWireErrorBody(text);
            return answer;
        }
        let dataFrames = 0;
        try {
            for await (const chunk of res.body!) {
                const b = Buffer.from(chunk);
                this.capture.push(b);
                for (const ev of sealed.reader.push(b)) {
                    answer.events.push(ev);
                    if (ev.type === 'data') {
                        answer.text += ev.bytes.toString('utf8');
                        dataFrames++;
                        opts.onData?.(dataFrames);
                    }
                }
                if (opts.abortAfterData !== undefined && dataFrames >= opts.abortAfterData) {
                    ctl.abort();
                    return answer;
                }
            }
        } catch (e) {
            if (opts.abortAfterData === undefined) throw e;
            return answer;
        }
        sealed.reader.finish();
        answer.responseHash = sealed.reader.responseHash();
        const last = answer.events[answer.events.length - 1];
        if (last?.type === 'end') answer.receipt = last.receipt;
        if (last?.type === 'error') {
            answer.trailerError = last.error;
            answer.receipt = last.receipt;
        }
        return answer;
    }

    checkReceipt(a: Answer): void {
        if (!a.receipt) throw new Error('no receipt');
        if (!verifyReceipt(a.receipt, this.receiptKey)) throw new Error('receipt signature invalid');
        if (!a.receipt.receipt.requestHash.equals(a.requestHash)) throw new Error('request hash differs');
        if (a.responseHash && !a.receipt.receipt.responseHash.equals(a.responseHash)) throw new Error('response hash differs');
    }
}

export function receiptFromBase64(b64: string): SignedReceipt {
    return parseSignedReceiptCell(Cell.fromBoc(Buffer.from(b64, 'base64'))[0]);
}

export { Headers };
