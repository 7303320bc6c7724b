import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { toNano } from '@ton/core';
import { resolveConfig, FIELDS } from '../../../actors/worker/config';
import { BootError } from '../../../actors/worker/errors';
import { planRequest, budgetOf, worstCaseCost } from '../../../actors/worker/core/pricing';
import { requestCost } from '../../../wrappers/payloads';

const ROOT = '0:' + '12'.repeat(32);

function problems(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, required: (keyof typeof FIELDS)[] = []): string {
    try {
        resolveConfig(flags, env, required);
        return '';
    } catch (e) {
        expect(e).toBeInstanceOf(BootError);
        expect((e as BootError).code).toBe('bad_config');
        return (e as Error).message;
    }
}

describe('worker configuration', () => {
    it('every field is documented with a flag and an environment variable', () => {
        for (const [k, f] of Object.entries(FIELDS)) {
            expect(f.doc.length).toBeGreaterThan(10);
            expect(f.flag).toMatch(/^[a-z-]+$/);
            expect(f.env).toMatch(/^[A-Z_]+$/);
            expect(k).toMatch(/^[a-zA-Z]+$/);
        }
    });

    it("every field is a row of docs/run-a-worker.md's configuration table, with its flag and its environment variable", () => {
        const doc = readFileSync(join(__dirname, '../../../docs/run-a-worker.md'), 'utf8');
        const section = doc.slice(doc.indexOf('## 2. Configure the worker'), doc.indexOf('\n## 3.'));
        const rows = section.split('\n').filter((l) => l.startsWith('| `--'));
        const missing = Object.values(FIELDS)
            .filter((f) => !rows.some((r) => new RegExp(`\`--${f.flag}[\` (]`).test(r) && r.includes(f.env)))
            .map((f) => `--${f.flag} (${f.env})`);
        expect(missing).toEqual([]);
    });

    it('flags win over the environment, the environment over the file; amounts are nanoton', () => {
        const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
        try {
            const file = join(dir, 'w.json');
            writeFileSync(file, JSON.stringify({ root: ROOT, index: 3, creditLimit: '0.5', quoteProvider: 'tdx', listen: '0.0.0.0:9000' }));
            const c = resolveConfig({ config: file, index: '7' }, { WORKER_CREDIT_LIMIT: '0.25' }, ['root', 'quoteProvider']);
            expect(c.index).toBe(7);
            expect(c.creditLimit).toBe(toNano('0.25'));
            expect(c.listen).toBe('0.0.0.0:9000');
            expect(c.root.toRawString()).toBe(ROOT);
            expect(c.quoteProvider).toBe('tdx');
            expect(c.engineUrl).toBe('http://127.0.0.1:8000');
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('each bad value is one clear line naming the field', () => {
        const msg = problems({ root: 'nope', prices: '1,2,3', creditLimit: '-1', quoteProvider: 'sgx', listen: 'localhost' }, {}, ['root']);
        const lines = msg.split('\n');
        expect(lines).toHaveLength(5);
        expect(msg).toMatch(/--root .*"nope".*TON address/);
        expect(msg).toMatch(/--prices .*four TON amounts/);
        expect(msg).toMatch(/--credit-limit .*TON amount/);
        expect(msg).toMatch(/--quote-provider .*"sgx"/);
        expect(msg).toMatch(/--listen .*host:port/);
    });

    it('the quote provider has no default: it must be named', () => {
        expect(problems({ root: ROOT }, {}, ['root', 'quoteProvider'])).toMatch(/--quote-provider \(or WORKER_QUOTE_PROVIDER\) is required/);
    });
});

describe('pricing: the plan never lets a usage within the bounds cost more than the budget', () => {
    const prices = { prompt: 200_000_000n, cached: 50_000_000n, completion: 600_000_000n, reasoning: 900_000_000n };
    it.each([0n, 1000n, 123_456n, 10_000_000n])('budget %p', (credit) => {
        const budget = budgetOf({ deposit: 10n ** 12n, paid: 0n, cumulative: 0n, bestVoucher: 0n, creditLimit: credit });
        const plan = planRequest({ budget, prices, innerBytes: 100, clientMaxTokens: null, maxTokens: 1_000_000 });
        if ('refused' in plan) {
            expect(plan.refused).toBe('credit_exceeded');
            expect(worstCaseCost(164, 1, prices)).toBeGreaterThan(credit);
            return;
        }
        expect(plan.worstCase).toBeLessThanOrEqual(credit);
        // the dearest usage inside the bounds
        const worst = requestCost({ prompt: plan.promptBound, cached: 0, completion: plan.maxTokens + 1, reasoning: plan.maxTokens + 1 }, prices);
        expect(worst).toBeLessThanOrEqual(credit);
        // one more token would not fit
        expect(worstCaseCost(plan.promptBound, plan.maxTokens + 1, prices)).toBeGreaterThan(credit);
    });
    it('a voucher ahead of the receipts and what the job paid both count against the deposit', () => {
        expect(budgetOf({ deposit: 1000n, paid: 900n, cumulative: 100n, bestVoucher: 0n, creditLimit: 10_000n })).toEqual({ budget: 100n, limitedBy: 'deposit' });
        expect(budgetOf({ deposit: 1000n, paid: 0n, cumulative: 100n, bestVoucher: 950n, creditLimit: 10_000n })).toEqual({ budget: 50n, limitedBy: 'deposit' });
        expect(budgetOf({ deposit: 10_000n, paid: 0n, cumulative: 700n, bestVoucher: 200n, creditLimit: 1000n })).toEqual({ budget: 500n, limitedBy: 'credit' });
    });
});
