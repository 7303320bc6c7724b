/**
 * Development only: the simulated quote provider (actors/tee), loaded by main.ts only when the operator
 * names `--quote-provider simulated`. The provider's root certificate is written next to the state so a
 * development relay can trust it explicitly (`--trust-simulated-root <dataDir>/simulated-root.pem`); every
 * answer of such a worker says `simulated`.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { SimulatedQuoteProvider } from '../../tee/providers/simulated';
import type { QuoteProvider } from '../../tee';

export function simulatedProvider(dataDir: string): { provider: QuoteProvider; rootPemPath: string } {
    const provider = new SimulatedQuoteProvider();
    const rootPemPath = join(dataDir, 'simulated-root.pem');
    writeFileSync(rootPemPath, provider.trustAnchor.certificate.toString());
    return { provider, rootPemPath };
}
