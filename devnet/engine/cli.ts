/**
 * Starts the vLLM-shaped test engine: `npm run engine -- --port 8000 [--model tiny.gguf] [--served-model-name cocoon-tiny]`.
 * Without --model it writes the project's tiny deterministic model to .cache/engine/tiny.gguf (gitignored) and
 * runs that. Prints one JSON line {"url", "model", "loadMs"} on stdout when it is listening. Dev only.
 */
import { Command, InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import { startTinyEngine } from './server';
import { writeTinyModel } from './tinyModel';

function intOption(min: number, max: number) {
    return (v: string): number => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}]`);
        return n;
    };
}

async function main(): Promise<void> {
    const program = new Command()
        .name('engine')
        .description('vLLM-shaped OpenAI server running a GGUF model on the CPU (tests and the demo)')
        .option('--host <host>', 'listen address', '127.0.0.1')
        .option('--port <port>', 'listen port (0 = any free port)', intOption(0, 65535), 8000)
        .option('--model <path>', 'GGUF model file (default: the generated tiny model)')
        .option('--served-model-name <name>', 'the name accepted in `model`', 'cocoon-tiny')
        .option('--sequences <n>', 'parallel sequences', intOption(1, 64), 4)
        .option('--context-size <n>', 'tokens per sequence (max_model_len)', intOption(16, 1 << 20), 512)
        .option('--threads <n>', 'CPU threads (1 is fastest for this tiny model, and on a busy machine)', intOption(1, 256), 1)
        .option('--token-delay-ms <ms>', 'sleep after each generated token (simulates a slower engine)', intOption(0, 60_000), 0)
        .parse();
    const o = program.opts<{ host: string; port: number; model?: string; servedModelName: string; sequences: number; contextSize: number; threads: number; tokenDelayMs: number }>();
    const modelPath = o.model ?? writeTinyModel(join(process.cwd(), '.cache', 'engine', 'tiny.gguf'));
    const engine = await startTinyEngine({
        modelPath,
        servedModelName: o.servedModelName,
        host: o.host,
        port: o.port,
        sequences: o.sequences,
        contextSize: o.contextSize,
        threads: o.threads,
        tokenDelayMs: o.tokenDelayMs,
    });
    process.stdout.write(JSON.stringify({ url: engine.url, model: o.servedModelName, modelPath, loadMs: Math.round(engine.loadMs) }) + '\n');
    const stop = (): void => {
        engine.close().then(
            () => process.exit(0),
            () => process.exit(1),
        );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
    process.stderr.write(`engine: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
