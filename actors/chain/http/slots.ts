/**
 * At most `size` tasks run at once; the others wait in arrival order. A finished task hands its slot straight to
 * the next waiter, so a burst never overtakes the queue.
 */
export class Slots {
    private used = 0;
    private readonly waiting: (() => void)[] = [];

    constructor(readonly size: number) {
        if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`slots: a positive integer, got ${size}`);
    }

    async run<T>(task: () => Promise<T>): Promise<T> {
        if (this.used < this.size) this.used++;
        else await new Promise<void>((resolve) => this.waiting.push(resolve));
        try {
            return await task();
        } finally {
            const next = this.waiting.shift();
            if (next) next();
            else this.used--;
        }
    }
}
