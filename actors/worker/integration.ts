/**
 * The worker's links to its neighbours, each one small function: the chain layer's HTTP implementation,
 * the vLLM engine client and the model-hash function.
 */
import { chainSettingsSchema, createChain, type Chain } from '../chain';
import { modelHash, VllmClient } from '../engine';
import type { EngineClient } from '../engine/types';
import { BootError } from './errors';

export interface ChainSettings {
    network: 'mainnet' | 'testnet' | 'localnet';
    endpoint?: string;
    apiKey?: string;
}

/** The chain layer's HTTP implementation (toncenter v2, or the local chain server), checked once at start. */
export async function openChain(s: ChainSettings): Promise<Chain> {
    const chain = createChain(chainSettingsSchema.parse({ network: s.network, endpoint: s.endpoint, apiKey: s.apiKey }));
    try {
        await chain.config();
    } catch (e) {
        throw new BootError('chain_unreachable', `the chain at ${chain.name} does not answer: ${(e as Error).message}`);
    }
    return chain;
}

export function openEngine(o: { baseUrl: string; apiKey?: string; servedModelName: string }): EngineClient {
    return new VllmClient({ baseUrl: o.baseUrl, apiKey: o.apiKey, servedModelName: o.servedModelName });
}

/** SHA-256 of the canonical manifest of the model files (`npm run model-hash -- <dir|file>` prints the same). */
export async function modelHashOf(path: string): Promise<Buffer> {
    try {
        return await modelHash(path);
    } catch (e) {
        throw new BootError('model_hash_failed', `cannot hash the model at ${path}: ${(e as Error).message}`);
    }
}
