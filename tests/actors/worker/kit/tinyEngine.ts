/** The real tiny engine (devnet/engine: generated GGUF on node-llama-cpp, CPU) as a child process on 127.0.0.1. */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { spawnEngineProcess } from '../../../../devnet/engine/process';
import { writeTinyModel } from '../../../../devnet/engine/tinyModel';

export const TINY_MODEL_NAME = 'cocoon-tiny';

export interface TinyEngineProcess {
    url: string;
    model: string;
    modelPath: string;
    stop(): Promise<void>;
}

export async function spawnTinyEngine(opts: { tokenDelayMs?: number } = {}): Promise<TinyEngineProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'tiny-engine-'));
    const modelPath = writeTinyModel(join(dir, 'tiny.gguf'));
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    try {
        const engine = await spawnEngineProcess(modelPath, TINY_MODEL_NAME, ['--token-delay-ms', String(opts.tokenDelayMs ?? 0)]);
        return {
            url: engine.url,
            model: TINY_MODEL_NAME,
            modelPath,
            stop: async () => {
                await engine.close();
                removeDir();
            },
        };
    } catch (e) {
        removeDir();
        throw e;
    }
}
