/** The tiny real engine as a child process, with the relay tests' settings (two sequences). */
import { spawnEngineProcess, type EngineProcess } from '../../../../devnet/engine/process';

export type { EngineProcess };

export function spawnEngine(modelPath: string, servedModelName: string, extra: string[] = []): Promise<EngineProcess> {
    return spawnEngineProcess(modelPath, servedModelName, ['--sequences', '2', ...extra]);
}
