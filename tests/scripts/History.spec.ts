/**
 * The transaction history job/status reads: paging through API v2 and v4 clients (here fakes that follow their
 * documented cursors), and reading open_job messages out of a wallet's transactions.
 */
import { Address, beginCell, Cell, Transaction } from '@ton/core';
import '@ton/test-utils';
import { commentBody } from '../../wrappers/common';
import { openJobBody } from '../../wrappers/Job';
import { DEFAULT_PRICES, hashOf } from '../../wrappers/testkit';
import { jobsOpenedBy, v2Transactions, v4Transactions } from '../../scripts/lib/history';

const addr = (n: number) => new Address(0, Buffer.alloc(32, n));
const hashOfLt = (lt: bigint) => Buffer.from(lt.toString(16).padStart(64, '0'), 'hex');

/** n transactions of one account, newest first, each pointing at the previous one (lt and hash). */
function chain(n: number): Transaction[] {
    const txs: Transaction[] = [];
    for (let i = n; i >= 1; i--) {
        const lt = BigInt(i * 1000);
        txs.push({
            lt,
            hash: () => hashOfLt(lt),
            prevTransactionLt: i > 1 ? lt - 1000n : 0n,
            prevTransactionHash: i > 1 ? BigInt('0x' + hashOfLt(lt - 1000n).toString('hex')) : 0n,
        } as unknown as Transaction);
    }
    return txs;
}

describe('transaction history', () => {
    it('pages an API v2 client by (lt, hash) of the last transaction, without repeats, up to the limit or the end', async () => {
        const txs = chain(250);
        const calls: { limit: number; lt?: string }[] = [];
        const v2 = {
            getTransactions: async (_a: Address, o: { limit: number; lt?: string; hash?: string; inclusive?: boolean }) => {
                calls.push({ limit: o.limit, lt: o.lt });
                let start = 0;
                if (o.lt) {
                    start = txs.findIndex((t) => t.lt.toString() === o.lt);
                    expect(t64(txs[start])).toBe(o.hash);
                    if (!o.inclusive) start++;
                }
                return txs.slice(start, start + o.limit);
            },
        };
        const t64 = (t: Transaction) => t.hash().toString('base64');
        const some = await v2Transactions(v2, addr(1), 230);
        expect(some.map((t) => t.lt)).toEqual(txs.slice(0, 230).map((t) => t.lt));
        const all = await v2Transactions(v2, addr(1), 1000);
        expect(all.map((t) => t.lt)).toEqual(txs.map((t) => t.lt));
        expect(calls.every((c) => c.limit <= 100)).toBe(true);
    });

    it('pages an API v4 client from the account’s last transaction along prev_trans_lt/hash', async () => {
        const txs = chain(45);
        const v4 = {
            getLastBlock: async () => ({ last: { seqno: 7 } }),
            getAccountLite: async () => ({ account: { last: { lt: txs[0].lt.toString(), hash: txs[0].hash().toString('base64') } } }),
            getAccountTransactions: async (_a: Address, lt: bigint, hash: Buffer) => {
                const i = txs.findIndex((t) => t.lt === lt);
                expect(hash.equals(txs[i].hash())).toBe(true);
                return txs.slice(i, i + 20).map((tx) => ({ tx }));
            },
        };
        expect((await v4Transactions(v4, addr(1), 1000)).map((t) => t.lt)).toEqual(txs.map((t) => t.lt));
        expect((await v4Transactions(v4, addr(1), 25)).length).toBe(25);
    });

    it('reads open_job messages (any job id) and ignores other bodies', () => {
        const client = addr(9);
        const root = addr(2);
        const worker = addr(3);
        const out = (bodies: Cell[]) =>
            ({
                now: 1_800_000_000,
                outMessages: new Map(bodies.map((body, i) => [i, { info: { type: 'internal', dest: root }, body }])),
            }) as unknown as Transaction;
        const big = (1n << 64n) - 1n;
        const open = openJobBody({ worker, jobId: big, clientKey: hashOf('k'), challenge: 600, maxPrices: DEFAULT_PRICES });
        const found = jobsOpenedBy(client, [out([commentBody('close'), open, beginCell().storeUint(0x56c977ec, 32).endCell()]), out([open])]);
        expect(found).toHaveLength(1);
        expect(found[0].jobId).toBe(big);
        expect(found[0].worker).toEqualAddress(worker);
        expect(found[0].root).toEqualAddress(root);
    });
});
