/**
 * Governance events (protocol.tlb "events", GovernanceEvent): the external-out log messages the council, its
 * proposals and the root's governance operations emit (contracts/messages.fc emit_event). A wallet, an
 * explorer or the relay follows governance by decoding the outgoing external messages of the council, of
 * each proposal (whose address proposal_created gives by id) and of the root. Events say that something
 * happened; readers who act on it still check the state through the get-methods.
 */
import { Address, Cell, Message, Slice } from '@ton/core';
import { Bytes32, loadBytes32 } from './common';
import { GovernanceEventTag } from './Constants';

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
