/**
 * External messages as a relay could wrap them: the canonical layout (body inline in the message cell) or
 * re-wrapped (the body moved into a ref, a state init attached), for tests that check a contract pays only for
 * the layout it accepts. Reusable by any suite or fuzzer that drives externals.
 */
import { Address, beginCell, Cell, Message, StateInit, storeMessage } from '@ton/core';
import { Blockchain, SendMessageResult } from '@ton/sandbox';

export interface ExternalLayout {
    /** Put the body in a ref of the message cell instead of inline (TL-B `body:(Either X ^X)` right). */
    bodyAsRef?: boolean;
    /** Attach a state init (in a ref when `bodyAsRef`, as the serializer decides otherwise). */
    init?: StateInit;
}

/**
 * The body with `bits` zero bits appended (its refs kept). The sandbox re-serializes every message it is given,
 * body inline whenever it fits the message cell, so padding is how a test makes a relay's re-wrapped layout
 * happen: past the room left in the message cell the body must travel in a ref.
 */
export function paddedBody(body: Cell, bits: number): Cell {
    return beginCell().storeSlice(body.beginParse()).storeUint(0, bits).endCell();
}

/** Bits left for an inline body in an external-in message to `dest` with no state init. */
export function inlineBodyRoom(dest: Address): number {
    const header = beginCell().store(storeMessage({ info: { type: 'external-in', src: null, dest, importFee: 0n }, body: Cell.EMPTY })).endCell();
    return 1023 - header.bits.length;
}

/** The serialized external-in message to `dest` carrying `body` in the requested layout. */
export function externalMessageCell(dest: Address, body: Cell, layout: ExternalLayout = {}): Cell {
    const message: Message = { info: { type: 'external-in', src: null, dest, importFee: 0n }, init: layout.init, body };
    return beginCell().store(storeMessage(message, { forceRef: layout.bodyAsRef ?? false })).endCell();
}

/** Sends an external message in the given layout; rejects (throws) when the contract does not accept it. */
export function sendExternal(blockchain: Blockchain, dest: Address, body: Cell, layout: ExternalLayout = {}): Promise<SendMessageResult> {
    return blockchain.sendMessage(externalMessageCell(dest, body, layout));
}
