/**
 * What a job's transactions mean to its worker, one transaction at a time: the claimer follows each job it
 * holds a voucher for through its account's transactions (oldest first, from a cursor persisted with the job)
 * instead of re-reading the job's state every pass. Only the transactions that change what the worker may
 * still claim, or until when, are events:
 *
 * - a claim or ext_claim that succeeded: the job's `paid` is now min(voucher, deposit); a final voucher turns
 *   an active job into a closing one, its challenge period starting at that transaction's time;
 * - the client's close (close_job, or the text comment "close") of an active job: closing, same deadline rule;
 * - a top-up (top_up, an empty body or any other text comment): the deposit grew;
 * - a bounced payout (the worker account is gone): closing at once (the contract ends the window now);
 * - the settlement (finalize, settle_job): the job's report to the worker says what was paid; the account is
 *   destroyed, nothing more can be claimed.
 * Failed transactions change nothing (the contract threw, its storage is as before) and are skipped.
 */
import { Slice } from '@ton/core';
import type { ChainTransaction } from '../../chain/types';
import { Op } from '../../../wrappers/Constants';
import { commandWord, commentOf } from '../../../wrappers/common';
import { parseJobReportBody } from '../../../wrappers/Job';
import { parseClaimBody } from '../../../wrappers/payloads';

export type JobEvent =
    | { kind: 'claimed'; amount: bigint; final: boolean; now: number }
    | { kind: 'closed'; now: number }
    | { kind: 'topped-up'; now: number }
    | { kind: 'payout-bounced'; now: number }
    | { kind: 'settled'; paid: bigint; now: number };

const BOUNCE_PREFIX = 0xffffffff;

function opOf(s: Slice): number | null {
    return s.remainingBits >= 32 ? s.loadUint(32) : null;
}

/** The event one transaction of a job's account is, or null when it changes nothing the claimer needs. */
export function jobEventOf(tx: ChainTransaction): JobEvent | null {
    const now = tx.now;
    // The settlement first: its report names what was paid, whatever message triggered it.
    for (const m of tx.outMessages) {
        const s = m.body.beginParse();
        if (m.kind === 'internal' && opOf(s) === Op.jobReport) {
            try {
                return { kind: 'settled', paid: parseJobReportBody(m.body).paid, now };
            } catch {
                return null;
            }
        }
    }
    const msg = tx.inMessage;
    if (!msg || !tx.success) return null;
    const s = msg.body.beginParse();
    const op = opOf(s);
    if (msg.kind === 'internal' && msg.bounced) {
        return op === BOUNCE_PREFIX && opOf(s) === Op.jobPayout ? { kind: 'payout-bounced', now } : null;
    }
    if ((msg.kind === 'external-in' && op === Op.extClaim) || (msg.kind === 'internal' && op === Op.claim)) {
        try {
            const c = parseClaimBody(msg.body);
            return { kind: 'claimed', amount: c.amount, final: c.final, now };
        } catch {
            return null; // a body the contract could not have accepted either
        }
    }
    if (msg.kind !== 'internal') return null;
    if (op === Op.closeJob) return { kind: 'closed', now };
    if (op === Op.topUp || op === null) return { kind: 'topped-up', now };
    if (op === Op.textComment) {
        // as the job reads it: trimmed and case-insensitive ("Close" from a phone closes the job)
        const text = commentOf(msg.body);
        const word = text === undefined ? undefined : commandWord(text);
        if (word === 'close') return { kind: 'closed', now };
        if (word === 'finalize') return null; // a settlement shows up as its report (above)
        return { kind: 'topped-up', now };
    }
    return null;
}
