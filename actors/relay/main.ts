/**
 * `npm run relay -- start | status | jobs | keys add/list/revoke | workers list/forget | close-idle`: the relay process on the chain
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
import { configFromFlags, mnemonicFrom, type RelayConfig } from './config';
import { createRelayHttpServer } from './http/server';
import { formatTon } from './openai/shape';
import { barReason, Relay } from './relay';
import { RelayStore } from './store/lmdb';
import { claimStoreForWallet, lockDataDir } from './store/instance';
import { closeIdleJobs, finalizeDueJobs } from './jobs/lifecycle';
import { systemClock } from './types';
import { collateralProviderFor } from './workers/collateral';
import { postVoucher } from './workers/client';
import type { SignedCell } from '../../wrappers/payloads';

function voucherSeed(cfg: RelayConfig): Buffer {
    if (cfg.voucherSeed) return Buffer.from(cfg.voucherSeed, 'hex');
    const f = join(cfg.dataDir, 'voucher.key');
    if (existsSync(f)) return Buffer.from(readFileSync(f, 'utf8').trim(), 'hex');
    const s = randomBytes(32);
    writeFileSync(f, s.toString('hex'), { mode: 0o600 });
    return s;
}

async function start(o: Record<string, string | boolean | undefined>): Promise<void> {
    const cfg = configFromFlags(o, process.env);
    mkdirSync(cfg.dataDir, { recursive: true });
    // before anything else: a second instance on this data directory must not touch its jobs or its wallet
    const lock = lockDataDir(cfg.dataDir, 'relay start');
    process.on('exit', () => lock.release());
    const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
    const chain = createChain(chainSettingsFromEnv());
    const root = Address.parse(cfg.root);
    const wallet = await chain.openWallet(cfg.mnemonic.trim().split(/\s+/));
    const { globalId } = await chain.config();
    const seed = voucherSeed(cfg);
    const store = new RelayStore(join(cfg.dataDir, 'state'));
    try {
        claimStoreForWallet(store, wallet.address.toRawString());
    } catch (e) {
        await store.close();
        throw e;
    }
    const random = { bytes: (n: number) => randomBytes(n) };
    const trustedRoots = cfg.trustSimulatedRoot ? [anchorFromCertificate(new X509Certificate(readFileSync(cfg.trustSimulatedRoot)), 'simulated root (development)', true)] : undefined;
    if (cfg.trustSimulatedRoot) log.warn('trusting a SIMULATED TDX root: development only; every answer says simulated');
    const relay = new Relay({
        store,
        collateral: collateralProviderFor(cfg, (err) => log.warn({ err: err.message }, 'collateral fetch failed')),
        facts: new ChainWorkerFacts(chain, root),
        funding: new WalletJobFunding(chain, wallet, root, random),
        clock: systemClock,
        random,
        log,
        voucherSeed: seed,
        voucherPublic: ed25519FromSeed(seed).publicKey,
        trust: { trustedRoots: trustedRoots ?? [(await import('../tee')).INTEL_SGX_ROOT], allowedStatuses: cfg.allowNoCollateral ? ['UpToDate', 'NoCollateral'] : ['UpToDate'], globalId, root: root.toRawString() },
        payment: { deposit: cfg.deposit, maxPrices: cfg.maxPrices, idleCloseMs: cfg.idleCloseMinutes * 60_000, refusedOpenCooldownMs: cfg.refusedOpenCooldownSeconds * 1000 },
        requestTimeoutMs: cfg.requestTimeoutMs,
        maxAnswerBytes: cfg.maxAnswerBytes,
    });
    const limits = {
        maxBodyBytes: cfg.maxBodyBytes,
        maxTokens: cfg.maxTokens,
        requestTimeoutMs: cfg.requestTimeoutMs,
        bodyTimeoutMs: cfg.bodyTimeoutMs,
        headersTimeoutMs: cfg.headersTimeoutMs,
        keepAliveTimeoutMs: cfg.keepAliveTimeoutMs,
        slowReaderTimeoutMs: cfg.slowReaderTimeoutMs,
        streamBufferBytes: cfg.streamBufferBytes,
    };
    const discovery = new WorkerDiscovery(chain, root);
    const discover = async () => {
        await discovery.sync();
        await relay.discovered(discovery.workers(), cfg.workerUrls);
    };
    await discover();
    // what a crash may have left half-done: a job open without its record, a voucher signed but not delivered
    await relay.recoverOpenings();
    await relay.deliverVouchers();
    const server = createRelayHttpServer(relay, limits, log);
    await new Promise<void>((r) => server.listen(cfg.port, cfg.listen, r));
    log.info({ url: `http://${cfg.listen}:${cfg.port}/v1`, wallet: wallet.address.toString(), workers: relay.status().workers.map((w) => ({ account: w.account, status: w.status, reasons: w.reasons })), barred: relay.status().barred.map((b) => ({ account: b.account, reason: barReason(b) })) }, 'relay listening');
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
        lock.release();
        process.exit(0);
    };
    process.on('SIGTERM', () => void stop());
    process.on('SIGINT', () => void stop());
}

/**
 * `close-idle`: the maintenance pass of a stopped relay, with its wallet and data directory (it takes the
 * instance lock, so it refuses to run next to a live relay, whose own timer does the same work). Closes the
 * jobs unused for `--idle-minutes` (a voucher the worker never got is delivered to its on-chain endpoint
 * first, or claimed on-chain from the wallet when the worker cannot be reached), then finalizes every closing job whose challenge period is over; with
 * `--wait` it stays until the last deadline passes and finalizes those too.
 */
async function closeIdleCommand(o: Record<string, string | boolean | undefined>): Promise<void> {
    const dataDir = String(o.dataDir);
    if (!existsSync(join(dataDir, 'state'))) throw new Error(`no relay state in ${dataDir}`);
    const rootText = (o.root as string | undefined) ?? process.env.RELAY_ROOT;
    if (!rootText) throw new Error('--root <address> (or RELAY_ROOT) is required');
    const idle = Number(o.idleMinutes);
    if (!Number.isFinite(idle) || idle < 0) throw new Error('--idle-minutes: a number of minutes, 0 or more');
    const lock = lockDataDir(dataDir, 'relay close-idle');
    const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
    const store = new RelayStore(join(dataDir, 'state'));
    try {
        const chain = createChain(chainSettingsFromEnv());
        const wallet = await chain.openWallet(mnemonicFrom(process.env, o.mnemonicFile as string | undefined).trim().split(/\s+/));
        claimStoreForWallet(store, wallet.address.toRawString());
        const random = { bytes: (n: number) => randomBytes(n) };
        const root = Address.parse(rootText);
        const funding = new WalletJobFunding(chain, wallet, root, random);
        // a voucher signed but never delivered goes to the worker's on-chain endpoint, or is claimed from the wallet
        const facts = new ChainWorkerFacts(chain, root);
        const deliver = async (worker: string, voucher: SignedCell) => {
            await postVoucher((await facts.read(Address.parse(worker))).endpoint, voucher);
        };
        const closed = await closeIdleJobs({ store, funding, log, now: Date.now(), idleMs: idle * 60_000, deliver });
        for (const c of closed) console.log(`closed ${c.address}: challenge period ends ${new Date(c.deadline * 1000).toISOString()}`);
        for (;;) {
            for (const a of await finalizeDueJobs({ store, funding, log, chainNow: await chain.now() })) console.log(`finalized ${a}: the unspent deposit is back in ${wallet.address.toString()}`);
            const closing = store.jobs().filter((j) => j.state === 'closing');
            if (closing.length === 0 || !o.wait) {
                if (closing.length > 0) console.log(`${closing.length} job(s) still in their challenge period: run close-idle again after it (or pass --wait)`);
                break;
            }
            await new Promise((r) => setTimeout(r, 5_000));
        }
        const left = store.jobs();
        console.log(`jobs: open ${left.filter((j) => j.state === 'open').length}, closing ${left.filter((j) => j.state === 'closing').length}, finalized ${left.filter((j) => j.state === 'finalized').length}`);
    } finally {
        await store.close();
        lock.release();
    }
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
    .option('--body-timeout-ms <ms>', 'time a client has to send its request body (408 after it)', '30000')
    .option('--headers-timeout-ms <ms>', 'time a client has to send its request head; silent connections are closed after it', '30000')
    .option('--keep-alive-timeout-ms <ms>', 'how long an idle keep-alive connection stays open', '65000')
    .option('--slow-reader-timeout-ms <ms>', 'a streaming client that reads nothing for this long gets its stream ended (client_timeout) and the worker answer cut', '30000')
    .option('--stream-buffer-bytes <n>', 'what the relay buffers for one streaming client before it stops reading from the worker', '65536')
    .option('--request-timeout-ms <ms>', 'a request (every worker tried included) without a complete answer by then gets 504 request_timeout', '300000')
    .option('--max-answer-bytes <n>', 'largest non-streamed answer held for a client; a worker that sends more is cut off (502)', String(16 << 20))
    .option('--idle-close-minutes <n>', 'a job unused this long is closed (its deposit comes back at settlement)', '60')
    .option('--refresh-seconds <n>', 'how often workers are discovered and rechecked and idle or due jobs closed and finalized', '60')
    .option('--refused-open-cooldown-seconds <n>', 'after the root refused an open_job for everyone (openings paused, library unpaid), no job is opened for this long', '60')
    .option('--trust-simulated-root <pem>', 'trust a simulated TDX root (development only)')
    .option('--allow-no-collateral', 'accept quotes verified offline only')
    .option('--collateral <file,...>', "Intel collateral files (dcap-qvl JSON, `npm run collateral -- fetch`) for workers that staple none, picked by the quote's FMSPC")
    .option('--pccs <url>', 'PCCS or Intel PCS base URL to fetch collateral from for workers that staple none')
    .option('--worker-url <account=url,...>', 'override on-chain endpoints')
    .action((o) => start(o).catch((e) => {
        console.error(`relay: ${(e as Error).message}`);
        process.exit(1);
    }));
program
    .command('close-idle')
    .description('close jobs idle longer than --idle-minutes, then finalize those past their challenge period (run while the relay is stopped)')
    .option('--root <address>', 'root contract address (or RELAY_ROOT)')
    .option('--data-dir <dir>', 'state directory', '.relay')
    .option('--mnemonic-file <file>', 'wallet mnemonic file (or RELAY_MNEMONIC)')
    .option('--idle-minutes <n>', 'close jobs unused for this long (0: every open job)', '60')
    .option('--wait', 'wait for the challenge periods to end and finalize')
    .action((o) => closeIdleCommand(o).catch((e) => {
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
        printBarred(s);
        await s.close();
    });

/** Workers whose receipt was refused: never verified or paid again until `workers forget`. */
function printBarred(s: RelayStore): void {
    const barred = s.barred();
    console.log(`barred workers: ${barred.length}`);
    for (const b of barred) console.log(`  ${b.account} ${barReason(b)}`);
}
const workers = program.command('workers').description('workers the relay stopped paying after a refused receipt');
workers.command('list')
    .option('--data-dir <dir>', 'state directory', '.relay')
    .action(async (o) => {
        const s = offline(o.dataDir);
        printBarred(s);
        await s.close();
    });
workers.command('forget <address>')
    .description('clear a bar: the worker is verified again on the next discovery pass (a running relay reads the bar from its store)')
    .option('--data-dir <dir>', 'state directory', '.relay')
    .action(async (address: string, o) => {
        const s = offline(o.dataDir);
        try {
            const raw = Address.parse(address).toRawString();
            if (s.clearBarred(raw)) console.log(`${raw}: bar cleared`);
            else {
                console.error(`${raw} is not barred`);
                process.exitCode = 1;
            }
        } finally {
            await s.close();
        }
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
