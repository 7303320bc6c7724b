/**
 * The worker's three links to code that lands from parallel work: the chain layer's HTTP implementation,
 * the vLLM engine client and the model-hash function. Each is one small function so the merge replaces
 * its body and nothing else.
 */
import type { Chain } from '../chain/types';
import type { EngineClient } from '../engine/types';
import { BootError } from './errors';

export interface ChainSettings {
    network: 'mainnet' | 'testnet' | 'localnet';
    endpoint?: string;
    apiKey?: string;
}

export async function openChain(_s: ChainSettings): Promise<Chain> {
    void _s;
    throw new BootError('chain_unreachable', 'this build has no chain HTTP implementation yet (actors/chain)');
}

export function openEngine(_o: { baseUrl: string; apiKey?: string; servedModelName: string }): EngineClient {
    void _o;
    throw new BootError('engine_unreachable', 'this build has no engine client yet (actors/engine)');
}

export async function modelHashOf(_path: string): Promise<Buffer> {
    void _path;
    throw new BootError('model_hash_failed', 'this build has no model-hash function yet (actors/engine/modelHash.ts)');
}
