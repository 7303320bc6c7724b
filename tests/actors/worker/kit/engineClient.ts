/** The engine client the tests and the benchmark use: the production vLLM client (actors/engine). */
import { VllmClient } from '../../../../actors/engine';
import type { EngineClient } from '../../../../actors/engine/types';

export function engineClientFor(url: string, model: string): EngineClient {
    return new VllmClient({ baseUrl: url, servedModelName: model, maxModelLen: 4096, idleTimeoutMs: 10_000, headersTimeoutMs: 10_000 });
}
