/**
 * Which chain the actors talk to: a preset (mainnet, testnet, the local chain server) or any toncenter v2
 * compatible endpoint, with an API key. From config files or the environment:
 *   TON_NETWORK=mainnet|testnet|localnet   TON_ENDPOINT=https://…/jsonRPC   TON_API_KEY=…   TON_TIMEOUT_MS=15000
 */
import { z } from 'zod';
import { ChainCoreOptions } from './core';
import { HttpChain } from './http/httpChain';

export const NETWORK_PRESETS = {
    mainnet: 'https://toncenter.com/api/v2/jsonRPC',
    testnet: 'https://testnet.toncenter.com/api/v2/jsonRPC',
    localnet: 'http://127.0.0.1:8081/jsonRPC',
} as const;

export const chainSettingsSchema = z
    .object({
        network: z.enum(['mainnet', 'testnet', 'localnet']).default('testnet'),
        /** Overrides the preset's endpoint. */
        endpoint: z.url({ protocol: /^https?$/ }).optional(),
        apiKey: z.string().min(1).optional(),
        timeoutMs: z.coerce.number().int().positive().default(15_000),
    })
    .strict();

export type ChainSettings = z.infer<typeof chainSettingsSchema>;

export function chainSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ChainSettings {
    return chainSettingsSchema.parse({
        network: env.TON_NETWORK || undefined,
        endpoint: env.TON_ENDPOINT || undefined,
        apiKey: env.TON_API_KEY || undefined,
        timeoutMs: env.TON_TIMEOUT_MS || undefined,
    });
}

export function createChain(settings: ChainSettings, options: ChainCoreOptions = {}): HttpChain {
    const endpoint = settings.endpoint ?? NETWORK_PRESETS[settings.network];
    return new HttpChain({ endpoint, apiKey: settings.apiKey, timeoutMs: settings.timeoutMs, name: `${settings.network}:${endpoint}` }, options);
}
