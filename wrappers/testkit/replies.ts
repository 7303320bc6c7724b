/** Reading the replies contracts send back, for tests and scripts. */
import { Address } from '@ton/core';
import { SendMessageResult } from '@ton/sandbox';
import { commentOf, parseRefusal, Refusal } from '../common';

/** The first refusal comment ("cocoon-ton: refused: <reason> (error N)", contracts/comments.fc) sent to `to`, if any. */
export function refusalTo(result: SendMessageResult, to: Address): Refusal | undefined {
    for (const tx of result.transactions) {
        const info = tx.inMessage?.info;
        if (!info || info.type !== 'internal' || !info.dest.equals(to)) continue;
        const text = commentOf(tx.inMessage!.body);
        const refusal = text === undefined ? undefined : parseRefusal(text);
        if (refusal) return refusal;
    }
    return undefined;
}

/** The error code of a refused registration or update sent to `to` (a refusal comment), if any. */
export function registrationRefusal(result: SendMessageResult, to: Address): number | undefined {
    return refusalTo(result, to)?.error;
}

/** The text comment of a message body (wrappers/common.ts), re-exported for the tests that read replies. */
export { commentOf };

/**
 * How `from` refused a message in `result`: the error of the refusal comment it sent back (contracts/comments.fc)
 * when every transaction of `from` succeeded, `threw <exit code>` when one of them failed (a bounce), undefined when
 * it neither refused nor failed. Tests of what a plain wallet sends assert the number.
 */
export function refusalFrom(result: SendMessageResult, from: Address): number | string | undefined {
    for (const tx of result.transactions) {
        const info = tx.inMessage?.info;
        if (!info || info.type === 'external-out' || !info.dest.equals(from)) continue;
        const d = tx.description;
        if (d.type === 'generic' && (d.aborted || (d.computePhase.type === 'vm' && !d.computePhase.success))) {
            return `threw ${d.computePhase.type === 'vm' ? d.computePhase.exitCode : 'skipped'}`;
        }
    }
    for (const tx of result.transactions) {
        const info = tx.inMessage?.info;
        if (!info || info.type !== 'internal' || !info.src.equals(from)) continue;
        const text = commentOf(tx.inMessage!.body);
        const refusal = text === undefined ? undefined : parseRefusal(text);
        if (refusal) return refusal.error;
    }
    return undefined;
}
