/**
 * The faults of a network of real processes (local chain, tiny engine, worker, relay), one by one, in the
 * order a deployment meets them: the worker killed mid-stream, the worker restarted with new keys, the relay
 * restarted, and the relay killed at the three moments the chaos runs found unsafe (right after a job open
 * left its wallet, inside the receipt's database write, between signing a voucher and delivering it). After
 * each, the invariants of invariants.ts hold against both databases and the chain.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { streamChat, type Outcome } from './app';
import { checkState, jobsOfWallet, readDatabases } from './invariants';
import { ChaosNetwork, MAX_TOKENS, MODEL } from './network';

jest.setTimeout(20 * 60_000);

describe('faults of the network as processes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cocoon-faults-'));
    const net = new ChaosNetwork(dir, () => undefined);
    const outcomes: Outcome[] = [];
    const ask = async (onChunk?: (n: number) => void, maxTokens = MAX_TOKENS) => {
        const o = await streamChat(net.baseURL, net.apiKey, { model: MODEL, prompt: 'Count to five.', maxTokens, onChunk });
        outcomes.push(o);
        return o;
    };
    const invariants = async () => checkState(net.lc.chain, await readDatabases(net.relayDir, net.workerDir), outcomes, await jobsOfWallet(net.lc.chain, net.relayWallet));
    const jobsOfRelay = async () => (await readDatabases(net.relayDir, net.workerDir)).relayJobs;

    beforeAll(async () => {
        await net.start();
        expect((await ask()).kind).toBe('full');
    });
    afterAll(async () => {
        await net.processes.stopAll();
        rmSync(dir, { recursive: true, force: true });
    });

    it('worker killed mid-stream: the app gets a clear error, nothing is billed twice', async () => {
        // the tiny engine is fast: the kill at the first chunk may land after the answer ended (then that
        // answer is full and billed once, which the invariants check); a few tries land one mid-stream
        const seen: Outcome['kind'][] = [];
        for (let i = 0; i < 3 && !seen.includes('error'); i++) {
            let killed: Promise<void> | null = null;
            const o = await ask((n) => {
                if (n === 1) killed = net.kill('worker');
            }, 32);
            await killed;
            seen.push(o.kind);
            await net.restart('worker');
            expect(await invariants()).toEqual([]);
        }
        expect(seen).toContain('error');
        expect(seen).not.toContain('truncated');
    });

    it('worker restarted with new keys: the relay verifies it again at once and the next request is served', async () => {
        await net.restart('worker');
        const o = await ask();
        if (o.kind !== 'full') throw new Error(`not served after the worker's restart: ${JSON.stringify(o)}\n${net.tail('relay').slice(-3000)}`);
        expect(await invariants()).toEqual([]);
    });

    it('relay restarted: it resumes its jobs and API keys (the same job, the next seqno)', async () => {
        const before = await ask();
        if (before.kind !== 'full') throw new Error(`not served: ${JSON.stringify(before)}`);
        await net.restart('relay');
        const after = await ask();
        if (after.kind !== 'full') throw new Error(`not served after the restart: ${JSON.stringify(after)}`);
        expect(after.billed.job).toBe(before.billed.job);
        expect(after.billed.seqno).toBe(before.billed.seqno + 1);
        expect(await invariants()).toEqual([]);
    });

    it('relay killed right after a job open left its wallet: after the restart the relay knows the job', async () => {
        await net.restart('worker'); // new keys: the next request needs a new job
        await net.restart('relay', 'relay.open.sent');
        expect((await ask()).kind).toBe('error');
        expect(await net.exited('relay', 5000)).toBe(true);
        await net.restart('relay');
        expect((await ask()).kind).toBe('full');
        expect(await invariants()).toEqual([]);
    });

    it('relay killed inside the receipt write: the receipt is accounted and the key charged exactly once', async () => {
        await net.restart('relay', process.env.CHAOS_DB_POINT ?? 'relay.receipt.midway');
        await ask();
        expect(await net.exited('relay', 5000)).toBe(true);
        await net.restart('relay');
        expect((await ask()).kind).toBe('full');
        expect(await invariants()).toEqual([]);
    });

    it('relay killed between signing a voucher and delivering it, then the worker restarts: the worker still gets the voucher', async () => {
        await net.restart('relay', 'relay.voucher.signed');
        await ask();
        expect(await net.exited('relay', 5000)).toBe(true);
        const job = (await readDatabases(net.relayDir, net.workerDir)).vouchers;
        await net.restart('worker'); // new keys: the relay never uses that job again
        await net.restart('relay');
        const s = await readDatabases(net.relayDir, net.workerDir);
        for (const [address, v] of job) expect(s.workerJobs.get(address)?.best?.amount ?? 0n).toBe(v.amount);
        expect(await invariants()).toEqual([]);
        expect((await jobsOfRelay()).length).toBeGreaterThan(1);
    });
});
