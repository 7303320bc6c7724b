/** The real tiny engine (devnet/engine: generated GGUF on node-llama-cpp, CPU) as a child process on 127.0.0.1. */
import { spawn, type ChildProcess } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { writeTinyModel } from '../../../../devnet/engine/tinyModel';

const ROOT = join(__dirname, '../../../..');
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
    const child: ChildProcess = spawn(
        process.execPath,
        [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, 'devnet/engine/cli.ts'), '--port', '0', '--model', modelPath, '--served-model-name', TINY_MODEL_NAME, '--token-delay-ms', String(opts.tokenDelayMs ?? 0)],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(t);
        }
        rmSync(dir, { recursive: true, force: true });
    };
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    try {
        const url = await new Promise<string>((resolve, reject) => {
            let out = '';
            child.stdout?.on('data', (b: Buffer) => {
                out += b.toString();
                if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { url: string }).url);
            });
            child.once('exit', (code) => reject(new Error(`tiny engine exited with ${code}: ${stderr}`)));
        });
        return { url, model: TINY_MODEL_NAME, modelPath, stop };
    } catch (e) {
        await stop();
        throw e;
    }
}
