/**
 * Development only: the simulated quote provider (actors/tee), loaded by main.ts only when the operator
 * names `--quote-provider simulated`. The provider's root certificate is written next to the state so a
 * development relay can trust it explicitly (`--trust-simulated-root <dataDir>/simulated-root.pem`); every
 * answer of such a worker says `simulated`.
 */
import { createPrivateKey, X509Certificate } from 'crypto';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { SimulatedQuoteProvider } from '../../tee/providers/simulated';
import type { QuoteProvider } from '../../tee';

/**
 * The root is kept in the data dir (simulated-root.key, 0600, next to the PEM): a restarted worker signs
 * with the same root, so a relay that trusts it re-verifies the worker after the restart, as it would a real
 * TDX machine under Intel's root.
 */
export function simulatedProvider(dataDir: string): { provider: QuoteProvider; rootPemPath: string } {
    const rootPemPath = join(dataDir, 'simulated-root.pem');
    const rootKeyPath = join(dataDir, 'simulated-root.key');
    const kept = existsSync(rootKeyPath) && existsSync(rootPemPath);
    const provider = new SimulatedQuoteProvider(kept ? { root: { privateKey: createPrivateKey(readFileSync(rootKeyPath)), certificate: new X509Certificate(readFileSync(rootPemPath)) } } : {});
    if (!kept) {
        writeFileSync(rootKeyPath, provider.rootKeyPem(), { mode: 0o600 });
        writeFileSync(rootPemPath, provider.trustAnchor.certificate.toString());
    }
    return { provider, rootPemPath };
}
