import { CollateralCache } from '../../actors/tee/collateral/cache';
import { verifyQuote } from '../../actors/tee/verify/verifyQuote';
import { collateralJson, EXPECTED, fixture } from './fixtures';

describe('collateral cache', () => {
    const withCollateral = Object.values(EXPECTED).filter((e) => e.collateralFile);

    it('gives the same verdict as uncached verification for every fixture, twice', () => {
        const cache = new CollateralCache();
        for (let round = 0; round < 2; round++) {
            for (const e of withCollateral) {
                const opts = { at: new Date(e.offlineChecksAt), collateral: collateralJson(e.collateralFile!) };
                expect(verifyQuote(fixture(e.file), { ...opts, collateralCache: cache })).toEqual(verifyQuote(fixture(e.file), opts));
            }
        }
        // Five distinct collateral files (cocoon and tdx_quote_outdated share one).
        expect(cache.size).toBe(new Set(withCollateral.map((e) => e.collateralFile)).size);
    });

    it('still checks freshness on a cache hit', () => {
        const e = EXPECTED['cocoon/quote.dat'];
        const cache = new CollateralCache();
        const col = collateralJson(e.collateralFile!);
        expect(verifyQuote(fixture(e.file), { at: new Date(e.offlineChecksAt), collateral: col, collateralCache: cache }).ok).toBe(true);
        const later = verifyQuote(fixture(e.file), { at: new Date('2026-04-30T00:00:00Z'), collateral: col, collateralCache: cache });
        expect(later.ok).toBe(false);
        expect(later.reasons.map((r) => r.code)).toContain('COLLATERAL_EXPIRED');
    });

    it('does not serve a tampered collateral from the cache of the genuine one', () => {
        const e = EXPECTED['cocoon/quote.dat'];
        const cache = new CollateralCache();
        const col = collateralJson(e.collateralFile!);
        verifyQuote(fixture(e.file), { at: new Date(e.offlineChecksAt), collateral: col, collateralCache: cache });
        const forged = { ...col, tcb_info: col.tcb_info.replace('"OutOfDate"', '"UpToDate"') };
        const v = verifyQuote(fixture(e.file), { at: new Date(e.offlineChecksAt), collateral: forged, collateralCache: cache });
        expect(v.reasons.map((r) => r.code)).toEqual(['COLLATERAL_SIGNATURE_INVALID']);
    });

    it('evicts the oldest entry beyond its capacity', () => {
        const cache = new CollateralCache(2);
        const e = EXPECTED['cocoon/quote.dat'];
        const base = collateralJson(e.collateralFile!);
        for (let i = 0; i < 3; i++) verifyQuote(fixture(e.file), { at: new Date(e.offlineChecksAt), collateral: { ...base, pck_crl_issuer_chain: base.pck_crl_issuer_chain + ' '.repeat(i) }, collateralCache: cache });
        expect(cache.size).toBe(2);
    });
});
