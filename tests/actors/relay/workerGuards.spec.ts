/**
 * Which workers the relay may pay. Payment stops per worker, durably: a worker whose receipt the relay refused (here a receipt not priced at the
 * agreed prices, a check the contracts cannot slash for) is recorded in the relay's store with the reason and
 * time. Neither the next maintenance pass nor a restart verifies it again, so no new escrow is opened for it
 * and no request reaches it, until the operator clears it. And a worker whose on-chain prices are above the
 * relay's --max-prices is never tried (its open_job would be refused on-chain). The relay in front of an honest and a hostile worker
 * (tests/stress/kit), over real HTTP on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { spawnSync } from 'child_process';
import type { AddressInfo } from 'net';
import pino from 'pino';
import { Address, toNano } from '@ton/core';
import { Worker } from '../../../wrappers/Worker';
import { WorkerStatus } from '../../../wrappers/Constants';
import { RelayStore } from '../../../actors/relay/store/lmdb';
import { createRelayHttpServer } from '../../../actors/relay/http/server';
import { API_KEY, MODEL, PRICES, startStressNet, type StressNet } from '../../stress/kit/relayNet';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..', '..');

describe('relay: a worker whose receipt was refused is barred durably', () => {
    let net: StressNet;
    let goodUrl: string;
    beforeAll(async () => {
        net = await startStressNet({ maxBodyBytes: 64 * 1024, maxTokens: 48, requestTimeoutMs: 8_000 });
        net.use('good');
        goodUrl = net.relay.registry.get(net.accounts.good)!.url;
    });
    afterAll(async () => {
        await net?.stop();
    });

    const chat = (relayUrl = net.relayUrl) =>
        fetch(`${relayUrl}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 }),
        });
    const hostile = () => net.accounts.hostile;
    const hostileJobs = (store: RelayStore) => store.jobs().filter((j) => j.worker === hostile()).length;
    /** What WorkerDiscovery reports on every pass: both accounts active on-chain. */
    const found = () => [
        { address: Address.parse(net.accounts.good), standing: 'active' as const },
        { address: Address.parse(hostile()), standing: 'active' as const },
    ];
    const urls = () => ({ [net.accounts.good]: goodUrl, [hostile()]: net.hostile.url });

    it('a mispriced receipt: after a maintenance pass and after a restart no new job is opened for the worker and no request goes to it', async () => {
        net.use('hostile');
        net.retireJobs('hostile');
        net.hostile.mode = 'cost-off';
        const refused = await chat();
        expect(refused.status).toBe(502);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('receipt_rejected');
        const jobs = hostileJobs(net.relayStore);
        const served = net.hostile.served.length;
        // it behaves again now: that must not earn it a new escrow
        net.hostile.mode = 'honest';

        // the next maintenance pass: the honest worker is verified again, the barred one is not
        await net.relay.discovered(found(), urls());
        const entry = net.relay.registry.get(hostile())!;
        expect(entry.status).toBe('refused');
        expect(entry.reasons.join('\n')).toMatch(/receipt refused/);
        expect(entry.reasons.join('\n')).toMatch(/cost/);
        expect(net.relay.candidates(MODEL).map((c) => c.worker.account)).toEqual([net.accounts.good]);
        for (let i = 0; i < 3; i++) expect((await chat()).status).toBe(200);
        expect(net.hostile.served.length).toBe(served);
        expect(hostileJobs(net.relayStore)).toBe(jobs);
        const bar = net.relayStore.getBarred(hostile())!;
        expect(bar.reason).toMatch(/cost/);
        expect(bar.at).toBeGreaterThan(0);
        expect(net.relay.status().barred.map((b) => b.account)).toEqual([hostile()]);

        // the relay restarted: a new process over the same state directory
        const store = new RelayStore(net.relayDir);
        try {
            const restarted = net.newRelay(store);
            await restarted.discovered(found(), urls());
            const again = restarted.registry.get(hostile())!;
            expect(again.status).toBe('refused');
            expect(again.reasons.join('\n')).toMatch(/receipt refused.*cost/);
            expect(restarted.candidates(MODEL).map((c) => c.worker.account)).toEqual([net.accounts.good]);
            // even a verified entry put back by hand is never selected, so no escrow can be opened for it
            restarted.registry.set(hostile(), { ...net.relay.registry.get(net.accounts.good)!, account: hostile(), url: net.hostile.url, worker: { ...net.relay.registry.get(net.accounts.good)!.worker!, account: hostile() } });
            expect(restarted.candidates(MODEL).map((c) => c.worker.account)).toEqual([net.accounts.good]);
            expect(hostileJobs(store)).toBe(jobs);
        } finally {
            await store.close();
        }
        expect(net.hostile.served.length).toBe(served);
    });

    it('the operator clears the bar: the worker is verified and used again', async () => {
        expect(net.relay.forgetBar(hostile())).toBe(true);
        expect(net.relayStore.getBarred(hostile())).toBeUndefined();
        await net.relay.discovered(found(), urls());
        expect(net.relay.registry.get(hostile())!.status).toBe('verified');
        expect(net.relay.candidates(MODEL).map((c) => c.worker.account).sort()).toEqual([net.accounts.good, hostile()].sort());
        expect(net.relay.forgetBar(hostile())).toBe(false);
    });

    it('`relay status` names a barred worker with its reason; `relay workers forget <address>` clears it', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'relay-barred-cli-'));
        const cli = (...args: string[]) => spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, 'actors/relay/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
        const account = Address.parse(hostile());
        try {
            const s = new RelayStore(join(dir, 'state'));
            s.putBarred({ account: account.toRawString(), reason: 'receipt refused: cost 1 is not the cost at the agreed prices', at: Date.parse('2026-12-03T09:00:00Z') });
            await s.close();
            const status = cli('status', '--data-dir', dir);
            expect(status.status).toBe(0);
            expect(status.stdout).toMatch(/barred workers: 1/);
            expect(status.stdout).toContain(account.toRawString());
            expect(status.stdout).toContain('cost 1 is not the cost at the agreed prices');
            expect(status.stdout).toContain('2026-12-03T09:00:00.000Z');
            const unknown = cli('workers', 'forget', '0:' + '12'.repeat(32), '--data-dir', dir);
            expect(unknown.status).not.toBe(0);
            // the friendly form of the address works too
            const forgot = cli('workers', 'forget', account.toString(), '--data-dir', dir);
            expect(forgot.status).toBe(0);
            expect(forgot.stdout).toContain('bar cleared');
            const s2 = new RelayStore(join(dir, 'state'));
            expect(s2.barred()).toEqual([]);
            await s2.close();
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a worker whose on-chain prices are above the relay's --max-prices is never tried: no open_job is sent, the app gets 503 naming the max prices", async () => {
        const dir = mkdtempSync(join(tmpdir(), 'relay-max-prices-'));
        const store = new RelayStore(dir);
        // one price a nanoton under the workers' completion price
        const relay = net.newRelay(store, { maxPrices: { ...PRICES, completion: PRICES.completion - 1n } });
        relay.addKey(API_KEY, 'test app', null);
        const server = createRelayHttpServer(relay, net.limits, pino({ level: 'silent' }));
        const opens = jest.spyOn(net.funding, 'open');
        try {
            await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
            const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            expect((await relay.checkWorker(Address.parse(net.accounts.good), goodUrl)).status).toBe('verified');
            expect(relay.candidates(MODEL)).toEqual([]);
            for (let i = 0; i < 2; i++) {
                const res = await chat(url);
                expect(res.status).toBe(503);
                const body = (await res.json()) as { error: { code: string; message: string } };
                expect(body.error.code).toBe('no_worker_available');
                expect(body.error.message).toMatch(/max-prices/);
            }
            expect(opens).not.toHaveBeenCalled();
            expect(store.jobs()).toEqual([]);
        } finally {
            opens.mockRestore();
            server.closeAllConnections();
            await new Promise<void>((r) => server.close(() => r()));
            await store.close();
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('a validly signed receipt for another model: the relay reports it on-chain, the worker is slashed and the reporter reward reaches the relay wallet', async () => {
        net.use('hostile');
        net.retireJobs('hostile');
        const w = net.p.blockchain.openContract(Worker.createFromAddress(Address.parse(hostile())));
        const before = await w.getState();
        const repBefore = await w.getReputation();
        const params = await net.p.root.getParams();
        const walletBalance = async () => (await net.p.blockchain.getContract(net.funding.wallet.address)).balance;
        // an honest answer first opens the job, so the wallet's balance moves only by the report after it
        net.hostile.mode = 'honest';
        expect((await chat()).status).toBe(200);
        const walletBefore = await walletBalance();
        net.hostile.mode = 'receipt-wrong-model';
        const res = await chat();
        net.hostile.mode = 'honest';
        expect(res.status).toBe(502);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('receipt_rejected');
        expect(body.error.message).toMatch(/model/);

        // on-chain: slashed by slash_bps of the stake, the reporter's share to the relay's wallet
        const after = await w.getState();
        const slash = (before.stake * BigInt(params.slashBps)) / 10_000n;
        const reward = (slash * BigInt(params.reporterBps)) / 10_000n;
        expect(reward).toBeGreaterThan(0n);
        expect(after.status).toBe(WorkerStatus.Slashed);
        expect(after.stake).toBe(before.stake - slash);
        expect((await w.getReputation()).slashes).toBe(repBefore.slashes + 1);
        const gained = (await walletBalance()) - walletBefore;
        // the wallet sent 0.1 TON with the report and got the reward plus the report's unspent value back
        expect(gained).toBeGreaterThan(reward - toNano('0.1'));
        expect(gained).toBeLessThanOrEqual(reward);
        expect(net.relayStore.getBarred(hostile())!.reason).toMatch(/model/);
    });
});
