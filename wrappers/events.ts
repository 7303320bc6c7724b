/**
 * The one codec of the events contracts emit: external-out log messages to addr_none ("events" in
 * contracts/protocol.tlb), all sent by the one FunC helper (contracts/messages.fc emit_event), body inline: a 32-bit
 * tag (the constructor's CRC32), then the fields. Two families share the mechanism:
 *   - the root's worker events (RootEvent), which the relay's discovery follows (actors/chain/discovery.ts);
 *   - governance events (GovernanceEvent) of the council, its proposals and the root's governance operations, for
 *     wallets, explorers and indexers (docs/governance.md "Events" says when each is emitted).
 * `parseEvent` / `eventsOf` decode either; `parseRootEvent` / `parseGovernanceEvent` one family.
 * An event is a hint: readers who act on it check the state it points to through the get-methods.
 */
import { Address, beginCell, Cell, Message, Slice } from '@ton/core';
import { Events, GovernanceEventTag } from './Constants';
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

// ---------------------------------------------------------------- governance events (GovernanceEvent)

export type GovernanceEvent =
    // council
    | { kind: 'proposalCreated'; id: number; proposer: Address; epoch: number; deadline: number; evidence: Bytes32 | null }
    // proposal
    | { kind: 'proposalVoted'; id: number; voter: Address; yes: boolean; weight: number; yesTotal: bigint; noTotal: bigint }
    | { kind: 'proposalPassed'; id: number; executeAt: number; expiresAt: number }
    | { kind: 'proposalRejected'; id: number }
    | { kind: 'proposalExecuted'; id: number }
    | { kind: 'proposalFailed'; id: number }
    | { kind: 'proposalVetoed'; id: number }
    | { kind: 'proposalCancelled'; id: number; byCouncil: boolean }
    | { kind: 'proposalExpired'; id: number }
    // root
    | { kind: 'imageAdded'; imageHash: Bytes32; supersedes: Bytes32 | null; supersedesRetireAt: number }
    | { kind: 'imageRetired'; imageHash: Bytes32; retireAt: number }
    | { kind: 'modelAdded'; modelHash: Bytes32 }
    | { kind: 'modelRemoved'; modelHash: Bytes32 }
    | { kind: 'paramsChanged'; version: number }
    | { kind: 'pauseChanged'; paused: number }
    | { kind: 'governanceOffered'; pending: Address | null; expiresAt: number }
    | { kind: 'governanceChanged'; governance: Address };

/** All zeroes stands for "none" (no evidence, no superseded image). */
const orNull = (b: Bytes32): Bytes32 | null => (b.every((x) => x === 0) ? null : b);

/** Decodes one event body; null for a body whose tag is not a governance event (e.g. another kind of event). */
export function parseGovernanceEvent(body: Cell | Slice): GovernanceEvent | null {
    const s = body instanceof Cell ? body.beginParse() : body.clone();
    if (s.remainingBits < 32) return null;
    const tag = s.loadUint(32);
    let e: GovernanceEvent;
    switch (tag) {
        // proposal_created id:uint32 proposer:MsgAddressInt epoch:uint32 deadline:uint32 evidence:uint256
        case GovernanceEventTag.proposalCreated:
            e = { kind: 'proposalCreated', id: s.loadUint(32), proposer: s.loadAddress(), epoch: s.loadUint(32), deadline: s.loadUint(32), evidence: orNull(loadBytes32(s)) };
            break;
        // proposal_voted id:uint32 voter:MsgAddressInt yes:Bool weight:uint32 yes_total:uint64 no_total:uint64
        case GovernanceEventTag.proposalVoted:
            e = {
                kind: 'proposalVoted',
                id: s.loadUint(32),
                voter: s.loadAddress(),
                yes: s.loadBit(),
                weight: s.loadUint(32),
                yesTotal: s.loadUintBig(64),
                noTotal: s.loadUintBig(64),
            };
            break;
        // proposal_passed id:uint32 execute_at:uint32 expires_at:uint32
        case GovernanceEventTag.proposalPassed:
            e = { kind: 'proposalPassed', id: s.loadUint(32), executeAt: s.loadUint(32), expiresAt: s.loadUint(32) };
            break;
        case GovernanceEventTag.proposalRejected:
            e = { kind: 'proposalRejected', id: s.loadUint(32) };
            break;
        case GovernanceEventTag.proposalExecuted:
            e = { kind: 'proposalExecuted', id: s.loadUint(32) };
            break;
        case GovernanceEventTag.proposalFailed:
            e = { kind: 'proposalFailed', id: s.loadUint(32) };
            break;
        case GovernanceEventTag.proposalVetoed:
            e = { kind: 'proposalVetoed', id: s.loadUint(32) };
            break;
        // proposal_cancelled id:uint32 by_council:Bool
        case GovernanceEventTag.proposalCancelled:
            e = { kind: 'proposalCancelled', id: s.loadUint(32), byCouncil: s.loadBit() };
            break;
        case GovernanceEventTag.proposalExpired:
            e = { kind: 'proposalExpired', id: s.loadUint(32) };
            break;
        // image_added image_hash:uint256 supersedes:uint256 supersedes_retire_at:uint32
        case GovernanceEventTag.imageAdded:
            e = { kind: 'imageAdded', imageHash: loadBytes32(s), supersedes: orNull(loadBytes32(s)), supersedesRetireAt: s.loadUint(32) };
            break;
        // image_retired image_hash:uint256 retire_at:uint32
        case GovernanceEventTag.imageRetired:
            e = { kind: 'imageRetired', imageHash: loadBytes32(s), retireAt: s.loadUint(32) };
            break;
        case GovernanceEventTag.modelAdded:
            e = { kind: 'modelAdded', modelHash: loadBytes32(s) };
            break;
        case GovernanceEventTag.modelRemoved:
            e = { kind: 'modelRemoved', modelHash: loadBytes32(s) };
            break;
        case GovernanceEventTag.paramsChanged:
            e = { kind: 'paramsChanged', version: s.loadUint(32) };
            break;
        case GovernanceEventTag.pauseChanged:
            e = { kind: 'pauseChanged', paused: s.loadUint(8) };
            break;
        // governance_offered pending:MsgAddress expires_at:uint32
        case GovernanceEventTag.governanceOffered:
            e = { kind: 'governanceOffered', pending: s.loadMaybeAddress(), expiresAt: s.loadUint(32) };
            break;
        case GovernanceEventTag.governanceChanged:
            e = { kind: 'governanceChanged', governance: s.loadAddress() };
            break;
        default:
            return null;
    }
    s.endParse();
    return e;
}

/** An event together with the contract that emitted it. */
export interface EmittedGovernanceEvent {
    source: Address;
    event: GovernanceEvent;
}

/** The governance events among a transaction's (or a whole trace's) outgoing messages, in order. */
export function governanceEventsOf(messages: Iterable<Message>): EmittedGovernanceEvent[] {
    const out: EmittedGovernanceEvent[] = [];
    for (const m of messages) {
        if (m.info.type !== 'external-out' || m.info.dest !== null && m.info.dest !== undefined) continue;
        const event = parseGovernanceEvent(m.body);
        if (event) out.push({ source: m.info.src, event });
    }
    return out;
}

// ---------------------------------------------------------------- either family

/** Any event a cocoon contract emits. */
export type ContractEvent = RootEvent | GovernanceEvent;

/** Decodes one external-out body of either family; null for anything else (another contract's log, a malformed body). */
export function parseEvent(body: Cell): ContractEvent | null {
    return parseRootEvent(body) ?? (() => {
        try {
            return parseGovernanceEvent(body);
        } catch {
            return null;
        }
    })();
}

/** Every event (either family) among a transaction's (or a whole trace's) outgoing messages, in order, with its emitter. */
export function eventsOf(messages: Iterable<Message>): { source: Address; event: ContractEvent }[] {
    const out: { source: Address; event: ContractEvent }[] = [];
    for (const m of messages) {
        if (m.info.type !== 'external-out' || (m.info.dest !== null && m.info.dest !== undefined)) continue;
        const event = parseEvent(m.body);
        if (event) out.push({ source: m.info.src, event });
    }
    return out;
}
