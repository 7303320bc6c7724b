/**
 * The fuzzer's vocabulary: every step it can take against the protocol, as plain data (so a failing sequence
 * prints, shrinks and replays), and the fast-check arbitraries that draw them.
 *
 * Indices (job, proposal, voucher) are taken modulo what exists when the step runs, so any sequence is valid
 * and shrinking never produces an unrunnable step. Actor indices:
 *   clients: 0, 1 wallets; 2 a contract that rejects everything (refunds bounce)
 *   workers: 0, 1 wallet-owned; 2 owned by a rejecting contract; 3 (jobs only) a plain wallet posing as a worker
 *   senders: see SENDERS
 */
import fc from 'fast-check';
import { ReachAction, reachArbitraries, REACH_WEIGHTS } from './reach-actions';
import { GovAction, govArbitraries, GOV_WEIGHTS } from './gov-actions';

/** Who sends a message. `impostor` is a rejecting contract; `oldGov` the root's deployer after the handover. */
export const SENDERS = ['owner', 'client', 'alice', 'bob', 'carol', 'guardian', 'stranger', 'impostor', 'oldGov'] as const;
export type SenderName = (typeof SENDERS)[number];

/** Values attached to messages: zero, dust, too little for fees, enough, plenty. */
export const VALUES = [0n, 1n, 1_000_000n, 10_000_000n, 20_000_000n, 50_000_000n, 200_000_000n, 1_000_000_000n, 5_000_000_000n] as const;

export const WORKER_OPS = ['addStake', 'requestUnbond', 'cancelUnbond', 'withdraw', 'collect', 'setPrices', 'setPricesPadded', 'setThreshold'] as const;
export const FORGERIES = ['wrongKey', 'wrongJob', 'wrongTag', 'wrongNetwork', 'stale', 'replayOldLife'] as const;
export const TARGETS = ['root', 'worker', 'job', 'council', 'proposal'] as const;
export const IMPERSONATED_OPS = ['jobPayout', 'jobReport', 'jobAccepted', 'jobRefused', 'govSlash', 'workerAttest', 'proposalApproved'] as const;
export const GOV_ACTIONS = ['addImage', 'retireImage', 'addModel', 'removeModel', 'setParams', 'slashWorker', 'withdrawTreasury', 'setThreshold'] as const;
/** Orders the council enacts in one step (propose, votes, timelock, execute): code changes, then reaching every worker. */
export const GOV_ORDERS = ['jobCode', 'workerCode', 'slash'] as const;
export const TIME_JUMPS = [1, 60, 601, 3600, 86_400, 3 * 86_400, 15 * 86_400] as const;

export type Action =
    | { k: 'open'; client: number; worker: number; value: number; challenge: number; reuseId: boolean }
    /** The client signs its next cumulative voucher and hands it to the worker (off-chain). */
    | { k: 'sign'; job: number; add: number; hugeTokens: boolean; final: boolean }
    /** The worker submits one of the vouchers it holds, by wallet or as an external message. */
    | { k: 'workerClaim'; job: number; voucher: number; ext: boolean; value: number }
    /** The client signs a voucher at the job's paid amount (or its last one) and submits it itself. */
    | { k: 'clientClaim'; job: number; atPaid: boolean; final: boolean; ext: boolean }
    | { k: 'forgedClaim'; job: number; kind: (typeof FORGERIES)[number]; ext: boolean }
    | { k: 'topUp'; job: number; sender: SenderName; value: number }
    | { k: 'close'; job: number; sender: SenderName; value: number; asText: boolean }
    | { k: 'finalize'; job: number; sender: SenderName; value: number }
    | { k: 'workerOp'; worker: number; op: (typeof WORKER_OPS)[number]; sender: SenderName; value: number }
    | { k: 'evidence'; worker: number; valid: boolean; wrongModel: boolean; sender: SenderName }
    | { k: 'impersonate'; target: (typeof TARGETS)[number]; op: (typeof IMPERSONATED_OPS)[number]; sender: SenderName; index: number }
    | { k: 'garbage'; target: (typeof TARGETS)[number]; index: number; sender: SenderName; value: number; bits: number; seed: number; refs: number }
    | { k: 'rootDirect'; action: (typeof GOV_ACTIONS)[number]; sender: SenderName; seed: number }
    | { k: 'propose'; sender: SenderName; action: (typeof GOV_ACTIONS)[number]; seed: number; value: number }
    | { k: 'vote'; proposal: number; sender: SenderName; yes: boolean }
    | { k: 'execute'; proposal: number; sender: SenderName; margin: number }
    | { k: 'veto'; proposal: number; sender: SenderName }
    | { k: 'cancel'; proposal: number; sender: SenderName }
    | { k: 'cleanup'; proposal: number; sender: SenderName }
    /** A governance order carried through the council at once: a job or worker code change (a working variant), or a slash. */
    | { k: 'govOrder'; order: (typeof GOV_ORDERS)[number]; seed: number }
    | { k: 'wait'; seconds: number }
    /** Key rotations, evidence under old keys, inexact external claims, the library's runway: reach-actions.ts. */
    | ReachAction
    /** Governance steps beyond the above (emergency, handover, surplus, cancel by vote, races): gov-actions.ts. */
    | GovAction;

const idx = fc.nat({ max: 15 });
const sender = fc.constantFrom(...SENDERS);
const value = fc.nat({ max: VALUES.length - 1 });

/** Weights of each kind of step; a campaign aimed at one finding raises the weights of the steps it needs. */
export type Weights = Partial<Record<Action['k'], number>>;

export const DEFAULT_WEIGHTS: Required<Weights> = {
    open: 6,
    sign: 10,
    workerClaim: 8,
    clientClaim: 3,
    forgedClaim: 3,
    topUp: 2,
    close: 4,
    finalize: 4,
    workerOp: 5,
    evidence: 2,
    impersonate: 3,
    garbage: 3,
    rootDirect: 1,
    propose: 3,
    vote: 5,
    execute: 3,
    veto: 1,
    cancel: 1,
    cleanup: 1,
    govOrder: 1,
    wait: 6,
    ...REACH_WEIGHTS,
    ...GOV_WEIGHTS,
};

/**
 * Steps that reach a known finding of the money-path review, which a campaign can leave out until the fix lands
 * (the CI run does; `npm run fuzz:findings` keeps them in):
 *   silentWorker       a job offered to an address that never answers (finding 4: pending without exit)
 *   clientFinalAtPaid  the client's own final voucher at the paid amount (finding 1: the challenge period cut)
 *   hugeTokens         vouchers with tokens near 2^64 (finding 5: the reputation report frozen)
 */
export interface Exclusions {
    silentWorker?: boolean;
    clientFinalAtPaid?: boolean;
    hugeTokens?: boolean;
    /** set_params with an unbonding period or a maximum challenge near 2^32 (finding 10: they break unbond and close). */
    extremeParams?: boolean;
}

/** The setParams variants (world.ts govAction, seed % 7) that finding 10 is about. */
export const EXTREME_PARAMS_VARIANTS = [2, 3];

/**
 * Steps left out of the CI campaign because they reach a finding that is still open. Empty: the review's findings
 * 1, 4, 5 and 10 (silent worker, client's final voucher at paid, tokens near 2^64, extreme parameters) are fixed,
 * and their steps run in every campaign; tests/fuzz/Known.findings.ts keeps the campaigns aimed at each.
 */
export const KNOWN_FINDINGS: Exclusions = {};

export function actionArbitrary(weights: Weights = {}, exclude: Exclusions = {}): fc.Arbitrary<Action> {
    const w = { ...DEFAULT_WEIGHTS, ...weights };
    const arbs: { [K in Action['k']]: fc.Arbitrary<Extract<Action, { k: K }>> } = {
        // `wait` first: fast-check shrinks a oneof towards its first arbitrary.
        wait: fc.record({ k: fc.constant('wait' as const), seconds: fc.constantFrom(...TIME_JUMPS) }),
        open: fc.record({
            k: fc.constant('open' as const),
            client: fc.nat({ max: 2 }),
            worker: fc.nat({ max: exclude.silentWorker ? 2 : 3 }),
            value: fc.constantFrom(2, 5, 6, 7, 8),
            challenge: fc.constantFrom(0, 600, 3600, 86_400, 8 * 86_400),
            reuseId: fc.boolean(),
        }),
        sign: fc.record({
            k: fc.constant('sign' as const),
            job: idx,
            add: fc.constantFrom(0, 1, 1_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000),
            hugeTokens: exclude.hugeTokens ? fc.constant(false) : fc.boolean(),
            final: fc.boolean(),
        }),
        workerClaim: fc.record({ k: fc.constant('workerClaim' as const), job: idx, voucher: idx, ext: fc.boolean(), value }),
        clientClaim: fc
            .record({ k: fc.constant('clientClaim' as const), job: idx, atPaid: fc.boolean(), final: fc.boolean(), ext: fc.boolean() })
            .map((c) => (exclude.clientFinalAtPaid && c.atPaid ? { ...c, final: false } : c)),
        forgedClaim: fc.record({ k: fc.constant('forgedClaim' as const), job: idx, kind: fc.constantFrom(...FORGERIES), ext: fc.boolean() }),
        topUp: fc.record({ k: fc.constant('topUp' as const), job: idx, sender, value }),
        close: fc.record({ k: fc.constant('close' as const), job: idx, sender, value, asText: fc.boolean() }),
        finalize: fc.record({ k: fc.constant('finalize' as const), job: idx, sender, value }),
        workerOp: fc.record({ k: fc.constant('workerOp' as const), worker: fc.nat({ max: 2 }), op: fc.constantFrom(...WORKER_OPS), sender, value }),
        evidence: fc.record({ k: fc.constant('evidence' as const), worker: fc.nat({ max: 2 }), valid: fc.boolean(), wrongModel: fc.boolean(), sender }),
        impersonate: fc.record({
            k: fc.constant('impersonate' as const),
            target: fc.constantFrom(...TARGETS),
            op: fc.constantFrom(...IMPERSONATED_OPS),
            sender,
            index: idx,
        }),
        garbage: fc.record({
            k: fc.constant('garbage' as const),
            target: fc.constantFrom(...TARGETS),
            index: idx,
            sender,
            value,
            bits: fc.nat({ max: 1023 }),
            seed: fc.nat(),
            refs: fc.nat({ max: 4 }),
        }),
        rootDirect: fc.record({ k: fc.constant('rootDirect' as const), action: fc.constantFrom(...GOV_ACTIONS), sender, seed: fc.nat() }),
        propose: fc
            .record({ k: fc.constant('propose' as const), sender, action: fc.constantFrom(...GOV_ACTIONS), seed: fc.nat(), value: fc.constantFrom(0, 1, 2) })
            .map((p) => (exclude.extremeParams && EXTREME_PARAMS_VARIANTS.includes(p.seed % 7) ? { ...p, seed: p.seed + 2 } : p)),
        vote: fc.record({ k: fc.constant('vote' as const), proposal: idx, sender, yes: fc.boolean() }),
        execute: fc.record({ k: fc.constant('execute' as const), proposal: idx, sender, margin: fc.constantFrom(-1, 0, 1) }),
        veto: fc.record({ k: fc.constant('veto' as const), proposal: idx, sender }),
        cancel: fc.record({ k: fc.constant('cancel' as const), proposal: idx, sender }),
        cleanup: fc.record({ k: fc.constant('cleanup' as const), proposal: idx, sender }),
        govOrder: fc.record({ k: fc.constant('govOrder' as const), order: fc.constantFrom(...GOV_ORDERS), seed: fc.nat() }),
        ...reachArbitraries(),
        ...govArbitraries(),
    };
    const entries = (Object.keys(arbs) as Action['k'][])
        .filter((k) => (w[k] ?? 0) > 0)
        .map((k) => ({ arbitrary: arbs[k] as fc.Arbitrary<Action>, weight: w[k] }));
    return fc.oneof(...entries);
}

/** One line per step, for the failure report. */
export function describeSequence(actions: readonly Action[]): string {
    return actions.map((a, i) => `${String(i).padStart(4)}: ${JSON.stringify(a)}`).join('\n');
}
