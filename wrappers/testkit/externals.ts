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

/** The serialized external-in message to `dest` carrying `body` in the requested layout. */
export function externalMessageCell(dest: Address, body: Cell, layout: ExternalLayout = {}): Cell {
    const message: Message = { info: { type: 'external-in', src: null, dest, importFee: 0n }, init: layout.init, body };
    return beginCell().store(storeMessage(message, { forceRef: layout.bodyAsRef ?? false })).endCell();
}

/** Sends an external message in the given layout; rejects (throws) when the contract does not accept it. */
export function sendExternal(blockchain: Blockchain, dest: Address, body: Cell, layout: ExternalLayout = {}): Promise<SendMessageResult> {
    return blockchain.sendMessage(externalMessageCell(dest, body, layout));
}
