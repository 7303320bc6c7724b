/**
 * The chain layer's production surface: the interface, the HTTP implementation and its settings, typed
 * errors, discovery. The embedded sandbox and the local chain server are in ./dev (dev-only entry).
 */
export * from './types';
export { ChainCore, type ChainCoreOptions } from './core';
export type { ChainBackend, RawGetMethodResult } from './backend';
export { errorNameOf, requireSuccess, firstFailure, refusalIn, describeRefusal, traceOf, type ChainRefusal } from './errors';
export { withRetry, DEFAULT_RETRY, type RetryPolicy } from './retry';
export { HttpChain, HttpBackend } from './http/httpChain';
export { chainSettingsFromEnv, chainSettingsSchema, createChain, INDEX_PRESETS, NETWORK_PRESETS, type ChainSettings } from './config';
export { IndexedChain, type IndexedChainOptions } from './tonapi/indexedChain';
export { TonApiIndex, type ChainIndex, type IndexedTrace, type IndexSettings } from './tonapi/tonApiIndex';
export { feesOf } from './fees';
export { W5Wallet, w5Contract } from './wallet';
export { WorkerDiscovery, type DiscoveredWorker, type DiscoveryState, type SyncResult } from './discovery';
