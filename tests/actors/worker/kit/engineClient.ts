/** The engine client the tests and the benchmark use against the stub engine (one place to switch). */
import type { EngineClient } from '../../../../actors/engine/types';
import { MiniEngineClient } from './miniEngineClient';

export function engineClientFor(url: string, _model: string): EngineClient {
    void _model;
    return new MiniEngineClient(url);
}
