/**
 * The governance campaigns' world: the protocol and its council only (no jobs, no worker traffic), with steps
 * sized to what governance attacks need. A random walk over single votes and short clock jumps rarely passes a
 * proposal and then waits exactly past its timelock or its window; here one `enact` step proposes and casts the
 * votes that pass (or fail) a proposal and can jump to its timelock or past its execution window, clock jumps are
 * the council's own periods, and executions pick their value (exactly get_execute_value, half, or with a margin).
 *
 * The invariants are governance.ts's (checked around every message a step sends), the kit's conservation ledger,
 * and the proposals' liveness (every proposal reaches a terminal state). Campaigns: GOV_CAMPAIGNS below.
 */
import { Address, toNano } from '@ton/core';
import { Blockchain, BlockchainSnapshot, SendMessageResult } from '@ton/sandbox';
import fc from 'fast-check';
import { deployCouncil, CouncilKit, RANDOM_MEMBERS, SMALL } from '../council';
import { ConservationError } from '../ledger';
import { ProposalState } from '../../Proposal';
import { vetoProposalBody } from '../../Council';
import { SENDERS, SenderName } from './actions';
import { EnactKind, ENACT_KINDS, GovAction, govArbitraries, GovProposalKind } from './gov-actions';
import { GovernanceFuzz, GovProposal, MODEL_EXECUTION_WINDOW, MODEL_HANDOVER_TTL, StepLike, windowOf } from './governance';
import { InvariantError, Party } from './invariant';

/** The kit's council periods (wrappers/testkit/council.ts; the same on the code before the hardening). */
const TIMELOCK = 2 * 24 * 3600;
const VOTING_PERIOD = 3 * 24 * 3600;

/** Clock jumps sized to the council's windows: inside a period, the timelock, the voting period, past the window, past a handover offer's life, half a year. */
export const GOV_TIME_JUMPS = [60, TIMELOCK, VOTING_PERIOD + 1, TIMELOCK + MODEL_EXECUTION_WINDOW + 1, MODEL_HANDOVER_TTL + 1, 181 * 24 * 3600] as const;

/** How an `enact` step votes: enough yes to pass, one yes, or a "no" majority. */
export const VOTE_PLANS = ['pass', 'one', 'against'] as const;
/**
 * Where an `enact` step leaves the proposal: as is, at the end of the timelock, past the execution window, or
 * executed at the end of the timelock (by a stranger, with a margin over get_execute_value).
 */
export const AFTER_ENACT = ['stay', 'timelock', 'expired', 'executed'] as const;
/** An execution's value: exactly get_execute_value, half of it, or 0.05 TON more. */
export const EXECUTE_FEES = ['exact', 'half', 'plus'] as const;

export type GovStep =
    | { k: 'wait'; seconds: number }
    /** `proposer` proposes `kind`, the members vote by `votes`, then the clock moves by `after`. */
    | { k: 'enact'; kind: EnactKind; proposer: SenderName; seed: number; target: number; votes: (typeof VOTE_PLANS)[number]; after: (typeof AFTER_ENACT)[number] }
    | { k: 'vote'; proposal: number; sender: SenderName; yes: boolean }
    | { k: 'execute'; proposal: number; sender: SenderName; fee: (typeof EXECUTE_FEES)[number] }
    | { k: 'veto'; proposal: number; sender: SenderName }
    | { k: 'cancel'; proposal: number; sender: SenderName }
    | { k: 'cleanup'; proposal: number; sender: SenderName }
    | GovAction;

export type GovWeights = Partial<Record<GovStep['k'], number>>;

export interface GovCampaign {
    /** Council members: 3 (the kit's alice 4, bob 3, carol 2; threshold 5) or a large council where alice passes alone. */
    members: number;
    weights: GovWeights;
    /** What `enact` proposes. */
    kinds: readonly EnactKind[];
    fees?: readonly (typeof EXECUTE_FEES)[number][];
    votes?: readonly (typeof VOTE_PLANS)[number][];
    after?: readonly (typeof AFTER_ENACT)[number][];
    /** Who accepts a handover offer (default: the offer's usual addressees and others). */
    acceptors?: readonly SenderName[];
    /** Clock jumps of the `wait` step (default GOV_TIME_JUMPS). */
    waits?: readonly number[];
}

const ALL_KINDS: readonly EnactKind[] = ENACT_KINDS;
const INSIDERS: SenderName[] = ['alice', 'bob', 'carol', 'guardian'];

/**
 * The governance campaigns. `all` is the one `npm test` runs (every step, three members); the others aim at one
 * finding of the governance review each (tests/fuzz/Known.findings.ts).
 */
export const GOV_CAMPAIGNS: Record<string, GovCampaign> = {
    all: {
        members: 3,
        weights: { wait: 4, enact: 6, vote: 3, execute: 5, veto: 1, cancel: 1, cleanup: 2, executeRace: 2, acceptHandover: 2, emergency: 2, govPropose: 2, fundCouncil: 1 },
        kinds: ALL_KINDS,
    },
    /** A1: a passed membership or weight change on a 255-member council executed with exactly get_execute_value. */
    exactValue: { members: 255, weights: { enact: 4, execute: 4, wait: 1 }, kinds: ['removeMember', 'setWeight', 'addImage'], after: ['timelock'], votes: ['pass'] },
    /** A2: a passed proposal executed after its timelock plus the execution window (and the council never told). */
    noExpiry: { members: 3, weights: { enact: 4, execute: 4, wait: 2, veto: 1, cancel: 1 }, kinds: ['addImage', 'retireImage', 'withdrawTreasury', 'addMember'], votes: ['pass', 'one'] },
    /** A3: a cleanup while the proposal's report is on its way to the council. */
    cleanupRace: { members: 3, weights: { enact: 4, executeRace: 4, wait: 1, cleanup: 1 }, kinds: ['addImage', 'retireImage', 'withdrawTreasury'], after: ['timelock', 'stay'], votes: ['pass'] },
    /** A4: a proposal of a root action the root always refuses is refused at creation. */
    refusedRoot: { members: 3, weights: { enact: 4, execute: 2, wait: 1 }, kinds: ['refusedRoot', 'addImage'] },
    /** A6: a proposal whose description is not whole bytes is refused at creation. */
    badDescription: { members: 3, weights: { enact: 4, execute: 2, wait: 1 }, kinds: ['badDescription', 'addImage'] },
    /**
     * A7: the periods and the guardian's term voted past their floors and ceilings, and B3: an image or a model
     * proposed without its evidence hash.
     */
    bounds: { members: 3, weights: { enact: 4, execute: 2, wait: 1, emergency: 1 }, kinds: ['setPeriods', 'setGuardian', 'noEvidence', 'addImage'], after: ['executed', 'timelock'], votes: ['pass'] },
    /** A5: a handover offer accepted after it should have expired. */
    handover: {
        members: 3,
        weights: { enact: 4, wait: 3, acceptHandover: 4 },
        kinds: ['handoverOffer', 'handoverWithdraw'],
        after: ['executed'],
        votes: ['pass'],
        waits: [60, 86_400, MODEL_HANDOVER_TTL + 1],
        acceptors: ['stranger', 'guardian', 'alice'],
    },
};

export function govStepArbitrary(c: GovCampaign): fc.Arbitrary<GovStep> {
    const sender = fc.constantFrom(...SENDERS);
    const insider = fc.oneof({ arbitrary: fc.constantFrom(...INSIDERS), weight: 4 }, { arbitrary: sender, weight: 1 });
    const idx = fc.nat({ max: 15 });
    const gov = govArbitraries();
    const arbs: { [K in GovStep['k']]: fc.Arbitrary<Extract<GovStep, { k: K }>> } = {
        // `wait` first: fast-check shrinks a oneof towards its first arbitrary.
        wait: fc.record({ k: fc.constant('wait' as const), seconds: fc.constantFrom(...(c.waits ?? GOV_TIME_JUMPS)) }),
        enact: fc.record({
            k: fc.constant('enact' as const),
            kind: fc.constantFrom(...c.kinds),
            proposer: insider,
            seed: fc.nat(),
            target: idx,
            votes: fc.constantFrom(...(c.votes ?? VOTE_PLANS)),
            after: fc.constantFrom(...(c.after ?? AFTER_ENACT)),
        }),
        vote: fc.record({ k: fc.constant('vote' as const), proposal: idx, sender: insider, yes: fc.boolean() }),
        execute: fc.record({ k: fc.constant('execute' as const), proposal: idx, sender, fee: fc.constantFrom(...(c.fees ?? EXECUTE_FEES)) }),
        veto: fc.record({ k: fc.constant('veto' as const), proposal: idx, sender: insider }),
        cancel: fc.record({ k: fc.constant('cancel' as const), proposal: idx, sender: insider }),
        cleanup: fc.record({ k: fc.constant('cleanup' as const), proposal: idx, sender }),
        emergency: gov.emergency,
        govPropose: gov.govPropose,
        acceptHandover: c.acceptors ? fc.record({ k: fc.constant('acceptHandover' as const), sender: fc.constantFrom(...c.acceptors) }) : gov.acceptHandover,
        fundCouncil: gov.fundCouncil,
        executeRace: gov.executeRace,
    };
    const entries = (Object.keys(arbs) as GovStep['k'][])
        .filter((k) => (c.weights[k] ?? 0) > 0)
        .map((k) => ({ arbitrary: arbs[k] as fc.Arbitrary<GovStep>, weight: c.weights[k]! }));
    return fc.oneof(...entries);
}

const MAX_PROPOSALS = 12;

export class GovWorld {
    private kit!: CouncilKit;
    private bc!: Blockchain;
    private base!: BlockchainSnapshot;
    private baseNow = 0;
    private parties!: Record<SenderName, Party>;
    private proposals: GovProposal[] = [];
    private protocol = new Set<string>();
    private gov!: GovernanceFuzz;
    transactions = 0;

    static async create(members = 3): Promise<GovWorld> {
        const w = new GovWorld();
        await w.deploy(members);
        return w;
    }

    private async deploy(members: number): Promise<void> {
        this.kit = members > 3 ? await deployLargeCouncil(members) : await deployCouncil({ workers: 1 });
        const kit = this.kit;
        this.bc = kit.blockchain;
        const wallet = (t: { address: Address; getSender(): import('@ton/core').Sender }): Party => ({ address: t.address, sender: () => t.getSender() });
        const impostor = new Address(0, Buffer.alloc(32, 0xee));
        this.parties = {
            owner: wallet(kit.outsider),
            client: wallet(await kit.wallet('client 0')),
            alice: wallet(kit.alice),
            bob: wallet(kit.bob),
            carol: wallet(kit.carol),
            guardian: wallet(kit.guardian),
            stranger: wallet(kit.outsider),
            impostor: { address: impostor, sender: () => this.bc.sender(impostor) },
            oldGov: wallet(kit.governance),
        };
        this.base = this.bc.snapshot();
        this.baseNow = this.bc.now!;
        this.gov = new GovernanceFuzz({
            kit,
            bc: this.bc,
            party: (name) => this.parties[name],
            stranger: this.parties.stranger,
            carol: this.parties.carol,
            proposals: () => this.proposals,
            addProposal: (p) => {
                this.proposals.push(p);
                this.protocol.add(p.handle.address.toRawString());
            },
            isProtocol: (raw) => this.protocol.has(raw),
            send: (action, injected) => this.send(action, injected),
            maxProposals: MAX_PROPOSALS,
        });
    }

    async reset(): Promise<void> {
        await this.bc.loadFrom(this.base);
        this.bc.now = this.baseNow;
        this.proposals = [];
        this.protocol = new Set([this.kit.root.address, this.kit.council.address].map((a) => a.toRawString()));
        await this.gov.reset();
    }

    private get now(): number {
        return this.bc.now!;
    }

    private known(): Address[] {
        return [...[...this.protocol].map((a) => Address.parseRaw(a)), ...Object.values(this.parties).map((p) => p.address)];
    }

    /** Runs one message chain under the conservation ledger; an external the contract refuses comes back as null. */
    private async send(action: () => Promise<unknown>, injected?: () => bigint): Promise<SendMessageResult | null> {
        try {
            const entry = await this.kit.ledger.run(action as () => Promise<SendMessageResult>, { known: this.known(), injected });
            if (entry.result) this.transactions += entry.result.transactions.length;
            return entry.result;
        } catch (e) {
            if (e instanceof ConservationError) throw new InvariantError('conservation', e.message);
            throw e;
        }
    }

    /** Runs `send` with governance.ts's invariants around it (before: state read for the checks). */
    private async checked(a: StepLike, send: () => Promise<SendMessageResult | null>, sender?: Address): Promise<SendMessageResult | null> {
        const before = await this.gov.before(a);
        const r = await send();
        await this.gov.check(a, r, before, sender);
        return r;
    }

    private pick(i: number): GovProposal | undefined {
        return this.proposals.length ? this.proposals[i % this.proposals.length] : undefined;
    }

    async step(a: GovStep): Promise<void> {
        const from = 'sender' in a ? this.parties[a.sender] : undefined;
        switch (a.k) {
            case 'wait':
                this.bc.now = this.now + a.seconds;
                return;
            case 'enact':
                return this.enact(a);
            case 'vote': {
                const pr = this.pick(a.proposal);
                if (pr) await this.checked(a, () => this.send(() => pr.handle.sendVote(from!.sender(), a.yes, SMALL)), from!.address);
                return;
            }
            case 'execute': {
                const pr = this.pick(a.proposal);
                if (!pr) return;
                const need = await pr.handle.getExecuteValue().catch(() => toNano('0.5'));
                const value = a.fee === 'exact' ? need : a.fee === 'half' ? need / 2n : need + toNano('0.05');
                await this.checked(a, () => this.send(() => pr.handle.sendExecute(from!.sender(), value)), from!.address);
                return;
            }
            case 'veto': {
                const pr = this.pick(a.proposal);
                if (pr) await this.checked(a, () => this.send(() => this.kit.council.sendRaw(from!.sender(), vetoProposalBody(pr.id), SMALL)), from!.address);
                return;
            }
            case 'cancel': {
                const pr = this.pick(a.proposal);
                if (pr) await this.checked(a, () => this.send(() => pr.handle.sendCancel(from!.sender(), SMALL)), from!.address);
                return;
            }
            case 'cleanup': {
                const pr = this.pick(a.proposal);
                if (pr) await this.checked(a, () => this.send(() => pr.handle.sendCleanup(from!.sender(), SMALL)), from!.address);
                return;
            }
            default:
                await this.checked(a, () => this.gov.step(a), from?.address);
        }
    }

    /** Propose, vote as planned (each vote checked like a step), then move the clock. */
    private async enact(a: Extract<GovStep, { k: 'enact' }>): Promise<void> {
        const count = this.proposals.length;
        const propose = { k: 'govPropose' as const, sender: a.proposer, kind: a.kind, seed: a.seed, target: a.target };
        await this.checked(propose, () => this.gov.step(propose), this.parties[a.proposer].address);
        if (this.proposals.length === count) return; // refused
        const pr = this.proposals[count];
        const plan: Array<[SenderName, boolean]> =
            a.votes === 'pass'
                ? (a.seed % 2 ? (['bob', 'carol', 'alice'] as const) : (['alice', 'bob', 'carol'] as const)).map((v) => [v, true])
                : a.votes === 'one'
                  ? [[(['alice', 'bob', 'carol'] as const)[a.seed % 3], true]]
                  : [
                        ['alice', false],
                        ['bob', false],
                    ];
        for (const [voter, yes] of plan) {
            const state = await pr.handle.getState().catch(() => ProposalState.Uninitialised);
            if (state !== ProposalState.Voting) break;
            const vote = { k: 'vote' as const, proposal: count, sender: voter, yes };
            await this.checked(vote, () => this.send(() => pr.handle.sendVote(this.parties[voter].sender(), yes, SMALL)), this.parties[voter].address);
        }
        if (a.after === 'stay') return;
        const d = await pr.handle.getProposalData().catch(() => undefined);
        if (!d || d.executeAt === 0) return;
        const to = a.after === 'expired' ? d.executeAt + windowOf(d) + 1 : d.executeAt;
        if (to > this.now) this.bc.now = to;
        if (a.after === 'executed') await this.step({ k: 'execute', proposal: count, sender: 'stranger', fee: 'plus' });
    }

    /** Every proposal reaches a terminal state: tried on a snapshot, 200 days on (a passed one is executed first). */
    async checkLiveness(): Promise<void> {
        const snap = this.bc.snapshot();
        const now = this.now;
        try {
            for (const pr of this.proposals) {
                if ((await this.bc.getContract(pr.handle.address)).accountState?.type !== 'active') continue;
                let state = await pr.handle.getState();
                const terminal = () => [ProposalState.Executed, ProposalState.Vetoed, ProposalState.Cancelled, ProposalState.Failed, ProposalState.Expired].includes(state);
                if (!terminal()) {
                    this.bc.now = now + 200 * 86_400;
                    state = await pr.handle.getState();
                    if (state === ProposalState.Passed) {
                        const need = await pr.handle.getExecuteValue();
                        await this.send(() => pr.handle.sendExecute(this.parties.stranger.sender(), need + toNano('0.1')));
                        state = await pr.handle.getState().catch(() => ProposalState.Executed);
                    }
                }
                // 9: Rejected (a "no" majority) is terminal too; the code before the hardening has no such state.
                if (!terminal() && state !== 9) throw new InvariantError('proposal-no-exit', `proposal ${pr.id} is stuck in state ${ProposalState[state] ?? state}`);
            }
        } finally {
            await this.bc.loadFrom(snap);
            this.bc.now = now;
        }
    }
}

/**
 * A council of `n` members: alice (weight n+45, passes alone) and n-1 members of weight 1 without wallets, with
 * random addresses (RANDOM_MEMBERS) so the member map is as deep as real addresses make it.
 */
async function deployLargeCouncil(n: number): Promise<CouncilKit> {
    const alice = (await (await deployCouncil({ workers: 0 })).wallet('alice')).address;
    const others = RANDOM_MEMBERS.slice(0, n - 1);
    const members = [{ address: alice, weight: n + 45 }, ...others.map((address) => ({ address, weight: 1 }))];
    return deployCouncil({ workers: 1, council: { members, threshold: BigInt(n + 35) } });
}

export type { GovProposalKind };
