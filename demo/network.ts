/**
 * npm run demo:network [-- --keep]
 *
 * The whole network as separate processes on 127.0.0.1: the local chain server (genesis: council of printed
 * wallets, root, librarian), the council voting the simulated image and the tiny model onto the allowlists,
 * the tiny engine, a worker registering with stake and serving, the relay discovering and verifying it, and
 * the `openai` SDK sending one streamed and one non-streamed chat through the relay. Then the relay's own
 * `close-idle` command closes the job and, after the challenge period, finalizes it, and the receipts, vouchers,
 * claims and balances are printed. In between, a second worker started with the dev-only fault switch
 * WORKER_DEV_FAULT=equivocate (actors/worker/dev/faults.ts) signs two different receipts for one seqno: the relay
 * refuses the second, reports both on-chain, and the stake before and after and the reporter's reward are
 * printed. Every child is stopped in
 * `finally` (also on error and Ctrl-C). With --keep everything stays up until Ctrl-C.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Address, fromNano } from '@ton/core';
import OpenAI from 'openai';
import type { Chain } from '../actors/chain';
import { SimulatedQuoteProvider } from '../actors/tee';
import { attest, freshKeys } from '../actors/worker/boot/attest';
import { modelHash as computeModelHash } from '../actors/engine/modelHash';
import { writeTinyModel } from '../devnet/engine/tinyModel';
import { addRelayKey, allowImageAndModel, devCall, freePort, Processes, simulatedRootPem, startEngine, startLocalChain, startRelay, startWorker } from '../devnet/network/launch';
import { Job } from '../wrappers/Job';
import { Worker } from '../wrappers/Worker';
import { Root } from '../wrappers/Root';
import { JobState, WorkerStatus } from '../wrappers/Constants';
import { RelayStore } from '../actors/relay/store/lmdb';

const MODEL = 'tiny';
const keep = process.argv.includes('--keep');
const t0 = Date.now();
const step = (s: string) => console.log(`\n[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);
const info = (s: string) => console.log(`          ${s}`);

const processes = new Processes(info);
const stopChildren = () => processes.stopAll();

const ton = (n: bigint) => `${fromNano(n)} TON`;

async function balance(chain: Chain, a: Address): Promise<bigint> {
    return (await chain.getAccount(a)).balance;
}

async function main(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'cocoon-demo-'));
    try {
        // 1. the chain
        step('local chain: starting `npm run localnet` (genesis: council of three printed wallets, root, librarian)');
        const lc = await startLocalChain(processes, { wallets: 6 });
        const { chain, dev, root, endpoint } = lc;
        const chainUrl = lc.url;
        const words = lc.words;
        info(`endpoint ${endpoint}`);
        info(`root ${dev.protocol!.root}   council ${dev.protocol!.council}`);

        // 2. the council allows the simulated image and the tiny model
        step('council: proposing the simulated image hash and the tiny model hash for the allowlists');
        const modelPath = writeTinyModel(join(dir, 'tiny.gguf'));
        const modelHash = await computeModelHash(modelPath);
        const imageHash = (await attest(new SimulatedQuoteProvider(), freshKeys())).imageHash;
        info(`image hash ${Buffer.from(imageHash).toString('hex')} (simulated TDX)`);
        info(`model hash ${Buffer.from(modelHash).toString('hex')} (${MODEL})`);
        await allowImageAndModel(lc, { imageHash, modelHash, model: MODEL }, info);

        // 3. the engine
        step('engine: starting the tiny engine (node-llama-cpp on the CPU)');
        const engineUrl = (await startEngine(processes, { modelPath, model: MODEL })).url;
        info(`engine ${engineUrl}`);

        // 4. the worker registers with stake and serves
        step('worker: `npm run worker -- register` (stake through the owner W5 wallet, simulated quote), then serving');
        const workerPort = await freePort();
        const workerDir = join(dir, 'worker');
        const ownerFile = join(dir, 'owner.mnemonic');
        writeFileSync(ownerFile, dev.wallets[3].mnemonic, { mode: 0o600 });
        const workerProc = await startWorker(processes, {
            lc, mode: 'register', ownerMnemonicFile: ownerFile, engineUrl, model: MODEL, modelPath, prices: '1000,250,2000,2000', port: workerPort, dataDir: workerDir,
            extraArgs: ['--max-tokens', '64', '--claim-threshold', '1000', '--credit-limit', '1', '--log-level', 'warn'],
        });
        info(workerProc.line.replace(/^.*?(worker )/, '$1'));
        const owner = await chain.openWallet(words(3));
        const workerAccount = workerProc.account;

        // 5. the relay
        step('relay: `npm run relay -- start` (discovers the worker on-chain, verifies its quote and keys)');
        const relayPort = await freePort();
        const relayDir = join(dir, 'relay');
        const relayWallet = await chain.openWallet(words(4));
        const apiKey = await addRelayKey(processes, relayDir, 'demo');
        const relayBalance0 = await balance(chain, relayWallet.address);
        const relay = await startRelay(processes, {
            lc, port: relayPort, dataDir: relayDir, mnemonicFile: join(dir, 'relay.mnemonic'), mnemonic: dev.wallets[4].mnemonic,
            deposit: '5', maxPrices: '1000,250,2000,2000', maxTokens: 48, simulatedRootPem: simulatedRootPem(workerDir),
        });
        info(`relay ${relay.listening.url}`);
        for (const w of relay.listening.workers) info(`worker ${w.account}: ${w.status}${w.reasons?.length ? ` (${w.reasons.join(', ')})` : ''}`);
        if (!relay.listening.workers.some((w) => w.status === 'ready' || w.status === 'verified' || w.status === 'ok')) info('warning: no worker reported ready at start');
        const baseURL = relay.baseURL;

        // 6. the app
        step('app: the openai SDK against the relay');
        const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
        const plain = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Say hello in five words.' }], max_tokens: 24 });
        info(`non-streamed: ${JSON.stringify(plain.choices[0].message.content)} (usage ${JSON.stringify(plain.usage)})`);
        const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Count to five.' }], max_tokens: 24, stream: true, stream_options: { include_usage: true } });
        let text = '';
        let chunks = 0;
        for await (const c of stream) {
            chunks++;
            text += c.choices[0]?.delta?.content ?? '';
        }
        info(`streamed (${chunks} chunks): ${JSON.stringify(text)}`);

        if (keep) {
            step('running; Ctrl-C stops every process');
            info(`openai SDK:  new OpenAI({ baseURL: '${baseURL}', apiKey: '${apiKey}' })`);
            info(`curl ${baseURL}/chat/completions -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' -d '{"model":"${MODEL}","messages":[{"role":"user","content":"hi"}]}'`);
            info(`chain: ${endpoint}   time: curl -X POST ${chainUrl}/dev/advance -d '{"seconds":3600}'`);
            keeping = true;
            await new Promise<void>((resolve) => {
                process.once('SIGINT', () => resolve());
                process.once('SIGTERM', () => resolve());
            });
            return;
        }

        // 7. a worker that equivocates is reported by the relay and slashed on-chain
        step('slash: a second worker, started with the dev-only fault WORKER_DEV_FAULT=equivocate, signs two different receipts for one seqno');
        // the relay restarts to discover it (its own discovery pass runs every minute)
        await Processes.stop(relay.child);
        const cheaterDir = join(dir, 'cheater');
        // the same simulated TDX root as the first worker (two machines under one vendor root): the relay trusts one
        mkdirSync(cheaterDir, { recursive: true });
        for (const f of ['simulated-root.pem', 'simulated-root.key']) copyFileSync(join(workerDir, f), join(cheaterDir, f));
        const cheaterOwnerFile = join(dir, 'cheater-owner.mnemonic');
        writeFileSync(cheaterOwnerFile, dev.wallets[5].mnemonic, { mode: 0o600 });
        const cheater = await startWorker(processes, {
            lc, mode: 'register', ownerMnemonicFile: cheaterOwnerFile, engineUrl, model: MODEL, modelPath, prices: '500,125,1000,1000', port: await freePort(), dataDir: cheaterDir,
            extraArgs: ['--max-tokens', '64', '--claim-threshold', '1000', '--credit-limit', '1', '--log-level', 'error'],
            env: { WORKER_DEV_FAULT: 'equivocate' },
            name: 'cheating worker',
        });
        info(`${cheater.line.replace(/^.*?(worker )/, 'cheating $1')}, at half the first worker's prices, so the relay picks it first`);
        const again = await startRelay(processes, {
            lc, port: relayPort, dataDir: relayDir, mnemonicFile: join(dir, 'relay.mnemonic'),
            deposit: '5', maxPrices: '1000,250,2000,2000', maxTokens: 48, simulatedRootPem: simulatedRootPem(workerDir),
        });
        for (const w of again.listening.workers) info(`relay restarted: worker ${w.account}: ${w.status}`);
        const slashed = await showSlash({ chain, root, relayWallet: relayWallet.address, worker: cheater.account, client: new OpenAI({ baseURL, apiKey, maxRetries: 0 }) });
        const relayChild = again.child;

        // 8. close and finalize the jobs through the relay's own command, the workers claim in between
        step('jobs: `npm run relay -- close-idle` delivers undelivered vouchers, closes the jobs from the relay wallet; the workers claim; after the challenge period close-idle finalizes them');
        // The relay is stopped first: close-idle takes the relay's data directory lock and would refuse next to it.
        await Processes.stop(relayChild);
        const store = new RelayStore(join(relayDir, 'state'));
        const jobs = store.jobs();
        for (const j of jobs) {
            info(`relay job ${j.address} worker ${j.worker} state ${j.state} seqno ${j.seqno} owed ${ton(j.cumulative)} deposit ${ton(j.deposit)}`);
            for (const r of store.receipts(j.address))
                info(`  receipt #${r.seqno}: tokens prompt ${r.tokens.prompt} cached ${r.tokens.cached} completion ${r.tokens.completion} reasoning ${r.tokens.reasoning}; cost ${ton(r.cost)}, cumulative ${ton(r.cumulative)} (signed by the worker, ${Buffer.from(r.boc, 'base64').length} B BoC)`);
            const v = store.getVoucher(j.address);
            if (v) info(`  voucher: ${ton(v.amount)}${v.final ? ' (final)' : ''}, signature ${v.signature.slice(0, 16)}…, ${v.sentAt ? `sent to the worker ${new Date(v.sentAt).toISOString()}` : 'not sent'}`);
        }
        await store.close();
        const closeIdle = ['close-idle', '--root', dev.protocol!.root, '--data-dir', relayDir, '--mnemonic-file', join(dir, 'relay.mnemonic'), '--idle-minutes', '0'];
        const relayEnv = { TON_NETWORK: 'localnet', TON_ENDPOINT: endpoint };
        for (const line of await processes.run('relay close-idle', 'actors/relay/main.ts', closeIdle, relayEnv)) info(line);
        // Both jobs were closed together, so they share one challenge deadline: every claim is waited for first and
        // the clock moves once, after them (moving it for one job would end the other's challenge period too).
        const settled = await waitForClaims(chain, jobs, slashed);
        for (const s of settled) {
            info(`job on-chain: ${JobState[s.state]}, challenge deadline ${new Date(s.deadline * 1000).toISOString()}`);
            info(`${s.cheater ? 'cheating worker' : 'worker'} claim on-chain: paid ${ton(s.paid)} of ${ton(s.vouched)} vouched`);
            if (!s.cheater && s.paid !== s.vouched) throw new Error(`the honest worker's claim did not land before the challenge period: paid ${ton(s.paid)} of ${ton(s.vouched)}`);
        }
        const deadline = Math.max(...settled.map((s) => s.deadline));
        await devCall(chainUrl, '/dev/advance', { seconds: Math.max(0, deadline - (await chain.now())) + 60 });
        info('local chain time advanced past the challenge period');
        for (const line of await processes.run('relay close-idle', 'actors/relay/main.ts', closeIdle, relayEnv)) info(line);
        for (const j of jobs) info(`job ${j.address}: account ${(await chain.getAccount(Address.parse(j.address))).status}`);

        // 9. money
        step('balances and fees');
        const w = Worker.createFromAddress(workerAccount);
        const wp = chain.provider(workerAccount);
        const e = await w.getEarnings(wp);
        const st = await w.getState(wp);
        info(`worker account: stake ${ton(st.stake)}, earnings held ${ton(e.earnings)} (payout threshold ${ton(e.payoutThreshold)})`);
        info(`relay wallet: ${ton(relayBalance0)} -> ${ton(await balance(chain, relayWallet.address))} (spent ${ton(relayBalance0 - (await balance(chain, relayWallet.address)))}, deposits refunded minus paid, fees, gas)`);
        info(`worker owner wallet: ${ton(await balance(chain, owner.address))}`);
        const cs = await Worker.createFromAddress(slashed).getState(chain.provider(slashed));
        info(`cheating worker account: ${WorkerStatus[cs.status] ?? cs.status}, stake ${ton(cs.stake)}`);
        const params = await Root.createFromAddress(root).getParams(chain.provider(root));
        const paid = settled.reduce((a, s) => a + s.paid, 0n);
        info(`paid by the jobs on-chain ${ton(paid)}; protocol fee ${params.protocolFeeBps} bps; worker earnings ${ton(e.earnings)} (the rest: the fee and the gasless claim's gas)`);
        info(`root balance (fees and registration): ${ton(await balance(chain, root))}`);
        for (const s of settled) {
            const { transactions } = await chain.transactionsSince(Address.parse(s.address), null, { limit: 100 });
            const gas = transactions.reduce((a, t) => a + t.gasUsed, 0);
            const fees = transactions.reduce((a, t) => a + t.totalFees, 0n);
            info(`${s.cheater ? "cheating worker's job" : 'job'} ${s.address.slice(0, 12)}…: ${transactions.length} transactions on its account (open, answer, claims, close, finalize), ${gas} gas, ${ton(fees)} in fees`);
        }
    } finally {
        step('stopping every process');
        await stopChildren();
        rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Two chats through the relay: the cheating worker receipts the first honestly and signs the second under the
 * first one's seqno. The relay refuses the second receipt, stops paying the job and reports both receipts from
 * its wallet; the worker contract takes slash_bps of the stake and pays reporter_bps of that to the reporter.
 * Prints (and checks) the stake before and after and the reward that arrived in the relay's wallet.
 */
async function showSlash(o: { chain: Chain; root: Address; relayWallet: Address; worker: Address; client: OpenAI }): Promise<Address> {
    const { chain } = o;
    const w = Worker.createFromAddress(o.worker);
    const wp = chain.provider(o.worker);
    const params = await Root.createFromAddress(o.root).getParams(chain.provider(o.root));
    const before = await w.getState(wp);
    const cursor = (await chain.getAccount(o.relayWallet)).lastTransaction;
    const ask = () => o.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Name a colour.' }], max_tokens: 8 });
    const first = await ask();
    info(`request 1 (seqno 1): ${JSON.stringify(first.choices[0].message.content)}, receipt accepted, voucher signed (worker ${String((first as unknown as { cocoon?: { worker?: string } }).cocoon?.worker ?? '?').slice(0, 10)}…)`);
    try {
        await ask();
        throw new Error('the relay accepted a receipt from the equivocating worker');
    } catch (e) {
        if (!(e instanceof OpenAI.APIError)) throw e;
        info(`request 2 (seqno 2, receipted as seqno 1): HTTP ${e.status} ${e.code}: ${e.message.slice(0, 140)}${e.message.length > 140 ? '…' : ''}`);
    }
    const after = await w.getState(wp);
    const slash = (before.stake * BigInt(params.slashBps)) / 10_000n;
    const reward = (slash * BigInt(params.reporterBps)) / 10_000n;
    info(`worker stake: ${ton(before.stake)} -> ${ton(after.stake)} (slash_bps ${params.slashBps}: -${ton(slash)}), status ${WorkerStatus[after.status] ?? after.status}`);
    if (after.stake !== before.stake - slash) throw new Error(`the stake dropped by ${ton(before.stake - after.stake)}, not by slash_bps (${ton(slash)})`);
    // the reward message from the worker account to the relay's wallet (it carries the report's unspent value too)
    const { transactions } = await chain.transactionsSince(o.relayWallet, cursor, { limit: 50 });
    const paid = transactions.find((t) => t.inMessage?.kind === 'internal' && t.inMessage.source?.equals(o.worker));
    if (!paid?.inMessage) throw new Error('no evidence reward arrived in the relay wallet');
    info(`reporter (the relay's wallet) paid: reward ${ton(reward)} (reporter_bps ${params.reporterBps} of the slash), received ${ton(paid.inMessage.value)} with the report's unspent value`);
    if (paid.inMessage.value < reward) throw new Error(`the relay wallet received ${ton(paid.inMessage.value)}, less than the reward ${ton(reward)}`);
    return o.worker;
}

interface Settled {
    address: string;
    cheater: boolean;
    state: JobState;
    deadline: number;
    paid: bigint;
    vouched: bigint;
}

/**
 * Reads every closed job until each worker's claim has landed (the claimers claim when a job starts closing; they
 * poll every 5 s), or 60 s pass. The cheating worker is read too, but what it does with its voucher is its business:
 * only the honest worker's jobs are waited for.
 */
async function waitForClaims(chain: Chain, jobs: Array<{ address: string; worker: string; cumulative: bigint }>, cheater: Address): Promise<Settled[]> {
    const read = () =>
        Promise.all(
            jobs.map(async (j): Promise<Settled> => {
                const address = Address.parse(j.address);
                const data = await Job.createFromAddress(address).getJobData(chain.provider(address));
                return { address: j.address, cheater: j.worker === cheater.toRawString(), state: data.state, deadline: data.deadline, paid: data.paid, vouched: j.cumulative };
            }),
        );
    let settled = await read();
    for (let i = 0; i < 60 && settled.some((s) => !s.cheater && s.paid < s.vouched); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        settled = await read();
    }
    return settled;
}

// Ctrl-C outside --keep's wait: stop the children, then leave.
let keeping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
        if (keeping) return;
        console.log(`\n${sig}: stopping every process`);
        void stopChildren().then(() => process.exit(130));
    });
}

main().then(
    () => {
        step('done');
        process.exit(0);
    },
    (e) => {
        console.error(`demo failed: ${e instanceof Error ? e.stack : e}`);
        process.exit(1);
    },
);
