import { createChain } from '/work/wt/claimer-chaos/actors/chain';
import { readFileSync } from 'fs';
import { Address } from '@ton/core';
async function main() {
    const chain = createChain({ network: 'localnet', endpoint: 'http://127.0.0.1:39529/jsonRPC', timeoutMs: 15000 });
    const w = await chain.openWallet(readFileSync('/tmp/cocoon-chaos-ZnxgJD/owner.mnemonic', 'utf8').trim().split(/\s+/));
    console.log('owner', w.address.toRawString(), 'balance', await w.balance(), 'now', await chain.now());
    let cursor = null as any; const all: any[] = [];
    for (;;) { const r = await chain.transactionsSince(w.address, cursor, { limit: 100 }); if (!r.transactions.length) break; all.push(...r.transactions); cursor = r.cursor; }
    for (const t of all.slice(-6)) console.log(t.id.lt, t.now, t.inMessage?.kind, 'ok', t.success, 'exit', t.exitCode, 'action', t.actionResultCode, 'outs', t.outMessages.map((m: any) => m.destination?.toRawString().slice(0,12) + ' ' + m.value));
    const root = all[all.length-1]?.outMessages[0]?.destination as Address | undefined;
    if (root) { let c = null as any; const rs: any[] = []; for (;;) { const r = await chain.transactionsSince(root, c, { limit: 100 }); if (!r.transactions.length) break; rs.push(...r.transactions); c = r.cursor; }
      for (const t of rs.slice(-4)) console.log('root', t.id.lt, t.now, 'src', t.inMessage?.source?.toRawString().slice(0,12), 'ok', t.success, 'exit', t.exitCode, 'outs', t.outMessages.map((m: any) => m.destination?.toRawString().slice(0,12) + ' ' + m.value + (m.bounced ? ' BOUNCE' : ''))); }
}
main();
