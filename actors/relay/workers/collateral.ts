/**
 * The relay's own Intel collateral, for a worker whose attestation document carries none. A worker normally
 * staples the collateral its host's PCCS gave it (GET /v1/attestation `collateral`); the relay then verifies
 * the quote with that. Collateral is signed under the pinned Intel root, so stapled or not it is checked the
 * same way (actors/tee verifyQuote): where it came from only decides availability, never trust.
 *
 * Two sources: collateral files (dcap-qvl QuoteCollateralV3 JSON, e.g. from `npm run collateral -- fetch`),
 * picked by the quote's FMSPC, and a PCCS or Intel's PCS, fetched per (FMSPC, PCK CA) and reused until the
 * collateral's own nextUpdate.
 */
import { readFileSync } from 'fs';
import { collateralKeysOf, CollateralSchema, fetchCollateral, pccsSource, type Collateral, type CollateralSource } from '../../tee';

export interface CollateralProvider {
    /** Collateral for this quote, or null when the source has none for it (the quote is then checked offline only). */
    forQuote(quote: Buffer, at: Date): Promise<Collateral | null>;
}

/** The FMSPC and nextUpdate a collateral's signed TCB info names (read, not trusted: verifyQuote checks them). */
function tcbInfoOf(c: Collateral): { fmspc: string; nextUpdate: number } {
    const info = JSON.parse(c.tcb_info) as { fmspc?: unknown; nextUpdate?: unknown };
    if (typeof info.fmspc !== 'string') throw new Error('tcb_info has no fmspc');
    return { fmspc: info.fmspc.toLowerCase(), nextUpdate: Date.parse(String(info.nextUpdate)) };
}

function fmspcOf(quote: Buffer): { fmspc: string; ca: 'platform' | 'processor' } | null {
    try {
        return collateralKeysOf(quote);
    } catch {
        return null; // no PCK chain with the SGX extensions (e.g. a simulated quote): nothing to look up
    }
}

/** Collateral files loaded once, indexed by FMSPC. A file that is not collateral fails at start, naming the file. */
export class FileCollateral implements CollateralProvider {
    private readonly byFmspc = new Map<string, Collateral>();

    constructor(paths: string[]) {
        for (const path of paths) {
            let c: Collateral;
            try {
                c = CollateralSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
                this.byFmspc.set(tcbInfoOf(c).fmspc, c);
            } catch (e) {
                throw new Error(`collateral file ${path}: ${(e as Error).message.split('\n')[0]}`);
            }
        }
    }

    async forQuote(quote: Buffer): Promise<Collateral | null> {
        const keys = fmspcOf(quote);
        return (keys && this.byFmspc.get(keys.fmspc)) ?? null;
    }
}

/** Fetched from a PCCS (or Intel's PCS) per (FMSPC, CA); reused until its TCB info's nextUpdate. */
export class PccsCollateral implements CollateralProvider {
    private readonly cache = new Map<string, { collateral: Collateral; until: number }>();

    constructor(
        private readonly source: CollateralSource,
        private readonly onError: (err: Error) => void = () => {},
    ) {}

    async forQuote(quote: Buffer, at: Date): Promise<Collateral | null> {
        const keys = fmspcOf(quote);
        if (!keys) return null;
        const key = `${keys.fmspc}/${keys.ca}`;
        const hit = this.cache.get(key);
        if (hit && at.getTime() < hit.until) return hit.collateral;
        try {
            const collateral = await fetchCollateral(quote, this.source);
            this.cache.set(key, { collateral, until: tcbInfoOf(collateral).nextUpdate });
            return collateral;
        } catch (e) {
            this.onError(e as Error);
            return hit?.collateral ?? null;
        }
    }
}

/** Tries each source in order (files first: they need no network). */
class FirstOf implements CollateralProvider {
    constructor(private readonly sources: CollateralProvider[]) {}

    async forQuote(quote: Buffer, at: Date): Promise<Collateral | null> {
        for (const s of this.sources) {
            const c = await s.forQuote(quote, at);
            if (c) return c;
        }
        return null;
    }
}

/** The relay's configured sources (`--collateral`, `--pccs`), or undefined when it has none. */
export function collateralProviderFor(cfg: { collateralFiles: string[]; pccsUrl?: string }, onError?: (err: Error) => void): CollateralProvider | undefined {
    const sources: CollateralProvider[] = [];
    if (cfg.collateralFiles.length > 0) sources.push(new FileCollateral(cfg.collateralFiles));
    if (cfg.pccsUrl) sources.push(new PccsCollateral(pccsSource(cfg.pccsUrl), onError));
    if (sources.length === 0) return undefined;
    return sources.length === 1 ? sources[0] : new FirstOf(sources);
}
