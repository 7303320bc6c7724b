/**
 * The operator CLI: `npm run worker -- <command> [options]`.
 *
 *   attest      print fresh keys, a quote binding them, the quote hash, image hash and model hash
 *   start       boot (keys, quote, model hash, on-chain checks, key update if needed) and serve
 *   register    like start, but registers the worker account first (stake from the wallet, or a printed link)
 *   update      like start (a restart always needs the update of its keys; this name says so)
 *   status      the worker account on-chain and the local state (jobs served, vouchers unclaimed)
 *   set-prices  change prices (and endpoint) on-chain          unbond | withdraw | collect   owner commands
 *   set-operator  authorise the operator wallet that may put a new boot's keys on-chain (and nothing else)
 *   claim       claim every stored voucher now and wait for the confirmations
 *
 * Human-readable output by default, `--json` for scripts. Exit codes: 0 ok, 1 a boot check failed (one line
 * on stderr says which), 2 bad usage or configuration.
 */
import { Command } from 'commander';
import { mkdirSync } from 'fs';
import pino from 'pino';
import { Address, Cell, toNano } from '@ton/core';
import { ConfigfsTsmProvider, type QuoteProvider } from '../tee';
import { ChainError, type Chain, type ChainWallet } from '../chain/types';
import { errorNameOf, refusalIn, requireSuccess } from '../chain/errors';
import { commentBody } from '../../wrappers/common';
import { setOperatorBody, setPricesBody, Worker, WorkerComments } from '../../wrappers/Worker';
import { WorkerApp } from './app';
import { attest, freshKeys } from './boot/attest';
import { CollateralFile } from './boot/collateral';
import {
    checkAllowlists,
    OnChainInput,
    operatorOf,
    putKeysOnChain,
    putKeysOnChainAsOperator,
    readWorker,
    registrationFor,
    tonTransferLink,
    waitForKeys,
    workerAccountOf,
} from './boot/onchain';
import { ChainClaimPort } from './chain/claims';
import { ChainJobDirectory } from './chain/jobs';
import { Claimer } from './claimer/claimer';
import { addConfigOptions, ConfigKey, operatorMnemonic, parseListen, resolveConfig, walletMnemonic, WorkerConfig } from './config';
import { BootError, ExitCode } from './errors';
import { modelHashOf, openChain, openEngine } from './integration';
import { LmdbStore } from './store/lmdb';
import { systemClock } from './types';

type Out = { json: boolean };

function print(o: Out, human: string, data: unknown): void {
    process.stdout.write(o.json ? JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('hex') : v)) + '\n' : human + '\n');
}

/** Logs go to stderr: stdout carries only the command's output, so `--json` output is JSON lines and nothing else. */
function logger(c: WorkerConfig): pino.Logger {
    return pino({ level: c.logLevel }, pino.destination(2));
}

async function quoteProvider(c: WorkerConfig): Promise<{ provider: QuoteProvider; note: string | null }> {
    if (c.quoteProvider === 'tdx') return { provider: new ConfigfsTsmProvider(), note: null };
    mkdirSync(c.dataDir, { recursive: true });
    const { simulatedProvider } = await import('./dev/simulatedQuote');
    const s = simulatedProvider(c.dataDir);
    return { provider: s.provider, note: `SIMULATED quote provider (development only); its root certificate: ${s.rootPemPath}` };
}

/**
 * WORKER_DEV_FAULT (development only, see dev/faults.ts): a worker that misbehaves on purpose, for the demo's
 * slash. Only next to the simulated quote provider, so a real TDX worker can never be switched into it.
 */
async function devFault(c: WorkerConfig, log: pino.Logger): Promise<void> {
    const name = process.env.WORKER_DEV_FAULT;
    if (!name) return;
    if (c.quoteProvider !== 'simulated') throw new BootError('bad_config', 'WORKER_DEV_FAULT is for development networks only (needs --quote-provider simulated)');
    const { FAULTS, installReceiptFault, isFaultName } = await import('./dev/faults');
    if (!isFaultName(name)) throw new BootError('bad_config', `WORKER_DEV_FAULT: unknown fault '${name}' (known: ${Object.keys(FAULTS).join(', ')})`);
    installReceiptFault(FAULTS[name]);
    log.warn({ fault: name }, 'DEVELOPMENT FAULT SWITCHED ON: this worker misbehaves on purpose');
}

async function chainAndWallet(c: WorkerConfig): Promise<{ chain: Chain; wallet: ChainWallet | null; operator: ChainWallet | null; owner: Address }> {
    const chain = await openChain({ network: c.network, endpoint: c.chainEndpoint, apiKey: c.chainApiKey });
    const words = walletMnemonic(c);
    const wallet = words ? await chain.openWallet(words) : null;
    const operatorWords = operatorMnemonic(c);
    const operator = operatorWords ? await chain.openWallet(operatorWords) : null;
    const owner = wallet?.address ?? c.owner;
    if (!owner) throw new BootError('bad_config', 'either --owner or a wallet mnemonic is required (the worker account is derived from the owner)');
    return { chain, wallet, operator, owner };
}

async function attestCommand(c: WorkerConfig, o: Out): Promise<void> {
    const keys = freshKeys();
    const { provider, note } = await quoteProvider(c);
    const a = await attest(provider, keys);
    const modelHash = await modelHashOf(c.modelPath);
    const data = {
        quoteProvider: a.kind,
        receiptKey: keys.receiptPublic.toString('hex'),
        encKey: keys.encPublic.toString('hex'),
        quote: a.quote.toString('base64'),
        quoteHash: a.quoteHash.toString('hex'),
        imageHash: a.imageHash.toString('hex'),
        modelHash: modelHash.toString('hex'),
    };
    print(
        o,
        [
            note ?? 'quote provider: tdx (configfs-tsm)',
            `receipt key  ${data.receiptKey}`,
            `enc key      ${data.encKey}`,
            `quote hash   ${data.quoteHash}   (SHA-256 of the quote's declared bytes)`,
            `image hash   ${data.imageHash}`,
            `model hash   ${data.modelHash}`,
            `quote        ${a.quote.length} bytes (base64 with --json)`,
            'These keys live only in this process: `start` makes its own and registers them with `update`.',
        ].join('\n'),
        data,
    );
}

async function serveCommand(c: WorkerConfig, o: Out, mode: 'start' | 'register'): Promise<void> {
    const log = logger(c);
    mkdirSync(c.dataDir, { recursive: true });
    let store: LmdbStore;
    try {
        store = new LmdbStore(c.dataDir);
    } catch (e) {
        throw new BootError('store_failed', `cannot open the state in ${c.dataDir}: ${(e as Error).message}`);
    }
    const keys = freshKeys();
    const { provider, note } = await quoteProvider(c);
    if (note) log.warn(note);
    const attested = await attest(provider, keys);
    // a wrong collateral file fails here, before anything goes on-chain
    const collateral = c.collateralFile ? new CollateralFile(c.collateralFile, attested.quote, (message) => log.warn(message)) : undefined;
    await devFault(c, log);
    const modelHash = await modelHashOf(c.modelPath);
    const { chain, wallet, operator, owner } = await chainAndWallet(c);
    const input: OnChainInput = { chain, root: c.root, owner, index: c.index, keys, attested, modelHash, testnet: c.network !== 'mainnet' };
    await checkAllowlists(input);
    let onChain;
    try {
        onChain = await readWorker(input);
    } catch (e) {
        if (!(e instanceof BootError) || e.code !== 'worker_account_missing' || mode !== 'register') throw e;
        if (!c.prices || !c.endpoint) throw new BootError('bad_config', 'register needs --prices and --endpoint');
        const put = await putKeysOnChain(input, 'register', registrationFor(input, { prices: c.prices, endpoint: c.endpoint, payoutThreshold: c.payoutThreshold }), wallet, c.stake);
        print(o, put.sent ? 'registration sent through the wallet; waiting for it on-chain' : `register this worker from the owner wallet:\n  ${put.link}\nor:\n  ${put.command}`, { registration: put });
        onChain = await waitForKeys(input, c.waitForKeysMs);
    }
    if (!onChain.keysMatch && operator) {
        // The operator wallet changes the keys and the attestation only: no owner key on this host.
        const authorised = await operatorOf(input);
        if (!authorised?.equals(operator.address))
            throw new BootError(
                'operator_not_authorised',
                `the worker account does not name ${operator.address.toString()} as its operator (it names ${authorised?.toString() ?? 'none'}): the owner runs set-operator first`,
            );
        await putKeysOnChainAsOperator(input, operator);
        print(o, 'key update sent through the operator wallet; waiting for it on-chain', { update: { sent: true, via: 'operator', operator: operator.address.toRawString() } });
        onChain = await waitForKeys(input, c.waitForKeysMs);
    }
    if (!onChain.keysMatch) {
        const reg = registrationFor(input, { prices: onChain.prices, endpoint: onChain.endpoint, payoutThreshold: onChain.payoutThreshold });
        const put = await putKeysOnChain(input, 'update', reg, wallet);
        print(o, put.sent ? 'key update sent through the wallet; waiting for it on-chain' : `this boot's keys are not on-chain yet; update them from the owner wallet:\n  ${put.link}\nor:\n  ${put.command}`, { update: put });
        onChain = await waitForKeys(input, c.waitForKeysMs);
    }
    const engine = openEngine({ baseUrl: c.engineUrl, apiKey: c.engineApiKey, servedModelName: c.modelId });
    if (!(await engine.health().catch(() => false))) throw new BootError('engine_unreachable', `the engine at ${c.engineUrl} does not answer GET /health`);
    const models = await engine.models().catch(() => [] as string[]);
    if (!models.includes(c.modelId)) throw new BootError('engine_unreachable', `the engine serves ${JSON.stringify(models)}, not ${c.modelId}`);

    const app = new WorkerApp({
        identity: {
            globalId: onChain.globalId,
            workerAccount: onChain.workerAccount,
            root: c.root,
            receiptPublic: keys.receiptPublic,
            receiptSecret: keys.receiptSecret,
            encPublic: keys.encPublic,
            encPrivate: keys.encPrivate,
            modelId: c.modelId,
            modelHash,
        },
        attested,
        receiptSeed: keys.receiptSeed,
        store,
        jobs: new ChainJobDirectory(chain, { freshnessMs: c.jobFreshnessMs }),
        engine,
        claims: new ChainClaimPort(chain, wallet),
        clock: systemClock,
        log,
        settings: {
            prices: onChain.prices,
            creditLimit: c.creditLimit,
            maxTokens: c.maxTokens,
            maxRequestBytes: c.maxRequestBytes,
            bodyTimeoutMs: c.bodyTimeoutMs,
            headersTimeoutMs: c.headersTimeoutMs,
            keepAliveTimeoutMs: c.keepAliveTimeoutMs,
            claimThreshold: c.claimThreshold,
            claimVia: c.claimVia,
            claimConfirmTimeoutMs: 60_000,
            claimIntervalMs: 5_000,
            collateral,
        },
    });
    const { host, port } = parseListen(c.listen);
    const url = await app.listen(host, port);
    print(o, `worker ${onChain.workerAccount.toString()} serving ${c.modelId} on ${url} (${attested.kind})`, { url, workerAccount: onChain.workerAccount.toRawString(), quoteProvider: attested.kind });
    let stopping = false;
    const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping: draining streams and claiming every unclaimed voucher');
        const r = await app.stop();
        log.info(r, 'stopped');
        process.exit(ExitCode.ok);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
}

async function statusCommand(c: WorkerConfig, o: Out): Promise<void> {
    const { chain, owner } = await chainAndWallet(c);
    const account = await workerAccountOf({ chain, root: c.root, owner, index: c.index } as OnChainInput);
    const w = Worker.createFromAddress(account);
    const p = chain.provider(account);
    const exists = (await chain.getAccount(account)).status === 'active';
    const onChain = exists ? { state: await w.getState(p), profile: await w.getProfile(p), reputation: await w.getReputation(p), earnings: await w.getEarnings(p) } : null;
    let local: { jobs: number; served: number; claimed: bigint; unclaimed: bigint; pendingClaims: number } | null = null;
    try {
        const store = new LmdbStore(c.dataDir);
        const jobs = store.jobs();
        local = {
            jobs: jobs.length,
            served: jobs.reduce((n, j) => n + j.lastSeqno, 0),
            // what this worker's claims made its jobs pay, confirmed on-chain (gross, before the protocol fee)
            claimed: jobs.reduce((n, j) => n + j.confirmedPaid, 0n),
            unclaimed: jobs.reduce((n, j) => n + (j.best && j.chainState !== 'gone' && j.best.amount > j.confirmedPaid ? j.best.amount - j.confirmedPaid : 0n), 0n),
            pendingClaims: jobs.filter((j) => j.pendingClaim).length,
        };
        await store.close();
    } catch {
        local = null;
    }
    const lines = [`worker account ${account.toString()} ${exists ? '' : '(not registered)'}`];
    if (onChain)
        lines.push(
            `status ${onChain.state.status}  stake ${onChain.state.stake} nanoton  unbond at ${onChain.state.unbondAt || '-'}`,
            `prices (nanoton per million) ${Object.values(onChain.profile.prices).join(' / ')}  endpoint ${onChain.profile.endpoint}`,
            `reputation: ${onChain.reputation.jobs} jobs, ${onChain.reputation.tokens} tokens, volume ${onChain.reputation.volume}, slashes ${onChain.reputation.slashes}`,
            `earnings held ${onChain.earnings.earnings} nanoton (forwarded to the owner at ${onChain.earnings.payoutThreshold}); paid by settled jobs ${onChain.reputation.volume} nanoton`,
        );
    if (local)
        lines.push(
            `local: ${local.jobs} jobs, ${local.served} requests served, ${local.claimed} nanoton paid by claims (confirmed on-chain), ${local.unclaimed} nanoton unclaimed, ${local.pendingClaims} claims awaiting confirmation`,
        );
    print(o, lines.join('\n'), { account: account.toRawString(), exists, onChain, local });
}

/** Owner operations: send through the wallet when configured, else print the link and the Blueprint command. */
async function ownerCommand(c: WorkerConfig, o: Out, what: 'set-prices' | 'set-operator' | 'unbond' | 'withdraw' | 'collect'): Promise<void> {
    const { chain, wallet, operator, owner } = await chainAndWallet(c);
    const account = await workerAccountOf({ chain, root: c.root, owner, index: c.index } as OnChainInput);
    const testnet = c.network !== 'mainnet';
    let body: Cell;
    let script: string;
    if (what === 'set-prices') {
        if (!c.prices) throw new BootError('bad_config', 'set-prices needs --prices');
        body = setPricesBody(c.prices, c.endpoint);
        script = `worker/setPrices --worker ${account.toString({ testOnly: testnet })} --prices <prompt,cached,completion,reasoning>${c.endpoint ? ` --endpoint ${c.endpoint}` : ''}`;
    } else if (what === 'set-operator') {
        // --operator none revokes; without --operator, the configured operator mnemonic's address.
        const target = c.operator !== undefined ? c.operator : operator?.address;
        if (target === undefined) throw new BootError('bad_config', 'set-operator needs --operator <address|none> or an operator mnemonic');
        body = setOperatorBody(target);
        script = `worker/setOperator --worker ${account.toString({ testOnly: testnet })} --operator ${target ? target.toString({ testOnly: testnet }) : 'none'}`;
    } else {
        body = commentBody(WorkerComments[what]);
        script = `worker/${what} --worker ${account.toString({ testOnly: testnet })}`;
    }
    const value = toNano('0.05');
    const link = tonTransferLink(account, value, body, testnet);
    if (wallet) {
        const sent = await wallet.send([{ to: account, value, body, bounce: true }]);
        const trace = await chain.waitForTrace(wallet.address, sent, { timeoutMs: 120_000 });
        // e.g. withdraw before the unbonding period ended: the worker account answers with a refusal comment
        const refusal = refusalIn(trace);
        if (refusal) throw new BootError('refused_on_chain', `${what}: ${refusal.account.toString()} refused it: ${refusal.reason} (error ${refusal.error}${errorNameOf(refusal.error) ? ` ${errorNameOf(refusal.error)}` : ''})`);
        try {
            requireSuccess(trace);
        } catch (e) {
            throw new BootError('refused_on_chain', `${what}: ${(e as Error).message}`);
        }
        print(o, `${what}: sent through the wallet; done`, { what, sent: true, success: true });
    } else print(o, `${what}: send from the owner wallet:\n  ${link}\nor:\n  npx blueprint run ${script} --${testnet ? 'testnet' : 'mainnet'} --tonconnect`, { what, sent: false, link });
}

async function claimCommand(c: WorkerConfig, o: Out): Promise<void> {
    const { chain, wallet } = await chainAndWallet(c);
    const store = new LmdbStore(c.dataDir);
    const log = logger(c);
    const claimer = new Claimer(store, new ChainJobDirectory(chain, { freshnessMs: 0 }), new ChainClaimPort(chain, wallet), systemClock, { threshold: 0n, confirmTimeoutMs: 60_000, preferWallet: c.claimVia === 'wallet' }, log);
    const r = await claimer.flush(120_000, 2_000);
    await store.close();
    print(o, r.unconfirmed === 0 ? 'every stored voucher is claimed' : `${r.unconfirmed} claims not confirmed yet (run claim again)`, r);
    if (r.unconfirmed > 0) process.exitCode = ExitCode.bootCheck;
}

const NEEDS: Record<string, ConfigKey[]> = {
    attest: ['quoteProvider', 'modelPath'],
    start: ['root', 'quoteProvider', 'modelId', 'modelPath'],
    register: ['root', 'quoteProvider', 'modelId', 'modelPath', 'prices', 'endpoint'],
    status: ['root'],
    'set-prices': ['root', 'prices'],
    'set-operator': ['root'],
    unbond: ['root'],
    withdraw: ['root'],
    collect: ['root'],
    claim: ['root'],
};

export function buildCli(): Command {
    const program = new Command('worker').description('cocoon-ton worker: attested inference with signed receipts, paid by vouchers').showHelpAfterError();
    const add = (name: string, description: string, run: (c: WorkerConfig, o: Out) => Promise<void>) => {
        const cmd = addConfigOptions(program.command(name).description(description)).option('--json', 'machine-readable output');
        cmd.action(async (flags: Record<string, unknown>) => {
            const o = { json: Boolean(flags.json) };
            const c = resolveConfig(flags, process.env, NEEDS[name] ?? []);
            await run(c, o);
        });
    };
    add('attest', 'print fresh keys, a quote binding them, the quote hash, image hash and model hash', attestCommand);
    add('start', 'boot, check everything on-chain, update the keys if needed, and serve', (c, o) => serveCommand(c, o, 'start'));
    add('update', 'same as start: puts this boot\'s keys on-chain (link, Blueprint command or wallet) and serves', (c, o) => serveCommand(c, o, 'start'));
    add('register', 'register the worker account (stake) with this boot\'s keys, then serve', (c, o) => serveCommand(c, o, 'register'));
    add('status', 'the worker account on-chain and the local state', statusCommand);
    add('set-prices', 'change prices (and endpoint) on-chain', (c, o) => ownerCommand(c, o, 'set-prices'));
    add('set-operator', 'authorise the operator wallet (--operator, or the operator mnemonic\'s) that may only put new keys on-chain; --operator none revokes', (c, o) =>
        ownerCommand(c, o, 'set-operator'),
    );
    add('unbond', 'request unbonding (no new jobs; withdraw after the unbonding period)', (c, o) => ownerCommand(c, o, 'unbond'));
    add('withdraw', 'withdraw stake and earnings after unbonding', (c, o) => ownerCommand(c, o, 'withdraw'));
    add('collect', 'forward the job earnings held for the owner now', (c, o) => ownerCommand(c, o, 'collect'));
    add('claim', 'claim every stored voucher now and wait for the confirmations', claimCommand);
    return program;
}

/**
 * What the operator reads when a command fails: `worker: <what failed>: <reason>`, one line per problem, each
 * with the same prefix. A chain failure that is not a boot check of its own (a get-method timing out inside the
 * allowlist check, a wallet that cannot be read) is `chain_unreachable`; anything else is `failed`. Never a stack.
 */
export function failureLines(e: unknown): { lines: string[]; exitCode: number } {
    const [what, message, exitCode] =
        e instanceof BootError
            ? [e.code, e.message, e.code === 'bad_config' ? ExitCode.usage : ExitCode.bootCheck]
            : e instanceof ChainError
              ? ['chain_unreachable', `${e.code}: ${e.message}`, ExitCode.bootCheck]
              : ['failed', e instanceof Error ? e.message : String(e), ExitCode.bootCheck];
    const lines = message.split('\n').filter((l) => l.trim() !== '').map((l) => `worker: ${what}: ${l}`);
    return { lines: lines.length ? lines : [`worker: ${what}`], exitCode };
}

function fail(e: unknown): never {
    const { lines, exitCode } = failureLines(e);
    process.stderr.write(lines.join('\n') + '\n');
    process.exit(exitCode);
}

export async function main(argv: string[]): Promise<void> {
    // A failure after the command returned (a serving worker's background task) is one line too, not a stack.
    process.on('unhandledRejection', fail);
    try {
        await buildCli().parseAsync(argv);
    } catch (e) {
        fail(e);
    }
}

if (require.main === module) void main(process.argv);
