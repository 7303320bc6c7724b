/** The JSON nesting bound both actors check before parsing (actors/wire/jsonDepth.ts). */
import { jsonDepth, MAX_JSON_DEPTH, nestsDeeperThan } from '../../../actors/wire';

describe('JSON nesting bound', () => {
    it('counts objects and arrays, not brackets inside strings or after escapes', () => {
        expect(jsonDepth('{"a":[1,{"b":2}]}')).toBe(3);
        expect(jsonDepth('"[[[[[["')).toBe(0);
        expect(jsonDepth('{"a":"\\"[[[["}')).toBe(1);
        expect(jsonDepth('[]')).toBe(1);
    });
    it('refuses deeper than the bound, stopping early', () => {
        const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
        expect(nestsDeeperThan(deep(MAX_JSON_DEPTH))).toBe(false);
        expect(nestsDeeperThan(deep(MAX_JSON_DEPTH + 1))).toBe(true);
        expect(jsonDepth(deep(1_000_000))).toBe(MAX_JSON_DEPTH + 1);
    });
});
