/**
 * Runs every gas scenario of `npm run bench:gas` and fails when an operation goes over its budget, or a
 * handler over the gas constant in contracts/gas.fc that the contracts use for their own fee checks.
 */
import { scenarios } from '../../bench/scenarios';
import { gasConstant } from '../../wrappers/testkit/gas';
import { JOB_TARGETS, jobScenario, sessionLegs } from '../../bench/scenarios/job';

describe('gas budgets', () => {
    for (const scenario of scenarios) {
        it(`${scenario.title}: every operation within its budget`, async () => {
            const rows = await scenario.run();
            expect(rows.length).toBeGreaterThan(0);
            for (const row of rows) {
                expect({ operation: row.operation, withinGasBudget: row.gas <= row.gasBudget, gas: row.gas }).toEqual({
                    operation: row.operation,
                    withinGasBudget: true,
                    gas: row.gas,
                });
                if (row.feeBudget !== undefined) {
                    expect({ operation: row.operation, withinFeeBudget: row.fees <= row.feeBudget }).toEqual({
                        operation: row.operation,
                        withinFeeBudget: true,
                    });
                }
                for (const h of row.handlers ?? []) {
                    const used = row.gasPerTransaction[h.transaction];
                    expect({ constant: h.constant, used, within: used <= gasConstant(h.constant) }).toEqual({
                        constant: h.constant,
                        used,
                        within: true,
                    });
                }
            }
        });
    }

    it("one job's session: its legs add up to the session row, and only the legs kept for a guarantee take it above 0.05 TON", async () => {
        const legs = await sessionLegs();
        const session = (await jobScenario.run()).find((r) => r.operation === 'session: open + 10 claims + close + finalize')!;
        const total = legs.reduce((a, l) => a + l.fees, 0n);
        expect(total).toBe(session.fees);
        expect(total).toBeGreaterThan(JOB_TARGETS.sessionTarget);
        const kept = legs.filter((l) => l.keeps);
        expect(kept.map((l) => l.leg)).toHaveLength(3);
        expect(total - kept.reduce((a, l) => a + l.fees, 0n)).toBeLessThanOrEqual(JOB_TARGETS.sessionTarget);
    });
});
