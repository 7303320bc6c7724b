/**
 * A Blueprint NetworkProvider backed by @ton/sandbox, so the scripts in scripts/ run in tests exactly as they
 * run against a real network with --tonconnect/--deeplink/--mnemonic: same `run(provider, args)`, same sender,
 * same prompts (answered from a queue) and the same printed output (captured).
 */
import { NetworkProvider, SenderWithSendResult, UIProvider } from '@ton/blueprint';
import { Address, Cell, Contract, ContractProvider, ContractState, OpenedContract, SenderArguments, Transaction } from '@ton/core';
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';

export class ScriptedUI implements UIProvider {
    readonly output: string[] = [];
    constructor(private readonly answers: string[] = []) {}
    write(message: string): void {
        this.output.push(message);
    }
    async prompt(message: string): Promise<boolean> {
        this.output.push(message);
        return true;
    }
    async inputAddress(message: string, fallback?: Address): Promise<Address> {
        const a = this.next(message);
        return a === '' && fallback ? fallback : Address.parse(a);
    }
    async input(message: string): Promise<string> {
        return this.next(message);
    }
    async choose<T>(message: string, choices: T[], display: (v: T) => string): Promise<T> {
        const a = this.next(message);
        const found = choices.find((c) => display(c) === a);
        if (found === undefined) throw new Error(`no choice "${a}" for "${message}"`);
        return found;
    }
    setActionPrompt(message: string): void {
        this.output.push(message);
    }
    clearActionPrompt(): void {}
    private next(question: string): string {
        const a = this.answers.shift();
        if (a === undefined) throw new Error(`the script asked "${question}" and no answer was scripted`);
        return a;
    }
}

/**
 * An account's transactions in the sandbox, newest first (what a chain API's history gives). Sorted here by lt:
 * Blockchain.getTransactions reverses its own list in place, so its order alternates between calls.
 */
export async function sandboxTransactions(blockchain: Blockchain, address: Address, limit: number): Promise<Transaction[]> {
    const all = await blockchain.getTransactions(address);
    return [...all].sort((a, b) => (a.lt < b.lt ? 1 : a.lt > b.lt ? -1 : 0)).slice(0, limit);
}

export class SandboxNetworkProvider implements NetworkProvider {
    readonly ui_: ScriptedUI;

    constructor(
        private readonly blockchain: Blockchain,
        private readonly wallet: SandboxContract<TreasuryContract>,
        answers: string[] = [],
    ) {
        this.ui_ = new ScriptedUI(answers);
    }

    network(): 'testnet' {
        return 'testnet';
    }
    explorer(): 'tonviewer' {
        return 'tonviewer';
    }
    /**
     * The wallet's sender. A raw `getSender().send()` only queues the message in the sandbox; going through the
     * opened wallet's `send` runs the whole chain, as a real network eventually does.
     */
    sender(): SenderWithSendResult {
        return {
            address: this.wallet.address,
            send: async (args: SenderArguments) => {
                await this.wallet.send(args);
            },
        };
    }
    api(): never {
        throw new Error('the sandbox provider has no chain API client');
    }
    provider(address: Address, init?: { code?: Cell; data?: Cell }): ContractProvider {
        return this.blockchain.provider(address, init?.code && init?.data ? { code: init.code, data: init.data } : undefined);
    }
    async isContractDeployed(address: Address): Promise<boolean> {
        return (await this.blockchain.getContract(address)).accountState?.type === 'active';
    }
    async waitForDeploy(address: Address): Promise<void> {
        if (!(await this.isContractDeployed(address))) throw new Error(`${address} was not deployed`);
    }
    async waitForLastTransaction(): Promise<void> {}
    async getContractState(address: Address): Promise<ContractState> {
        return this.blockchain.provider(address).getState();
    }
    async getConfig(): Promise<never> {
        throw new Error('not available in the sandbox provider');
    }
    async deploy(): Promise<void> {
        throw new Error('deprecated: use the contract wrapper’s sendDeploy');
    }
    open<T extends Contract>(contract: T): OpenedContract<T> {
        return this.blockchain.openContract(contract) as unknown as OpenedContract<T>;
    }
    ui(): ScriptedUI {
        return this.ui_;
    }
    /** An account's transactions, newest first (scripts/lib/history.ts). */
    async transactions(address: Address, limit: number): Promise<Transaction[]> {
        return sandboxTransactions(this.blockchain, address, limit);
    }
    /**
     * A script's wait between two reads of the chain (scripts/lib/cli.ts pause). The sandbox chain moves only when
     * the test moves it, so this returns at once; a test replaces it to act while the script waits (e.g. a wallet
     * sends the link the script printed), with no real-time wait.
     */
    sleep: (ms: number) => Promise<void> = async () => {};
    /** Whether a script may ask what no argument gave (scripts/lib/cli.ts canAsk): only when the test scripted the answers. */
    interactive = false;
    /** The sandbox chain's clock (scripts/lib/cli.ts chainTime). */
    async chainTime(): Promise<number> {
        return this.blockchain.now ?? Math.floor(Date.now() / 1000);
    }
}
