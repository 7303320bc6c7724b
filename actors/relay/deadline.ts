/**
 * A request's deadline: a signal that aborts when the client leaves or after `ms`, whichever comes first.
 *
 * Why not `AbortSignal.any([client, AbortSignal.timeout(ms)])`: Node 20 holds a timeout signal only weakly
 * once it is a source of a composite signal, so a garbage collection during the wait drops it and the
 * composite never aborts (nodejs/node#57736). A worker that never answered then held the client's request
 * until the client gave up. Here the timer's closure holds the controller, and dispose() clears the timer and
 * the listener on the client's signal once the request is over.
 */
export interface Deadline {
    signal: AbortSignal;
    /** True when the time ran out (not when the client left). */
    timedOut(): boolean;
    /** The request is over: clears the timer and stops following the client. */
    dispose(): void;
}

export function deadline(client: AbortSignal, ms: number): Deadline {
    const controller = new AbortController();
    let timedOut = false;
    const onClientAbort = (): void => controller.abort(client.reason);
    const timer = setTimeout(() => {
        if (controller.signal.aborted) return; // the client left first
        timedOut = true;
        controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
    }, ms);
    if (client.aborted) onClientAbort();
    else client.addEventListener('abort', onClientAbort, { once: true });
    return {
        signal: controller.signal,
        timedOut: () => timedOut,
        dispose: () => {
            clearTimeout(timer);
            client.removeEventListener('abort', onClientAbort);
        },
    };
}
