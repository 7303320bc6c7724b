/**
 * DAO council (contracts/council.fc, protocol.tlb, DAO council section): codecs for its storage, its
 * actions and its messages, a readable action decoder for voters, and a sandbox/Blueprint wrapper.
 * Root actions are encoded with rootGovernanceBody() and read back with parseRootGovernanceBody() (wrappers/Root.ts).
 */
import {
    Address,
    beginCell,
    Builder,
    Cell,
    Contract,
    contractAddress,
    ContractProvider,
    Dictionary,
    DictionaryValue,
    fromNano,
    Sender,
    SendMode,
    TupleBuilder,
} from '@ton/core';
import { Op } from './Constants';
import { Bytes32, storeBytes32, textCell } from './common';
import { AddressView, duration, friendlyAddress, MAINNET_VIEW, utc } from './format';
import { describeParams, describePauseFlags, parseRootGovernanceBody, RootGovernanceAction, rootGovernanceBody } from './Root';

/** Tags of protocol.tlb `CouncilAction` (act_*). */
export abstract class ActionTag {
    static readonly root = 0x01;
    static readonly addMember = 0x02;
    static readonly removeMember = 0x03;
    static readonly setWeight = 0x04;
    static readonly setThreshold = 0x05;
    static readonly setPeriods = 0x06;
    static readonly setGuardian = 0x07;
    static readonly cancelProposal = 0x08;
    static readonly withdraw = 0x09;
}

/** Limits enforced by contracts/council-common.fc. */
export const MAX_ACTIONS = 8;
export const MAX_MEMBERS = 255;
const HOUR = 3600;
const DAY = 24 * HOUR;
/** Floors and ceilings of the council's periods (contracts/council-common.fc bound::min_* / max_*). */
export const MIN_VOTING_PERIOD = HOUR;
export const MAX_VOTING_PERIOD = 90 * DAY;
/** The guardian's veto window is at least this long. */
export const MIN_TIMELOCK = DAY;
export const MAX_TIMELOCK = 90 * DAY;
/** After the timelock a passed proposal may be executed for this long, then it expires. */
export const MIN_EXECUTION_WINDOW = DAY;
export const MAX_EXECUTION_WINDOW = 30 * DAY;
/** A guardian's sunset lies in the future and at most this far ahead of the proposal that sets it. */
export const MAX_GUARDIAN_TERM = 730 * DAY;
/** contracts/gas.fc reserve::council: what a withdrawal of the council's surplus always leaves behind. */
export const COUNCIL_RESERVE = 100_000_000n;

/**
 * Quorum floor: a threshold must be more than half of the total weight, so no minority can pass anything and
 * a "no" majority always ends a proposal early (contracts/council-common.fc threshold_ok?).
 */
export function thresholdAllowed(threshold: bigint, totalWeight: bigint): boolean {
    return threshold > 0n && threshold <= totalWeight && threshold * 2n > totalWeight;
}
/** contracts/gas.fc value::min_root_action: the least TON a root action may carry. */
export const MIN_ROOT_ACTION_VALUE = 20_000_000n;

/** One action of a proposal. `root` is encoded with rootGovernanceBody(); `rootRaw` carries any body (tests). */
export type CouncilAction =
    | { kind: 'root'; value: bigint; action: RootGovernanceAction; queryId?: bigint }
    | { kind: 'rootRaw'; value: bigint; body: Cell }
    | { kind: 'addMember'; member: Address; weight: number }
    | { kind: 'removeMember'; member: Address }
    | { kind: 'setWeight'; member: Address; weight: number }
    | { kind: 'setThreshold'; threshold: bigint }
    | { kind: 'setPeriods'; votingPeriod: number; timelock: number; executionWindow: number }
    | { kind: 'setGuardian'; guardian: Address | null; sunset: number }
    /** Cancels a queued (or still voting) proposal of this council. */
    | { kind: 'cancelProposal'; id: number }
    /** Sends TON from the council's own balance (its surplus: bounced root values, top-ups) to `to`. */
    | { kind: 'withdraw'; amount: bigint; to: Address };

// act_root#01 value:Coins body:^RootMsg | act_add_member#02 member weight:uint32 | act_remove_member#03 member
// act_set_weight#04 member weight:uint32 | act_set_threshold#05 threshold:uint64
// act_set_periods#06 voting_period:uint32 timelock:uint32 execution_window:uint32
// act_set_guardian#07 guardian:MsgAddress sunset:uint32
// act_cancel_proposal#08 id:uint32 | act_withdraw#09 amount:Coins to:MsgAddressInt
export function councilActionCell(a: CouncilAction): Cell {
    const b = beginCell();
    switch (a.kind) {
        case 'root':
            return b.storeUint(ActionTag.root, 8).storeCoins(a.value).storeRef(rootGovernanceBody(a.action, a.queryId ?? 0n)).endCell();
        case 'rootRaw':
            return b.storeUint(ActionTag.root, 8).storeCoins(a.value).storeRef(a.body).endCell();
        case 'addMember':
            return b.storeUint(ActionTag.addMember, 8).storeAddress(a.member).storeUint(a.weight, 32).endCell();
        case 'removeMember':
            return b.storeUint(ActionTag.removeMember, 8).storeAddress(a.member).endCell();
        case 'setWeight':
            return b.storeUint(ActionTag.setWeight, 8).storeAddress(a.member).storeUint(a.weight, 32).endCell();
        case 'setThreshold':
            return b.storeUint(ActionTag.setThreshold, 8).storeUint(a.threshold, 64).endCell();
        case 'setPeriods':
            return b
                .storeUint(ActionTag.setPeriods, 8)
                .storeUint(a.votingPeriod, 32)
                .storeUint(a.timelock, 32)
                .storeUint(a.executionWindow, 32)
                .endCell();
        case 'setGuardian':
            return b.storeUint(ActionTag.setGuardian, 8).storeAddress(a.guardian).storeUint(a.sunset, 32).endCell();
        case 'cancelProposal':
            return b.storeUint(ActionTag.cancelProposal, 8).storeUint(a.id, 32).endCell();
        case 'withdraw':
            return b.storeUint(ActionTag.withdraw, 8).storeCoins(a.amount).storeAddress(a.to).endCell();
    }
}

/** Reads an action back. A root body that parseRootGovernanceBody() cannot read comes back as `rootRaw`. */
export function parseCouncilAction(c: Cell): CouncilAction {
    const s = c.beginParse();
    const tag = s.loadUint(8);
    let a: CouncilAction;
    switch (tag) {
        case ActionTag.root: {
            const value = s.loadCoins();
            const body = s.loadRef();
            try {
                const queryId = body.beginParse().skip(32).loadUintBig(64);
                a = { kind: 'root', value, action: parseRootGovernanceBody(body), queryId };
            } catch {
                a = { kind: 'rootRaw', value, body };
            }
            break;
        }
        case ActionTag.addMember:
            a = { kind: 'addMember', member: s.loadAddress(), weight: s.loadUint(32) };
            break;
        case ActionTag.removeMember:
            a = { kind: 'removeMember', member: s.loadAddress() };
            break;
        case ActionTag.setWeight:
            a = { kind: 'setWeight', member: s.loadAddress(), weight: s.loadUint(32) };
            break;
        case ActionTag.setThreshold:
            a = { kind: 'setThreshold', threshold: s.loadUintBig(64) };
            break;
        case ActionTag.setPeriods:
            a = { kind: 'setPeriods', votingPeriod: s.loadUint(32), timelock: s.loadUint(32), executionWindow: s.loadUint(32) };
            break;
        case ActionTag.setGuardian:
            a = { kind: 'setGuardian', guardian: s.loadMaybeAddress(), sunset: s.loadUint(32) };
            break;
        case ActionTag.cancelProposal:
            a = { kind: 'cancelProposal', id: s.loadUint(32) };
            break;
        case ActionTag.withdraw:
            a = { kind: 'withdraw', amount: s.loadCoins(), to: s.loadAddress() };
            break;
        default:
            throw new Error(`unknown council action tag 0x${tag.toString(16)}`);
    }
    s.endParse();
    return a;
}

const hex = (v: bigint | Uint8Array) => '0x' + (typeof v === 'bigint' ? v.toString(16).padStart(64, '0') : Buffer.from(v).toString('hex'));

/**
 * One line a voter can read, e.g. `root: add image 0x…, superseding 0x… after a grace of 7 days (0.05 TON)`.
 * Addresses are printed as the voter's wallet shows them on `view`'s network: wallets (members, the guardian,
 * recipients, a slashed worker's owner) non-bounceable, contracts (a new governance) bounceable.
 */
export function describeAction(a: CouncilAction, view: AddressView = MAINNET_VIEW): string {
    const wallet = (x: Address) => friendlyAddress(x, view, 'wallet');
    const contract = (x: Address) => friendlyAddress(x, view, 'contract');
    switch (a.kind) {
        case 'root': {
            const r = a.action;
            const ton = ` (${fromNano(a.value)} TON attached)`;
            switch (r.kind) {
                case 'addImage':
                    return r.supersedes
                        ? `root: add image ${hex(r.imageHash)} "${r.label}", superseding ${hex(r.supersedes)} which retires after a grace of ${duration(r.grace ?? 0)}${ton}`
                        : `root: add image ${hex(r.imageHash)} "${r.label}"${ton}`;
                case 'retireImage':
                    return `root: retire image ${hex(r.imageHash)}${ton}`;
                case 'addModel':
                    return `root: add model ${hex(r.modelHash)} "${r.name}"${ton}`;
                case 'removeModel':
                    return `root: remove model ${hex(r.modelHash)}${ton}`;
                case 'setParams':
                    return `root: set parameters: ${describeParams(r.params)}${ton}`;
                case 'setCode':
                    return `root: set code${r.workerCode ? ` worker ${r.workerCode.hash().toString('hex')}` : ''}${r.jobCode ? ` job ${r.jobCode.hash().toString('hex')}` : ''}${ton}`;
                case 'proposeGovernance':
                    return r.newGovernance
                        ? `root: hand governance over to ${contract(r.newGovernance)}${ton}`
                        : `root: withdraw the pending governance handover${ton}`;
                case 'acceptGovernance':
                    return `root: accept governance${ton}`;
                case 'pause':
                    return `root: pause ${describePauseFlags(r.flags)}${ton}`;
                case 'unpause':
                    return `root: unpause ${describePauseFlags(r.flags)}${ton}`;
                case 'withdrawTreasury':
                    return `root: withdraw ${fromNano(r.amount)} TON from the treasury to ${wallet(r.to)}${ton}`;
                case 'slashWorker':
                    return `root: slash worker ${r.index} of ${wallet(r.owner)} by ${fromNano(r.amount)} TON + ${r.bps} bps, reason ${hex(r.reason)}${ton}`;
            }
            return `root: ${(r as { kind: string }).kind}${ton}`;
        }
        case 'rootRaw':
            return `root: unreadable body ${a.body.hash().toString('hex')} (${fromNano(a.value)} TON attached)`;
        case 'addMember':
            return `council: add member ${wallet(a.member)} with weight ${a.weight}`;
        case 'removeMember':
            return `council: remove member ${wallet(a.member)}`;
        case 'setWeight':
            return `council: set the weight of ${wallet(a.member)} to ${a.weight}`;
        case 'setThreshold':
            return `council: set the threshold to ${a.threshold}`;
        case 'setPeriods':
            return `council: set the voting period to ${duration(a.votingPeriod)}, the timelock to ${duration(a.timelock)} and the execution window to ${duration(a.executionWindow)}`;
        case 'setGuardian':
            return a.guardian
                ? `council: set the guardian to ${wallet(a.guardian)} until ${utc(a.sunset)}`
                : 'council: remove the guardian';
        case 'cancelProposal':
            return `council: cancel proposal ${a.id}`;
        case 'withdraw':
            return `council: send ${fromNano(a.amount)} TON of the council's own balance to ${wallet(a.to)}`;
    }
}

/** The actions of a proposal as a dictionary 0..n-1 -> ^CouncilAction (protocol.tlb CouncilActions). */
export function actionsDict(actions: CouncilAction[] | Cell[]): Dictionary<number, Cell> {
    const d = Dictionary.empty(Dictionary.Keys.Uint(8), Dictionary.Values.Cell());
    actions.forEach((a, i) => d.set(i, a instanceof Cell ? a : councilActionCell(a)));
    return d;
}

export function loadActions(dict: Cell | null): Cell[] {
    if (!dict) return [];
    const d = Dictionary.loadDirect(Dictionary.Keys.Uint(8), Dictionary.Values.Cell(), dict);
    return d.keys().sort((a, b) => a - b).map((k) => d.get(k)!);
}

/** member_weight$_ weight:uint32 = MemberWeight;  keyed by the basechain account id. */
export const MemberWeightValue: DictionaryValue<number> = {
    serialize: (v, b) => b.storeUint(v, 32),
    parse: (s) => s.loadUint(32),
};

export interface CouncilMember {
    address: Address;
    weight: number;
}

export function membersDict(members: CouncilMember[]): Dictionary<bigint, number> {
    const d = Dictionary.empty(Dictionary.Keys.BigUint(256), MemberWeightValue);
    for (const m of members) {
        if (m.address.workChain !== 0) throw new Error(`member ${m.address} is not a basechain address`);
        d.set(BigInt('0x' + m.address.hash.toString('hex')), m.weight);
    }
    return d;
}

/** Account id (hex) -> weight, as the council and the proposals store their members. */
export function readMembers(dict: Cell | null): Map<string, number> {
    const out = new Map<string, number>();
    if (!dict) return out;
    const d = Dictionary.loadDirect(Dictionary.Keys.BigUint(256), MemberWeightValue, dict);
    for (const k of d.keys()) out.set(k.toString(16).padStart(64, '0'), d.get(k)!);
    return out;
}

export interface CouncilConfig {
    root: Address;
    members: CouncilMember[];
    threshold: bigint;
    votingPeriod: number;
    timelock: number;
    /** How long after the timelock a passed proposal may be executed (seconds). */
    executionWindow: number;
    guardian?: Address | null;
    guardianSunset?: number;
    proposalCode: Cell;
    /** Defaults 0; only tests set them. */
    nextId?: number;
    epoch?: number;
}

// council_storage$_ root next_id:uint32 epoch:uint32 threshold:uint64 total_weight:uint64 member_count:uint8
//                   members:(HashmapE 256 MemberWeight) config:^CouncilConfig proposal_code:^Cell
//                   executed:(HashmapE 32 uint32) = CouncilStorage;
// council_config$_ voting_period:uint32 timelock:uint32 execution_window:uint32 guardian:MsgAddress
//                  guardian_sunset:uint32 = CouncilConfig;
export function councilConfigToCell(c: CouncilConfig): Cell {
    const total = c.members.reduce((s, m) => s + BigInt(m.weight), 0n);
    return beginCell()
        .storeAddress(c.root)
        .storeUint(c.nextId ?? 0, 32)
        .storeUint(c.epoch ?? 0, 32)
        .storeUint(c.threshold, 64)
        .storeUint(total, 64)
        .storeUint(c.members.length, 8)
        .storeDict(membersDict(c.members))
        .storeRef(
            beginCell()
                .storeUint(c.votingPeriod, 32)
                .storeUint(c.timelock, 32)
                .storeUint(c.executionWindow, 32)
                .storeAddress(c.guardian ?? null)
                .storeUint(c.guardianSunset ?? 0, 32)
                .endCell(),
        )
        .storeRef(c.proposalCode)
        .storeDict(null) // executed: no proposal has run yet
        .endCell();
}

/** Checks a config the way the contract checks its own changes; deploy scripts call it before sending. */
export function validateCouncilConfig(c: CouncilConfig): void {
    if (c.members.length === 0 || c.members.length > MAX_MEMBERS) throw new Error(`1..${MAX_MEMBERS} members needed`);
    const seen = new Set<string>();
    for (const m of c.members) {
        if (m.weight <= 0) throw new Error(`member ${m.address} has weight ${m.weight}`);
        if (seen.has(m.address.toRawString())) throw new Error(`member ${m.address} twice`);
        seen.add(m.address.toRawString());
    }
    const total = c.members.reduce((s, m) => s + BigInt(m.weight), 0n);
    if (!thresholdAllowed(c.threshold, total)) throw new Error(`threshold ${c.threshold} must be above half of ${total} and at most ${total}`);
    if (c.votingPeriod < MIN_VOTING_PERIOD || c.votingPeriod > MAX_VOTING_PERIOD) throw new Error('voting period out of range');
    if (c.timelock < MIN_TIMELOCK || c.timelock > MAX_TIMELOCK) throw new Error('timelock out of range');
    if (c.executionWindow < MIN_EXECUTION_WINDOW || c.executionWindow > MAX_EXECUTION_WINDOW) throw new Error('execution window out of range');
    if (c.guardian && (c.guardianSunset ?? 0) > Math.floor(Date.now() / 1000) + MAX_GUARDIAN_TERM) throw new Error('guardian sunset too far ahead');
}

/** What create_proposal stores when a proposal carries no evidence (the contract reads all zeroes as none). */
export const NO_EVIDENCE: Bytes32 = Buffer.alloc(32);

/** Whether a proposal must carry an evidence hash: it adds an image or a model to the root's allowlists. */
export function needsEvidence(actions: CouncilAction[]): boolean {
    return actions.some((a) => a.kind === 'root' && (a.action.kind === 'addImage' || a.action.kind === 'addModel'));
}

/** The root actions the guardian's emergency path may send at once: they only restrict (contracts council.fc). */
export function isRestrictive(a: RootGovernanceAction): boolean {
    return a.kind === 'retireImage' || a.kind === 'removeModel' || a.kind === 'pause';
}

export interface CouncilData {
    root: Address;
    nextId: number;
    epoch: number;
    threshold: bigint;
    totalWeight: bigint;
    memberCount: number;
    /** Account id (hex) -> weight. */
    members: Map<string, number>;
    votingPeriod: number;
    timelock: number;
    guardian: Address | null;
    guardianSunset: number;
    executionWindow: number;
}

// create_proposal#_ query_id:uint64 actions:CouncilActions evidence:uint256 description:^Text = CouncilMsg;
/**
 * `evidence`: SHA-256 of the document the proposal rests on (release notes, reference quote, measurement
 * manifest); required when an action adds an image or a model (the contract refuses all zeroes), else null.
 */
export function createProposalBody(
    actions: CouncilAction[] | Cell[] | Dictionary<number, Cell>,
    description: string | Cell,
    queryId = 0n,
    evidence: Uint8Array | null = null,
): Cell {
    const dict = actions instanceof Dictionary ? actions : actionsDict(actions);
    return beginCell()
        .storeUint(Op.createProposal, 32)
        .storeUint(queryId, 64)
        .storeDict(dict)
        .store(storeBytes32(evidence ?? NO_EVIDENCE, 'evidence'))
        .storeRef(typeof description === 'string' ? textCell(description) : description)
        .endCell();
}

// emergency_action#_ query_id:uint64 action:^RootMsg = CouncilMsg;  (guardian, before its sunset)
export function emergencyActionBody(action: RootGovernanceAction | Cell, queryId = 0n): Cell {
    const body = action instanceof Cell ? action : rootGovernanceBody(action, queryId);
    return beginCell().storeUint(Op.emergencyAction, 32).storeUint(queryId, 64).storeRef(body).endCell();
}

// veto_proposal#0cbc0d93 query_id:uint64 id:uint32 = CouncilMsg;
export function vetoProposalBody(id: number, queryId = 0n): Cell {
    return beginCell().storeUint(Op.vetoProposal, 32).storeUint(queryId, 64).storeUint(id, 32).endCell();
}

// accept_root#03208de7 query_id:uint64 = CouncilMsg;
export function acceptRootBody(queryId = 0n): Cell {
    return beginCell().storeUint(Op.acceptRoot, 32).storeUint(queryId, 64).endCell();
}

// proposal_approved#6adec9a1 query_id:uint64 id:uint32 epoch:uint32 executor:MsgAddressInt actions:CouncilActions = CouncilMsg;
export function proposalApprovedBody(id: number, epoch: number, executor: Address, actions: CouncilAction[] | Cell[], queryId = 0n): Cell {
    return beginCell()
        .storeUint(Op.proposalApproved, 32)
        .storeUint(queryId, 64)
        .storeUint(id, 32)
        .storeUint(epoch, 32)
        .storeAddress(executor)
        .storeDict(actionsDict(actions))
        .endCell();
}

export class Council implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: { code: Cell; data: Cell },
    ) {}

    static createFromAddress(address: Address) {
        return new Council(address);
    }

    static createFromConfig(config: CouncilConfig, code: Cell, workchain = 0) {
        const init = { code, data: councilConfigToCell(config) };
        return new Council(contractAddress(workchain, init), init);
    }

    async sendDeploy(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: beginCell().endCell() });
    }

    /** A member proposes; `value` must be at least getProposalFee() (the rest funds the proposal's storage). */
    async sendCreateProposal(
        provider: ContractProvider,
        via: Sender,
        opts: {
            actions: CouncilAction[] | Cell[] | Dictionary<number, Cell>;
            description: string | Cell;
            value: bigint;
            queryId?: bigint;
            evidence?: Uint8Array | null;
        },
    ) {
        await provider.internal(via, {
            value: opts.value,
            sendMode: SendMode.PAY_GAS_SEPARATELY,
            body: createProposalBody(opts.actions, opts.description, opts.queryId, opts.evidence),
        });
    }

    /**
     * The guardian's restrict-only emergency path: retire an image, remove a model or pause, at once
     * (no vote, no timelock); anything else is refused with not_restrictive. Only a normal proposal undoes it.
     */
    async sendEmergency(provider: ContractProvider, via: Sender, action: RootGovernanceAction | Cell, value: bigint, queryId = 0n) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: emergencyActionBody(action, queryId) });
    }

    /** The guardian vetoes proposal `id` during its timelock (before the guardian's sunset). */
    async sendVeto(provider: ContractProvider, via: Sender, id: number, value: bigint, queryId = 0n) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: vetoProposalBody(id, queryId) });
    }

    /** A member completes the root's two-step handover (the council sends accept_governance). */
    async sendAcceptRoot(provider: ContractProvider, via: Sender, value: bigint, queryId = 0n) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: acceptRootBody(queryId) });
    }

    async sendRaw(provider: ContractProvider, via: Sender, body: Cell, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    async getCouncilData(provider: ContractProvider): Promise<CouncilData> {
        const s = (await provider.get('get_council_data', [])).stack;
        return {
            root: s.readAddress(),
            nextId: s.readNumber(),
            epoch: s.readNumber(),
            threshold: s.readBigNumber(),
            totalWeight: s.readBigNumber(),
            memberCount: s.readNumber(),
            members: readMembers(s.readCellOpt()),
            votingPeriod: s.readNumber(),
            timelock: s.readNumber(),
            guardian: s.readAddressOpt(),
            guardianSunset: s.readNumber(),
            executionWindow: s.readNumber(),
        };
    }

    async getProposalAddress(provider: ContractProvider, id: number): Promise<Address> {
        const t = new TupleBuilder();
        t.writeNumber(id);
        return (await provider.get('get_proposal_address', t.build())).stack.readAddress();
    }

    async getMemberWeight(provider: ContractProvider, member: Address): Promise<number> {
        const t = new TupleBuilder();
        t.writeAddress(member);
        return (await provider.get('get_member_weight', t.build())).stack.readNumber();
    }

    /** The least value create_proposal must carry now. */
    async getProposalFee(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_proposal_fee', [])).stack.readBigNumber();
    }

    async getBalance(provider: ContractProvider): Promise<bigint> {
        return (await provider.getState()).balance;
    }
}

/** For scripts: a builder step that stores a council action (e.g. inside custom bodies). */
export function storeCouncilAction(a: CouncilAction): (b: Builder) => void {
    return (b) => b.storeSlice(councilActionCell(a).beginParse());
}
