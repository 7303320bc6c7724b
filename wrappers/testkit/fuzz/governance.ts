/**
 * The governance part of the fuzzer's world: executors of the steps of gov-actions.ts and the governance
 * invariants, checked after every step (world.ts calls before() and check() around each one).
 *
 * Invariants (InvariantError.id):
 *   executed-not-applied       a proposal never reads Executed unless the council ran its actions (its transaction
 *                              on the proposal's report succeeded in the same step): a run that failed stays retryable
 *   executed-twice             a proposal that read Executed never has its actions run by the council again
 *   executed-after-window      an execution sent after the timelock plus the execution window never runs
 *   cleanup-in-flight          a cleanup that arrives while the proposal's report is on its way to the council is refused
 *   refused-proposal-created   a proposal with a malformed description or a root action the root always refuses is
 *                              refused at creation (it would never execute, or execute with its value stuck)
 *   quorum-floor               the council's threshold stays above half its total weight (and within it)
 *   emergency-widened          an emergency action never adds an image or a model, unpauses, changes parameters,
 *                              codes or governance, or sends TON to anyone but its sender
 *   council-paid-out           the council sends TON to an outside address (beyond a refund to the step's sender)
 *                              only when a passed proposal runs
 *   handover-stale-accepted    the root's governance moves only to an address with an offer made less than
 *                              HANDOVER_TTL ago and not withdrawn since
 *   council-bounds             the council's voting period, timelock and execution window stay within their floors
 *                              and ceilings, and a guardian's sunset is never more than MAX_GUARDIAN_TERM ahead (and
 *                              in the future when it is set)
 *   evidence-missing-created   a proposal that adds an image or a model without an evidence hash is never created
 */
import { Address, beginCell, Cell, toNano, Transaction } from '@ton/core';
import { Blockchain, internal, SandboxContract, SendMessageResult } from '@ton/sandbox';
import {
    CouncilAction,
    emergencyActionBody,
    MAX_EXECUTION_WINDOW,
    MAX_GUARDIAN_TERM,
    MAX_TIMELOCK,
    MAX_VOTING_PERIOD,
    MIN_EXECUTION_WINDOW,
    MIN_TIMELOCK,
    MIN_VOTING_PERIOD,
    needsEvidence,
} from '../../Council';
import { Proposal, ProposalState } from '../../Proposal';
import { RootGovernanceAction, RootParams } from '../../Root';
import { Op } from '../../Constants';
import { CouncilKit, SMALL } from '../council';
import { hashOf } from '../keys';
import { SenderName } from './actions';
import { GovAction } from './gov-actions';
import { InvariantError, Party } from './invariant';

/** contracts/root.fc: a handover offer expires after 14 days (the model's clock, so the old code is held to it too). */
export const MODEL_HANDOVER_TTL = 14 * 24 * 3600;
/**
 * The execution window after the timelock (the kit's council: testkit/council.ts EXECUTION_WINDOW, 7 days). A model
 * constant, not the kit's, so that the code before the window existed is held to it too.
 */
export const MODEL_EXECUTION_WINDOW = 7 * 24 * 3600;

/**
 * The execution window of a proposal as its data states it (its council's window when it was made, at most
 * MAX_EXECUTION_WINDOW), or MODEL_EXECUTION_WINDOW when the data has none (the code before the window existed).
 */
export function windowOf(d: { executeAt: number; expiresAt?: number }): number {
    return d.expiresAt && d.expiresAt > d.executeAt ? Math.min(d.expiresAt - d.executeAt, MAX_EXECUTION_WINDOW) : MODEL_EXECUTION_WINDOW;
}

export interface GovProposal {
    id: number;
    handle: SandboxContract<Proposal>;
}

/** What the world lends the governance steps (its model stays its own). */
export interface GovContext {
    kit: CouncilKit;
    bc: Blockchain;
    party(name: SenderName): Party;
    stranger: Party;
    carol: Party;
    proposals(): GovProposal[];
    addProposal(p: GovProposal): void;
    isProtocol(raw: string): boolean;
    /** Runs under the conservation ledger; a refused external comes back as null. */
    send(action: () => Promise<unknown>, injected?: () => bigint): Promise<SendMessageResult | null>;
    maxProposals: number;
}

interface RootView {
    images: string[];
    models: string[];
    params: string;
    governance: string;
    pending: string;
    codes: string;
    paused: number;
    collected: bigint;
}

/** Any step of the fuzzer, as the checks read it. */
export interface StepLike {
    k: string;
    op?: string;
    sender?: string;
    proposal?: number;
}

const json = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? v.toString() : v));

function opOf(tx: Transaction): number {
    const b = tx.inMessage?.body.beginParse();
    return b && b.remainingBits >= 32 ? b.preloadUint(32) : -1;
}

function succeeded(tx: Transaction): boolean {
    const d = tx.description;
    return d.type === 'generic' && d.computePhase.type === 'vm' && d.computePhase.success && (d.actionPhase?.success ?? true);
}

function internalInfo(tx: Transaction) {
    const info = tx.inMessage?.info;
    return info?.type === 'internal' ? info : undefined;
}

export class GovernanceFuzz {
    /** Proposal ids seen reading Executed (their actions ran). */
    private executed = new Set<number>();
    /** The root's governance and the offer the model knows of (to whom, since when). */
    private governance = '';
    private offer: { to: string; since: number } | undefined;
    private baseGovernance = '';
    /** The council's guardian and sunset the model last saw (a change is held to the bounds at the time it is made). */
    private guardian = '';

    constructor(private readonly ctx: GovContext) {}

    async reset(): Promise<void> {
        this.executed.clear();
        this.offer = undefined;
        if (!this.baseGovernance) this.baseGovernance = (await this.ctx.kit.root.getGovernance()).governance.toRawString();
        this.governance = this.baseGovernance;
        this.guardian = await this.guardianKey();
    }

    private async guardianKey(): Promise<string> {
        const d = await this.ctx.kit.council.getCouncilData();
        return `${d.guardian?.toRawString() ?? 'none'}@${d.guardianSunset}`;
    }

    private get now(): number {
        return this.ctx.bc.now!;
    }

    // ------------------------------------------------------------------ steps

    async step(a: GovAction): Promise<SendMessageResult | null> {
        const { kit } = this.ctx;
        switch (a.k) {
            case 'emergency':
                return this.ctx.send(() => kit.council.sendRaw(this.ctx.party(a.sender).sender(), emergencyActionBody(this.emergencyAction(a.op, a.seed)), toNano('0.2')));
            case 'govPropose':
                return this.propose(a);
            case 'acceptHandover':
                return this.ctx.send(() => kit.root.sendGovernance(this.ctx.party(a.sender).sender(), { kind: 'acceptGovernance' }, SMALL));
            case 'fundCouncil':
                return this.ctx.send(() => kit.council.sendRaw(this.ctx.stranger.sender(), beginCell().endCell(), toNano(a.tons)));
            case 'executeRace':
                return this.executeRace(a);
        }
    }

    private emergencyAction(op: Extract<GovAction, { k: 'emergency' }>['op'], seed: number): RootGovernanceAction {
        const { kit } = this.ctx;
        switch (op) {
            case 'retireImage':
                return { kind: 'retireImage', imageHash: seed % 2 ? kit.imageHash : hashOf(`image ${seed % 5}`) };
            case 'removeModel':
                return { kind: 'removeModel', modelHash: seed % 2 ? kit.modelHash : hashOf(`model ${seed % 5}`) };
            case 'pause':
                return { kind: 'pause', flags: 1 + (seed % 3) };
            case 'unpause':
                return { kind: 'unpause', flags: 1 + (seed % 3) };
            case 'addImage':
                return { kind: 'addImage', imageHash: hashOf(`emergency image ${seed % 3}`), label: `emergency image ${seed % 3}` };
            case 'addModel':
                return { kind: 'addModel', modelHash: hashOf(`emergency model ${seed % 3}`), name: 'emergency' };
            case 'setParams':
                return { kind: 'setParams', params: { ...kit.params, minStake: toNano('1') } as RootParams };
            case 'withdrawTreasury':
                return { kind: 'withdrawTreasury', amount: toNano('0.1'), to: this.ctx.party('guardian').address };
            case 'proposeGovernance':
                return { kind: 'proposeGovernance', newGovernance: this.ctx.party('guardian').address };
            case 'slashWorker':
                return { kind: 'slashWorker', owner: kit.workers[0].owner.address, index: 0, amount: toNano('1'), bps: 1000, reason: hashOf('emergency') };
        }
    }

    /** The actions (and description) of a governance proposal of `kind`. */
    private async proposalOf(a: Extract<GovAction, { k: 'govPropose' }>): Promise<{ actions: CouncilAction[]; description: string | Cell }> {
        const { kit } = this.ctx;
        const value = toNano('0.05');
        const root = (action: RootGovernanceAction): CouncilAction => ({ kind: 'root', value, action });
        const s = a.seed;
        const members = async () => [...(await kit.council.getCouncilData()).members.keys()].map((hex) => new Address(0, Buffer.from(hex, 'hex')));
        const some = <T>(xs: T[]): T[] => {
            const n = Math.min(xs.length, 1 + (s % 8));
            const start = xs.length === 0 ? 0 : (s >>> 3) % xs.length;
            return Array.from({ length: n }, (_, i) => xs[(start + i) % xs.length]);
        };
        switch (a.kind) {
            case 'cancelVote': {
                const target = this.ctx.proposals();
                const id = target.length ? target[a.target % target.length].id : s % 4;
                return { actions: [{ kind: 'cancelProposal', id }], description: `cancel ${id}` };
            }
            case 'handoverOffer':
                return { actions: [root({ kind: 'proposeGovernance', newGovernance: s % 3 === 0 ? this.ctx.party('guardian').address : this.ctx.stranger.address })], description: 'handover' };
            case 'handoverWithdraw':
                return { actions: [root({ kind: 'proposeGovernance', newGovernance: null })], description: 'withdraw the handover offer' };
            case 'surplus': {
                const amounts = [toNano('0.1'), toNano('0.5'), toNano('2'), toNano('50')];
                return { actions: [{ kind: 'withdraw', amount: amounts[s % amounts.length], to: this.ctx.carol.address }], description: 'surplus' };
            }
            case 'badDescription':
                // 7 bits: not whole bytes
                return { actions: [root({ kind: 'addImage', imageHash: hashOf(`image ${s % 5}`), label: `image ${s % 5}` })], description: beginCell().storeUint(0x7f, 7).endCell() };
            case 'refusedRoot': {
                const refused: RootGovernanceAction[] = [
                    { kind: 'addImage', imageHash: Buffer.alloc(32), label: 'zero hash' },
                    { kind: 'addModel', modelHash: Buffer.alloc(32), name: 'm' },
                    { kind: 'setParams', params: { ...kit.params, protocolFeeBps: 10_001 } as RootParams },
                    { kind: 'withdrawTreasury', amount: 0n, to: this.ctx.stranger.address },
                    { kind: 'proposeGovernance', newGovernance: new Address(-1, Buffer.alloc(32, 7)) },
                    { kind: 'slashWorker', owner: kit.workers[0].owner.address, index: 0, amount: 0n, bps: 10_001, reason: hashOf('reason') },
                ];
                return { actions: [root(refused[s % refused.length])], description: 'refused by the root' };
            }
            case 'addMember':
                return { actions: [{ kind: 'addMember', member: s % 2 ? this.ctx.stranger.address : this.ctx.party('guardian').address, weight: 1 + (s % 5) }], description: 'add member' };
            case 'removeMember':
                return { actions: some(await members()).map((member) => ({ kind: 'removeMember', member })), description: 'remove members' };
            case 'setWeight':
                return { actions: some(await members()).map((member, i) => ({ kind: 'setWeight', member, weight: 1 + ((s + i) % 6) })), description: 'set weights' };
            case 'setThreshold': {
                const { totalWeight } = await kit.council.getCouncilData();
                const t = [1n, totalWeight / 2n, totalWeight / 2n + 1n, totalWeight, totalWeight + 1n][s % 5];
                return { actions: [{ kind: 'setThreshold', threshold: t }], description: 'threshold' };
            }
            case 'unpause':
                return { actions: [root({ kind: 'unpause', flags: 1 + (s % 3) })], description: 'unpause' };
            case 'setPeriods': {
                const DAY = 86_400;
                // [voting, timelock, window]: inside, at the floors, at the ceilings, and one step beyond each bound
                const table: [number, number, number][] = [
                    [3 * DAY, 2 * DAY, 7 * DAY],
                    [MIN_VOTING_PERIOD, MIN_TIMELOCK, MIN_EXECUTION_WINDOW],
                    [MAX_VOTING_PERIOD, MAX_TIMELOCK, MAX_EXECUTION_WINDOW],
                    [MIN_VOTING_PERIOD - 1, 2 * DAY, 7 * DAY],
                    [3 * DAY, MIN_TIMELOCK - 1, 7 * DAY],
                    [3 * DAY, 0, 7 * DAY],
                    [3 * DAY, 2 * DAY, MIN_EXECUTION_WINDOW - 1],
                    [MAX_VOTING_PERIOD + 1, 2 * DAY, 7 * DAY],
                    [3 * DAY, MAX_TIMELOCK + 1, 7 * DAY],
                    [3 * DAY, 2 * DAY, MAX_EXECUTION_WINDOW + 1],
                ];
                const [votingPeriod, timelock, executionWindow] = table[s % table.length];
                return { actions: [{ kind: 'setPeriods', votingPeriod, timelock, executionWindow }], description: 'periods' };
            }
            case 'setGuardian': {
                // sunsets relative to the proposal's time: inside, near the ceiling (still inside at execution),
                // beyond it, in 2106, in the past; or no guardian at all
                const now = this.now;
                const sunsets = [now + 365 * 86_400, now + MAX_GUARDIAN_TERM, now + MAX_GUARDIAN_TERM + 86_400, 0xffffffff, now - 1, 1];
                const guardian = s % 7 === 0 ? null : s % 2 ? this.ctx.party('guardian').address : this.ctx.stranger.address;
                return { actions: [{ kind: 'setGuardian', guardian, sunset: guardian ? sunsets[s % sunsets.length] : 0 }], description: 'guardian' };
            }
            case 'noEvidence':
                // proposed without an evidence hash (propose() sends none for this kind)
                return {
                    actions: [
                        s % 2
                            ? root({ kind: 'addImage', imageHash: hashOf(`image ${s % 5}`), label: `image ${s % 5}` })
                            : root({ kind: 'addModel', modelHash: hashOf(`model ${s % 5}`), name: `org/model-${s % 5}` }),
                    ],
                    description: 'no evidence',
                };
            case 'addImage':
                return { actions: [root({ kind: 'addImage', imageHash: hashOf(`image ${s % 5}`), label: `image ${s % 5}` })], description: `add image ${s % 5}` };
            case 'retireImage':
                return { actions: [root({ kind: 'retireImage', imageHash: s % 2 ? kit.imageHash : hashOf(`image ${s % 5}`) })], description: 'retire image' };
            case 'withdrawTreasury':
                return { actions: [root({ kind: 'withdrawTreasury', amount: BigInt(1 + (s % 3)) * toNano('0.1'), to: this.ctx.stranger.address })], description: 'treasury' };
        }
    }

    private async propose(a: Extract<GovAction, { k: 'govPropose' }>): Promise<SendMessageResult | null> {
        const { kit } = this.ctx;
        if (this.ctx.proposals().length >= this.ctx.maxProposals) return null;
        const { actions, description } = await this.proposalOf(a);
        const { nextId } = await kit.council.getCouncilData();
        const value = (await kit.council.getProposalFee()) + toNano('0.1');
        const evidence = a.kind !== 'noEvidence' && needsEvidence(actions) ? hashOf(`evidence ${nextId}`) : null;
        const result = await this.ctx.send(() => kit.council.sendCreateProposal(this.ctx.party(a.sender).sender(), { actions, description, value, evidence }));
        const handle = kit.proposal(nextId);
        const created = (await this.ctx.bc.getContract(handle.address)).accountState?.type === 'active';
        if (created) {
            this.ctx.addProposal({ id: nextId, handle });
            if (a.kind === 'badDescription' || a.kind === 'refusedRoot') {
                throw new InvariantError('refused-proposal-created', `proposal ${nextId} (${a.kind}) was created: it can only fail, or execute with its value stuck`);
            }
            if (a.kind === 'noEvidence') {
                throw new InvariantError('evidence-missing-created', `proposal ${nextId} adds an image or a model without an evidence hash and was created`);
            }
        }
        return result;
    }

    /** Execute, run only the proposal's transaction, send cleanup, then let everything finish. */
    private async executeRace(a: Extract<GovAction, { k: 'executeRace' }>): Promise<SendMessageResult | null> {
        const list = this.ctx.proposals();
        if (list.length === 0) return null;
        const pr = list[a.proposal % list.length];
        const need = await pr.handle.getExecuteValue().catch(() => toNano('0.5'));
        const value = need + BigInt(a.margin) * toNano('0.05');
        const executor = this.ctx.party(a.sender).address;
        const cleaner = this.ctx.party(a.cleaner).address;
        const bc = this.ctx.bc;
        const all: Transaction[] = [];
        let raceFailure: string | undefined;
        const result = await this.ctx.send(async () => {
            const iter = await bc.sendMessageIter(internal({ from: executor, to: pr.handle.address, value, body: beginCell().storeUint(Op.executeProposal, 32).storeUint(0, 64).endCell() }));
            const first = await iter.next();
            if (!first.done) all.push(first.value);
            const inFlight =
                !first.done &&
                succeeded(first.value) &&
                first.value.outMessages.values().some((m) => m.info.type === 'internal' && m.info.dest.equals(this.ctx.kit.council.address));
            const race = await bc.sendMessage(internal({ from: cleaner, to: pr.handle.address, value: SMALL, body: beginCell().storeUint(Op.cleanupProposal, 32).storeUint(0, 64).endCell() }));
            all.push(...race.transactions);
            const cleanupTx = race.transactions.find((t) => internalInfo(t)?.dest.equals(pr.handle.address));
            if (inFlight && cleanupTx && succeeded(cleanupTx)) {
                raceFailure = `proposal ${pr.id}: a cleanup was accepted while its report was on its way to the council`;
            }
            for (let r = await iter.next(); !r.done; r = await iter.next()) all.push(r.value);
            return { transactions: all, events: [], externals: [] } as unknown as SendMessageResult;
        }, () => SMALL); // the cleanup, injected after the execution's first transaction
        if (raceFailure) throw new InvariantError('cleanup-in-flight', raceFailure);
        return result;
    }

    // ------------------------------------------------------------------ invariants

    /** State read before a step, for the checks after it. */
    async before(a: StepLike): Promise<{ root?: RootView; lateExecution?: number }> {
        const out: { root?: RootView; lateExecution?: number } = {};
        if (a.k === 'emergency') out.root = await this.rootView();
        if ((a.k === 'execute' || a.k === 'executeRace') && a.proposal !== undefined) {
            const list = this.ctx.proposals();
            const pr = list.length ? list[a.proposal % list.length] : undefined;
            if (pr) {
                const d = await pr.handle.getProposalData().catch(() => undefined);
                if (d && d.executeAt > 0 && this.now > d.executeAt + windowOf(d)) out.lateExecution = pr.id;
            }
        }
        return out;
    }

    /** Whether the root's settings may change by `txs`: a message from its governance, or the acceptance of an offer. */
    rootChangeAllowed(txs: Transaction[]): boolean {
        return txs.some((t) => {
            const info = internalInfo(t);
            if (!info || !info.dest.equals(this.ctx.kit.root.address)) return false;
            const src = info.src.toRawString();
            return src === this.governance || (opOf(t) === Op.acceptGovernance && this.offer?.to === src);
        });
    }

    async check(a: StepLike, r: SendMessageResult | null, before: { root?: RootView; lateExecution?: number }, sender?: Address): Promise<void> {
        const txs = r?.transactions ?? [];
        const { kit } = this.ctx;
        const council = kit.council.address;
        const touched = new Set(txs.map((t) => internalInfo(t)?.dest.toRawString()).filter((x): x is string => !!x));

        // Proposals' reports the council ran in this step.
        const ranBy = new Map<string, boolean>();
        for (const t of txs) {
            const info = internalInfo(t);
            if (!info || !info.dest.equals(council) || opOf(t) !== Op.proposalApproved) continue;
            const src = info.src.toRawString();
            ranBy.set(src, (ranBy.get(src) ?? false) || succeeded(t));
        }
        for (const pr of this.ctx.proposals()) {
            const raw = pr.handle.address.toRawString();
            if (!touched.has(raw)) continue;
            const ran = ranBy.get(raw) ?? false;
            if (ran && this.executed.has(pr.id)) throw new InvariantError('executed-twice', `proposal ${pr.id}: the council ran its actions again after it read Executed (${a.k})`);
            if (ran && before.lateExecution === pr.id) {
                throw new InvariantError('executed-after-window', `proposal ${pr.id}: executed more than its execution window after its timelock ended`);
            }
            const acc = await this.ctx.bc.getContract(pr.handle.address);
            if (acc.accountState?.type !== 'active') continue;
            const state = await pr.handle.getState().catch(() => undefined);
            if (state === ProposalState.Executed && !this.executed.has(pr.id)) {
                if (!ran) throw new InvariantError('executed-not-applied', `proposal ${pr.id} reads Executed after ${a.k}, but the council did not run its actions`);
                this.executed.add(pr.id);
            }
        }

        if (touched.has(council.toRawString())) {
            const d = await kit.council.getCouncilData();
            if (!(d.threshold * 2n > d.totalWeight && d.threshold <= d.totalWeight)) {
                throw new InvariantError('quorum-floor', `threshold ${d.threshold} of total weight ${d.totalWeight} after ${a.k}`);
            }
            const periods: [string, number, number, number][] = [
                ['voting period', d.votingPeriod, MIN_VOTING_PERIOD, MAX_VOTING_PERIOD],
                ['timelock', d.timelock, MIN_TIMELOCK, MAX_TIMELOCK],
                ['execution window', d.executionWindow, MIN_EXECUTION_WINDOW, MAX_EXECUTION_WINDOW],
            ];
            for (const [name, v, lo, hi] of periods) {
                if (v < lo || v > hi) throw new InvariantError('council-bounds', `${name} ${v} s outside [${lo}, ${hi}] after ${a.k}`);
            }
            if (d.guardian && d.guardianSunset > this.now + MAX_GUARDIAN_TERM) {
                throw new InvariantError('council-bounds', `guardian sunset ${d.guardianSunset} more than ${MAX_GUARDIAN_TERM} s ahead of ${this.now} after ${a.k}`);
            }
            const key = `${d.guardian?.toRawString() ?? 'none'}@${d.guardianSunset}`;
            if (key !== this.guardian) {
                if (d.guardian && d.guardianSunset <= this.now) throw new InvariantError('council-bounds', `a guardian was set with a sunset in the past (${d.guardianSunset}) by ${a.k}`);
                this.guardian = key;
            }
        }

        // TON leaving the council or the root for an outside address.
        const proposalRan = a.k === 'execute' || a.k === 'executeRace';
        for (const t of txs) {
            for (const m of t.outMessages.values()) {
                if (m.info.type !== 'internal') continue;
                const src = m.info.src.toRawString();
                const dst = m.info.dest.toRawString();
                if (this.ctx.isProtocol(dst) || (sender && m.info.dest.equals(sender))) continue;
                const fromCouncil = src === council.toRawString();
                const fromRoot = src === kit.root.address.toRawString();
                if (a.k === 'emergency' && (fromCouncil || fromRoot) && m.info.value.coins > 0n) {
                    throw new InvariantError('emergency-widened', `an emergency ${a.op} sent ${m.info.value.coins} from ${fromCouncil ? 'the council' : 'the root'} to ${dst}`);
                }
                if (fromCouncil && !proposalRan && !m.info.bounced && m.info.value.coins >= toNano('0.3')) {
                    throw new InvariantError('council-paid-out', `the council sent ${m.info.value.coins} to ${dst} by ${a.k}, not by a passed proposal`);
                }
            }
        }

        if (before.root) {
            const after = await this.rootView();
            const b = before.root;
            const problems: string[] = [];
            if (after.images.some((x) => !b.images.includes(x))) problems.push('an image was added');
            if (after.models.some((x) => !b.models.includes(x))) problems.push('a model was added');
            if ((b.paused & ~after.paused) !== 0) problems.push(`pause flags cleared (${b.paused} -> ${after.paused})`);
            if (after.params !== b.params) problems.push('parameters changed');
            if (after.governance !== b.governance || after.pending !== b.pending) problems.push('governance changed');
            if (after.codes !== b.codes) problems.push('codes changed');
            if (after.collected !== b.collected) problems.push('treasury changed');
            if (problems.length) throw new InvariantError('emergency-widened', `emergency ${a.op} by ${a.sender}: ${problems.join(', ')}`);
        }

        // Handover: governance moves only to a live offer.
        if (touched.has(kit.root.address.toRawString())) {
            const g = await this.rootGovernance();
            const gov = g.governance.toRawString();
            if (gov !== this.governance) {
                const o = this.offer;
                if (!o || o.to !== gov || this.now - o.since > MODEL_HANDOVER_TTL) {
                    throw new InvariantError(
                        'handover-stale-accepted',
                        o && o.to === gov ? `an offer made ${this.now - o.since} s ago (more than ${MODEL_HANDOVER_TTL}) was accepted` : `governance moved to ${gov} without a live offer`,
                    );
                }
                this.governance = gov;
                this.offer = undefined;
            }
            const pending = g.pending?.toRawString();
            if (!pending) this.offer = undefined;
            else if (this.offer?.to !== pending || ranOffer(txs, kit.root.address)) this.offer = { to: pending, since: this.now };
        }
    }

    /**
     * The root's governance and pending offer, read from its storage (its first two fields) rather than by a getter:
     * every job opening touches the root, and a getter run costs more than the rest of the check.
     */
    private async rootGovernance(): Promise<{ governance: Address; pending: Address | null }> {
        const st = (await this.ctx.bc.getContract(this.ctx.kit.root.address)).accountState;
        if (st?.type === 'active' && st.state.data) {
            try {
                const s = st.state.data.beginParse();
                return { governance: s.loadAddress(), pending: s.loadMaybeAddress() };
            } catch {
                // another layout: the getter below
            }
        }
        return this.ctx.kit.root.getGovernance();
    }

    private async rootView(): Promise<RootView> {
        const r = this.ctx.kit.root;
        const keys = <T>(m: Iterable<[Buffer, T]>) => [...m].map(([k]) => k.toString('hex')).sort();
        const g = await r.getGovernance();
        const codes = await r.getChildCodes();
        return {
            images: keys(await r.getImages()),
            models: keys(await r.getModels()),
            params: json(await r.getParams()),
            governance: g.governance.toRawString(),
            pending: g.pending?.toRawString() ?? '',
            codes: codes.workerCode.hash().toString('hex') + codes.jobCode.hash().toString('hex'),
            paused: await r.getPaused().catch(() => 0),
            collected: (await r.getTreasury()).collected,
        };
    }
}

/** Whether the root accepted a (re-)offer in these transactions (a repeated offer to the same address restarts its clock). */
function ranOffer(txs: Transaction[], root: Address): boolean {
    return txs.some((t) => internalInfo(t)?.dest.equals(root) && opOf(t) === Op.proposeGovernance && succeeded(t));
}
