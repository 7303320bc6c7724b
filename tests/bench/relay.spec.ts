/**
 * bench/relay.ts stays runnable: one tiny round through each path returns finite numbers and a table with a
 * row per path (no timing is asserted: speed belongs to `npm run bench:relay`).
 */
import { benchRelay, formatRelayBench } from '../../bench/relay';

jest.setTimeout(120_000);

it('benchRelay measures the engine, the worker and the relay paths and formats the table', async () => {
    const r = await benchRelay({ streams: [2], requestsFor: () => 4, answerTokens: 8, chunkDelayMs: 2 });
    expect(r.rows.map((row) => [row.streams, row.requests])).toEqual([[2, 4]]);
    for (const s of [r.rows[0].direct, r.rows[0].worker, r.rows[0].relay]) {
        expect(s.errors).toBe(0);
        for (const [k, v] of Object.entries(s)) expect([k, Number.isFinite(v)]).toEqual([k, true]);
        expect(s.ttftP50).toBeGreaterThan(0);
        expect(s.cpuMsPerRequest).toBeGreaterThan(0);
    }
    expect(r.peakRssBytes).toBeGreaterThan(0);
    const table = formatRelayBench(r);
    expect(table).toMatch(/\| 2 \| 4 \| engine direct \|/);
    expect(table).toMatch(/\| 2 \| 4 \| relay → worker \|/);
});
