/**
 * Which chain the actors talk to: a preset (mainnet, testnet, the local chain server) or any toncenter v2
 * compatible endpoint, with an API key. From config files or the environment:
 *   TON_NETWORK=mainnet|testnet|localnet   TON_ENDPOINT=https://…/jsonRPC   TON_API_KEY=…   TON_TIMEOUT_MS=15000
 * and, to read traces and account histories through an indexer (TonAPI) instead of polling the v2 API:
 *   TON_INDEX=tonapi   TON_INDEX_ENDPOINT=https://…   TON_INDEX_API_KEY=…   (TON_INDEX_FALLBACK=false pins the index)
 */
import { z } from 'zod';
import { ChainCoreOptions } from './core';
import { HttpBackend, HttpChain } from './http/httpChain';
import { DEFAULT_MAX_IN_FLIGHT } from './http/transport';
import { IndexedChain } from './tonapi/indexedChain';
import { TonApiIndex } from './tonapi/tonApiIndex';

export const NETWORK_PRESETS = {
    mainnet: 'https://toncenter.com/api/v2/jsonRPC',
    testnet: 'https://testnet.toncenter.com/api/v2/jsonRPC',
    localnet: 'http://127.0.0.1:8081/jsonRPC',
} as const;

/** TonAPI for each network; the local chain server answers the TonAPI routes the index uses itself. */
export const INDEX_PRESETS = {
    mainnet: 'https://tonapi.io',
    testnet: 'https://testnet.tonapi.io',
    localnet: 'http://127.0.0.1:8081',
} as const;

export const chainSettingsSchema = z
    .object({
        network: z.enum(['mainnet', 'testnet', 'localnet']).default('testnet'),
        /** Overrides the preset's endpoint. */
        endpoint: z.url({ protocol: /^https?$/ }).optional(),
        apiKey: z.string().min(1).optional(),
        timeoutMs: z.coerce.number().int().positive().default(15_000),
        /** Requests in flight to the endpoint at once; more wait their turn (http/transport.ts). */
        maxInFlight: z.coerce.number().int().positive().default(DEFAULT_MAX_IN_FLIGHT),
        /** Read traces and account histories through TonAPI (absent: poll the v2 API). */
        index: z.enum(['tonapi']).optional(),
        /** Overrides the network's TonAPI preset. */
        indexEndpoint: z.url({ protocol: /^https?$/ }).optional(),
        indexApiKey: z.string().min(1).optional(),
        /** false: an index failure is an error instead of a fall back to polling. */
        indexFallback: z.stringbool().optional(),
    })
    .strict();

export type ChainSettings = z.infer<typeof chainSettingsSchema>;

export function chainSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ChainSettings {
    return chainSettingsSchema.parse({
        network: env.TON_NETWORK || undefined,
        endpoint: env.TON_ENDPOINT || undefined,
        apiKey: env.TON_API_KEY || undefined,
        timeoutMs: env.TON_TIMEOUT_MS || undefined,
        maxInFlight: env.TON_MAX_IN_FLIGHT || undefined,
        index: env.TON_INDEX || undefined,
        indexEndpoint: env.TON_INDEX_ENDPOINT || undefined,
        indexApiKey: env.TON_INDEX_API_KEY || undefined,
        indexFallback: env.TON_INDEX_FALLBACK || undefined,
    });
}

export function createChain(settings: ChainSettings, options: ChainCoreOptions = {}): HttpChain | IndexedChain {
    const endpoint = settings.endpoint ?? NETWORK_PRESETS[settings.network];
    const http = { endpoint, apiKey: settings.apiKey, timeoutMs: settings.timeoutMs, maxInFlight: settings.maxInFlight, name: `${settings.network}:${endpoint}` };
    if (settings.index !== 'tonapi') return new HttpChain(http, options);
    const indexEndpoint = settings.indexEndpoint ?? INDEX_PRESETS[settings.network];
    const index = new TonApiIndex({ endpoint: indexEndpoint, apiKey: settings.indexApiKey, timeoutMs: settings.timeoutMs, maxInFlight: settings.maxInFlight });
    return new IndexedChain(new HttpBackend({ ...http, name: `${http.name}+tonapi:${indexEndpoint}` }), index, { ...options, fallback: settings.indexFallback ?? true });
}
