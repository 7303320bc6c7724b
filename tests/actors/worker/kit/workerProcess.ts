/**
 * The operator CLI as a child process (`ts-node actors/worker/main.ts <command> …`), the way an operator runs
 * it: one-shot commands that exit, and serving commands that print their URL (with --json) and keep running.
 * Runs asynchronously, so a test can serve HTTP (a local chain, an engine) to the child meanwhile.
 */
import { spawn, type ChildProcess } from 'child_process';
import { join } from 'path';

export const REPO_ROOT = join(__dirname, '../../../..');

function spawnWorker(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    return spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(REPO_ROOT, 'actors/worker/main.ts'), ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, WORKER_QUOTE_PROVIDER: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
}

export interface CliRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs one command to its exit (killed after `timeoutMs`). */
export function runWorkerCli(args: string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
    const child = spawnWorker(args, o.env ?? {});
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 150_000);
    return new Promise((resolve) =>
        child.once('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        }),
    );
}

export interface ServingWorker {
    child: ChildProcess;
    url: string;
    account: string;
    /** Everything the process wrote to stdout so far (its --json lines). */
    stdout(): string;
}

/** Starts `start|register|update --json …` and resolves once it prints the URL it serves on. */
export function startServingWorker(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServingWorker> {
    const child = spawnWorker(args, env);
    let stderr = '';
    let out = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    return new Promise((resolve, reject) => {
        child.stdout!.on('data', (b: Buffer) => {
            out += b.toString();
            for (const line of out.split('\n')) {
                if (!line.startsWith('{')) continue;
                try {
                    const j = JSON.parse(line) as { url?: string; workerAccount?: string };
                    if (j.url) resolve({ child, url: j.url, account: j.workerAccount!, stdout: () => out });
                } catch {
                    /* partial line */
                }
            }
        });
        child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}): ${stderr}`)));
    });
}

/** kill -9, and wait for the exit. */
export async function kill9(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
}
