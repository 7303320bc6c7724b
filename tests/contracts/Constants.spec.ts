/**
 * The FunC constants, their TypeScript mirror and the TL-B they come from must never drift apart.
 */
import { readFileSync } from 'fs';
import path from 'path';
import { Errors, Events, GovernanceEventTag, Op } from '../../wrappers/Constants';
import { opcodesFromTlb } from '../../scripts/tools/opcodes';

const contracts = path.join(__dirname, '..', '..', 'contracts');
const read = (f: string) => readFileSync(path.join(contracts, f), 'utf8');

function funcConstants(source: string, prefix: string): Map<string, number> {
    const out = new Map<string, number>();
    const re = new RegExp(`const int ${prefix}::([a-z_0-9]+) = (0x[0-9a-fA-F]+|\\d+);`, 'g');
    for (const m of source.matchAll(re)) out.set(m[1], Number(m[2]));
    return out;
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe('constants', () => {
    const ops = funcConstants(read('op-codes.fc'), 'op');
    const errors = funcConstants(read('errors.fc'), 'error');
    const events = funcConstants(read('op-codes.fc'), 'event');

    it('every FunC op code is in wrappers/Constants.ts with the same value', () => {
        expect(ops.size).toBeGreaterThan(30);
        for (const [name, value] of ops) {
            expect([name, (Op as unknown as Record<string, number>)[camel(name)]]).toEqual([name, value]);
        }
    });

    it('every FunC error is in wrappers/Constants.ts with the same value, and no two share a code', () => {
        const seen = new Map<number, string>();
        for (const [name, value] of errors) {
            expect([name, (Errors as unknown as Record<string, number>)[camel(name)]]).toEqual([name, value]);
            expect(seen.get(value)).toBeUndefined();
            seen.set(value, name);
        }
    });

    it('every op code derived from protocol.tlb matches op-codes.fc', () => {
        const derived = opcodesFromTlb(read('protocol.tlb'));
        expect(derived.length).toBeGreaterThan(30);
        const events = funcConstants(read('op-codes.fc'), 'event'); // event tags (events section) share the derivation
        for (const { name, value } of derived) {
            expect([name, ops.get(name) ?? events.get(name)]).toEqual([name, value]);
        }
    });

    it('every FunC event tag is in wrappers/Constants.ts with the same value, and no event shares a tag with an op', () => {
        expect(events.size).toBeGreaterThanOrEqual(17);
        for (const [name, value] of events) {
            const mirrored = (GovernanceEventTag as unknown as Record<string, number>)[camel(name)] ?? (Events as unknown as Record<string, number>)[camel(name)];
            expect([name, mirrored]).toEqual([name, value]);
        }
        const opValues = new Set(ops.values());
        for (const [name, value] of events) expect([name, opValues.has(value)]).toEqual([name, false]);
    });

    it('no two messages share an op code', () => {
        const values = [...ops.values()].filter((v) => v !== 0);
        expect(new Set(values).size).toBe(values.length);
    });
});
