/** The inference-engine client (production surface). The test engine lives in devnet/engine, never here. */
export * from './types';
export { VllmClient, type VllmClientOptions } from './client';
export { EngineError, parseEngineError, errorFromResponse, type EngineLocalErrorType, LOCAL_ERROR_STATUS } from './errors';
export { rewriteRequest, EOS_SLACK, type RewriteOptions, type RewrittenRequest } from './rewrite';
export { UsageTracker, readUsage, NO_USAGE, type UsageBounds } from './usage';
export { SseAnswer, readJsonAnswer, type AnswerOutcome } from './stream';
export { modelHash, modelManifest, manifestBytes, manifestHash, type ModelManifestEntry } from './modelHash';
