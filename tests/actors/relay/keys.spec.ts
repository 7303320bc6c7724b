/**
 * API-key caps (actors/relay/core/keys.ts), pure: a request is admitted only if its worst case fits under the cap
 * after what the key spent and what its other requests in flight hold; reservations add up per key and go away.
 */
import { CapReservations, capRefusal, charge, newApiKey } from '../../../actors/relay/core/keys';

describe('relay API-key caps', () => {
    const key = (cap: bigint | null, spent = 0n) => ({ ...newApiKey('sk-unit', 'unit', cap, 0), spent });

    it('admits a worst case that fits after spent and in-flight holds; refuses one that does not', () => {
        expect(capRefusal(key(null, 10n ** 12n), 10n ** 12n, 10n ** 12n)).toBeNull();
        expect(capRefusal(key(100n), 100n)).toBeNull();
        expect(capRefusal(key(100n, 40n), 60n)).toBeNull();
        expect(capRefusal(key(100n, 40n), 61n)).toMatch(/up to 61 nanoton, above the 60 left/);
        expect(capRefusal(key(100n, 40n), 30n, 30n)).toBeNull();
        expect(capRefusal(key(100n, 40n), 31n, 30n)).toMatch(/above the 30 left under the key's cap \(30 held by its requests in flight\)/);
        expect(capRefusal(key(100n, 100n), 1n)).toMatch(/spending cap reached/);
        expect(capRefusal(key(100n, 20n), 1n, 90n)).toMatch(/above the 0 left/);
    });

    it('reservations add up per key, move with a request between workers, and are released', () => {
        const r = new CapReservations();
        let a = r.move('k1', 0n, 50n);
        const b = r.move('k1', 0n, 30n);
        r.move('k2', 0n, 7n);
        expect(r.of('k1')).toBe(80n);
        a = r.move('k1', a, 20n); // the next worker is cheaper
        expect(r.of('k1')).toBe(50n);
        r.move('k1', a, 0n);
        r.move('k1', b, 0n);
        expect(r.of('k1')).toBe(0n);
        expect(r.of('k2')).toBe(7n);
        // the charge at the end is what the cap counts afterwards
        expect(charge(key(100n), 12n, 3, 4)).toMatchObject({ spent: 12n, requests: 1, promptTokens: 3, completionTokens: 4 });
    });
});
