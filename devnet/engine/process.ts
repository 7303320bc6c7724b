/**
 * The tiny engine (devnet/engine/cli.ts) as a child process on 127.0.0.1. node-llama-cpp is ESM-only with
 * top-level await, so CommonJS hosts (Jest, the test kits) run the engine in its own process: this is the one
 * launcher they share.
 */
import { spawn, type ChildProcess } from 'child_process';
import { join } from 'path';

const ROOT = join(__dirname, '../..');

export interface EngineProcess {
    url: string;
    child: ChildProcess;
    /** SIGTERM, SIGKILL after 10 s, and resolves once the process has exited. */
    close(): Promise<void>;
}

export async function spawnEngineProcess(modelPath: string, servedModelName: string, extra: string[] = []): Promise<EngineProcess> {
    const child = spawn(
        process.execPath,
        [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, 'devnet/engine/cli.ts'), '--port', '0', '--model', modelPath, '--served-model-name', servedModelName, ...extra],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const close = async (): Promise<void> => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
    };
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    try {
        // The CLI prints one JSON line with its URL once it listens.
        const url = await new Promise<string>((resolve, reject) => {
            let out = '';
            child.stdout?.on('data', (b: Buffer) => {
                out += b.toString();
                if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { url: string }).url);
            });
            child.once('exit', (code) => reject(new Error(`engine exited with ${code}: ${stderr}`)));
        });
        return { url, child, close };
    } catch (e) {
        await close();
        throw e;
    }
}
