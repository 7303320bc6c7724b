import { createChain } from '../actors/chain';
import { Address } from '@ton/core';
import { Worker } from '../wrappers/Worker';
async function main() {
    const chain = createChain({ network: 'localnet', endpoint: 'http://127.0.0.1:39529/jsonRPC', timeoutMs: 15000 });
    const root = Address.parseRaw((await (async () => { const r = await chain.transactionsSince(Address.parse('EQBGEnI_LuEAumgeEyI8XP-3XqIbk9qXBqlDeVHzx4j0Ri9A'), null, { limit: 1 }); return r.transactions[0].account.toRawString(); })()));
    let c = null as any; const rs: any[] = [];
    for (;;) { const r = await chain.transactionsSince(root, c, { limit: 100 }); if (!r.transactions.length) break; rs.push(...r.transactions); c = r.cursor; }
    const wa = rs[rs.length - 1].outMessages[1].destination as Address;
    console.log('worker account', wa.toRawString());
    let c2 = null as any; const ws: any[] = [];
    for (;;) { const r = await chain.transactionsSince(wa, c2, { limit: 100 }); if (!r.transactions.length) break; ws.push(...r.transactions); c2 = r.cursor; }
    for (const t of ws.slice(-6)) console.log('w', t.id.lt, t.now, 'src', t.inMessage?.source?.toRawString().slice(0,12), 'op', t.inMessage?.body.beginParse().remainingBits >= 32 ? t.inMessage.body.beginParse().loadUint(32).toString(16) : '-', 'ok', t.success, 'exit', t.exitCode, 'outs', t.outMessages.map((m: any) => (m.destination?.toRawString().slice(0,12)) + ' ' + m.value));
    const w = Worker.createFromAddress(wa);
    const k = await w.getKeys(chain.provider(wa));
    console.log('keys', k.receiptKey.toString('hex').slice(0, 16), k.encryptionKey.toString('hex').slice(0, 16));
    console.log('state', await w.getState(chain.provider(wa)));
}
main();
