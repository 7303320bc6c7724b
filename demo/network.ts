/**
 * npm run demo:network [-- --keep]
 *
 * The whole network as separate processes on 127.0.0.1: the local chain server (genesis: council of printed
 * wallets, root, librarian), the council voting the simulated image and the tiny model onto the allowlists,
 * the tiny engine, a worker registering with stake and serving, the relay discovering and verifying it, and
 * the `openai` SDK sending one streamed and one non-streamed chat through the relay. Then the job is closed
 * and finalized, and the receipts, vouchers, claims and balances are printed. Every child is stopped in
 * `finally` (also on error and Ctrl-C). With --keep everything stays up until Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Address, fromNano, toNano } from '@ton/core';
import OpenAI from 'openai';
import { createChain, type Chain } from '../actors/chain';
import { requireSuccess } from '../actors/chain/errors';
import { SimulatedQuoteProvider } from '../actors/tee';
import { attest, freshKeys } from '../actors/worker/boot/attest';
import { modelHash as computeModelHash } from '../actors/engine/modelHash';
import { writeTinyModel } from '../devnet/engine/tinyModel';
import { Council } from '../wrappers/Council';
import { Proposal, ProposalState } from '../wrappers/Proposal';
import { Job } from '../wrappers/Job';
import { Worker } from '../wrappers/Worker';
import { Root } from '../wrappers/Root';
import { JobState } from '../wrappers/Constants';
import { TIMELOCK } from '../wrappers/testkit/council';
import { CLOSE_VALUE, FINALIZE_VALUE } from '../wrappers/testkit/jobs';
import { RelayStore } from '../actors/relay/store/lmdb';

const ROOT = join(__dirname, '..');
const MODEL = 'tiny';
const keep = process.argv.includes('--keep');
const t0 = Date.now();
const step = (s: string) => console.log(`\n[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);
const info = (s: string) => console.log(`          ${s}`);

const children: { name: string; child: ChildProcess }[] = [];

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

/** Starts `ts-node <script> args` and resolves when a line of its output matches `ready` (rejects on exit). */
function startChild(name: string, script: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; line: string }> {
    const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, script), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push({ name, child });
    let tail = '';
    return new Promise((resolve, reject) => {
        let done = false;
        const onData = (b: Buffer) => {
            tail = (tail + b.toString()).slice(-8000);
            if (done) return;
            for (const line of tail.split('\n')) {
                if (ready.test(line)) {
                    done = true;
                    resolve({ child, line });
                    return;
                }
            }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', (code) => {
            if (!done) reject(new Error(`${name} exited with ${code} before it was ready:\n${tail}`));
        });
    });
}

let stopping: Promise<void> | null = null;
/** Stops every child once (Ctrl-C and `finally` may both ask). */
function stopChildren(): Promise<void> {
    stopping ??= stopAll();
    return stopping;
}

async function stopAll(): Promise<void> {
    for (const { name, child } of [...children].reverse()) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const ok = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))]);
        if (!ok) {
            child.kill('SIGKILL');
            console.log(`          ${name}: killed (did not stop within 20 s)`);
        } else console.log(`          ${name}: stopped`);
    }
}

interface DevInfo {
    wallets: { mnemonic: string; address: string; balance: string }[];
    protocol: { root: string; council: string; librarian: string } | null;
    now: number;
}

async function devCall<T>(url: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(`${url}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const j = (await r.json()) as { ok: boolean; result: T; error?: string };
    if (!j.ok) throw new Error(`${path}: ${j.error}`);
    return j.result;
}

const ton = (n: bigint) => `${fromNano(n)} TON`;

async function balance(chain: Chain, a: Address): Promise<bigint> {
    return (await chain.getAccount(a)).balance;
}

async function main(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'cocoon-demo-'));
    try {
        // 1. the chain
        step('local chain: starting `npm run localnet` (genesis: council of three printed wallets, root, librarian)');
        const chainPort = await freePort();
        await startChild('localnet', 'actors/chain/dev/localnet/main.ts', ['--port', String(chainPort), '--wallets', '5'], /in another terminal/);
        const chainUrl = `http://127.0.0.1:${chainPort}`;
        const endpoint = `${chainUrl}/jsonRPC`;
        const dev = await devCall<DevInfo>(chainUrl, '/dev/info');
        if (!dev.protocol) throw new Error('the local chain has no protocol deployed');
        const root = Address.parse(dev.protocol.root);
        info(`endpoint ${endpoint}`);
        info(`root ${dev.protocol.root}   council ${dev.protocol.council}`);
        const chain = createChain({ network: 'localnet', endpoint } as Parameters<typeof createChain>[0]);
        const words = (i: number) => dev.wallets[i].mnemonic.split(' ');

        // 2. the council allows the simulated image and the tiny model
        step('council: proposing the simulated image hash and the tiny model hash for the allowlists');
        const modelPath = writeTinyModel(join(dir, 'tiny.gguf'));
        const modelHash = await computeModelHash(modelPath);
        const imageHash = (await attest(new SimulatedQuoteProvider(), freshKeys())).imageHash;
        info(`image hash ${Buffer.from(imageHash).toString('hex')} (simulated TDX)`);
        info(`model hash ${Buffer.from(modelHash).toString('hex')} (${MODEL})`);
        // An image or a model enters the allowlists only with the hash of the document it rests on: here the
        // measurement manifest the demo itself produced (in production: release notes or a reference quote).
        const manifest = JSON.stringify({ image: Buffer.from(imageHash).toString('hex'), model: Buffer.from(modelHash).toString('hex'), name: MODEL });
        const evidence = createHash('sha256').update(manifest).digest();
        info(`evidence ${evidence.toString('hex')} = SHA-256 of ${manifest}`);
        const council = Council.createFromAddress(Address.parse(dev.protocol.council));
        const members = await Promise.all([0, 1, 2].map((i) => chain.openWallet(words(i))));
        const cp = chain.provider(council.address);
        const before = await council.getCouncilData(cp);
        const fee = await council.getProposalFee(cp);
        {
            const sender = members[0].sender();
            await council.sendCreateProposal(cp, sender, {
                actions: [
                    { kind: 'root', value: toNano('0.2'), action: { kind: 'addImage', imageHash } },
                    { kind: 'root', value: toNano('0.2'), action: { kind: 'addModel', modelHash, name: MODEL } },
                ],
                description: 'demo: allow the simulated image and the tiny model',
                evidence,
                value: fee + toNano('0.5'),
            });
            requireSuccess(await chain.waitForTrace(members[0].address, sender.sent[0]));
        }
        const id = before.nextId;
        const proposal = Proposal.createFromAddress(await council.getProposalAddress(cp, id));
        const pp = chain.provider(proposal.address);
        info(`proposal ${id} at ${proposal.address.toString({ testOnly: true })}`);
        for (const i of [0, 1]) {
            const d = await proposal.getProposalData(pp);
            if (d.state !== ProposalState.Voting) break;
            const sender = members[i].sender();
            await proposal.sendVote(pp, sender, true, toNano('0.05'));
            await chain.waitForTrace(members[i].address, sender.sent[0]);
            info(`member #${i} voted yes`);
        }
        let d = await proposal.getProposalData(pp);
        if (d.state !== ProposalState.Passed) throw new Error(`proposal ${id} is ${ProposalState[d.state]}, not Passed`);
        const adv = await devCall<{ now: number }>(chainUrl, '/dev/advance', { seconds: TIMELOCK + 60 });
        info(`passed; /dev/advance ${TIMELOCK + 60} s past the timelock (chain time ${new Date(adv.now * 1000).toISOString()})`);
        {
            const sender = members[2].sender();
            await proposal.sendExecute(pp, sender, (await proposal.getExecuteValue(pp)) + toNano('0.05'));
            requireSuccess(await chain.waitForTrace(members[2].address, sender.sent[0]));
        }
        d = await proposal.getProposalData(pp);
        info(`executed by member #2: ${d.readable.join('; ')}`);

        // 3. the engine
        step('engine: starting the tiny engine (node-llama-cpp on the CPU)');
        const engineProc = await startChild('engine', 'devnet/engine/cli.ts', ['--port', '0', '--model', modelPath, '--served-model-name', MODEL, '--sequences', '2'], /"url"/);
        const engineUrl = (JSON.parse(engineProc.line.slice(engineProc.line.indexOf('{'))) as { url: string }).url;
        info(`engine ${engineUrl}`);

        // 4. the worker registers with stake and serves
        step('worker: `npm run worker -- register` (stake through the owner W5 wallet, simulated quote), then serving');
        const workerPort = await freePort();
        const workerDir = join(dir, 'worker');
        const ownerFile = join(dir, 'owner.mnemonic');
        writeFileSync(ownerFile, dev.wallets[3].mnemonic, { mode: 0o600 });
        const workerProc = await startChild(
            'worker',
            'actors/worker/main.ts',
            [
                'register', '--network', 'localnet', '--chain-endpoint', endpoint, '--root', dev.protocol.root,
                '--wallet-mnemonic-file', ownerFile, '--quote-provider', 'simulated', '--engine-url', engineUrl,
                '--model-id', MODEL, '--model-path', modelPath, '--prices', '1000,250,2000,2000',
                '--endpoint', `http://127.0.0.1:${workerPort}`, '--listen', `127.0.0.1:${workerPort}`,
                '--data-dir', workerDir, '--max-tokens', '64', '--claim-threshold', '1000', '--credit-limit', '1', '--log-level', 'warn',
            ],
            /serving tiny on/,
        );
        info(workerProc.line.replace(/^.*?(worker )/, '$1'));
        const owner = await chain.openWallet(words(3));
        const workerAccount = Address.parse(/worker (\S+) serving/.exec(workerProc.line)![1]);

        // 5. the relay
        step('relay: `npm run relay -- start` (discovers the worker on-chain, verifies its quote and keys)');
        const relayPort = await freePort();
        const relayDir = join(dir, 'relay');
        const relayWordsFile = join(dir, 'relay.mnemonic');
        writeFileSync(relayWordsFile, dev.wallets[4].mnemonic, { mode: 0o600 });
        const relayWallet = await chain.openWallet(words(4));
        const apiKeyProc = await startChild('relay keys', 'actors/relay/main.ts', ['keys', 'add', 'demo', '--data-dir', relayDir], /^sk-/);
        const apiKey = apiKeyProc.line.trim();
        await new Promise((r) => apiKeyProc.child.exitCode !== null ? r(null) : apiKeyProc.child.once('exit', r));
        const rootPem = join(workerDir, 'simulated-root.pem');
        if (!existsSync(rootPem)) throw new Error(`the worker did not write ${rootPem}`);
        const relayBalance0 = await balance(chain, relayWallet.address);
        await startChild(
            'relay',
            'actors/relay/main.ts',
            ['start', '--root', dev.protocol.root, '--port', String(relayPort), '--data-dir', relayDir, '--mnemonic-file', relayWordsFile, '--deposit', '5', '--max-prices', '1000,250,2000,2000', '--max-tokens', '48', '--trust-simulated-root', rootPem],
            /relay listening/,
            { TON_NETWORK: 'localnet', TON_ENDPOINT: endpoint },
        ).then(({ line }) => {
            const j = JSON.parse(line.slice(line.indexOf('{'))) as { url: string; workers: { account: string; status: string; reasons?: string[] }[] };
            info(`relay ${j.url}`);
            for (const w of j.workers) info(`worker ${w.account}: ${w.status}${w.reasons?.length ? ` (${w.reasons.join(', ')})` : ''}`);
            if (!j.workers.some((w) => w.status === 'ready' || w.status === 'verified' || w.status === 'ok')) info('warning: no worker reported ready at start');
        });
        const baseURL = `http://127.0.0.1:${relayPort}/v1`;

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

        // 7. close and finalize the job (from the relay's wallet), the worker claims
        step('job: closing from the relay wallet, challenge period, worker claim, finalize');
        // The relay is stopped first so its wallet is ours alone; its store is read afterwards.
        const relayChild = children.find((c) => c.name === 'relay')!.child;
        relayChild.kill('SIGTERM');
        await new Promise((r) => (relayChild.exitCode !== null ? r(null) : relayChild.once('exit', r)));
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
        for (const j of jobs) {
            const job = Job.createFromAddress(Address.parse(j.address));
            const jp = chain.provider(job.address);
            let sender = relayWallet.sender();
            await job.sendClose(jp, sender, CLOSE_VALUE);
            requireSuccess(await chain.waitForTrace(relayWallet.address, sender.sent[0]));
            const closing = await job.getJobData(jp);
            info(`closed: state ${JobState[closing.state]}, challenge deadline ${new Date(closing.deadline * 1000).toISOString()}`);
            // the worker's claimer claims at once when the job starts closing (it polls every 5 s)
            let data = closing;
            for (let i = 0; i < 30 && data.paid < j.cumulative; i++) {
                await new Promise((r) => setTimeout(r, 1000));
                data = await job.getJobData(jp);
            }
            info(`worker claim on-chain: paid ${ton(data.paid)} of ${ton(j.cumulative)} vouched`);
            const now = await chain.now();
            await devCall(chainUrl, '/dev/advance', { seconds: Math.max(0, data.deadline - now) + 60 });
            sender = relayWallet.sender();
            await job.sendFinalize(jp, sender, FINALIZE_VALUE);
            requireSuccess(await chain.waitForTrace(relayWallet.address, sender.sent[0]));
            const acc = await chain.getAccount(job.address);
            info(`finalized: job account ${acc.status}`);
        }

        // 8. money
        step('balances and fees');
        const w = Worker.createFromAddress(workerAccount);
        const wp = chain.provider(workerAccount);
        const e = await w.getEarnings(wp);
        const st = await w.getState(wp);
        info(`worker account: stake ${ton(st.stake)}, earnings held ${ton(e.earnings)} (payout threshold ${ton(e.payoutThreshold)})`);
        info(`relay wallet: ${ton(relayBalance0)} -> ${ton(await balance(chain, relayWallet.address))} (spent ${ton(relayBalance0 - (await balance(chain, relayWallet.address)))}, deposits refunded minus paid, fees, gas)`);
        info(`worker owner wallet: ${ton(await balance(chain, owner.address))}`);
        const params = await Root.createFromAddress(root).getParams(chain.provider(root));
        const paid = jobs.reduce((a, j) => a + j.cumulative, 0n);
        info(`paid by the jobs ${ton(paid)}; protocol fee ${params.protocolFeeBps} bps; worker earnings ${ton(e.earnings)} (the rest: the fee and the gasless claim's gas)`);
        info(`root balance (fees and registration): ${ton(await balance(chain, root))}`);
    } finally {
        step('stopping every process');
        await stopChildren();
        rmSync(dir, { recursive: true, force: true });
    }
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
