/**
 * Starts the local chain: a fresh genesis (or the one saved in `stateFile`), served by LocalnetServer.
 * Used by `npm run localnet` (main.ts) and by tests, which start it in-process on a random port.
 */
import { fromNano, toNano } from '@ton/core';
import { Blockchain } from '@ton/sandbox';
import { existsSync, readdirSync } from 'fs';
import path from 'path';
import { buildAllContracts } from '../../../../scripts/tools/buildContracts';
import { FundedWallet, LocalChain } from '../localChain';
import { createGenesis, friendly, ProtocolAddresses } from './genesis';
import { LocalnetInfo, LocalnetServer } from './server';
import { GlobalId } from '../../../../wrappers/payloads';

export interface LocalnetOptions {
    port?: number;
    /** ConfigParam 19 of the local chain; default -3 (testnet), what `blueprint run --custom-type testnet` signs W5 wallets for. */
    globalId?: number;
    wallets?: number;
    walletBalance?: bigint;
    /** Deploy council, root and librarian at genesis (default true). */
    deploy?: boolean;
    /** Snapshot file: loaded if it exists, written after every change and on stop. */
    stateFile?: string;
}

export interface Localnet {
    port: number;
    url: string;
    /** The endpoint to give TonClient, Blueprint (--custom) and the HTTP implementation. */
    endpoint: string;
    chain: LocalChain;
    wallets: FundedWallet[];
    protocol: ProtocolAddresses | null;
    globalId: number;
    restored: boolean;
    stop(): Promise<void>;
}

const buildDir = path.resolve(__dirname, '..', '..', '..', '..', 'build');

async function ensureBuilt(): Promise<void> {
    const built = existsSync(buildDir) ? readdirSync(buildDir).filter((f) => f.endsWith('.compiled.json')) : [];
    if (built.length >= 6) return;
    const failed = await buildAllContracts();
    if (failed.length > 0) throw new Error(`contracts that did not compile: ${failed.join(', ')} (see build/<Name>.error.txt)`);
}

export async function startLocalnet(o: LocalnetOptions = {}): Promise<Localnet> {
    const globalId = o.globalId ?? GlobalId.testnet;
    let local: LocalChain;
    let wallets: FundedWallet[];
    let protocol: ProtocolAddresses | null;
    let restored = false;
    if (o.stateFile && existsSync(o.stateFile)) {
        local = new LocalChain(await Blockchain.create(), 'wall', 'localnet');
        const extra = (await local.load(o.stateFile)) as { wallets: { mnemonic: string[]; address: string; balance: string }[]; protocol: ProtocolAddresses | null };
        const { Address } = await import('@ton/core');
        wallets = extra.wallets.map((w) => ({ mnemonic: w.mnemonic, address: Address.parse(w.address), balance: BigInt(w.balance) }));
        protocol = extra.protocol;
        restored = true;
    } else {
        if (o.deploy ?? true) await ensureBuilt();
        const g = await createGenesis({ globalId, wallets: o.wallets ?? 4, walletBalance: o.walletBalance ?? toNano('1000000'), deploy: o.deploy ?? true });
        local = g.local;
        wallets = g.wallets;
        protocol = g.protocol;
    }
    const chainGlobalId = (await local.configParam(19)).beginParse().loadInt(32);
    const save = o.stateFile
        ? () =>
              local.save(o.stateFile!, {
                  wallets: wallets.map((w) => ({ mnemonic: w.mnemonic, address: w.address.toString(), balance: w.balance.toString() })),
                  protocol,
              })
        : undefined;
    save?.();
    const info = (): LocalnetInfo => ({
        wallets: wallets.map((w) => ({ mnemonic: w.mnemonic.join(' '), address: friendly(w.address, false), balance: fromNano(w.balance) })),
        protocol: protocol as unknown as Record<string, string> | null,
        globalId: chainGlobalId,
    });
    // Save after changes, at most once a second (a snapshot of a busy chain takes a few ms).
    let timer: NodeJS.Timeout | null = null;
    const scheduleSave = save
        ? () => {
              timer ??= setTimeout(() => {
                  timer = null;
                  save();
              }, 1_000);
          }
        : undefined;
    const server = new LocalnetServer(local, info, save, scheduleSave);
    const port = await server.listen(o.port ?? 0);
    const url = `http://127.0.0.1:${port}`;
    return {
        port,
        url,
        endpoint: `${url}/jsonRPC`,
        chain: local,
        wallets,
        protocol,
        globalId: chainGlobalId,
        restored,
        stop: async () => {
            if (timer) clearTimeout(timer);
            timer = null;
            await server.close();
            save?.();
        },
    };
}
