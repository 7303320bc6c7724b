/**
 * The fast vLLM-shaped stub engine (tests/actors/worker/kit/stubEngine.ts) as a process of the load
 * benchmark: `ts-node bench/load/stubEngineMain.ts <answerWords> <chunkDelayMs>`.
 */
import { StubEngine } from '../../tests/actors/worker/kit/stubEngine';
import { announceReady } from './child';

async function main(): Promise<void> {
    const [words, delay] = process.argv.slice(2).map(Number);
    const engine = new StubEngine({ answerWords: words || 32, chunkDelayMs: delay || 0, record: false });
    const url = await engine.start();
    announceReady({ url, model: engine.model }, () => engine.stop());
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
