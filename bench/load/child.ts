/**
 * A benchmark actor as its own process (ts-node), so its CPU time and peak memory are its own: started with
 * arguments, ready when it prints one JSON line `{"ready":true,…}`, stopped with SIGTERM (SIGKILL after 10 s).
 * CPU and peak RSS come from /proc (Linux), read by the parent while the child runs.
 */
import { spawn, type ChildProcess } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

const ROOT = join(__dirname, '../..');
/** Linux reports utime/stime in clock ticks; 100 per second on every x86-64 and arm64 kernel config we run. */
const TICKS_PER_SECOND = 100;

export interface ProcStats {
    /** User + system CPU time so far, ms. */
    cpuMs: number;
    /** Peak resident set size (VmHWM), bytes. */
    peakRss: number;
    rss: number;
}

export function procStats(pid: number): ProcStats {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces) start after the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuMs, peakRss: kib('VmHWM'), rss: kib('VmRSS') };
}

export interface Child<T> {
    name: string;
    info: T;
    child: ChildProcess;
    stats(): ProcStats;
    stop(): Promise<void>;
}

export async function startChild<T>(name: string, script: string, args: string[], readyTimeoutMs = 180_000): Promise<Child<T>> {
    // BENCH_CPU_PROFILE=<dir>: a V8 CPU profile of every child, for finding where the time goes
    const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
    const child = spawn(process.execPath, [...profile, '--max-old-space-size=2048', require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, script), ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (b: Buffer) => (tail = (tail + b.toString()).slice(-4000));
    child.stderr?.on('data', keep);
    const stop = async (): Promise<void> => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
    };
    try {
        const info = await new Promise<T>((resolve, reject) => {
            let out = '';
            const timer = setTimeout(() => reject(new Error(`${name} not ready within ${readyTimeoutMs} ms:\n${tail}`)), readyTimeoutMs);
            child.stdout?.on('data', (b: Buffer) => {
                keep(b);
                out += b.toString();
                for (const line of out.split('\n')) {
                    if (!line.startsWith('{"ready":true')) continue;
                    clearTimeout(timer);
                    resolve(JSON.parse(line) as T);
                    return;
                }
            });
            child.once('exit', (code) => {
                clearTimeout(timer);
                reject(new Error(`${name} exited with ${code} before it was ready:\n${tail}`));
            });
        });
        return { name, info, child, stats: () => procStats(child.pid!), stop };
    } catch (e) {
        await stop();
        throw e;
    }
}

/** For the children: print the ready line, and stop cleanly on SIGTERM/SIGINT. */
export function announceReady(info: Record<string, unknown>, stop: () => Promise<void>): void {
    console.log(JSON.stringify({ ready: true, ...info }));
    let stopping = false;
    for (const sig of ['SIGTERM', 'SIGINT'] as const)
        process.on(sig, () => {
            if (stopping) return;
            stopping = true;
            void stop().finally(() => process.exit(0));
        });
}
