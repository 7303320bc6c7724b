/**
 * A request's deadline (actors/relay/deadline.ts): it aborts when the client leaves or when its time is up,
 * whichever comes first, and garbage collections meanwhile must not lose the timer. On Node 20 a timeout signal
 * inside AbortSignal.any() was lost to a collection (the composite never aborted): the relay then held a
 * request to a worker that never answered until the client gave up (the stress row "worker never answers").
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deadline } from '../../../actors/relay/deadline';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the time the signal aborted after, or null if it did not within `withinMs`. */
function abortedAfter(signal: AbortSignal, withinMs: number): Promise<number | null> {
    const t0 = Date.now();
    return new Promise((resolve) => {
        const give = setTimeout(() => resolve(null), withinMs);
        signal.addEventListener('abort', () => {
            clearTimeout(give);
            resolve(Date.now() - t0);
        });
    });
}

describe('request deadline', () => {
    it('aborts after its time although full garbage collections run every 10 ms meanwhile', async () => {
        // made in a function that returns only the signal, as serve() keeps only the signal in reach
        const make = () => deadline(new AbortController().signal, 200);
        const d = make();
        const collector = setInterval(gc, 10);
        try {
            const after = await abortedAfter(d.signal, 3_000);
            expect(after).not.toBeNull();
            expect(after!).toBeGreaterThanOrEqual(150);
            expect(d.timedOut()).toBe(true);
            expect((d.signal.reason as Error).name).toBe('TimeoutError');
        } finally {
            clearInterval(collector);
            d.dispose();
        }
    });

    it("follows the client: the client's abort ends it at once, with the client's reason, and it is not a timeout", async () => {
        const client = new AbortController();
        const d = deadline(client.signal, 60_000);
        const reason = new Error('client gone');
        setTimeout(() => client.abort(reason), 20);
        const after = await abortedAfter(d.signal, 2_000);
        expect(after).not.toBeNull();
        expect(d.signal.reason).toBe(reason);
        expect(d.timedOut()).toBe(false);
        d.dispose();
    });

    it('a client already gone: aborted from the start', () => {
        const client = new AbortController();
        client.abort(new Error('gone before'));
        const d = deadline(client.signal, 60_000);
        expect(d.signal.aborted).toBe(true);
        expect(d.timedOut()).toBe(false);
        d.dispose();
    });

    it('disposed: neither its timer nor a later client abort reaches it', async () => {
        const client = new AbortController();
        const d = deadline(client.signal, 50);
        d.dispose();
        await sleep(150);
        client.abort(new Error('after the answer'));
        expect(d.signal.aborted).toBe(false);
        expect(d.timedOut()).toBe(false);
    });
});
