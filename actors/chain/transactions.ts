/**
 * @ton/core transactions and messages -> the layer's ChainTransaction / ChainMessage. Message hashes are
 * taken from the transaction's own cells (never re-serialised), so they equal the hashes a sender computed
 * over the message it sent and the hashes indexers key traces by.
 */
import { Address, Cell, Dictionary, Message, Transaction } from '@ton/core';
import { ChainMessage, ChainTransaction } from './types';

const messageRefs = {
    serialize: (src: Cell, builder: import('@ton/core').Builder) => void builder.storeRef(src),
    parse: (slice: import('@ton/core').Slice) => slice.loadRef(),
};

/** The in-message cell and the out-message cells of a transaction, read from its raw cell. */
function messageCells(raw: Cell): { inMessage: Cell | null; outMessages: Map<number, Cell> } {
    const s = raw.refs[0].beginParse(); // ^[ in_msg:(Maybe ^(Message Any)) out_msgs:(HashmapE 15 ^(Message Any)) ]
    const inMessage = s.loadBit() ? s.loadRef() : null;
    const out = s.loadDict(Dictionary.Keys.Uint(15), messageRefs);
    return { inMessage, outMessages: new Map(out.keys().map((k) => [k, out.get(k)!])) };
}

export function toChainMessage(m: Message, cell: Cell): ChainMessage {
    const info = m.info;
    const common = { body: m.body, hash: cell.hash(), createdLt: info.type === 'internal' ? info.createdLt : null };
    if (info.type === 'internal') {
        return { ...common, kind: 'internal', source: info.src, destination: info.dest, value: info.value.coins, bounce: info.bounce, bounced: info.bounced, forwardFee: info.forwardFee };
    }
    if (info.type === 'external-in') {
        return { ...common, kind: 'external-in', source: null, destination: info.dest, value: 0n, bounce: false, bounced: false, forwardFee: 0n };
    }
    return { ...common, kind: 'external-out', source: info.src, destination: null, value: 0n, bounce: false, bounced: false, forwardFee: 0n };
}

export function toChainTransaction(tx: Transaction, workchain = 0): ChainTransaction {
    const cells = messageCells(tx.raw);
    const account = new Address(workchain, Buffer.from(tx.address.toString(16).padStart(64, '0'), 'hex'));
    const inMessage = tx.inMessage && cells.inMessage ? toChainMessage(tx.inMessage, cells.inMessage) : null;
    const outMessages = tx.outMessages.keys().sort((a, b) => a - b).map((k) => toChainMessage(tx.outMessages.get(k)!, cells.outMessages.get(k)!));

    let exitCode: number | null = null;
    let actionResultCode: number | null = null;
    let success = true;
    let gasUsed = 0;
    const d = tx.description;
    if (d.type === 'generic' || d.type === 'tick-tock') {
        if (d.computePhase.type === 'vm') {
            exitCode = d.computePhase.exitCode;
            gasUsed = Number(d.computePhase.gasUsed);
            success &&= d.computePhase.success;
        } else {
            // A skipped compute phase (no code to run): fine for a plain top-up or a returning bounce, a failure
            // for a bounceable message, which bounces back.
            success &&= inMessage?.kind === 'internal' && (!inMessage.bounce || inMessage.bounced);
        }
        if (d.actionPhase) {
            actionResultCode = d.actionPhase.resultCode;
            success &&= d.actionPhase.success;
        }
        // A skipped compute phase always marks the transaction aborted; only a run that failed counts here.
        if (d.computePhase.type === 'vm') success &&= !d.aborted;
    }
    return {
        id: { lt: tx.lt, hash: tx.hash() },
        account,
        now: tx.now,
        inMessage,
        outMessages,
        exitCode,
        actionResultCode,
        success,
        bounced: inMessage?.kind === 'internal' ? inMessage.bounced : false,
        totalFees: tx.totalFees.coins,
        gasUsed,
    };
}
