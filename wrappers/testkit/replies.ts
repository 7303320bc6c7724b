/** Reading the replies contracts send back, for tests and scripts. */
import { Address, Cell } from '@ton/core';
import { SendMessageResult } from '@ton/sandbox';
import { Op } from '../Constants';

/** register_refused#22ca4c19 query_id:uint64 error:uint32: the error code of a refused registration sent to `to`, if any. */
export function registrationRefusal(result: SendMessageResult, to: Address): number | undefined {
    for (const tx of result.transactions) {
        const info = tx.inMessage?.info;
        if (!info || info.type !== 'internal' || !info.dest.equals(to)) continue;
        const body = tx.inMessage!.body.beginParse();
        if (body.remainingBits < 32 + 64 + 32 || body.loadUint(32) !== Op.registerRefused) continue;
        body.loadUintBig(64);
        return body.loadUint(32);
    }
    return undefined;
}

/** The text comment of a message body (op 0), or undefined for any other body. */
export function commentOf(body: Cell): string | undefined {
    const s = body.beginParse();
    if (s.remainingBits < 32 || s.loadUint(32) !== 0) return undefined;
    return s.loadStringTail();
}
