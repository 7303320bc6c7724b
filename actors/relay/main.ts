/**
 * `npm run relay -- start | status | jobs | keys add/list/revoke | close-idle`: the relay process on the chain
 * layer (toncenter v2 API or the local chain server), with its W5 wallet, discovery from the root address, the
 * OpenAI-compatible HTTP server, and the job lifecycle on timers.
 */
import { Command } from 'commander';
import { randomBytes, X509Certificate } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import pino from 'pino';
import { Address } from '@ton/core';
import { chainSettingsFromEnv, createChain, WorkerDiscovery } from '../chain';
import { ed25519FromSeed } from '../crypto/keys';
import { anchorFromCertificate } from '../tee';
import { ChainWorkerFacts } from './chain/facts';
import { WalletJobFunding } from './chain/funding';
import { mnemonicFrom, parseConfig, type RelayConfig } from './config';
import { createRelayHttpServer } from './http/server';
import { formatTon } from './openai/shape';
import { Relay } from './relay';
import { RelayStore } from './store/lmdb';
import { systemClock } from './types';

function voucherSeed(cfg: RelayConfig): Buffer {
    if (cfg.voucherSeed) return Buffer.from(cfg.voucherSeed, 'hex');
    const f = join(cfg.dataDir, 'voucher.key');
    if (existsSync(f)) return Buffer.from(readFileSync(f, 'utf8').trim(), 'hex');
    const s = randomBytes(32);
    writeFileSync(f, s.toString('hex'), { mode: 0o600 });
    return s;
}

function configFrom(o: Record<string, string | boolean | undefined>): RelayConfig {
    const urls: Record<string, string> = {};
    for (const pair of String(o.workerUrl ?? '').split(',').filter(Boolean)) {
        const [a, u] = pair.split('=');
        urls[Address.parse(a).toRawString()] = u;
    }
    const prices = String(o.maxPrices ?? '1000,1000,1000,1000').split(',');
    return parseConfig({
        root: o.root ?? process.env.RELAY_ROOT,
        listen: o.listen,
        port: o.port,
        dataDir: o.dataDir,
        mnemonic: mnemonicFrom(process.env, o.mnemonicFile as string | undefined),
        deposit: o.deposit,
        maxPrices: { prompt: prices[0], cached: prices[1], completion: prices[2], reasoning: prices[3] },
        maxTokens: o.maxTokens,
        trustSimulatedRoot: o.trustSimulatedRoot,
        allowNoCollateral: Boolean(o.allowNoCollateral) || Boolean(o.trustSimulatedRoot),
        workerUrls: urls,
    });
}

async function start(o: Record<string, string | boolean | undefined>): Promise<void> {
    const cfg = configFrom(o);
    mkdirSync(cfg.dataDir, { recursive: true });
    const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
    const chain = createChain(chainSettingsFromEnv());
    const root = Address.parse(cfg.root);
    const wallet = await chain.openWallet(cfg.mnemonic.trim().split(/\s+/));
    const { globalId } = await chain.config();
    const seed = voucherSeed(cfg);
    const store = new RelayStore(join(cfg.dataDir, 'state'));
    const random = { bytes: (n: number) => randomBytes(n) };
    const trustedRoots = cfg.trustSimulatedRoot ? [anchorFromCertificate(new X509Certificate(readFileSync(cfg.trustSimulatedRoot)), 'simulated root (development)', true)] : undefined;
    if (cfg.trustSimulatedRoot) log.warn('trusting a SIMULATED TDX root: development only; every answer says simulated');
    const relay = new Relay({
        store,
        facts: new ChainWorkerFacts(chain, root),
        funding: new WalletJobFunding(chain, wallet, root, random),
        clock: systemClock,
        random,
        log,
        voucherSeed: seed,
        voucherPublic: ed25519FromSeed(seed).publicKey,
        trust: { trustedRoots: trustedRoots ?? [(await import('../tee')).INTEL_SGX_ROOT], allowedStatuses: cfg.allowNoCollateral ? ['UpToDate', 'NoCollateral'] : ['UpToDate'], globalId, root: root.toRawString() },
        payment: { deposit: cfg.deposit, maxPrices: cfg.maxPrices, idleCloseMs: cfg.idleCloseMinutes * 60_000 },
        requestTimeoutMs: cfg.requestTimeoutMs,
    });
    const limits = { maxBodyBytes: cfg.maxBodyBytes, maxTokens: cfg.maxTokens, requestTimeoutMs: cfg.requestTimeoutMs };
    const discovery = new WorkerDiscovery(chain, root);
    const discover = async () => {
        await discovery.sync();
        for (const w of discovery.workers()) {
            const key = w.address.toRawString();
            const known = relay.registry.get(key);
            if (w.standing !== 'active') {
                if (known) relay.registry.delete(key);
                continue;
            }
            if (!known?.worker) await relay.checkWorker(w.address, cfg.workerUrls[key]);
        }
    };
    await discover();
    // what a crash may have left half-done: a job open without its record, a voucher signed but not delivered
    await relay.recoverOpenings();
    await relay.deliverVouchers();
    const server = createRelayHttpServer(relay, limits, log);
    await new Promise<void>((r) => server.listen(cfg.port, cfg.listen, r));
    log.info({ url: `http://${cfg.listen}:${cfg.port}/v1`, wallet: wallet.address.toString(), workers: relay.status().workers.map((w) => ({ account: w.account, status: w.status, reasons: w.reasons })) }, 'relay listening');
    const timer = setInterval(() => {
        void (async () => {
            await discover();
            await relay.recoverOpenings();
            await relay.closeIdle();
            await relay.finalizeDue(await chain.now());
        })().catch((e) => log.warn({ err: (e as Error).message }, 'maintenance pass failed'));
    }, cfg.refreshSeconds * 1000);
    const stop = async () => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close();
        await store.close();
        process.exit(0);
    };
    process.on('SIGTERM', () => void stop());
    process.on('SIGINT', () => void stop());
}

function offline(dataDir: string): RelayStore {
    return new RelayStore(join(dataDir, 'state'));
}

const program = new Command().name('relay').description('cocoon-ton client relay: an OpenAI-compatible API over verified, paid workers');
program
    .command('start')
    .option('--root <address>', 'root contract address (or RELAY_ROOT)')
    .option('--listen <host>', 'listen address', '127.0.0.1')
    .option('--port <n>', 'listen port', '8090')
    .option('--data-dir <dir>', 'state directory', '.relay')
    .option('--mnemonic-file <file>', 'wallet mnemonic file (or RELAY_MNEMONIC)')
    .option('--deposit <ton>', 'deposit of each job and top-up', '5')
    .option('--max-prices <ton,ton,ton,ton>', 'highest prices accepted (prompt,cached,completion,reasoning per million tokens)')
    .option('--max-tokens <n>', 'largest max_tokens accepted', '4096')
    .option('--trust-simulated-root <pem>', 'trust a simulated TDX root (development only)')
    .option('--allow-no-collateral', 'accept quotes verified offline only')
    .option('--worker-url <account=url,...>', 'override on-chain endpoints')
    .action((o) => start(o).catch((e) => {
        console.error(`relay: ${(e as Error).message}`);
        process.exit(1);
    }));
program
    .command('jobs')
    .option('--data-dir <dir>', 'state directory', '.relay')
    .action(async (o) => {
        const s = offline(o.dataDir);
        for (const j of s.jobs()) console.log(`${j.address} worker=${j.worker} state=${j.state} seqno=${j.seqno} owed=${formatTon(j.cumulative)} TON deposit=${formatTon(j.deposit)} TON${j.stopped ? ` STOPPED: ${j.stopped}` : ''}`);
        await s.close();
    });
program
    .command('status')
    .option('--data-dir <dir>', 'state directory', '.relay')
    .action(async (o) => {
        const s = offline(o.dataDir);
        const jobs = s.jobs();
        console.log(`jobs: ${jobs.length} (open ${jobs.filter((j) => j.state === 'open').length}, stopped ${jobs.filter((j) => j.stopped).length}); owed ${formatTon(jobs.reduce((a, j) => a + j.cumulative, 0n))} TON; keys: ${s.keys().length}`);
        await s.close();
    });
const keys = program.command('keys');
keys.command('add <name>')
    .option('--data-dir <dir>', 'state directory', '.relay')
    .option('--cap <ton>', 'spending cap in TON')
    .action(async (name: string, o) => {
        const s = offline(o.dataDir);
        const secret = `sk-cocoon-${randomBytes(24).toString('base64url')}`;
        const { newApiKey } = await import('./core/keys');
        const { toNano } = await import('@ton/core');
        s.putKey(newApiKey(secret, name, o.cap ? toNano(o.cap) : null, Date.now()));
        console.log(secret);
        await s.close();
    });
keys.command('list')
    .option('--data-dir <dir>', 'state directory', '.relay')
    .action(async (o) => {
        const s = offline(o.dataDir);
        for (const k of s.keys()) console.log(`${k.id.slice(0, 16)} ${k.name} spent=${formatTon(k.spent)} cap=${k.cap === null ? 'none' : formatTon(k.cap)} requests=${k.requests}${k.revoked ? ' REVOKED' : ''}`);
        await s.close();
    });
keys.command('revoke <idPrefix>')
    .option('--data-dir <dir>', 'state directory', '.relay')
    .action(async (prefix: string, o) => {
        const s = offline(o.dataDir);
        const k = s.keys().find((x) => x.id.startsWith(prefix));
        if (!k) {
            console.error('no such key');
            process.exitCode = 1;
        } else s.putKey({ ...k, revoked: true });
        await s.close();
    });
program.parseAsync();
