/**
 * The whole network as separate processes on 127.0.0.1, piece by piece: the local chain server, the council
 * allowing an image and a model, the tiny engine, a worker (register or restart), relay API keys and the
 * relay. `npm run demo` and the chaos harness (npm run chaos) both start their networks with these, so what
 * the demo shows is what the harness kills and restarts. Dev-only: it drives the actors' CLIs as child
 * processes and the chain through `actors/chain`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { createWriteStream, mkdirSync, writeFileSync, existsSync } from 'fs';
import { join } from 'path';
import { Address, toNano } from '@ton/core';
import { createChain, type Chain } from '../../actors/chain';
import { requireSuccess } from '../../actors/chain/errors';
import { Council } from '../../wrappers/Council';
import { Proposal, ProposalState } from '../../wrappers/Proposal';
import { TIMELOCK } from '../../wrappers/testkit/council';

const ROOT = join(__dirname, '../..');

/**
 * Ports this process has handed out. A process that is stopped and started again on its port (the relay in the
 * fault tests) leaves that port free in between, and the OS may offer it to the next caller: never twice here.
 */
const handedOut = new Set<number>();

function osFreePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

export async function freePort(): Promise<number> {
    for (;;) {
        const port = await osFreePort();
        if (handedOut.has(port)) continue;
        handedOut.add(port);
        return port;
    }
}

export interface Started {
    child: ChildProcess;
    /** The output line that matched `ready`. */
    line: string;
}

export interface ChildEntry {
    name: string;
    child: ChildProcess;
    /** The last 16 kB of its stdout and stderr. */
    tail(): string;
}

/**
 * NETWORK_LOG_DIR=<dir>: every child's whole output is also appended to <dir>/<name>.log (the in-memory tail
 * keeps only the last 16 kB), for reading what each actor logged in a long run (a load benchmark, a demo).
 */
function keepOutput(name: string, child: ChildProcess): void {
    const dir = process.env.NETWORK_LOG_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const file = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
    child.stdout?.pipe(file, { end: false });
    child.stderr?.pipe(file, { end: false });
    child.once('close', () => file.end());
}

/** The children of one network: started with a readiness pattern, stopped together (once) in reverse order. */
export class Processes {
    readonly children: ChildEntry[] = [];
    private stopping: Promise<void> | null = null;

    constructor(private readonly say: (s: string) => void = () => undefined) {}

    /** Starts `ts-node <script> args` and resolves when a line of its output matches `ready` (rejects on exit or after `timeoutMs`). */
    start(name: string, script: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<Started> {
        const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, script), ...args], {
            cwd: ROOT,
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        keepOutput(name, child);
        let tail = '';
        this.children.push({ name, child, tail: () => tail });
        return new Promise((resolve, reject) => {
            let done = false;
            let pending = '';
            const timer = setTimeout(() => {
                if (done) return;
                done = true;
                child.kill('SIGKILL');
                reject(new Error(`${name} printed nothing matching ${ready} within ${timeoutMs / 1000} s:\n${tail}`));
            }, timeoutMs);
            const onData = (b: Buffer) => {
                const s = b.toString();
                tail = (tail + s).slice(-16_000);
                if (done) return;
                pending += s;
                const lines = pending.split('\n');
                pending = lines.pop() ?? '';
                for (const line of lines) {
                    if (ready.test(line)) {
                        done = true;
                        clearTimeout(timer);
                        resolve({ child, line });
                        return;
                    }
                }
            };
            child.stdout?.on('data', onData);
            child.stderr?.on('data', onData);
            child.once('exit', (code, signal) => {
                clearTimeout(timer);
                if (!done) {
                    done = true;
                    if (pending && ready.test(pending)) return resolve({ child, line: pending });
                    reject(new Error(`${name} exited with ${code ?? signal} before it was ready:\n${tail}`));
                }
            });
        });
    }

    /** The live child of that name (the last one started). */
    /** Runs `ts-node <script> args` to completion: its output lines, or an error with the output if it fails. */
    run(name: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
        const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, script), ...args], {
            cwd: ROOT,
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        keepOutput(name, child);
        let out = '';
        this.children.push({ name, child, tail: () => out.slice(-16_000) });
        child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
        child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
        return new Promise((resolve, reject) => {
            child.once('exit', (code) => {
                const lines = out.split('\n').filter((l) => l.trim() !== '');
                if (code === 0) resolve(lines);
                else reject(new Error(`${name} exited with ${code}:\n${out}`));
            });
        });
    }

    get(name: string): ChildEntry | undefined {
        return [...this.children].reverse().find((c) => c.name === name);
    }

    /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
    static async stop(child: ChildProcess, graceMs = 20_000): Promise<boolean> {
        if (child.exitCode !== null || child.signalCode !== null) return true;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const ok = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
        if (!ok) {
            child.kill('SIGKILL');
            await exited;
        }
        return ok;
    }

    /** SIGKILL and wait for the exit. */
    static async kill(child: ChildProcess): Promise<void> {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
    }

    /** Stops every child once (Ctrl-C and `finally` may both ask). */
    stopAll(): Promise<void> {
        this.stopping ??= (async () => {
            for (const { name, child } of [...this.children].reverse()) {
                if (child.exitCode !== null || child.signalCode !== null) continue;
                this.say((await Processes.stop(child)) ? `${name}: stopped` : `${name}: killed (did not stop within 20 s)`);
            }
        })();
        return this.stopping;
    }
}

export interface DevInfo {
    wallets: { mnemonic: string; address: string; balance: string }[];
    protocol: { root: string; council: string; librarian: string } | null;
    now: number;
}

/** A call to the local chain server's dev extension (/dev/info, /dev/advance, /dev/save). */
export async function devCall<T>(url: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(`${url}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const j = (await r.json()) as { ok: boolean; result: T; error?: string };
    if (!j.ok) throw new Error(`${path}: ${j.error}`);
    return j.result;
}

export interface LocalChain {
    /** http://127.0.0.1:<port> (the dev extension lives here). */
    url: string;
    /** The toncenter v2 JSON-RPC endpoint. */
    endpoint: string;
    chain: Chain;
    dev: DevInfo;
    root: Address;
    council: Address;
    /** The mnemonic of pre-funded wallet #i. */
    words(i: number): string[];
}

/** `npm run localnet` with the protocol deployed at genesis (wallets 0-2 are the council). */
export async function startLocalChain(p: Processes, o: { wallets: number; port?: number }): Promise<LocalChain> {
    const port = o.port ?? (await freePort());
    await p.start('localnet', 'actors/chain/dev/localnet/main.ts', ['--port', String(port), '--wallets', String(o.wallets)], /in another terminal/);
    const url = `http://127.0.0.1:${port}`;
    const endpoint = `${url}/jsonRPC`;
    const dev = await devCall<DevInfo>(url, '/dev/info');
    if (!dev.protocol) throw new Error('the local chain has no protocol deployed');
    const chain = createChain({ network: 'localnet', endpoint } as Parameters<typeof createChain>[0]);
    return { url, endpoint, chain, dev, root: Address.parse(dev.protocol.root), council: Address.parse(dev.protocol.council), words: (i) => dev.wallets[i].mnemonic.split(' ') };
}

/** The council (wallets 0-2) proposes, votes, waits out the timelock and executes: the image and the model are allowed. */
export async function allowImageAndModel(lc: LocalChain, a: { imageHash: Buffer; modelHash: Buffer; model: string }, say: (s: string) => void = () => undefined): Promise<void> {
    const { chain } = lc;
    // An image or a model enters the allowlists only with the hash of the document it rests on: here the
    // measurement manifest produced locally (in production: release notes or a reference quote).
    const manifest = JSON.stringify({ image: a.imageHash.toString('hex'), model: a.modelHash.toString('hex'), name: a.model });
    const evidence = createHash('sha256').update(manifest).digest();
    say(`evidence ${evidence.toString('hex')} = SHA-256 of ${manifest}`);
    const council = Council.createFromAddress(lc.council);
    const members = await Promise.all([0, 1, 2].map((i) => chain.openWallet(lc.words(i))));
    const cp = chain.provider(council.address);
    const before = await council.getCouncilData(cp);
    const fee = await council.getProposalFee(cp);
    {
        const sender = members[0].sender();
        await council.sendCreateProposal(cp, sender, {
            actions: [
                { kind: 'root', value: toNano('0.2'), action: { kind: 'addImage', label: 'simulated TDX image', imageHash: a.imageHash } },
                { kind: 'root', value: toNano('0.2'), action: { kind: 'addModel', modelHash: a.modelHash, name: a.model } },
            ],
            description: `allow the simulated image and the ${a.model} model`,
            evidence,
            value: fee + toNano('0.5'),
        });
        requireSuccess(await chain.waitForTrace(members[0].address, sender.sent[0]));
    }
    const id = before.nextId;
    const proposal = Proposal.createFromAddress(await council.getProposalAddress(cp, id));
    const pp = chain.provider(proposal.address);
    say(`proposal ${id} at ${proposal.address.toString({ testOnly: true })}`);
    for (const i of [0, 1]) {
        const d = await proposal.getProposalData(pp);
        if (d.state !== ProposalState.Voting) break;
        const sender = members[i].sender();
        await proposal.sendVote(pp, sender, true, toNano('0.05'));
        await chain.waitForTrace(members[i].address, sender.sent[0]);
        say(`member #${i} voted yes`);
    }
    let d = await proposal.getProposalData(pp);
    if (d.state !== ProposalState.Passed) throw new Error(`proposal ${id} is ${ProposalState[d.state]}, not Passed`);
    const adv = await devCall<{ now: number }>(lc.url, '/dev/advance', { seconds: TIMELOCK + 60 });
    say(`passed; /dev/advance ${TIMELOCK + 60} s past the timelock (chain time ${new Date(adv.now * 1000).toISOString()})`);
    {
        const sender = members[2].sender();
        await proposal.sendExecute(pp, sender, (await proposal.getExecuteValue(pp)) + toNano('0.05'));
        requireSuccess(await chain.waitForTrace(members[2].address, sender.sent[0]));
    }
    d = await proposal.getProposalData(pp);
    say(`executed by member #2: ${d.readable.join('; ')}`);
}

/** The tiny engine (node-llama-cpp on the CPU); port 0 picks one, a fixed port lets a restart keep its URL. */
export async function startEngine(p: Processes, o: { modelPath: string; model: string; port?: number; sequences?: number }): Promise<{ url: string; child: ChildProcess }> {
    const s = await p.start('engine', 'devnet/engine/cli.ts', ['--port', String(o.port ?? 0), '--model', o.modelPath, '--served-model-name', o.model, '--sequences', String(o.sequences ?? 2)], /"url"/);
    return { url: (JSON.parse(s.line.slice(s.line.indexOf('{'))) as { url: string }).url, child: s.child };
}

export interface WorkerLaunch {
    lc: LocalChain;
    /** `register` the first time (stake from the owner wallet), `start` on a restart (new keys, key update on-chain). */
    mode: 'register' | 'start';
    ownerMnemonicFile: string;
    engineUrl: string;
    model: string;
    modelPath: string;
    port: number;
    dataDir: string;
    /** prompt,cached,completion,reasoning in TON per million tokens. */
    prices: string;
    extraArgs?: string[];
    env?: NodeJS.ProcessEnv;
    /** The child's name in the process list (default `worker`). */
    name?: string;
}

/** `npm run worker -- register|start`: resolves once it serves, with its on-chain account. */
export async function startWorker(p: Processes, o: WorkerLaunch): Promise<{ child: ChildProcess; line: string; account: Address; url: string }> {
    const s = await p.start(
        o.name ?? 'worker',
        'actors/worker/main.ts',
        [
            o.mode, '--network', 'localnet', '--chain-endpoint', o.lc.endpoint, '--root', o.lc.root.toString(),
            '--wallet-mnemonic-file', o.ownerMnemonicFile, '--quote-provider', 'simulated', '--engine-url', o.engineUrl,
            '--model-id', o.model, '--model-path', o.modelPath, '--prices', o.prices,
            '--endpoint', `http://127.0.0.1:${o.port}`, '--listen', `127.0.0.1:${o.port}`,
            '--data-dir', o.dataDir, ...(o.extraArgs ?? []),
        ],
        /serving \S+ on/,
        o.env,
    );
    return { child: s.child, line: s.line, account: Address.parse(/worker (\S+) serving/.exec(s.line)![1]), url: `http://127.0.0.1:${o.port}` };
}

/** The simulated TDX root the worker wrote into its data dir (the relay trusts it explicitly). */
export function simulatedRootPem(workerDir: string): string {
    const pem = join(workerDir, 'simulated-root.pem');
    if (!existsSync(pem)) throw new Error(`the worker did not write ${pem}`);
    return pem;
}

/** `npm run relay -- keys add <name>`: the new API key. */
export async function addRelayKey(p: Processes, relayDir: string, name: string): Promise<string> {
    const s = await p.start('relay keys', 'actors/relay/main.ts', ['keys', 'add', name, '--data-dir', relayDir], /^sk-/);
    await new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.once('exit', r)));
    return s.line.trim();
}

export interface RelayLaunch {
    lc: LocalChain;
    port: number;
    dataDir: string;
    /** Wallet mnemonic file (written here from `mnemonic` when given). */
    mnemonicFile: string;
    mnemonic?: string;
    deposit: string;
    maxPrices: string;
    maxTokens: number;
    simulatedRootPem: string;
    extraArgs?: string[];
    env?: NodeJS.ProcessEnv;
}

export interface RelayListening {
    url: string;
    workers: { account: string; status: string; reasons?: string[] }[];
}

/** `npm run relay -- start`: resolves once it listens, with the workers it discovered and verified. */
export async function startRelay(p: Processes, o: RelayLaunch): Promise<{ child: ChildProcess; listening: RelayListening; baseURL: string }> {
    if (o.mnemonic) writeFileSync(o.mnemonicFile, o.mnemonic, { mode: 0o600 });
    const s = await p.start(
        'relay',
        'actors/relay/main.ts',
        ['start', '--root', o.lc.root.toString(), '--port', String(o.port), '--data-dir', o.dataDir, '--mnemonic-file', o.mnemonicFile, '--deposit', o.deposit, '--max-prices', o.maxPrices, '--max-tokens', String(o.maxTokens), '--trust-simulated-root', o.simulatedRootPem, ...(o.extraArgs ?? [])],
        /relay listening/,
        { TON_NETWORK: 'localnet', TON_ENDPOINT: o.lc.endpoint, ...o.env },
    );
    return { child: s.child, listening: JSON.parse(s.line.slice(s.line.indexOf('{'))) as RelayListening, baseURL: `http://127.0.0.1:${o.port}/v1` };
}
