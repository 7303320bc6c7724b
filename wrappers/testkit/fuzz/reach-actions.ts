/**
 * Steps that bring the money-path review's findings 6, 8 and 9 into the fuzzer's reach (executors and invariants:
 * reach.ts):
 *   rotateKey       the owner rotates a worker's receipt key (an update through the root)
 *   oldKeyEvidence  equivocation signed by the key of `age` rotations ago (finding 6: slash evasion by rotating twice)
 *   inexactClaim    a worker's valid voucher as an external claim in another layout than the exact one (finding 8:
 *                   the body in a ref, bits after the fields, a state init attached); `exact` is the control
 *   runwayJump      time jumps to the job-code library's paid-until plus `offset` (finding 9: its rent lapsing)
 *   fundLibrary     anyone asks the root to pay the library's rent from the treasury
 */
import fc from 'fast-check';
import { SENDERS, SenderName, VALUES } from './actions';

export const CLAIM_LAYOUTS = ['exact', 'bodyAsRef', 'trailingBits', 'stateInit'] as const;
export type ClaimLayout = (typeof CLAIM_LAYOUTS)[number];

/** Offsets from the library's paid-until time: past the minimum runway, just inside it, a week and a day before. */
export const RUNWAY_OFFSETS = [-61 * 86_400, -59 * 86_400, -7 * 86_400, -86_400] as const;

export type ReachAction =
    | { k: 'rotateKey'; worker: number }
    | { k: 'oldKeyEvidence'; worker: number; age: number; seqno: number }
    | { k: 'inexactClaim'; job: number; voucher: number; layout: ClaimLayout }
    | { k: 'runwayJump'; offset: (typeof RUNWAY_OFFSETS)[number] }
    | { k: 'fundLibrary'; sender: SenderName; value: number };

export const REACH_KINDS = ['rotateKey', 'oldKeyEvidence', 'inexactClaim', 'runwayJump', 'fundLibrary'] as const;

export function isReachAction(a: { k: string }): a is ReachAction {
    return (REACH_KINDS as readonly string[]).includes(a.k);
}

/** Default weights: low, so the CI campaign's mix barely moves; the focus campaigns raise them. */
export const REACH_WEIGHTS: Record<ReachAction['k'], number> = {
    rotateKey: 1,
    oldKeyEvidence: 1,
    inexactClaim: 1,
    runwayJump: 1,
    fundLibrary: 1,
};

export function reachArbitraries(): { [K in ReachAction['k']]: fc.Arbitrary<Extract<ReachAction, { k: K }>> } {
    return {
        rotateKey: fc.record({ k: fc.constant('rotateKey' as const), worker: fc.nat({ max: 2 }) }),
        oldKeyEvidence: fc.record({ k: fc.constant('oldKeyEvidence' as const), worker: fc.nat({ max: 2 }), age: fc.nat({ max: 4 }), seqno: fc.nat({ max: 1_000_000 }) }),
        inexactClaim: fc.record({ k: fc.constant('inexactClaim' as const), job: fc.nat({ max: 15 }), voucher: fc.nat({ max: 15 }), layout: fc.constantFrom(...CLAIM_LAYOUTS) }),
        runwayJump: fc.record({ k: fc.constant('runwayJump' as const), offset: fc.constantFrom(...RUNWAY_OFFSETS) }),
        fundLibrary: fc.record({ k: fc.constant('fundLibrary' as const), sender: fc.constantFrom(...SENDERS), value: fc.nat({ max: VALUES.length - 1 }) }),
    };
}
