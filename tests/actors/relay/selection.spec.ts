/**
 * Worker selection (actors/relay/core/selection.ts), pure: only workers of the requested model and within the
 * relay's --max-prices are candidates (a worker above them would only be refused by the on-chain open_job, one
 * transaction per try); then fewer failures first, then a cheaper typical request, then lower latency, then the
 * better on-chain reputation (fewer slashes, then more jobs).
 */
import { Address, toNano } from '@ton/core';
import { rank, withinPrices, type Candidate } from '../../../actors/relay/core/selection';
import type { Prices } from '../../../wrappers/common';
import type { VerifiedWorker } from '../../../actors/relay/core/verify';

const BASE: Prices = { prompt: toNano('1000'), cached: toNano('250'), completion: toNano('2000'), reasoning: toNano('2000') };
let n = 0;

function cand(o: { model?: string; prices?: Partial<Prices>; latencyMs?: number; failures?: number; slashes?: number; jobs?: number } = {}): Candidate {
    const account = Address.parseRaw(`0:${(++n).toString(16).padStart(64, '0')}`);
    const worker = {
        account: account.toRawString(),
        url: `http://127.0.0.1:${9000 + n}`,
        simulated: true,
        receiptKey: Buffer.alloc(32, n),
        encKey: Buffer.alloc(32, n),
        modelId: o.model ?? 'tiny@abc',
        modelHash: Buffer.alloc(32, 0x33),
        quoteHash: Buffer.alloc(32, n),
        creditLimit: toNano('1'),
        collateral: 'stapled',
        onChain: {
            account,
            active: true,
            stake: toNano('100'),
            minStake: toNano('10'),
            receiptKey: Buffer.alloc(32, n),
            encKey: Buffer.alloc(32, n),
            imageHash: Buffer.alloc(32, 1),
            modelHash: Buffer.alloc(32, 0x33),
            quoteHash: Buffer.alloc(32, n),
            prices: { ...BASE, ...o.prices },
            endpoint: '',
            imageAllowed: true,
            modelAllowed: true,
            reputation: { jobs: o.jobs ?? 0, slashes: o.slashes ?? 0 },
        },
    } as VerifiedWorker;
    return { worker, latencyMs: o.latencyMs ?? 0, failures: o.failures ?? 0 };
}

const order = (cs: Candidate[]) => cs.map((c) => c.worker.account);

describe('relay selection', () => {
    it('serves only the requested model: by its id, by the id without the revision, or by its hash', () => {
        const tiny = cand();
        const other = cand({ model: 'other@1' });
        expect(order(rank([other, tiny], 'tiny@abc', BASE))).toEqual(order([tiny]));
        expect(order(rank([other, tiny], 'tiny', BASE))).toEqual(order([tiny]));
        expect(order(rank([other, tiny], '33'.repeat(32), BASE)).sort()).toEqual(order([tiny, other]).sort());
        expect(rank([other, tiny], 'nothing', BASE)).toEqual([]);
    });

    it('a worker whose on-chain price exceeds --max-prices in any of the four is never a candidate', () => {
        const within = cand();
        const equal = cand({ prices: { ...BASE } });
        const over: Candidate[] = (['prompt', 'cached', 'completion', 'reasoning'] as const).map((k) => cand({ prices: { [k]: BASE[k] + 1n } }));
        expect(order(rank([...over, within, equal], 'tiny', BASE)).sort()).toEqual(order([within, equal]).sort());
        for (const c of over) expect(withinPrices(c.worker.onChain.prices, BASE)).toBe(false);
        expect(withinPrices(BASE, BASE)).toBe(true);
        // even the cheapest, fastest, best-reputed worker is not tried above the cap
        const cheapButOver = cand({ prices: { prompt: 1n, completion: 1n, cached: 1n, reasoning: BASE.reasoning * 2n }, latencyMs: 1, jobs: 1000 });
        expect(order(rank([cheapButOver, within], 'tiny', BASE))).toEqual(order([within]));
    });

    it('ranks by failures, then the cost of a typical request, then latency, then reputation (fewer slashes, then more jobs)', () => {
        const failed = cand({ failures: 1, prices: { prompt: 1n, completion: 1n } });
        const dear = cand({ prices: { completion: BASE.completion } });
        const cheap = cand({ prices: { completion: BASE.completion / 2n } });
        expect(order(rank([failed, dear, cheap], 'tiny', BASE))).toEqual(order([cheap, dear, failed]));

        const slow = cand({ latencyMs: 200 });
        const fast = cand({ latencyMs: 20 });
        expect(order(rank([slow, fast], 'tiny', BASE))).toEqual(order([fast, slow]));

        const slashed = cand({ slashes: 1, jobs: 50 });
        const clean = cand({ slashes: 0, jobs: 1 });
        const busy = cand({ slashes: 0, jobs: 9 });
        expect(order(rank([slashed, clean, busy], 'tiny', BASE))).toEqual(order([busy, clean, slashed]));
    });
});
