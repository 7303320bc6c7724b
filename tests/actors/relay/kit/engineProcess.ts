/** The tiny real engine (devnet/engine/cli.ts) as a child process on 127.0.0.1 (node-llama-cpp is ESM-only, Jest is not). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'path';

const ROOT = join(__dirname, '../../../..');

export interface EngineProcess {
    url: string;
    child: ChildProcess;
    close(): Promise<void>;
}

export async function spawnEngine(modelPath: string, servedModelName: string, extra: string[] = []): Promise<EngineProcess> {
    const child = spawn(
        process.execPath,
        [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, 'devnet/engine/cli.ts'), '--port', '0', '--model', modelPath, '--served-model-name', servedModelName, '--sequences', '2', ...extra],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (b: Buffer) => {
            out += b.toString();
            if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { url: string }).url);
        });
        child.once('exit', (code) => reject(new Error(`engine exited with ${code}: ${stderr}`)));
    });
    return {
        url,
        child,
        close: async () => {
            if (child.exitCode !== null) return;
            const done = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            await Promise.race([done, new Promise((r) => setTimeout(r, 5_000))]);
            if (child.exitCode === null) child.kill('SIGKILL');
        },
    };
}
