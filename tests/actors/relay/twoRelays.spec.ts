/**
 * Two relay instances serving one app against one worker on the local chain, side by side: each has its own
 * W5 wallet, voucher key and LMDB, opens and pays its own job, and once the worker claims, each job has paid
 * exactly the last voucher of the relay that owns it — no request billed twice, none billed to the other.
 */
import { Address } from '@ton/core';
import { Job } from '../../../wrappers/Job';
import { startNetwork, Network, MODEL, RunningRelay } from './kit/network';

jest.setTimeout(180_000);

describe('two relay instances, one worker', () => {
    let net: Network;
    let second: RunningRelay;
    beforeAll(async () => {
        net = await startNetwork({ workers: 1 });
        second = await net.startRelay();
    });
    afterAll(async () => {
        await net?.stop();
    });

    it('both serve the same app concurrently, each through its own job, and each job pays exactly its own vouchers', async () => {
        expect(second.relay.status().workers.map((w) => w.status)).toEqual(['verified']);
        const a = net.openai();
        const b = new (require('openai').default)({ baseURL: `${second.url}/v1`, apiKey: 'sk-test-relay-key', maxRetries: 0 }) as ReturnType<Network['openai']>;
        const ask = (c: typeof a, i: number) => c.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `question ${i}` }], max_tokens: 6 });
        // interleaved, as a load balancer would spread one app's traffic
        const answers = await Promise.all([ask(a, 1), ask(b, 2), ask(a, 3), ask(b, 4)]);
        for (const r of answers) expect(r.choices[0].message.content).toBeTruthy();
        const more = await Promise.all([ask(b, 5), ask(a, 6)]);
        for (const r of more) expect(r.choices[0].message.content).toBeTruthy();

        const jobsA = net.relayStore.jobs();
        const jobsB = second.store.jobs();
        expect(jobsA.length).toBeGreaterThanOrEqual(1);
        expect(jobsB.length).toBeGreaterThanOrEqual(1);
        const addrA = new Set(jobsA.map((j) => j.address));
        for (const j of jobsB) expect(addrA.has(j.address)).toBe(false);
        expect(second.walletAddress.equals(net.relayWallet)).toBe(false);

        // each relay's accounting: receipts sum to its cumulative, its last voucher is that cumulative
        const usage = (rs: (typeof answers)[number][]) => rs.reduce((s, r) => s + BigInt((r.usage as unknown as { cost_nanoton: string }).cost_nanoton), 0n);
        const owedA = jobsA.reduce((s, j) => s + j.cumulative, 0n);
        const owedB = jobsB.reduce((s, j) => s + j.cumulative, 0n);
        expect(owedA).toBe(usage([answers[0], answers[2], more[1]]));
        expect(owedB).toBe(usage([answers[1], answers[3], more[0]]));
        for (const [store, jobs] of [[net.relayStore, jobsA], [second.store, jobsB]] as const) {
            for (const j of jobs) {
                expect(store.receipts(j.address).reduce((s, r) => s + r.cost, 0n)).toBe(j.cumulative);
                expect(store.getVoucher(j.address)!.amount).toBe(j.cumulative);
            }
        }

        // the worker claims everything it holds: each job on-chain pays exactly its relay's last voucher
        await net.workers[0].app.claimer.pass({ all: true });
        for (const j of [...jobsA, ...jobsB]) {
            const data = await net.p.blockchain.openContract(Job.createFromAddress(Address.parse(j.address))).getJobData();
            expect(data.paid).toBe(j.cumulative);
        }
        // and each relay's jobs carry its own voucher key on-chain (the key every voucher of the job must verify under)
        const keysOf = async (jobs: typeof jobsA) => new Set(await Promise.all(jobs.map(async (j) => Buffer.from((await net.p.blockchain.openContract(Job.createFromAddress(Address.parse(j.address))).getKeys()).clientKey).toString('hex'))));
        const [ka, kb] = [await keysOf(jobsA), await keysOf(jobsB)];
        expect(ka.size).toBe(1);
        expect(kb.size).toBe(1);
        expect([...ka][0]).not.toBe([...kb][0]);
    });
});
