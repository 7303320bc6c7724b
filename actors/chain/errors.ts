/**
 * Typed chain errors: the exit-code names from wrappers/Constants.ts, the failure of a trace, and the
 * classification of transport failures (what the retry loop may repeat and what it must not).
 */
import { Errors } from '../../wrappers/Constants';
import { ChainError, ChainTransaction, Trace } from './types';

/** Exit code -> name of our FunC errors (wrappers/Constants.ts `Errors`), built once. */
const errorNames: ReadonlyMap<number, string> = new Map(
    Object.entries(Errors as unknown as Record<string, number>)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => [v, k] as const),
);

/** The named error of one of our contracts' exit codes (e.g. 140 -> "workerNotActive"), undefined otherwise. */
export function errorNameOf(exitCode: number): string | undefined {
    return errorNames.get(exitCode);
}

/** The first failed transaction of a trace, or undefined when every transaction succeeded. */
export function firstFailure(trace: Trace): ChainTransaction | undefined {
    return trace.transactions.find((t) => !t.success);
}

/**
 * The trace itself when it succeeded; otherwise ChainError('failed_on_chain') naming the first failed
 * transaction's exit code (the compute phase's, or the action phase's when compute succeeded).
 */
export function requireSuccess(trace: Trace): Trace {
    if (trace.success) return trace;
    const failed = firstFailure(trace) ?? trace.transactions.find((t) => t.bounced);
    const exitCode = failed ? failedCode(failed) : undefined;
    const errorName = exitCode === undefined ? undefined : errorNameOf(exitCode);
    throw new ChainError(
        'failed_on_chain',
        failed
            ? `transaction ${failed.id.hash.toString('hex')} on ${failed.account.toString()} failed ${exitCode === undefined ? '(compute phase skipped: no code to run)' : `with exit code ${exitCode}`}${errorName ? ` (${errorName})` : ''}`
            : 'a message of the trace bounced',
        { exitCode, errorName, transaction: failed },
    );
}

function failedCode(t: ChainTransaction): number | undefined {
    if (t.exitCode !== null && t.exitCode !== 0 && t.exitCode !== 1) return t.exitCode;
    if (t.actionResultCode !== null && t.actionResultCode !== 0) return t.actionResultCode;
    return t.exitCode ?? undefined;
}

/** Whether the retry loop may try again after `e`: only transport trouble, never a verdict of the chain. */
export function isTransient(e: unknown): e is ChainError {
    return e instanceof ChainError && (e.code === 'unavailable' || e.code === 'rate_limited');
}

export function asChainError(e: unknown, fallback: ChainError['code'] = 'unavailable'): ChainError {
    if (e instanceof ChainError) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new ChainError(fallback, message, { cause: e });
}
