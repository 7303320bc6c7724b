/**
 * Faults with two workers on one local protocol: failover before the first byte, a receipt that fails the
 * check stops payment, a key's spending cap, and the SDK's automatic retries never billing twice.
 */
import OpenAI from 'openai';
import { toNano } from '@ton/core';
import { startNetwork, Network, MODEL, API_KEY } from './kit/network';

jest.setTimeout(120_000);

const messages = [{ role: 'user' as const, content: 'Tell me about the sea' }];

describe('relay faults', () => {
    let net: Network;
    beforeAll(async () => {
        net = await startNetwork({ workers: 2 });
    });
    afterAll(async () => {
        await net?.stop();
    });

    async function chatRaw(apiKey = API_KEY): Promise<Response> {
        return fetch(`${net.relayUrl}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: MODEL, messages, max_tokens: 6 }),
        });
    }

    it('both workers verified', () => {
        expect(net.relay.status().workers.map((w) => w.status)).toEqual(['verified', 'verified']);
    });

    it('concurrent re-verifications of one worker share one check (500 streams meeting an unreachable worker must not each verify it)', async () => {
        const account = net.workers[0].reg.worker.address;
        const attestationFetches = () => fetchSpy.mock.calls.filter(([u]) => String(u).includes('/v1/attestation')).length;
        const fetchSpy = jest.spyOn(globalThis, 'fetch');
        try {
            const entries = await Promise.all(Array.from({ length: 20 }, () => net.relay.checkWorker(account)));
            expect(entries.every((e) => e.status === 'verified')).toBe(true);
            expect(attestationFetches()).toBe(1);
        } finally {
            fetchSpy.mockRestore();
        }
    });

    it("a maintenance pass while a job is being opened leaves that job to the request opening it (it must not adopt it as a free job for another request)", async () => {
        // every job retired: the next request opens one
        for (const j of net.relayStore.jobs()) if (j.state === 'open' && !j.stopped) net.relayStore.putJob({ ...j, stopped: 'retired by the test' });
        const funding = net.funding;
        const realOpen = funding.open;
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        let accepted!: (job: string) => void;
        const onChain = new Promise<string>((r) => (accepted = r));
        // the job is open and accepted on-chain; the opening request has not recorded it yet
        funding.open = async (...args) => {
            const info = await realOpen.apply(funding, args);
            accepted(info.address.toRawString());
            await held;
            return info;
        };
        try {
            const request = chatRaw();
            const job = await onChain;
            expect(net.relayStore.openings().map((o) => o.address)).toContain(job);
            // the periodic pass (main.ts) runs meanwhile
            expect(await net.relay.recoverOpenings()).toEqual([]);
            expect(net.relayStore.getJob(job)).toBeUndefined();
            release();
            const res = await request;
            expect(res.status).toBe(200);
            const record = net.relayStore.getJob(job)!;
            expect(record.seqno).toBe(1);
            expect(net.relayStore.openings().map((o) => o.address)).not.toContain(job);
            // and once it is recorded, a pass leaves it alone too
            expect(await net.relay.recoverOpenings()).toEqual([]);
        } finally {
            funding.open = realOpen;
            release();
        }
    });

    it('a worker down before the first byte is replaced by the next one transparently', async () => {
        const first = await chatRaw();
        expect(first.status).toBe(200);
        // the worker the relay will try first now
        const used = net.relay.candidates(MODEL)[0].worker.account;
        const victim = net.workers.find((w) => w.reg.worker.address.toRawString() === used)!;
        await victim.stop();
        const second = await chatRaw();
        expect(second.status).toBe(200);
        expect(second.headers.get('x-cocoon-worker')).not.toBe(used);
        const entry = net.relay.registry.get(used)!;
        expect(entry.status).toBe('unreachable');
        // re-verification on reconnection fails while it is down, with the reason
        const again = await net.relay.checkWorker(victim.reg.worker.address);
        expect(again.status).toBe('unreachable');
        expect(again.reasons[0]).toMatch(/cannot verify/);
    });

    it('a key over its spending cap is refused with 429 and no retry, and nothing is billed', async () => {
        net.relay.addKey('sk-capped', 'capped app', toNano('0.001'));
        const sdk = new OpenAI({ baseURL: `${net.relayUrl}/v1`, apiKey: 'sk-capped', maxRetries: 2 });
        await expect(sdk.chat.completions.create({ model: MODEL, messages, max_tokens: 6 })).rejects.toMatchObject({ status: 429, code: 'spending_cap_reached' });
        const k = net.relayStore.keys().find((x) => x.name === 'capped app')!;
        expect(k.spent).toBe(0n);
        expect(k.requests).toBe(0);
    });

    it('the SDK retries a 503 where nothing was served, and nothing is billed twice', async () => {
        const before = net.relayStore.keys().find((k) => k.name === 'test app')!;
        const jobsBefore = net.relayStore.jobs().map((j) => [j.address, j.cumulative] as const);
        const saved = [...net.relay.registry.values()].map((e) => ({ ...e }));
        for (const e of net.relay.registry.values()) e.worker = null; // every worker unverified: 503, retryable
        let attempts = 0;
        const sdk = new OpenAI({ baseURL: `${net.relayUrl}/v1`, apiKey: API_KEY, maxRetries: 2, fetch: async (u, i) => { attempts++; return fetch(u, i); } });
        await expect(sdk.chat.completions.create({ model: MODEL, messages, max_tokens: 6 })).rejects.toMatchObject({ status: 503, code: 'no_worker_available' });
        for (const e of saved) net.relay.registry.set(e.account, e);
        const after = net.relayStore.keys().find((k) => k.name === 'test app')!;
        expect(after.spent).toBe(before.spent);
        expect(net.relayStore.jobs().map((j) => [j.address, j.cumulative] as const)).toEqual(jobsBefore);
        expect(attempts).toBe(3); // the first try and the SDK's two retries
    });

    it('a receipt not priced at the agreed prices is refused: payment to that job stops, no voucher is signed', async () => {
        const live = net.workers.find((w) => net.relay.registry.get(w.reg.worker.address.toRawString())?.status === 'verified')!;
        const acct = live.reg.worker.address.toRawString();
        const job = net.relayStore.jobs().find((j) => j.worker === acct && j.state === 'open' && !j.stopped)!;
        const voucherBefore = net.relayStore.getVoucher(job.address)!;
        // the relay's record says the job was agreed at lower prices than the worker charges
        net.relayStore.putJob({ ...job, prices: { ...job.prices, completion: job.prices.completion / 2n, prompt: job.prices.prompt / 2n } });
        const res = await chatRaw();
        expect(res.status).toBe(502);
        expect(res.headers.get('x-should-retry')).toBe('false');
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('receipt_rejected');
        expect(body.error.message).toMatch(/cost/);
        const stopped = net.relayStore.getJob(job.address)!;
        expect(stopped.stopped).toMatch(/agreed prices/);
        expect(net.relayStore.getVoucher(job.address)!.amount).toBe(voucherBefore.amount);
        expect(net.relay.registry.get(acct)!.status).toBe('refused');
    });
});
