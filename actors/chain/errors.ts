/**
 * Typed chain errors: the exit-code names from wrappers/Constants.ts, the failure of a trace, and the
 * classification of transport failures (what the retry loop may repeat and what it must not).
 */
import { Address } from '@ton/core';
import { commentOf, parseRefusal } from '../../wrappers/common';
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

/** A contract's refusal of what a wallet sent: the reason and the named error of its refusal comment. */
export interface ChainRefusal {
    /** The contract that refused. */
    account: Address;
    reason: string;
    error: number;
}

/**
 * The first refusal inside a trace. A contract that refuses what a plain wallet sent (a text command, or a binary
 * payload such as open_job or create_proposal) does not fail its transaction: it answers with a refusal comment
 * ("cocoon-ton: refused: <reason> (error N)", contracts/comments.fc), so every transaction succeeds.
 */
export function refusalIn(trace: Pick<Trace, 'transactions'>): ChainRefusal | null {
    for (const t of trace.transactions)
        for (const m of t.outMessages) {
            if (m.kind !== 'internal') continue;
            const text = commentOf(m.body);
            const refusal = text === undefined ? undefined : parseRefusal(text);
            if (refusal) return { account: t.account, reason: refusal.reason, error: refusal.error };
        }
    return null;
}

/** "<reason> (error N errorName)": a refusal as one line for logs and CLIs. */
export function describeRefusal(r: ChainRefusal): string {
    const name = errorNameOf(r.error);
    return `${r.reason} (error ${r.error}${name ? ` ${name}` : ''})`;
}

/**
 * The trace of `transactions`: a success only when every transaction succeeded, none was a bounce and no contract
 * answered with a refusal comment (a refused open_job succeeds on-chain, yet opens nothing).
 */
export function traceOf(transactions: ChainTransaction[]): Trace {
    return { transactions, success: transactions.every((t) => t.success && !t.bounced) && refusalIn({ transactions }) === null };
}

/** The first failed transaction of a trace, or undefined when every transaction succeeded. */
export function firstFailure(trace: Trace): ChainTransaction | undefined {
    return trace.transactions.find((t) => !t.success);
}

/**
 * The trace itself when it succeeded; ChainError('refused_on_chain') with the reason and the named error when a
 * contract answered with a refusal comment; otherwise ChainError('failed_on_chain') naming the first failed
 * transaction's exit code (the compute phase's, or the action phase's when compute succeeded).
 */
export function requireSuccess(trace: Trace): Trace {
    const refusal = refusalIn(trace);
    if (refusal) {
        throw new ChainError('refused_on_chain', `${refusal.account.toString()} refused it: ${describeRefusal(refusal)}`, {
            exitCode: refusal.error,
            errorName: errorNameOf(refusal.error),
        });
    }
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
