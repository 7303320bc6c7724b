/**
 * Memory of the process the servers run in (the Jest worker: the actors run in-process), after a full GC so
 * the numbers compare. V8's gc() is exposed at run time, so no node flag is needed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A full garbage collection now (rows that must hold under GC pressure call it while they wait). */
export function collectGarbage(): void {
    gc();
}

export interface MemorySample {
    rssMb: number;
    heapUsedMb: number;
    externalMb: number;
}

const mb = (n: number) => Math.round((n / (1 << 20)) * 10) / 10;

/** Collects garbage (twice, with a turn of the event loop between, so closed sockets are released), then samples. */
export async function sampleMemory(): Promise<MemorySample> {
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    const m = process.memoryUsage();
    return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external + m.arrayBuffers) };
}
