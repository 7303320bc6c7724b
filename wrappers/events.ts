/**
 * Codec of the events contracts emit (external-out messages to addr_none, "events" in contracts/protocol.tlb).
 * An event is a hint for indexers and the relay's discovery: readers check the state it points to directly.
 */
import { Address, beginCell, Cell } from '@ton/core';
import { Events } from './Constants';
import { Bytes32, loadBytes32, storeBytes32 } from './common';

// worker_registered#1b313ff4 worker:MsgAddressInt index:uint32 receipt_key:uint256 = RootEvent;
// worker_updated#25dedd82 worker:MsgAddressInt index:uint32 receipt_key:uint256 = RootEvent;
export interface WorkerEvent {
    kind: 'workerRegistered' | 'workerUpdated';
    worker: Address;
    index: number;
    receiptKey: Bytes32;
}

export type RootEvent = WorkerEvent;

export function rootEventCell(e: RootEvent): Cell {
    return beginCell()
        .storeUint(e.kind === 'workerRegistered' ? Events.workerRegistered : Events.workerUpdated, 32)
        .storeAddress(e.worker)
        .storeUint(e.index, 32)
        .store(storeBytes32(e.receiptKey, 'receiptKey'))
        .endCell();
}

/** The root event in an external-out body; null for anything else (another contract's log, a malformed body). */
export function parseRootEvent(body: Cell): RootEvent | null {
    try {
        const s = body.beginParse();
        const tag = s.loadUint(32);
        const kind = tag === Events.workerRegistered ? 'workerRegistered' : tag === Events.workerUpdated ? 'workerUpdated' : null;
        if (!kind) return null;
        const worker = s.loadAddress();
        const index = s.loadUint(32);
        const receiptKey = loadBytes32(s);
        return { kind, worker, index, receiptKey };
    } catch {
        return null;
    }
}
