/**
 * Runs a script with no wallet: `npm run read -- <script> [--testnet|--mainnet|--custom <API v2 URL>
 * [--custom-version v2|v4] [--custom-key <key>] [--custom-type testnet|mainnet]] [script arguments]`.
 * Blueprint's own `run` always asks "which wallet are you using?" before the script starts; reading needs none.
 * Read-only scripts (root/status, worker/status, job/status, council/status) print as usual; any other script
 * prints its ton:// link and never sends (as with --link-only), so a plain-wallet user needs nothing else.
 */
import { NetworkProvider, SenderWithSendResult, UIProvider } from '@ton/blueprint';
import { Address, Cell, Contract, ContractProvider, ContractState, OpenedContract, openContract, StateInit, Transaction } from '@ton/core';
import { TonClient, TonClient4 } from '@ton/ton';
import path from 'path';
import { ChainClock, WalletlessProvider } from './cli';
import { TransactionHistory, v2Transactions, v4Transactions } from './history';

/** What the runner needs from a chain API: contract providers, the chain's clock and accounts' histories. */
export interface ChainReader {
    provider(address: Address, init?: StateInit | null): ContractProvider;
    chainTime(): Promise<number>;
    /** An account's transactions, newest first (job/status finds a client's jobs in its wallet's history). */
    transactions?(address: Address, limit: number): Promise<Transaction[]>;
}

export type Network = 'mainnet' | 'testnet';

/** Console output for the runner (the same calls Blueprint's UI gets); prompts fail, as nobody can answer. */
export class ConsoleUI implements UIProvider {
    write(message: string): void {
        console.log(message);
    }
    async prompt(message: string): Promise<boolean> {
        throw new Error(`${message}: pass it as an argument (this runner asks nothing)`);
    }
    async inputAddress(message: string): Promise<Address> {
        throw new Error(`${message}: pass it as an argument (this runner asks nothing)`);
    }
    async input(message: string): Promise<string> {
        throw new Error(`${message}: pass it as an argument (this runner asks nothing)`);
    }
    async choose<T>(message: string): Promise<T> {
        throw new Error(`${message}: pass it as an argument (this runner asks nothing)`);
    }
    setActionPrompt(): void {}
    clearActionPrompt(): void {}
}

export class WalletlessNetworkProvider<U extends UIProvider = UIProvider> implements NetworkProvider, WalletlessProvider, ChainClock, TransactionHistory {
    readonly walletless = true as const;

    constructor(
        private readonly reader: ChainReader,
        private readonly net: Network,
        private readonly ui_: U,
    ) {}

    network(): Network {
        return this.net;
    }
    explorer(): 'tonviewer' {
        return 'tonviewer';
    }
    sender(): SenderWithSendResult {
        throw new Error('no wallet in this run: it reads and prints links only (use npx blueprint run with --tonconnect, --deeplink or --mnemonic to send)');
    }
    api(): never {
        throw new Error('no API client is exposed by the no-wallet runner');
    }
    provider(address: Address, init?: { code?: Cell; data?: Cell }): ContractProvider {
        return this.reader.provider(address, init?.code && init?.data ? { code: init.code, data: init.data } : null);
    }
    async isContractDeployed(address: Address): Promise<boolean> {
        return (await this.getContractState(address)).state.type === 'active';
    }
    async waitForDeploy(): Promise<void> {
        throw new Error('the no-wallet runner deploys nothing');
    }
    async waitForLastTransaction(): Promise<void> {}
    async getContractState(address: Address): Promise<ContractState> {
        return this.reader.provider(address).getState();
    }
    async getConfig(): Promise<never> {
        throw new Error('not available without a wallet provider');
    }
    async deploy(): Promise<void> {
        throw new Error('the no-wallet runner deploys nothing');
    }
    open<T extends Contract>(contract: T): OpenedContract<T> {
        return openContract(contract, (params) => this.reader.provider(params.address, params.init ?? null));
    }
    ui(): U {
        return this.ui_;
    }
    async transactions(address: Address, limit: number): Promise<Transaction[]> {
        if (!this.reader.transactions) throw new Error('this chain reader cannot read transactions');
        return this.reader.transactions(address, limit);
    }
    chainTime(): Promise<number> {
        return this.reader.chainTime();
    }
}

const ELECTOR = Address.parse('-1:3333333333333333333333333333333333333333333333333333333333333333');

export interface ReaderOptions {
    network: Network;
    /** API endpoint; the public toncenter v2 endpoint of the network when absent. */
    endpoint?: string;
    version?: 'v2' | 'v4';
    apiKey?: string;
}

/** Parses the runner's own flags (Blueprint's names) out of the argument list; the rest go to the script. */
export function parseRunnerArgs(argv: string[]): { script: string; options: ReaderOptions; scriptArgs: string[] } {
    const rest: string[] = [];
    let script: string | undefined;
    const options: ReaderOptions = { network: 'testnet' };
    let customType: Network | undefined;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--') continue;
        if (a === '--mainnet' || a === '--testnet') options.network = a.slice(2) as Network;
        else if (a === '--custom') options.endpoint = argv[++i];
        else if (a === '--custom-key') options.apiKey = argv[++i];
        else if (a === '--custom-version') {
            const v = argv[++i];
            if (v !== 'v2' && v !== 'v4') throw new Error('--custom-version: v2 or v4');
            options.version = v;
        } else if (a === '--custom-type') {
            const t = argv[++i];
            if (t !== 'mainnet' && t !== 'testnet') throw new Error('--custom-type: mainnet or testnet');
            customType = t;
        } else if (!script && !a.startsWith('-')) script = a;
        else rest.push(a);
    }
    if (!script) throw new Error('usage: npm run read -- <script, e.g. root/status> [--testnet|--mainnet|--custom URL] [arguments]');
    if (customType) options.network = customType;
    return { script, options, scriptArgs: rest };
}

/** A reader over a public API: TonClient (v2, the default) or TonClient4. */
export function apiReader(o: ReaderOptions): ChainReader {
    if (o.version === 'v4') {
        const c = new TonClient4({ endpoint: o.endpoint ?? (o.network === 'mainnet' ? 'https://mainnet-v4.tonhubapi.com' : 'https://testnet-v4.tonhubapi.com') });
        return {
            provider: (a, init) => c.provider(a, init ?? null),
            chainTime: async () => (await c.getLastBlock()).now,
            transactions: (a, limit) => v4Transactions(c, a, limit),
        };
    }
    const endpoint = o.endpoint ?? (o.network === 'mainnet' ? 'https://toncenter.com/api/v2/jsonRPC' : 'https://testnet.toncenter.com/api/v2/jsonRPC');
    const c = new TonClient({ endpoint, apiKey: o.apiKey });
    return {
        provider: (a, init) => c.provider(a, init ?? null),
        // The elector runs a tick-tock transaction in every masterchain block: its newest is the chain's time.
        chainTime: async () => (await c.getTransactions(ELECTOR, { limit: 1 }))[0].now,
        transactions: (a, limit) => v2Transactions(c, a, limit),
    };
}

export type ScriptRun = (provider: NetworkProvider, args: string[]) => Promise<void>;

/** Loads scripts/<name>.ts (the same module Blueprint runs). */
export function loadScript(name: string): ScriptRun {
    if (!/^[a-z]+\/[A-Za-z]+$/.test(name)) throw new Error(`no script "${name}": expected <folder>/<name>, e.g. root/status`);
    const mod = require(path.join(__dirname, '..', `${name}.ts`)) as { run?: ScriptRun };
    if (typeof mod.run !== 'function') throw new Error(`scripts/${name}.ts has no run()`);
    return mod.run;
}

async function main(): Promise<void> {
    const { script, options, scriptArgs } = parseRunnerArgs(process.argv.slice(2));
    const provider = new WalletlessNetworkProvider(apiReader(options), options.network, new ConsoleUI());
    await loadScript(script)(provider, scriptArgs);
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(e instanceof Error ? e.message : String(e));
        process.exit(1);
    });
}
