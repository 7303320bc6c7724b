/**
 * A second process on the same local chain (spawned by transport.spec.ts): opens a wallet over HTTP, sends a
 * transfer, waits for its trace, and prints the result as one JSON line.
 * Usage: ts-node secondProcess.ts <endpoint> <to-address> <mnemonic words…>
 */
import { Address, toNano } from '@ton/core';
import { HttpChain, requireSuccess } from '../../../actors/chain';

async function main(): Promise<void> {
    const [endpoint, to, ...words] = process.argv.slice(2);
    const chain = new HttpChain({ endpoint }, { pollMs: { first: 20, max: 200 } });
    const wallet = await chain.openWallet(words);
    const sent = await wallet.send([{ to: Address.parse(to), value: toNano('1.5'), bounce: false }]);
    const trace = requireSuccess(await chain.waitForTrace(wallet.address, sent));
    console.log(JSON.stringify({ ok: true, wallet: wallet.address.toString(), transactions: trace.transactions.length }));
}

main().catch((e) => {
    console.log(JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) }));
    process.exit(1);
});
