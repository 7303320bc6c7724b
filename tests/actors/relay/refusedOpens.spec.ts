/**
 * Opens the chain refuses. The relay opens jobs through the production funding (WalletJobFunding over the chain
 * layer's wallet) in front of the stress net's real worker, and reads every refusal from the chain: a worker
 * account that refuses the offer (the job refunds the relay with "cocoon: job refused: <reason>") is not chosen
 * again until a verification pass finds it usable, and a root that refuses all openings (paused) stops every
 * open for a cool-down with a 503 instead of one refused open (fees lost) per request.
 */
import { randomBytes } from 'crypto';
import type { AddressInfo } from 'net';
import type { Server } from 'http';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import { Address, toNano } from '@ton/core';
import { EmbeddedChain } from '../../../actors/chain/dev';
import { ChainError, type ChainWallet } from '../../../actors/chain/types';
import { DEFAULT_FUNDING, WalletJobFunding } from '../../../actors/relay/chain/funding';
import { createRelayHttpServer } from '../../../actors/relay/http/server';
import { Relay, type RelayDeps } from '../../../actors/relay/relay';
import { RelayStore } from '../../../actors/relay/store/lmdb';
import type { WorkerFacts } from '../../../actors/relay/types';
import { Op } from '../../../wrappers/Constants';
import { PauseFlags } from '../../../wrappers/Root';
import { API_KEY, MODEL, startStressNet, type StressNet } from '../../stress/kit/relayNet';

jest.setTimeout(240_000);

describe('relay: opens the chain refuses', () => {
    let net: StressNet;
    let chain: EmbeddedChain;
    let wallet: ChainWallet;
    let relay: Relay;
    let store: RelayStore;
    let server: Server;
    let url: string;
    let dir: string;
    /** The relay's clock runs `skew` ms ahead of the system's (to pass a cool-down without waiting). */
    let skew = 0;
    /** While set, the relay reads this snapshot of the worker account (a chain view that lags the chain). */
    /** While set, the relay's funding rejects every open with it (a root refusal the local chain cannot produce here). */
    let injected: ChainError | null = null;
    let stale: Awaited<ReturnType<WorkerFacts['read']>> | null = null;

    beforeAll(async () => {
        net = await startStressNet({ maxBodyBytes: 64 * 1024, maxTokens: 48, requestTimeoutMs: 8_000 });
        chain = EmbeddedChain.over(net.p.blockchain);
        const real = await chain.openWallet((await chain.local.fundedWallet(toNano('1000'))).mnemonic);
        wallet = {
            address: real.address,
            balance: () => real.balance(),
            sender: () => real.sender(),
            send: (messages) => {
                for (const m of messages) {
                    const b = m.body?.beginParse();
                    if (m.to.equals(net.p.root.address) && b && b.remainingBits >= 32 && b.loadUint(32) === Op.openJob) opens++;
                }
                return real.send(messages);
            },
        };
        const base = (net.relay as unknown as { d: RelayDeps }).d;
        dir = mkdtempSync(join(tmpdir(), 'refused-opens-'));
        store = new RelayStore(dir);
        const facts: WorkerFacts = { read: async (a) => stale ?? base.facts.read(a) };
        relay = new Relay({
            ...base,
            store,
            facts,
            clock: { now: () => Date.now() + skew },
            funding: new (class extends WalletJobFunding {
                override async open(...a: Parameters<WalletJobFunding['open']>) {
                    if (injected) throw injected;
                    return super.open(...a);
                }
            })(chain, wallet, net.p.root.address, { bytes: (n) => randomBytes(n) }, { ...DEFAULT_FUNDING, challenge: net.p.params.minChallenge }),
        });
        relay.addKey(API_KEY, 'refused opens', null);
        await relay.checkWorker(Address.parse(net.accounts.good), net.relay.registry.get(net.accounts.good)!.url);
        server = createRelayHttpServer(relay, net.limits, pino({ level: 'silent' }));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
        if (server) {
            server.closeAllConnections();
            await new Promise<void>((r) => server.close(() => r()));
        }
        await store?.close();
        await net?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const chat = () =>
        fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 }),
        });
    /** open_job messages the relay's wallet has sent to the root so far (every message the wallet signs passes here). */
    let opens = 0;
    const opensSent = async () => opens;
    const retire = () => {
        for (const j of store.jobs()) if (j.state === 'open' && !j.stopped) store.putJob({ ...j, stopped: 'retired by the test' });
    };
    const health = async () => (await (await fetch(`${url}/health`)).json()) as { workers: { account: string; status: string; reasons: string[] }[] };

    it('root pauses job openings: one refused open, then 503 job_openings_paused with no further open_job for the cool-down; requests on an open job keep working; opens resume after unpause and the cool-down', async () => {
        expect((await chat()).status).toBe(200); // opens one job while openings are allowed
        const job = store.jobs().find((j) => j.state === 'open')!;
        await net.p.run(() => net.p.root.sendGovernance(net.p.governance.getSender(), { kind: 'pause', flags: PauseFlags.jobOpenings }, toNano('0.05')));
        // the open job still serves
        expect((await chat()).status).toBe(200);
        retire();
        const before = await opensSent();
        const first = await chat();
        expect(first.status).toBe(503);
        expect(((await first.json()) as { error: { code: string } }).error.code).toBe('job_openings_paused');
        expect(await opensSent()).toBe(before + 1);
        for (let i = 0; i < 3; i++) {
            const r = await chat();
            expect(r.status).toBe(503);
            const body = (await r.json()) as { error: { code: string; message: string } };
            expect(body.error.code).toBe('job_openings_paused');
            expect(body.error.message).toMatch(/paused/);
        }
        expect(await opensSent()).toBe(before + 1);
        expect(job).toBeDefined();

        await net.p.run(() => net.p.root.sendGovernance(net.p.governance.getSender(), { kind: 'unpause', flags: PauseFlags.jobOpenings }, toNano('0.05')));
        expect((await chat()).status).toBe(503); // still inside the cool-down: nothing is spent
        expect(await opensSent()).toBe(before + 1);
        skew += 61_000;
        expect((await chat()).status).toBe(200);
        expect(await opensSent()).toBe(before + 2);
    });

    it('a worker account that refuses the offer (inactive): after one refused open no other job is opened at it and /health names the reason; the verification pass re-reads the chain: skipped while unbonding, used again once the owner cancels', async () => {
        retire();
        const account = Address.parse(net.accounts.good);
        // the relay's chain view lags: it still sees the worker active while its owner has asked to unbond
        stale = await relay['d'].facts.read(account);
        const reg = net.funding.workers.get(net.accounts.good)!;
        await net.p.run(() => reg.worker.sendRequestUnbond(reg.owner.getSender(), toNano('0.1')) as never);
        const before = await opensSent();
        const first = await chat();
        expect(first.status).toBe(503);
        expect(await opensSent()).toBe(before + 1);
        for (let i = 0; i < 2; i++) expect((await chat()).status).toBe(503);
        expect(await opensSent()).toBe(before + 1);
        const w = (await health()).workers.find((x) => x.account === net.accounts.good)!;
        expect(w.status).toBe('refused');
        expect(w.reasons.join(' ')).toMatch(/refused the job offer: inactive/);

        // the maintenance pass verifies it again from the chain as it is: still unbonding, still not chosen
        stale = null;
        const found = [{ address: account, standing: 'active' as const }];
        await relay.discovered(found);
        expect(relay.registry.get(net.accounts.good)!.worker).toBeNull();
        expect((await chat()).status).toBe(503);
        expect(await opensSent()).toBe(before + 1);
        // the owner cancels the unbonding: the next pass finds it usable and a job is opened again
        await net.p.run(() => reg.worker.sendCancelUnbond(reg.owner.getSender(), toNano('0.1')) as never);
        await relay.discovered(found);
        expect(relay.registry.get(net.accounts.good)!.status).toBe('verified');
        expect((await chat()).status).toBe(200);
        expect(await opensSent()).toBe(before + 2);
    });

    it('a root refusal about the worker (156 workerNotBasechain) counts against that worker, not every open: it is refused in /health, no cool-down starts', async () => {
        retire();
        injected = new ChainError('refused_on_chain', 'the open was refused by the root: worker not on basechain (error 156 workerNotBasechain)', { exitCode: 156, errorName: 'workerNotBasechain' });
        const r = await chat();
        expect(r.status).toBe(503);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('no_worker_available');
        const w = (await health()).workers.find((x) => x.account === net.accounts.good)!;
        expect(w.status).toBe('refused');
        expect(w.reasons.join(' ')).toMatch(/root refused the open: .*156/);
        injected = null;
        await relay.discovered([{ address: Address.parse(net.accounts.good), standing: 'active' }]);
        expect((await chat()).status).toBe(200); // no chain-wide cool-down was started
    });
});
