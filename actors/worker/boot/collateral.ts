/**
 * The Intel collateral the worker staples to its attestation (GET /v1/attestation `collateral`), so a relay can
 * check the quote's TCB status, QE identity and revocation without reaching Intel itself. The host already runs
 * a PCCS for its quote generation service; `npm run collateral -- fetch <quote> --pccs <url>` writes the file.
 *
 * Collateral is signed under Intel's root and checked by every relay: the worker only carries it. What the worker
 * checks is that it is collateral (the dcap-qvl shape) for its own platform (the quote's FMSPC), so a wrong file
 * fails at start with one line, not later at every relay. Collateral lives about 30 days: the file is read again
 * when it changes on disk (a cron job refreshing it needs no restart); a rewrite that does not check out keeps
 * the last good copy.
 */
import { readFileSync, statSync } from 'fs';
import { collateralKeysOf, CollateralSchema, type Collateral } from '../../tee';
import { BootError } from '../errors';

/** What the attestation document staples: the current collateral, or null. */
export interface CollateralStaple {
    current(): Collateral | null;
}

/** Reads and checks a collateral file against the quote; throws the reason as a plain Error. */
function readCollateral(path: string, quote: Buffer): Collateral {
    const c = CollateralSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    const info = JSON.parse(c.tcb_info) as { fmspc?: unknown };
    let keys: { fmspc: string } | null = null;
    try {
        keys = collateralKeysOf(quote);
    } catch {
        keys = null; // a quote without a PCK chain with SGX extensions (simulated): nothing to match against
    }
    if (keys && String(info.fmspc).toLowerCase() !== keys.fmspc)
        throw new Error(`it is for FMSPC ${String(info.fmspc)}, this platform's quote has ${keys.fmspc.toUpperCase()}`);
    return c;
}

export class CollateralFile implements CollateralStaple {
    private collateral: Collateral;
    private mtimeMs: number;

    /** Throws BootError('bad_config') when the file is missing, not collateral, or for another platform. */
    constructor(
        private readonly path: string,
        private readonly quote: Buffer,
        private readonly onReloadError: (message: string) => void = () => {},
    ) {
        try {
            this.mtimeMs = statSync(path).mtimeMs;
            this.collateral = readCollateral(path, quote);
        } catch (e) {
            throw new BootError('bad_config', `--collateral-file ${path}: ${(e as Error).message.split('\n')[0]}`);
        }
    }

    current(): Collateral {
        try {
            const mtimeMs = statSync(this.path).mtimeMs;
            if (mtimeMs !== this.mtimeMs) {
                this.mtimeMs = mtimeMs;
                this.collateral = readCollateral(this.path, this.quote);
            }
        } catch (e) {
            this.onReloadError(`collateral file ${this.path} not reloaded, the last good copy stays: ${(e as Error).message.split('\n')[0]}`);
        }
        return this.collateral;
    }
}
