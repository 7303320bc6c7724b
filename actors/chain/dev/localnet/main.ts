/**
 * npm run localnet -- [--port 8081] [--no-deploy] [--state .localnet/state.json] [--wallets 4] [--global-id -3]
 *
 * A local TON chain for development: prints the endpoint, pre-funded wallets and the deployed protocol, then
 * serves until Ctrl-C (saving the state first when --state is given).
 */
import { Command, InvalidArgumentError } from 'commander';
import { toNano } from '@ton/core';
import { mkdirSync } from 'fs';
import path from 'path';
import { startLocalnet } from './localnet';

const integer = (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer');
    return n;
};

async function main(): Promise<void> {
    const program = new Command()
        .name('localnet')
        .description('A local TON chain (embedded @ton/sandbox) behind the toncenter v2 HTTP API, on 127.0.0.1')
        .option('--port <n>', 'port on 127.0.0.1', integer, 8081)
        .option('--no-deploy', 'do not deploy the protocol (council, root, librarian) at genesis')
        .option('--state <file>', 'save the chain to this file and restore it on the next start')
        .option('--wallets <n>', 'pre-funded W5 wallets (the first three are the council members)', integer, 4)
        .option('--balance <ton>', 'TON in each pre-funded wallet', '1000000')
        .option('--global-id <n>', 'network global id (ConfigParam 19): -3 testnet (Blueprint --custom-type testnet), -239 mainnet', integer, -3)
        .parse();
    const o = program.opts<{ port: number; deploy: boolean; state?: string; wallets: number; balance: string; globalId: number }>();
    const started = Date.now();
    if (o.state) mkdirSync(path.dirname(path.resolve(o.state)), { recursive: true });
    const net = await startLocalnet({ port: o.port, deploy: o.deploy, stateFile: o.state, wallets: o.wallets, walletBalance: toNano(o.balance), globalId: o.globalId });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const out: string[] = [];
    out.push(`local TON chain ${net.restored ? `restored from ${o.state}` : 'started'} in ${seconds} s`);
    out.push(`  endpoint   ${net.endpoint}   (toncenter v2 JSON-RPC; also GET ${net.url}/api/v2/<method>)`);
    out.push(`  global id  ${net.globalId}${net.globalId === -3 ? ' (testnet: use --custom-type testnet)' : ''}`);
    out.push('');
    out.push('pre-funded W5 wallets (WALLET_VERSION=v5r1):');
    net.wallets.forEach((w, i) => {
        out.push(`  #${i}${i < 3 && net.protocol ? ' (council member)' : ''}  ${w.address.toString({ testOnly: true, bounceable: false })}`);
        out.push(`      WALLET_MNEMONIC="${w.mnemonic.join(' ')}"`);
    });
    if (net.protocol) {
        out.push('');
        out.push('protocol:');
        for (const [k, v] of Object.entries(net.protocol)) out.push(`  ${k.padEnd(16)} ${v}`);
    }
    out.push('');
    out.push('in another terminal:');
    out.push(`  WALLET_VERSION=v5r1 WALLET_MNEMONIC="<a mnemonic above>" npx blueprint run worker/status --custom ${net.endpoint} --custom-version v2 --custom-type testnet --mnemonic`);
    out.push(`  curl -s -X POST ${net.url}/dev/advance -d '{"seconds":3600}'    # move chain time forward`);
    out.push(`  curl -s ${net.url}/dev/info                                     # wallets, addresses, chain time`);
    console.log(out.join('\n'));

    let stopping = false;
    const stop = async () => {
        if (stopping) return;
        stopping = true;
        await net.stop();
        console.log(o.state ? `state saved to ${o.state}` : 'stopped');
        process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
