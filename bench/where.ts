/**
 * "Where the time goes": the per-request costs of one streamed request through relay and worker, each
 * measured alone on this machine: HPKE (seal at the relay, open at the worker), padding and sealing every
 * answer frame (and opening them), the four signatures (receipt signed and verified, voucher signed and
 * verified), the durable database writes (relay and worker, alone and group-committed), and the worker's
 * chain read of a job (on the embedded chain; cached for 2 s in production).
 */
import { Address, beginCell, toNano } from '@ton/core';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { generateEd25519, generateX25519, x25519PrivateKey } from '../actors/crypto/keys';
import { signReceipt, signVoucher, verifyReceipt, verifyVoucher } from '../actors/crypto/payloads';
import { openRequest, sealRequest } from '../actors/crypto/request';
import { ResponseStreamOpener, ResponseStreamSealer } from '../actors/crypto/stream';
import { SealedStreamReader, SealedStreamWriter } from '../actors/wire/frames';
import { RelayStore } from '../actors/relay/store/lmdb';
import { LmdbStore } from '../actors/worker/store/lmdb';
import { newJobRecord } from '../actors/worker/store/types';
import { ChainJobDirectory } from '../actors/worker/chain/jobs';
import { EmbeddedChain } from '../actors/chain/dev';
import { deployForJobs, openJob } from '../wrappers/testkit/jobs';

/** Median seconds per call over `rounds` rounds of at least `ms` each (after a warm-up). */
export async function timeMedian(fn: () => unknown | Promise<unknown>, ms: number, rounds: number): Promise<number> {
    for (let i = 0; i < 3; i++) await fn();
    const per: number[] = [];
    for (let r = 0; r < rounds; r++) {
        let n = 0;
        const start = process.hrtime.bigint();
        let elapsed = 0;
        while (elapsed < ms * 1e6) {
            await fn();
            n++;
            elapsed = Number(process.hrtime.bigint() - start);
        }
        per.push(elapsed / 1e9 / n);
    }
    per.sort((a, b) => a - b);
    return per[Math.floor(per.length / 2)];
}

export interface WhereRow {
    step: string;
    where: string;
    /** Times per request (0: a comparison row, not on the request path as measured). */
    perRequest: number;
    /** 'cpu': event-loop time; 'flush': awaited wall time of a durable commit (done off the event loop). */
    kind: 'cpu' | 'flush';
    /** Seconds per occurrence. */
    seconds: number;
}

export async function whereTheTimeGoes(o: { ms: number; rounds: number; chunks: number }): Promise<WhereRow[]> {
    const rows: WhereRow[] = [];
    const t = (fn: () => unknown | Promise<unknown>) => timeMedian(fn, o.ms, o.rounds);
    const job = '0:' + '11'.repeat(32);
    const enc = generateX25519();
    const encKey = x25519PrivateKey(enc.privateKey);
    const receiptKeys = generateEd25519();
    const voucherKeys = generateEd25519();
    const request = randomBytes(600); // a short chat request body, JSON-encoded
    const binding = { jobAddress: job, seqno: 1, receiptKey: receiptKeys.publicKey };

    const sealed = sealRequest({ ...binding, recipientPublicKey: enc.publicKey, plaintext: request });
    rows.push({ step: 'HPKE seal of the request (600 B, fresh X25519 key)', where: 'relay', kind: 'cpu', perRequest: 1, seconds: await t(() => sealRequest({ ...binding, recipientPublicKey: enc.publicKey, plaintext: request })) });
    rows.push({ step: 'HPKE open of the request', where: 'worker', kind: 'cpu', perRequest: 1, seconds: await t(() => openRequest({ ...binding, recipientPrivateKey: encKey, enc: sealed.enc, ciphertext: sealed.ciphertext })) });

    // padding + sealing of every answer frame (one frame per engine chunk of ~8 B), and opening them
    const key = randomBytes(32);
    const chunk = Buffer.from(' gamma', 'utf8');
    const streamFrames = () => {
        const w = new SealedStreamWriter(new ResponseStreamSealer(key));
        const frames: Buffer[] = [];
        for (let i = 0; i < o.chunks; i++) frames.push(...w.data(chunk));
        return frames;
    };
    const frames = streamFrames();
    const perStreamSeal = await t(streamFrames);
    rows.push({ step: `pad to 512 B and seal ${o.chunks} answer frames`, where: 'worker', kind: 'cpu', perRequest: 1, seconds: perStreamSeal });
    rows.push({
        step: `open and unpad ${o.chunks} answer frames`,
        where: 'relay',
        kind: 'cpu',
        perRequest: 1,
        seconds: await t(() => {
            const r = new SealedStreamReader(new ResponseStreamOpener(key));
            for (const f of frames) r.push(f);
        }),
    });

    // the two signed payloads of every request
    const receipt = {
        globalId: -239,
        job: Address.parseRaw(job),
        seqno: 1,
        modelHash: randomBytes(32),
        tokens: { prompt: 20, cached: 0, completion: 33, reasoning: 0 },
        cost: toNano('0.08'),
        cumulative: toNano('0.08'),
        requestHash: randomBytes(32),
        responseHash: randomBytes(32),
    };
    const signedReceipt = signReceipt(receipt, receiptKeys.privateKey);
    rows.push({ step: 'receipt: build cell and sign (Ed25519)', where: 'worker', kind: 'cpu', perRequest: 1, seconds: await t(() => signReceipt(receipt, receiptKeys.privateKey)) });
    rows.push({ step: 'receipt: verify', where: 'relay', kind: 'cpu', perRequest: 1, seconds: await t(() => verifyReceipt(signedReceipt, receiptKeys.publicKey)) });
    const voucher = { globalId: -239, job: Address.parseRaw(job), nonce: 1n, amount: toNano('0.08'), tokens: 53n, head: randomBytes(32), final: false };
    const signedVoucher = signVoucher(voucher, voucherKeys.privateKey);
    rows.push({ step: 'voucher: build cell and sign', where: 'relay', kind: 'cpu', perRequest: 1, seconds: await t(() => signVoucher(voucher, voucherKeys.privateKey)) });
    rows.push({ step: 'voucher: verify', where: 'worker', kind: 'cpu', perRequest: 1, seconds: await t(() => verifyVoucher(signedVoucher, voucherKeys.publicKey)) });

    // durable writes: the relay writes twice per request (pending, then receipt + usage + voucher + job) and
    // marks the voucher sent; the worker twice (voucher kept, receipt issued)
    const dir = mkdtempSync(join(tmpdir(), 'bench-where-'));
    try {
        const relay = new RelayStore(join(dir, 'relay'));
        const worker = new LmdbStore(join(dir, 'worker'));
        const record = { address: job, worker: job, state: 'open', seqno: 1, cumulative: 1n, deposit: 5n, pending: null, receiptKey: receiptKeys.publicKey } as unknown as Parameters<RelayStore['putJob']>[0];
        const boc = beginCell().storeBuffer(randomBytes(100)).endCell().toBoc().toString('base64');
        const accountingWrite = () =>
            relay.writeTogether(() => {
                relay.putReceipt({ job, seqno: 1, boc, cost: 1n, cumulative: 1n, tokens: receipt.tokens });
                relay.putVoucher({ job, amount: 1n, final: false, boc, signature: 'ab'.repeat(64), sentAt: null });
                relay.putJob(record);
            });
        rows.push({ step: 'relay: one durable write alone (putSync, a flush on the event loop)', where: 'relay', kind: 'flush', perRequest: 0, seconds: await t(() => relay.putJob(record)) });
        rows.push({ step: 'relay: accounting transaction alone (awaited until flushed)', where: 'relay', kind: 'flush', perRequest: 0, seconds: await t(accountingWrite) });
        const group = 50;
        const grouped = await t(() => Promise.all(Array.from({ length: group }, accountingWrite)));
        rows.push({ step: `relay: the same, ${group} concurrent requests group-committed (per request)`, where: 'relay', kind: 'flush', perRequest: 3, seconds: grouped / group });
        const rec = newJobRecord(job);
        rows.push({ step: 'worker: job update alone (awaited until flushed)', where: 'worker', kind: 'flush', perRequest: 0, seconds: await t(() => worker.updateJob(job, () => rec)) });
        const wGrouped = await t(() => Promise.all(Array.from({ length: group }, (_, i) => worker.updateJob(`0:${String(i).padStart(64, '0')}`, () => rec))));
        rows.push({ step: `worker: the same, ${group} concurrent requests group-committed (per request)`, where: 'worker', kind: 'flush', perRequest: 2, seconds: wGrouped / group });
        await relay.close();
        await worker.close();
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }

    // the worker's chain read of a job (account state + parse), on the embedded chain
    const p = await deployForJobs();
    const opened = await openJob(p, { value: toNano('10') });
    const jobs = new ChainJobDirectory(EmbeddedChain.over(p.blockchain), { freshnessMs: 0 });
    rows.push({ step: 'worker: read the job from the chain (embedded chain; cached 2 s in production)', where: 'worker', kind: 'cpu', perRequest: 0, seconds: await t(() => jobs.get(opened.job.address, { fresh: true })) });
    return rows;
}
