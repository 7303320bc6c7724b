/**
 * The fuzzer's governance vocabulary beyond propose/vote/execute/veto/cancel/cleanup (actions.ts): the
 * guardian's restrict-only emergency path (and others trying it), council proposals of every kind the review
 * attacked (cancel by vote, handover offer/withdrawal, surplus withdrawal, membership, weights, threshold,
 * unpause, the periods and the guardian, within and beyond their floors and ceilings), proposals the council must
 * refuse (a malformed description, a root action the root would refuse, an image or a model without evidence),
 * accepting a handover offer, funding the council, and an execution raced by a cleanup. Executors and
 * invariants: governance.ts.
 */
import fc from 'fast-check';
import { SENDERS, SenderName } from './actions';

export const EMERGENCY_OPS = ['retireImage', 'removeModel', 'pause', 'unpause', 'addImage', 'addModel', 'setParams', 'withdrawTreasury', 'proposeGovernance', 'slashWorker'] as const;
export const GOV_PROPOSALS = [
    'cancelVote',
    'handoverOffer',
    'handoverWithdraw',
    'surplus',
    'badDescription',
    'refusedRoot',
    'addMember',
    'removeMember',
    'setWeight',
    'setThreshold',
    'unpause',
    'setPeriods',
    'setGuardian',
    'noEvidence',
] as const;

export type GovProposalKind = (typeof GOV_PROPOSALS)[number];

/** Root actions the governance campaigns (gov-world.ts) also propose, beside GOV_PROPOSALS. */
export const ENACT_ROOT_KINDS = ['addImage', 'retireImage', 'withdrawTreasury'] as const;
/** What a proposal step of a governance campaign proposes. */
export type EnactKind = GovProposalKind | (typeof ENACT_ROOT_KINDS)[number];
export const ENACT_KINDS: readonly EnactKind[] = [...GOV_PROPOSALS, ...ENACT_ROOT_KINDS];

export type GovAction =
    /** `sender` sends an emergency action to the council (only the guardian's restrict-only ones may pass). */
    | { k: 'emergency'; sender: SenderName; op: (typeof EMERGENCY_OPS)[number]; seed: number }
    /** `sender` proposes one of GOV_PROPOSALS; `target` picks the proposal a cancel vote is about. */
    | { k: 'govPropose'; sender: SenderName; kind: EnactKind; seed: number; target: number }
    /** `sender` accepts the root's pending handover offer (accept_governance to the root). */
    | { k: 'acceptHandover'; sender: SenderName }
    /** A plain transfer to the council (its surplus, which only a passed proposal may send out). */
    | { k: 'fundCouncil'; tons: number }
    /** Execute, and while the proposal's report is on its way to the council, `cleaner` sends cleanup. */
    | { k: 'executeRace'; proposal: number; sender: SenderName; cleaner: SenderName; margin: number };

/**
 * Their weights in the protocol campaign (actions.ts DEFAULT_WEIGHTS, about 80 for the rest): low, so the CI campaign
 * keeps its pace; the governance campaigns (gov-world.ts, tests/fuzz/Governance.spec.ts) run them at full weight.
 */
export const GOV_WEIGHTS: Record<GovAction['k'], number> = {
    emergency: 1,
    govPropose: 1,
    acceptHandover: 1,
    fundCouncil: 1,
    executeRace: 1,
};

/** Arbitraries of the governance steps (functions: actions.ts imports this module). */
export function govArbitraries(kinds: readonly GovProposalKind[] = GOV_PROPOSALS): { [K in GovAction['k']]: fc.Arbitrary<Extract<GovAction, { k: K }>> } {
    const sender = fc.constantFrom(...SENDERS);
    // The guardian and the members propose and act most: others are refused anyway.
    const insider = fc.oneof({ arbitrary: fc.constantFrom<SenderName>('guardian', 'alice', 'bob', 'carol'), weight: 3 }, { arbitrary: sender, weight: 1 });
    return {
        emergency: fc.record({ k: fc.constant('emergency' as const), sender: insider, op: fc.constantFrom(...EMERGENCY_OPS), seed: fc.nat() }),
        govPropose: fc.record({ k: fc.constant('govPropose' as const), sender: insider, kind: fc.constantFrom(...kinds), seed: fc.nat(), target: fc.nat({ max: 15 }) }),
        acceptHandover: fc.record({ k: fc.constant('acceptHandover' as const), sender: fc.constantFrom<SenderName>('stranger', 'stranger', 'alice', 'impostor', 'oldGov') }),
        fundCouncil: fc.record({ k: fc.constant('fundCouncil' as const), tons: fc.constantFrom(1, 5, 60) }),
        executeRace: fc.record({
            k: fc.constant('executeRace' as const),
            proposal: fc.nat({ max: 15 }),
            sender,
            cleaner: sender,
            margin: fc.constantFrom(0, 1),
        }),
    };
}
