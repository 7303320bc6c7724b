/**
 * The network the chaos harness breaks: the local chain, the tiny engine, one worker and one relay as child
 * processes on fixed 127.0.0.1 ports (so a restarted worker or engine keeps its URL), launched with the same
 * code as `npm run demo`. Each actor can be killed (SIGKILL) and started again, optionally armed with a crash
 * point (COCOON_CRASH_AT, actors/crashpoint) that makes it kill itself at an exact moment.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { Address, openContract } from '@ton/core';
import { Worker } from '../../wrappers/Worker';
import { gasConstant } from '../../wrappers/testkit/gas';
import { SimulatedQuoteProvider } from '../../actors/tee';
import { attest, freshKeys } from '../../actors/worker/boot/attest';
import { modelHash as computeModelHash } from '../../actors/engine/modelHash';
import { writeTinyModel } from '../../devnet/engine/tinyModel';
import { addRelayKey, allowImageAndModel, devCall, freePort, Processes, simulatedRootPem, startEngine, startLocalChain, startRelay, startWorker, type LocalChain } from '../../devnet/network/launch';

export type Actor = 'worker' | 'relay' | 'engine';

export const MODEL = 'tiny';
/** TON per million tokens: a 16-token answer costs a few hundredths of a TON, well above the claim gas. */
export const PRICES = '1000,250,2000,2000';
/** Small deposits so top-ups happen every few requests. */
export const DEPOSIT = '0.5';
export const MAX_TOKENS = 16;

export class ChaosNetwork {
    readonly processes: Processes;
    lc!: LocalChain;
    apiKey = '';
    baseURL = '';
    workerAccount!: Address;
    relayWallet!: Address;
    private modelPath = '';
    private enginePort = 0;
    private workerPort = 0;
    private relayPort = 0;
    private engineUrl = '';

    constructor(
        readonly dir: string,
        private readonly say: (s: string) => void,
    ) {
        this.processes = new Processes(say);
    }

    get workerDir(): string {
        return join(this.dir, 'worker');
    }
    get relayDir(): string {
        return join(this.dir, 'relay');
    }
    get relayMnemonic(): string[] {
        return this.lc.words(4);
    }

    async start(): Promise<void> {
        this.lc = await startLocalChain(this.processes, { wallets: 5 });
        this.modelPath = writeTinyModel(join(this.dir, 'tiny.gguf'));
        const modelHash = await computeModelHash(this.modelPath);
        const imageHash = (await attest(new SimulatedQuoteProvider(), freshKeys())).imageHash;
        await allowImageAndModel(this.lc, { imageHash, modelHash, model: MODEL }, this.say);
        [this.enginePort, this.workerPort, this.relayPort] = [await freePort(), await freePort(), await freePort()];
        await this.startEngine();
        writeFileSync(join(this.dir, 'owner.mnemonic'), this.lc.dev.wallets[3].mnemonic, { mode: 0o600 });
        writeFileSync(join(this.dir, 'relay.mnemonic'), this.lc.dev.wallets[4].mnemonic, { mode: 0o600 });
        this.workerAccount = (await this.startWorker('register')).account;
        this.apiKey = await addRelayKey(this.processes, this.relayDir, 'chaos');
        await this.startRelay();
        this.relayWallet = (await this.lc.chain.openWallet(this.relayMnemonic)).address;
    }

    private async startEngine(): Promise<void> {
        this.engineUrl = (await startEngine(this.processes, { modelPath: this.modelPath, model: MODEL, port: this.enginePort, sequences: 2 })).url;
    }

    private startWorker(mode: 'register' | 'start', crashAt?: string) {
        return startWorker(this.processes, {
            lc: this.lc, mode, ownerMnemonicFile: join(this.dir, 'owner.mnemonic'), engineUrl: this.engineUrl, model: MODEL, modelPath: this.modelPath, prices: PRICES,
            port: this.workerPort, dataDir: this.workerDir,
            // claims wait for the close (threshold far above a run's earnings), so a run ends with one claim per job
            extraArgs: ['--max-tokens', '64', '--claim-threshold', '1000', '--credit-limit', '1', '--log-level', 'warn'],
            env: crashAt ? { COCOON_CRASH_AT: crashAt } : { COCOON_CRASH_AT: '' },
        });
    }

    private async startRelay(crashAt?: string): Promise<void> {
        const r = await startRelay(this.processes, {
            lc: this.lc, port: this.relayPort, dataDir: this.relayDir, mnemonicFile: join(this.dir, 'relay.mnemonic'),
            deposit: DEPOSIT, maxPrices: PRICES, maxTokens: 32, simulatedRootPem: simulatedRootPem(this.workerDir),
            env: { COCOON_CRASH_AT: crashAt ?? '' },
        });
        this.baseURL = r.baseURL;
    }

    child(a: Actor): ChildProcess | null {
        const c = this.processes.get(a)?.child;
        return c && c.exitCode === null && c.signalCode === null ? c : null;
    }

    /** The output tail of the actor's last process (why it died, which crash point fired). */
    tail(a: Actor): string {
        return this.processes.get(a)?.tail() ?? '';
    }

    async kill(a: Actor): Promise<void> {
        const c = this.child(a);
        if (c) await Processes.kill(c);
    }

    /** Waits (up to `ms`) for the actor to exit by itself (a crash point); true when it did. */
    async exited(a: Actor, ms: number): Promise<boolean> {
        const c = this.processes.get(a)?.child;
        if (!c) return true;
        if (c.exitCode !== null || c.signalCode !== null) return true;
        return Promise.race([new Promise<boolean>((r) => c.once('exit', () => r(true))), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    }

    /** Starts the actor again (after a kill or a crash point), armed with `crashAt` when given. */
    async restart(a: Actor, crashAt?: string): Promise<void> {
        await this.kill(a);
        if (a === 'engine') return this.startEngine();
        if (a === 'worker') {
            await this.ageRetiredKeys();
            await this.startWorker('start', crashAt);
            return;
        }
        return this.startRelay(crashAt);
    }

    /** How far the harness moved the local chain's clock to let retired keys expire (seconds, for the report). */
    clockMoved = 0;

    /**
     * Every worker restart retires a receipt key, which stays slashable for an unbonding period, and a worker account
     * keeps at most keys::max_retired of them (too_many_retired_keys, which the boot reports at once). A campaign
     * that restarts the worker more often stands for weeks of operation, so before the restart that would meet the
     * bound the harness moves the local chain's clock (/dev/advance) just past the oldest retired key's window, as
     * that much real time would; open jobs then meet their timeouts as they would after such an outage.
     */
    private async ageRetiredKeys(): Promise<void> {
        const worker = openContract(Worker.createFromAddress(this.workerAccount), (c) => this.lc.chain.provider(c.address));
        const [{ retiredKeys }, { params }, now] = await Promise.all([worker.getKeys(), worker.getSettings(), this.lc.chain.now()]);
        if (retiredKeys.size < gasConstant('keys::max_retired')) return;
        const oldest = Math.min(...[...retiredKeys].map(([, retiredAt]) => retiredAt));
        const seconds = Math.max(0, oldest + params.unbondingPeriod + 1 - now);
        await devCall<{ now: number }>(this.lc.url, '/dev/advance', { seconds });
        this.clockMoved += seconds;
        this.say(`  the worker holds ${retiredKeys.size} retired keys: local chain clock moved ${seconds} s, past the oldest one's slashable window`);
    }

    /** SIGTERM (the relay's clean stop) so its wallet is ours alone for the settlement. */
    async stop(a: Actor): Promise<void> {
        const c = this.child(a);
        if (c) await Processes.stop(c);
    }
}
