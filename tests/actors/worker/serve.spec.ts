/**
 * The worker over real HTTP on 127.0.0.1: attestation, sealed requests answered by the engine, receipts,
 * vouchers, claims on the (sandbox) chain, and every refusal with its status and code.
 */
import { Address, toNano } from '@ton/core';
import { claimSplit } from '../../../wrappers/Job';
import { JobState } from '../../../wrappers/Constants';
import { chainHead, receiptChainHead, requestCost, ZERO_HEAD } from '../../../wrappers/payloads';
import { Headers, MediaTypes, Paths, WIRE_ERROR_STATUS } from '../../../actors/wire';
import { generateX25519 } from '../../../actors/crypto/keys';
import { startHarness, Harness } from './kit/harness';
import { EmbeddedChain } from '../../../actors/chain/dev/embedded';
import { receiptFromBase64 } from './kit/client';
import { stubAnswer } from './kit/stubEngine';
import { hashOf } from '../../../wrappers/testkit';

const PROMPT = 'Tell me a secret about the purple walrus';
const chat = (content = PROMPT, extra: Record<string, unknown> = {}) => ({ kind: 'chat' as const, body: { model: 'stub-model', messages: [{ role: 'user', content }], stream: true, ...extra } });

function sseContent(text: string): string {
    return text
        .split('\n\n')
        .filter((e) => e.startsWith('data: {'))
        .map((e) => JSON.parse(e.slice(6)))
        .map((j) => j.choices?.[0]?.delta?.content ?? j.choices?.[0]?.text ?? '')
        .join('');
}

/** 5000 TON per million tokens: a request costs hundredths of a TON, enough for a gasless claim to pay its gas. */
const DEAR = { prompt: toNano('5000'), cached: toNano('1000'), completion: toNano('5000'), reasoning: toNano('5000') };

describe('worker: the whole path', () => {
    let h: Harness;
    beforeAll(async () => {
        h = await startHarness({ prices: DEAR, settings: { creditLimit: toNano('1') } });
    });
    afterAll(async () => {
        await h?.stop();
    });

    it('attestation verifies with the simulated root; every answer says simulated', async () => {
        const doc = await h.client.attest();
        expect(doc.simulated).toBe(true);
        expect(doc.workerAccount).toBe(h.worker.worker.address.toRawString());
        expect(doc.model.hash).toBe(h.identity.modelHash.toString('hex'));
        const res = await fetch(h.url + Paths.health);
        expect(res.status).toBe(200);
        expect(res.headers.get(Headers.quoteProvider)).toBe('simulated');
    });

    it('serves sealed requests, signs chained receipts, and the claimed voucher pays the job exactly', async () => {
        const j = await h.openJob();
        const a1 = await h.client.request(j.address, 1, chat());
        expect(a1.status).toBe(200);
        expect(a1.headers[Headers.quoteProvider]).toBe('simulated');
        h.client.checkReceipt(a1);
        const expected = stubAnswer({ messages: [{ content: PROMPT }] }).words.join(' ');
        expect(sseContent(a1.text)).toBe(expected);
        expect(a1.text.endsWith('data: [DONE]\n\n')).toBe(true);
        const r1 = a1.receipt!.receipt;
        expect(r1.seqno).toBe(1);
        expect(r1.tokens.completion).toBe(expected.split(' ').length + 1);
        expect(r1.cost).toBe(requestCost(r1.tokens, h.worker.registration.prices));
        expect(r1.cumulative).toBe(r1.cost);
        expect(r1.modelHash.equals(h.identity.modelHash)).toBe(true);
        // the receipt names the job's life and opens the chain
        expect(r1.nonce).toBe(await j.job.getNonce());
        expect(r1.prevHead.equals(ZERO_HEAD)).toBe(true);
        // the worker capped max_tokens and forced usage in what it sent the engine
        const sent = h.engine.received[h.engine.received.length - 1];
        expect(typeof sent.max_tokens).toBe('number');

        const head1 = chainHead(ZERO_HEAD, a1.receipt!.cell);
        const v1 = j.voucher(r1.cumulative, { head: head1 });
        const a2 = await h.client.request(j.address, 2, { kind: 'completions', body: { model: 'stub-model', prompt: 'one two three', stream: false } }, { voucher: v1 });
        expect(a2.status).toBe(200);
        h.client.checkReceipt(a2);
        const r2 = a2.receipt!.receipt;
        expect(JSON.parse(a2.text).choices[0].text).toBe(stubAnswer({ prompt: 'one two three' }).words.join(' '));
        expect(r2.cumulative).toBe(r1.cumulative + r2.cost);
        // the second receipt links to the first: the chain verifies from the receipts alone
        expect(r2.nonce).toBe(r1.nonce);
        expect(r2.prevHead.equals(head1)).toBe(true);
        expect(receiptChainHead([a1.receipt!, a2.receipt!]).equals(chainHead(head1, a2.receipt!.cell))).toBe(true);

        // The client pays everything with a voucher; the worker claims it by external message.
        const head2 = chainHead(head1, a2.receipt!.cell);
        const v2 = j.voucher(r2.cumulative, { head: head2 });
        const ack = await h.client.sendVoucher(v2);
        expect(ack).toEqual({ status: 200, json: { job: j.address.toRawString(), best: r2.cumulative.toString(), accepted: true } });
        const before = await j.job.getJobData();
        expect(before.paid).toBe(0n);
        const chain = EmbeddedChain.over(h.p.blockchain);
        const workerAccount = h.worker.worker.address;
        const workerBefore = await chain.getAccount(workerAccount);
        const jobBefore = await chain.getAccount(j.address);
        await h.app.claimer.pass({ all: true });
        const after = await j.job.getJobData();
        expect(after.paid).toBe(r2.cumulative);
        // What the worker received, read from the chain: the earnings the job now holds for it plus any payout
        // its claim transaction sent to the worker account. It is the voucher less the protocol fee less what
        // the external claim deducted for its own gas and import fee, and that deduction covers the fees the
        // job's account really paid for the transaction (the escrow pays nothing for a claim).
        const split = claimSplit(0n, r2.cumulative, (await j.job.getTerms()).feeBps);
        expect(after.feesOwed - before.feesOwed).toBe(split.fee);
        const { transactions } = await chain.transactionsSince(j.address, jobBefore.lastTransaction);
        expect(transactions).toHaveLength(1); // the claim, and nothing else touched the job
        const [claimTx] = transactions;
        expect(claimTx.inMessage?.kind).toBe('external-in');
        expect(claimTx.success).toBe(true);
        const payout = claimTx.outMessages.filter((m) => m.destination?.equals(workerAccount)).reduce((n, m) => n + m.value + m.forwardFee, 0n);
        const received = after.held + payout;
        const deduction = split.net - received;
        expect(deduction).toBeGreaterThanOrEqual(claimTx.totalFees);
        // the job's own balance moved by the payout it sent and the fees, nothing else (a deduction above the
        // fees stays in the job, as the worker's gas bound)
        expect((await chain.getAccount(j.address)).balance).toBe(jobBefore.balance - claimTx.totalFees - payout);
        // the deduction is the job's real fees plus a small measured gas bound, not a charge of its own
        expect(deduction - claimTx.totalFees).toBeLessThan(claimTx.totalFees / 10n);
        // the worker account got the payout: one incoming message from the job carrying what the job sent
        const { transactions: workerTxs } = await chain.transactionsSince(workerAccount, workerBefore.lastTransaction);
        const fromJob = workerTxs.filter((t) => t.inMessage?.source?.equals(j.address));
        expect(fromJob).toHaveLength(payout > 0n ? 1 : 0);
        if (payout > 0n) {
            expect(fromJob[0].success).toBe(true);
            expect(fromJob[0].inMessage!.value + fromJob[0].inMessage!.forwardFee).toBe(payout);
        }
        await h.app.claimer.pass(); // the next pass sees the claim on-chain and confirms it
        const rec = h.app.store.getJob(j.address.toRawString())!;
        expect(rec.confirmedPaid).toBe(r2.cumulative);
        expect(rec.pendingClaim).toBeNull();
    });

    it('a capture of every byte exchanged holds neither the prompt nor the answer', async () => {
        const j = await h.openJob();
        const secret = 'zanzibar-quokka-7781 is my password';
        const a = await h.client.request(j.address, 1, chat(secret));
        expect(a.status).toBe(200);
        const answer = sseContent(a.text);
        const all = Buffer.concat(h.client.capture);
        for (const needle of [secret, 'zanzibar', PROMPT, answer, ...answer.split(' ').filter((w) => w.length > 3)]) {
            expect(all.includes(Buffer.from(needle))).toBe(false);
        }
        expect(all.includes(Buffer.from('purple walrus'))).toBe(false);
    });

    it('receipts of one life of a job address are never continued in another life: the worker refuses, it signs nothing', async () => {
        const j = await h.openJob();
        const a1 = await h.client.request(j.address, 1, chat());
        expect(a1.status).toBe(200);
        const job = j.address.toRawString();
        const rec = h.app.store.getJob(job)!;
        expect(rec.nonce).toBe(await j.job.getNonce());
        // the record's chain belongs to an earlier life of the address than the one now open on-chain
        await h.app.store.updateJob(job, (latest) => ({ ...latest, nonce: latest.nonce! - 1n }));
        const a2 = await h.client.request(j.address, 2, chat());
        expect([a2.status, a2.error!.code]).toEqual([409, 'job_not_open']);
        expect(a2.error!.message).toMatch(/earlier life of the job/);
        expect(h.app.store.getReceipt(job, 2)).toBeNull();
        await h.app.store.updateJob(job, (latest) => ({ ...latest, nonce: rec.nonce }));
    });

    it('a repeated seqno gets the stored receipt, never a second one', async () => {
        const j = await h.openJob();
        const a1 = await h.client.request(j.address, 1, chat());
        const again = await h.client.request(j.address, 1, chat('a different prompt'));
        expect(again.status).toBe(409);
        expect(again.error!.code).toBe('seqno_replayed');
        const stored = receiptFromBase64(again.error!.details.receipt!);
        expect(stored.cell.hash().equals(a1.receipt!.cell.hash())).toBe(true);
    });

    it('a client that hangs up mid-stream is billed by a stored receipt for what was served', async () => {
        const j = await h.openJob();
        h.engine.fault = 'hang-mid';
        h.engine.failAfter = 3;
        try {
            const a = await h.client.request(j.address, 1, chat(), { abortAfterData: 2 });
            expect(a.receipt).toBeNull();
            // the worker aborts the engine and stores the receipt; a retry of the seqno gets it
            let again = await h.client.request(j.address, 1, chat());
            for (let i = 0; i < 50 && again.error?.code === 'job_busy'; i++) {
                await new Promise((r) => setTimeout(r, 50));
                again = await h.client.request(j.address, 1, chat());
            }
            expect(again.error!.code).toBe('seqno_replayed');
            const r = receiptFromBase64(again.error!.details.receipt!);
            expect(r.receipt.tokens.completion).toBeGreaterThan(0);
            expect(r.receipt.tokens.completion).toBeLessThanOrEqual(3);
        } finally {
            h.engine.fault = 'none';
        }
    });
});

describe('worker: engine faults', () => {
    let h: Harness;
    beforeAll(async () => {
        h = await startHarness();
        await h.client.attest();
    });
    afterAll(async () => {
        await h?.stop();
    });
    afterEach(() => {
        h.engine.fault = 'none';
    });

    it('an engine error mid-stream ends with a signed receipt for what was served', async () => {
        const j = await h.openJob();
        h.engine.fault = 'fail-mid';
        h.engine.failAfter = 2;
        const a = await h.client.request(j.address, 1, chat());
        expect(a.status).toBe(200);
        expect(a.trailerError!.code).toBe('engine_failed');
        h.client.checkReceipt(a);
        expect(a.receipt!.receipt.tokens.completion).toBe(2);
    });

    it('an engine error before any token ends with no receipt, and the seqno stays free', async () => {
        const j = await h.openJob();
        h.engine.fault = 'fail-first';
        const a = await h.client.request(j.address, 1, chat());
        expect(a.trailerError!.code).toBe('engine_failed');
        expect(a.receipt).toBeNull();
        h.engine.fault = 'none';
        const b = await h.client.request(j.address, 1, chat());
        expect(b.status).toBe(200);
        h.client.checkReceipt(b);
    });

    it('a usage that breaks the bounds is never signed', async () => {
        const j = await h.openJob();
        h.engine.fault = 'overcount';
        const a = await h.client.request(j.address, 1, chat());
        expect(a.trailerError!.code).toBe('usage_out_of_bounds');
        expect(a.receipt).toBeNull();
        const again = await h.client.request(j.address, 2, chat());
        expect(again.error!.code).toBe('seqno_gap'); // seqno 1 was never consumed by a signature
    });

    it('an engine refusal travels sealed; an engine that is down gives 503 retryable', async () => {
        const j = await h.openJob();
        h.engine.fault = 'refuse';
        const a = await h.client.request(j.address, 1, chat());
        expect(a.status).toBe(200);
        expect(a.trailerError!.code).toBe('engine_refused');
        expect(a.trailerError!.details.engineStatus).toBe(400);
        expect(a.receipt).toBeNull();
        h.engine.fault = 'down';
        const b = await h.client.request(j.address, 1, chat());
        expect(b.status).toBe(503);
        expect(b.error!.code).toBe('engine_unavailable');
        expect(b.error!.details.retryable).toBe(true);
    });
});

describe('worker: refusals (status and code), and the process keeps serving', () => {
    let h: Harness;
    beforeAll(async () => {
        h = await startHarness({ settings: { creditLimit: 100_000n } });
        await h.client.attest();
    });
    afterAll(async () => {
        await h?.stop();
    });

    const raw = async (path: string, init: RequestInit) => {
        const res = await fetch(h.url + path, init);
        return { status: res.status, body: (await res.json()) as { error: { code: string; status: number } } };
    };

    it.each([
        ['broken framing', () => Buffer.from('garbage that is not an envelope at all, long enough to pass the size check............'), 'bad_envelope'],
        ['empty body', () => Buffer.alloc(0), 'bad_envelope'],
    ])('%s', async (_n, body, code) => {
        const r = await raw(Paths.requests, { method: 'POST', headers: { 'content-type': MediaTypes.request }, body: body() });
        expect(r.body.error.code).toBe(code);
        expect(r.status).toBe(WIRE_ERROR_STATUS[code as 'bad_envelope']);
    });

    it('wrong media type, unknown path, wrong method, bad nonce, oversized body', async () => {
        expect((await raw(Paths.requests, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).body.error.code).toBe('unsupported_media_type');
        const nf = await raw('/nope', { method: 'GET' });
        expect([nf.status, nf.body.error.code]).toEqual([404, 'not_found']);
        expect((await raw(Paths.requests, { method: 'GET' })).status).toBe(405);
        expect((await raw(Paths.freshness + '?nonce=12', { method: 'GET' })).body.error.code).toBe('bad_nonce');
        const big = await raw(Paths.requests, { method: 'POST', headers: { 'content-type': MediaTypes.request }, body: Buffer.alloc(70 * 1024) });
        expect([big.status, big.body.error.code]).toEqual([413, 'payload_too_large']);
    });

    it('a slow client gets 408 and the worker keeps serving', async () => {
        const net = await import('net');
        const port = Number(new URL(h.url).port);
        const text = await new Promise<string>((resolve) => {
            const s = net.connect(port, '127.0.0.1', () => {
                s.write(`POST ${Paths.requests} HTTP/1.1\r\nHost: x\r\nContent-Type: ${MediaTypes.request}\r\nContent-Length: 500\r\n\r\nabc`);
            });
            let got = '';
            s.on('data', (d) => (got += d.toString()));
            s.on('close', () => resolve(got));
            s.on('end', () => resolve(got));
            setTimeout(() => s.destroy(), 4_000);
        });
        expect(text).toContain('408');
        expect(text).toContain('request_timeout');
        expect((await fetch(h.url + Paths.health)).status).toBe(200);
    });

    it('wrong network, unknown job, job of another worker, seqno gap, undecryptable request', async () => {
        const j = await h.openJob();
        expect((await h.client.request(j.address, 1, chat(), { globalId: -3 })).error!.code).toBe('wrong_network');
        const nowhere = Address.parseRaw('0:' + '11'.repeat(32));
        const a = await h.client.request(nowhere, 1, chat());
        expect([a.status, a.error!.code]).toEqual([404, 'job_not_found']);
        const other = await h.p.registerWorker(await h.p.wallet('other owner'));
        const { openJob } = await import('../../../wrappers/testkit/jobs');
        const foreign = await openJob(h.p, { worker: other });
        const f = await h.client.request(foreign.address, 1, chat());
        expect([f.status, f.error!.code]).toEqual([403, 'job_wrong_worker']);
        const g = await h.client.request(j.address, 5, chat());
        expect([g.status, g.error!.code, g.error!.details.expected]).toEqual([409, 'seqno_gap', 1]);
        // a request sealed to another key does not open
        const saved = h.client.doc.encKey;
        h.client.doc.encKey = generateX25519().publicKey.toString('hex');
        const d = await h.client.request(j.address, 1, chat());
        h.client.doc.encKey = saved;
        expect([d.status, d.error!.code]).toEqual([400, 'cannot_decrypt']);
    });

    it('a job the client closed on-chain is refused with 409 job_not_open, and so is one after a final voucher', async () => {
        const j = await h.openJob();
        const a = await h.client.request(j.address, 1, chat());
        expect(a.status).toBe(200);
        await j.job.sendClose(j.client.getSender(), toNano('0.1'));
        expect((await j.job.getJobData()).state).toBe(JobState.Closing); // the client's close landed: the challenge period runs
        const closed = await h.client.request(j.address, 2, chat());
        expect([closed.status, closed.error!.code]).toEqual([409, 'job_not_open']);
        expect(closed.error!.message).toMatch(/closing/);

        const k = await h.openJob();
        const b = await h.client.request(k.address, 1, chat());
        expect(b.status).toBe(200);
        const head = chainHead(ZERO_HEAD, b.receipt!.cell);
        expect((await h.client.sendVoucher(k.voucher(b.receipt!.receipt.cumulative, { head, final: true }))).status).toBe(200);
        const afterFinal = await h.client.request(k.address, 2, chat());
        expect([afterFinal.status, afterFinal.error!.code]).toEqual([409, 'job_not_open']);
        expect(afterFinal.error!.message).toMatch(/final voucher/);
    });

    it('a second request on a job while one is being served is refused with 409 job_busy', async () => {
        const j = await h.openJob();
        h.engine.fault = 'hang-mid';
        h.engine.failAfter = 3;
        const hangUp = new AbortController();
        try {
            let streaming!: () => void;
            const firstFrame = new Promise<void>((r) => (streaming = r));
            const first = h.client.request(j.address, 1, chat(), { onData: (n) => n === 1 && streaming(), abortAfterData: 1_000, signal: hangUp.signal });
            await firstFrame; // the first request is in the middle of its stream (the engine hangs)
            const next = await h.client.request(j.address, 2, chat());
            expect([next.status, next.error!.code]).toEqual([409, 'job_busy']);
            const same = await h.client.request(j.address, 1, chat());
            expect([same.status, same.error!.code]).toEqual([409, 'job_busy']);
            hangUp.abort();
            await first;
        } finally {
            h.engine.fault = 'none';
        }
    });

    it('bad vouchers: wrong signer, other job, backwards, wrong network', async () => {
        const j = await h.openJob();
        const k = await h.openJob();
        const { ed25519FromLabel } = await import('../../../wrappers/testkit');
        const bad = j.voucher(100n, { secretKey: ed25519FromLabel('mallory').secretKey });
        expect((await h.client.sendVoucher(bad)).json).toMatchObject({ error: { code: 'bad_voucher', status: 400 } });
        const a = await h.client.request(j.address, 1, chat(), { voucher: k.voucher(10n) });
        expect(a.error!.code).toBe('bad_voucher');
        expect((await h.client.sendVoucher(j.voucher(300n))).status).toBe(200);
        expect((await h.client.sendVoucher(j.voucher(200n))).json).toMatchObject({ error: { code: 'voucher_backwards', status: 409 } });
        expect((await h.client.sendVoucher(j.voucher(400n, { globalId: -3 }))).json).toMatchObject({ error: { code: 'wrong_network' } });
        expect((await h.client.sendVoucher(j.voucher(300n))).json).toMatchObject({ accepted: false, best: '300' });
    });

    it("a voucher whose head is not a head of the worker's receipt chain for the job is refused, piggybacked or alone", async () => {
        const j = await h.openJob();
        const k = await h.openJob();
        const a1 = await h.client.request(j.address, 1, chat());
        expect(a1.status).toBe(200);
        const r1 = a1.receipt!.receipt;
        const head1 = chainHead(ZERO_HEAD, a1.receipt!.cell);
        // a head that acknowledges receipts this worker never signed (forged, or another job's chain)
        const b1 = await h.client.request(k.address, 1, chat());
        const otherJobsHead = chainHead(ZERO_HEAD, b1.receipt!.cell);
        for (const head of [hashOf('a receipt chain the worker never signed'), otherJobsHead, chainHead(head1, a1.receipt!.cell)]) {
            expect((await h.client.sendVoucher(j.voucher(r1.cumulative, { head }))).json).toMatchObject({ error: { code: 'bad_voucher', status: 400 } });
            const refused = await h.client.request(j.address, 2, chat(), { voucher: j.voucher(r1.cumulative, { head }) });
            expect([refused.status, refused.error!.code]).toEqual([400, 'bad_voucher']);
        }
        // nothing was stored or served on those
        expect((await h.client.sendVoucher(j.voucher(r1.cumulative, { head: head1 }))).json).toMatchObject({ accepted: true, best: r1.cumulative.toString() });
        const a2 = await h.client.request(j.address, 2, chat(), { voucher: j.voucher(r1.cumulative, { head: head1 }) });
        expect(a2.status).toBe(200);
        // a client lagging one receipt behind still pays with the older head; the genesis head (a prepayment) is its own too
        const head2 = chainHead(head1, a2.receipt!.cell);
        expect((await h.client.sendVoucher(j.voucher(r1.cumulative + 1n, { head: head1 }))).status).toBe(200);
        expect((await h.client.sendVoucher(j.voucher(r1.cumulative + 2n, { head: ZERO_HEAD }))).status).toBe(200);
        expect((await h.client.sendVoucher(j.voucher(a2.receipt!.receipt.cumulative, { head: head2 }))).status).toBe(200);
    });

    it('credit: unpaid receipts beyond the limit are refused until a voucher arrives', async () => {
        const j = await h.openJob();
        let seqno = 1;
        let refused = null;
        let cumulative = 0n;
        let head = ZERO_HEAD;
        for (; seqno < 20; seqno++) {
            const a = await h.client.request(j.address, seqno, chat());
            if (a.status !== 200) {
                refused = a;
                break;
            }
            cumulative = a.receipt!.receipt.cumulative;
            head = chainHead(head, a.receipt!.cell);
            expect(cumulative).toBeLessThanOrEqual(100_000n);
        }
        expect([refused!.status, refused!.error!.code]).toEqual([402, 'credit_exceeded']);
        const ok = await h.client.request(j.address, seqno, chat(), { voucher: j.voucher(cumulative, { head }) });
        expect(ok.status).toBe(200);
    });

    it('a job whose deposit cannot pay is refused with insufficient_deposit', async () => {
        const j = await h.openJob();
        const data = await j.job.getJobData();
        // the client pays almost all of the deposit ahead (a voucher), the worker claims it
        await h.client.sendVoucher(j.voucher(data.deposit - 100n));
        await h.app.claimer.pass({ all: true });
        const a = await h.client.request(j.address, 1, chat());
        expect([a.status, a.error!.code]).toEqual([402, 'insufficient_deposit']);
    });

    it('a top-up that landed after the job was read is seen before a request is refused for the deposit', async () => {
        // A worker that trusts its job reads for a minute: the refusal below caches a deposit that cannot pay.
        const cached = await startHarness({ prices: DEAR, settings: { creditLimit: toNano('1') }, jobFreshnessMs: 60_000 });
        try {
            await cached.client.attest();
            const j = await cached.openJob();
            const data = await j.job.getJobData();
            await cached.client.sendVoucher(j.voucher(data.deposit - 100n));
            await cached.app.claimer.pass({ all: true });
            const refused = await cached.client.request(j.address, 1, chat());
            expect([refused.status, refused.error!.code]).toEqual([402, 'insufficient_deposit']);
            // The client tops up and sends at once, as a relay under load does.
            const payer = await cached.p.wallet('client');
            await cached.p.run(() => j.job.sendTopUp(payer.getSender(), toNano('5')));
            const served = await cached.client.request(j.address, 1, chat());
            expect(served.status).toBe(200);
        } finally {
            await cached.stop();
        }
    });

    it('the process kept serving through all of it', async () => {
        expect((await fetch(h.url + Paths.health)).status).toBe(200);
        const metrics = await (await fetch(h.url + Paths.metrics)).text();
        expect(metrics).toContain('cocoon_worker_requests_total');
        expect(metrics).toContain('cocoon_worker_tokens_total{category="completion"}');
    });
});

