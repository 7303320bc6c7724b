/**
 * Root registry: codecs for its storage and messages (protocol.tlb "root") and a sandbox/Blueprint wrapper.
 * Governance message bodies are built by `rootGovernanceBody()` and read back by `parseRootGovernanceBody()`,
 * the one codec used by tests, scripts, the DAO council's proposals and the actors.
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
    Slice,
    TupleBuilder,
} from '@ton/core';
import { Op } from './Constants';
import { duration } from './format';
import {
    Attestation,
    attestationCell,
    bufferToUint256,
    Bytes32,
    bytes32,
    Bytes32Map,
    loadBytes32,
    Prices,
    pricesCell,
    readText,
    storeBytes32,
    textCell,
} from './common';
import { openJobBody, OpenJobRequest } from './Job';

/** 32 zero bytes: "no image" in the supersedes field of add_image. */
const NO_HASH: Bytes32 = Buffer.alloc(32);

/** Protocol parameters (protocol.tlb `Params`). Times in seconds, amounts in nanoton, rates in basis points. */
export interface RootParams {
    /** Incremented by the root on every change; ignored when sent in `setParams`. */
    version: number;
    /** Smallest stake a worker may register or stay active with, nanoton. */
    minStake: bigint;
    /** Seconds between an unbonding request and the withdrawal; also how long a rotated key stays slashable. */
    unbondingPeriod: number;
    /** Share of every job payout that goes to the treasury, basis points. */
    protocolFeeBps: number;
    /** Share of the stake taken for proven equivocation or wrong-model evidence, basis points. */
    slashBps: number;
    /** Share of a slash paid to whoever proved it, basis points. */
    reporterBps: number;
    /** Bounds of a job's challenge period, seconds. */
    minChallenge: number;
    maxChallenge: number;
}

/**
 * Documented bounds of every parameter (docs/protocol.md §5), enforced by the root at set_params
 * (contracts/cells.fc check_params; tests/contracts/ParameterBounds.spec.ts ties both copies together).
 */
export const PARAM_BOUNDS = {
    /** 1 TON: a slash of the minimum stake still pays a reporter more than a report costs. */
    minStakeMin: 1_000_000_000n,
    /** 1,000,000 TON. */
    minStakeMax: 1_000_000_000_000_000n,
    /** At least the longest challenge period (a worker can't leave while its last job can still be claimed), at most a year. */
    unbondingPeriodMax: 365 * 86_400,
    /** At most half of every payout. */
    protocolFeeBpsMax: 5_000,
    /** A slash takes something. */
    slashBpsMin: 1,
    /** At most half of the slash, so reporting oneself always loses stake. */
    reporterBpsMax: 5_000,
    /** A minute. */
    minChallengeMin: 60,
    /** 30 days: close sets now + challenge, which must fit 32 bits for ever after. */
    maxChallengeMax: 30 * 86_400,
} as const;

/** Seconds: jobs open only while the job-code library is paid at least this far ahead (contracts/gas.fc). */
export const LIBRARY_MIN_RUNWAY = 60 * 86_400;
/** Seconds: fund_library pays the library's rent up to this far ahead (two years). */
export const LIBRARY_TARGET_RUNWAY = 2 * 365 * 86_400;

/** Why the root would refuse `p` at set_params, or null if it is within every bound. */
export function paramsViolation(p: RootParams): string | null {
    const b = PARAM_BOUNDS;
    if (p.minStake < b.minStakeMin || p.minStake > b.minStakeMax) return `minStake must be within ${b.minStakeMin}..${b.minStakeMax} nanoton`;
    if (p.protocolFeeBps > b.protocolFeeBpsMax) return `protocolFeeBps must be at most ${b.protocolFeeBpsMax}`;
    if (p.slashBps < b.slashBpsMin || p.slashBps > 10_000) return `slashBps must be within ${b.slashBpsMin}..10000`;
    if (p.reporterBps > b.reporterBpsMax) return `reporterBps must be at most ${b.reporterBpsMax}`;
    if (p.minChallenge < b.minChallengeMin) return `minChallenge must be at least ${b.minChallengeMin} s`;
    if (p.maxChallenge > b.maxChallengeMax) return `maxChallenge must be at most ${b.maxChallengeMax} s`;
    if (p.minChallenge > p.maxChallenge) return 'minChallenge must not exceed maxChallenge';
    if (p.unbondingPeriod < p.maxChallenge || p.unbondingPeriod > b.unbondingPeriodMax) {
        return `unbondingPeriod must be within maxChallenge..${b.unbondingPeriodMax} s`;
    }
    return null;
}

// params$_ version:uint32 min_stake:Coins unbonding_period:uint32 protocol_fee_bps:uint16
//          slash_bps:uint16 reporter_bps:uint16 min_challenge:uint32 max_challenge:uint32 = Params;
export function storeParams(p: RootParams): (b: Builder) => void {
    return (b) =>
        b
            .storeUint(p.version, 32)
            .storeCoins(p.minStake)
            .storeUint(p.unbondingPeriod, 32)
            .storeUint(p.protocolFeeBps, 16)
            .storeUint(p.slashBps, 16)
            .storeUint(p.reporterBps, 16)
            .storeUint(p.minChallenge, 32)
            .storeUint(p.maxChallenge, 32);
}

export function paramsCell(p: RootParams): Cell {
    return beginCell().store(storeParams(p)).endCell();
}

export function loadParams(s: Slice): RootParams {
    return {
        version: s.loadUint(32),
        minStake: s.loadCoins(),
        unbondingPeriod: s.loadUint(32),
        protocolFeeBps: s.loadUint(16),
        slashBps: s.loadUint(16),
        reporterBps: s.loadUint(16),
        minChallenge: s.loadUint(32),
        maxChallenge: s.loadUint(32),
    };
}

/** An allowed TDX image (protocol.tlb `ImageEntry`). retireAt 0 = not retiring; label says what the image is, in words. */
export interface ImageEntry {
    addedAt: number;
    retireAt: number;
    label: string;
}

/** An allowed model (protocol.tlb `ModelEntry`): name is e.g. `org/model@revision:contenthash`. */
export interface ModelEntry {
    addedAt: number;
    name: string;
}

export const ImageEntryValue: DictionaryValue<ImageEntry> = {
    serialize: (v, b) => b.storeUint(v.addedAt, 32).storeUint(v.retireAt, 32).storeRef(textCell(v.label)),
    parse: (s) => ({ addedAt: s.loadUint(32), retireAt: s.loadUint(32), label: readText(s.loadRef()) }),
};

export const ModelEntryValue: DictionaryValue<ModelEntry> = {
    serialize: (v, b) => b.storeUint(v.addedAt, 32).storeRef(textCell(v.name)),
    parse: (s) => ({ addedAt: s.loadUint(32), name: readText(s.loadRef()) }),
};

export interface RootConfig {
    governance: Address;
    params: RootParams;
    workerCode: Cell;
    /** The job code, or (production) the library cell standing for it (./library). */
    jobCode: Cell;
    /**
     * Until when the job-code library's masterchain rent is paid (unix seconds); jobs open only while at least
     * `LIBRARY_MIN_RUNWAY` is left. 0 (the default) when nothing was paid yet: anyone's fund_library pays from the
     * treasury. Ignored for inline job code.
     */
    libraryPaidUntil?: number;
    /** Optional allowlists at deploy time (tests, the demo); production starts empty and uses governance. */
    images?: Iterable<readonly [Uint8Array, ImageEntry]>;
    models?: Iterable<readonly [Uint8Array, ModelEntry]>;
    /** PauseFlags at deploy time (0). */
    paused?: number;
}

// root_storage$_ governance:MsgAddressInt pending_governance:MsgAddress handover_expires_at:uint32 paused:uint8
//                collected:Coins params:^Params images:(HashmapE 256 ImageEntry) models:(HashmapE 256 ModelEntry)
//                codes:^ChildCodes = RootStorage;
export function rootConfigToCell(c: RootConfig): Cell {
    const images = Dictionary.empty(Dictionary.Keys.Buffer(32), ImageEntryValue);
    for (const [k, v] of c.images ?? []) images.set(bytes32(k, 'image hash'), v);
    const models = Dictionary.empty(Dictionary.Keys.Buffer(32), ModelEntryValue);
    for (const [k, v] of c.models ?? []) models.set(bytes32(k, 'model hash'), v);
    return beginCell()
        .storeAddress(c.governance)
        .storeUint(0, 2) // pending_governance: addr_none
        .storeUint(0, 32) // handover_expires_at
        .storeUint(c.paused ?? 0, 8) // paused: PauseFlags
        .storeCoins(0)
        .storeRef(paramsCell(c.params))
        .storeDict(images)
        .storeDict(models)
        // child_codes$_ worker_code:^Cell job_code:^Cell library_paid_until:uint32 = ChildCodes;
        .storeRef(beginCell().storeRef(c.workerCode).storeRef(c.jobCode).storeUint(c.libraryPaidUntil ?? 0, 32).endCell())
        .endCell();
}

/** Bits of the root's pause flags (root storage `paused`, getter get_paused). */
export abstract class PauseFlags {
    /** register_worker is refused (updates of registered workers still pass). */
    static readonly registrations = 1;
    /** New jobs must not be opened: job-open paths read get_paused. */
    static readonly jobOpenings = 2;
    static readonly all = 3;
}

/** The pause flags by the word scripts take (`--what registrations|jobs|all`). */
export function pauseFlagsNamed(what: string): number {
    const flags = ({ registrations: PauseFlags.registrations, jobs: PauseFlags.jobOpenings, all: PauseFlags.all } as Record<string, number>)[what];
    if (flags === undefined) throw new Error(`--what must be registrations, jobs or all, not "${what}"`);
    return flags;
}

/** A governance handover offer (propose_governance) expires after this many seconds (contracts root.fc). */
export const HANDOVER_TTL = 14 * 24 * 3600;

/** Parameters in words, periods as durations: `min stake 10 TON, unbonding 14 days, fee 200 bps, …`. */
export function describeParams(p: RootParams): string {
    return `min stake ${fromNano(p.minStake)} TON, unbonding ${duration(p.unbondingPeriod)}, fee ${p.protocolFeeBps} bps, slash ${p.slashBps} bps, reporter ${p.reporterBps} bps, challenge ${duration(p.minChallenge)} to ${duration(p.maxChallenge)}`;
}

export function describePauseFlags(flags: number): string {
    const names: string[] = [];
    if (flags & PauseFlags.registrations) names.push('new registrations');
    if (flags & PauseFlags.jobOpenings) names.push('job openings');
    if (flags & ~PauseFlags.all) names.push(`unknown flags 0x${(flags & ~PauseFlags.all).toString(16)}`);
    return names.length ? names.join(' and ') : 'nothing';
}

/** Every governance operation of the root, as a typed value. */
export type RootGovernanceAction =
    /** label: what the image is, in words (e.g. `cocoon-tdx 1.4.0 (vLLM 0.9, H100)`), at most 127 bytes; kept on-chain with the entry. */
    | { kind: 'addImage'; imageHash: Bytes32; label: string; supersedes?: Bytes32; grace?: number }
    | { kind: 'retireImage'; imageHash: Bytes32 }
    | { kind: 'addModel'; modelHash: Bytes32; name: string }
    | { kind: 'removeModel'; modelHash: Bytes32 }
    | { kind: 'setParams'; params: RootParams }
    | { kind: 'setCode'; workerCode?: Cell; jobCode?: Cell }
    /** newGovernance null withdraws a pending offer; an offer expires after HANDOVER_TTL seconds. */
    | { kind: 'proposeGovernance'; newGovernance: Address | null }
    | { kind: 'acceptGovernance' }
    /** Sets pause flags (PauseFlags); the guardian's emergency path may send only this, never unpause. */
    | { kind: 'pause'; flags: number }
    /** Clears pause flags: only a normal proposal. */
    | { kind: 'unpause'; flags: number }
    | { kind: 'withdrawTreasury'; amount: bigint; to: Address }
    | { kind: 'slashWorker'; owner: Address; index: number; amount: bigint; bps: number; reason: Bytes32 };

/** Builds the message body of a governance operation (protocol.tlb "root: governance operations"). */
export function rootGovernanceBody(action: RootGovernanceAction, queryId: bigint = 0n): Cell {
    const b = beginCell();
    switch (action.kind) {
        case 'addImage': // add_image query_id image_hash supersedes grace label:^Text
            return b
                .storeUint(Op.addImage, 32)
                .storeUint(queryId, 64)
                .store(storeBytes32(action.imageHash, 'imageHash'))
                .store(storeBytes32(action.supersedes ?? NO_HASH, 'supersedes'))
                .storeUint(action.grace ?? 0, 32)
                .storeRef(textCell(action.label))
                .endCell();
        case 'retireImage': // retire_image query_id image_hash
            return b.storeUint(Op.retireImage, 32).storeUint(queryId, 64).store(storeBytes32(action.imageHash, 'imageHash')).endCell();
        case 'addModel': // add_model query_id model_hash name:^Text
            return b
                .storeUint(Op.addModel, 32)
                .storeUint(queryId, 64)
                .store(storeBytes32(action.modelHash, 'modelHash'))
                .storeRef(textCell(action.name))
                .endCell();
        case 'removeModel': // remove_model query_id model_hash
            return b.storeUint(Op.removeModel, 32).storeUint(queryId, 64).store(storeBytes32(action.modelHash, 'modelHash')).endCell();
        case 'setParams': // set_params query_id params:^Params
            return b.storeUint(Op.setParams, 32).storeUint(queryId, 64).storeRef(paramsCell(action.params)).endCell();
        case 'setCode': // set_code query_id worker_code:(Maybe ^Cell) job_code:(Maybe ^Cell)
            return b
                .storeUint(Op.setCode, 32)
                .storeUint(queryId, 64)
                .storeMaybeRef(action.workerCode ?? null)
                .storeMaybeRef(action.jobCode ?? null)
                .endCell();
        case 'proposeGovernance': // propose_governance query_id new_governance
            return b.storeUint(Op.proposeGovernance, 32).storeUint(queryId, 64).storeAddress(action.newGovernance).endCell();
        case 'acceptGovernance': // accept_governance query_id
            return b.storeUint(Op.acceptGovernance, 32).storeUint(queryId, 64).endCell();
        case 'pause': // pause query_id flags:uint8
            return b.storeUint(Op.pause, 32).storeUint(queryId, 64).storeUint(action.flags, 8).endCell();
        case 'unpause': // unpause query_id flags:uint8
            return b.storeUint(Op.unpause, 32).storeUint(queryId, 64).storeUint(action.flags, 8).endCell();
        case 'withdrawTreasury': // withdraw_treasury query_id amount to
            return b
                .storeUint(Op.withdrawTreasury, 32)
                .storeUint(queryId, 64)
                .storeCoins(action.amount)
                .storeAddress(action.to)
                .endCell();
        case 'slashWorker': // slash_worker query_id owner index amount bps reason
            return b
                .storeUint(Op.slashWorker, 32)
                .storeUint(queryId, 64)
                .storeAddress(action.owner)
                .storeUint(action.index, 32)
                .storeCoins(action.amount)
                .storeUint(action.bps, 16)
                .store(storeBytes32(action.reason, 'reason'))
                .endCell();
    }
}

/** Reads a governance body back into a typed action (voters read proposals through this). */
export function parseRootGovernanceBody(body: Cell): RootGovernanceAction {
    const s = body.beginParse();
    const op = s.loadUint(32);
    s.loadUintBig(64); // query_id
    let action: RootGovernanceAction;
    switch (op) {
        case Op.addImage: {
            const imageHash = loadBytes32(s);
            const supersedes = loadBytes32(s);
            const grace = s.loadUint(32);
            const label = readText(s.loadRef());
            // An all-zero supersedes field means "supersedes nothing".
            action = supersedes.equals(NO_HASH) ? { kind: 'addImage', imageHash, label, grace } : { kind: 'addImage', imageHash, label, supersedes, grace };
            break;
        }
        case Op.retireImage:
            action = { kind: 'retireImage', imageHash: loadBytes32(s) };
            break;
        case Op.addModel: {
            const modelHash = loadBytes32(s);
            action = { kind: 'addModel', modelHash, name: readText(s.loadRef()) };
            break;
        }
        case Op.removeModel:
            action = { kind: 'removeModel', modelHash: loadBytes32(s) };
            break;
        case Op.setParams:
            action = { kind: 'setParams', params: loadParams(s.loadRef().beginParse()) };
            break;
        case Op.setCode: {
            const workerCode = s.loadMaybeRef() ?? undefined;
            const jobCode = s.loadMaybeRef() ?? undefined;
            action = { kind: 'setCode', workerCode, jobCode };
            break;
        }
        case Op.proposeGovernance:
            action = { kind: 'proposeGovernance', newGovernance: s.loadMaybeAddress() };
            break;
        case Op.acceptGovernance:
            action = { kind: 'acceptGovernance' };
            break;
        case Op.pause:
            action = { kind: 'pause', flags: s.loadUint(8) };
            break;
        case Op.unpause:
            action = { kind: 'unpause', flags: s.loadUint(8) };
            break;
        case Op.withdrawTreasury: {
            const amount = s.loadCoins();
            action = { kind: 'withdrawTreasury', amount, to: s.loadAddress() };
            break;
        }
        case Op.slashWorker: {
            const owner = s.loadAddress();
            const index = s.loadUint(32);
            const amount = s.loadCoins();
            const bps = s.loadUint(16);
            action = { kind: 'slashWorker', owner, index, amount, bps, reason: loadBytes32(s) };
            break;
        }
        default:
            throw new Error(`not a root governance op: 0x${op.toString(16)}`);
    }
    s.endParse();
    return action;
}

/** What a worker registers with (protocol.tlb register_worker / update_worker). */
export interface WorkerRegistration {
    index: number;
    /** Ed25519 public key that signs the worker's receipts. */
    receiptKey: Bytes32;
    /** X25519 public key requests are sealed to. */
    encryptionKey: Bytes32;
    /** Job earnings are forwarded to the owner once they reach this many nanoton (0: after every payout). */
    payoutThreshold: bigint;
    attestation: Attestation;
    prices: Prices;
    endpoint: string;
}

// register_worker / update_worker  query_id index receipt_key enc_key payout_threshold:Coins
//                                  attestation:^Attestation prices:^Prices endpoint:^Text
export function workerRegistrationBody(r: WorkerRegistration, update = false, queryId: bigint = 0n): Cell {
    return beginCell()
        .storeUint(update ? Op.updateWorker : Op.registerWorker, 32)
        .storeUint(queryId, 64)
        .storeUint(r.index, 32)
        .store(storeBytes32(r.receiptKey, 'receiptKey'))
        .store(storeBytes32(r.encryptionKey, 'encryptionKey'))
        .storeCoins(r.payoutThreshold)
        .storeRef(attestationCell(r.attestation))
        .storeRef(pricesCell(r.prices))
        .storeRef(textCell(r.endpoint))
        .endCell();
}

/** What an operator wallet re-attests a worker account with (protocol.tlb operator_update): keys and attestation only. */
export interface OperatorUpdate {
    /** The worker account's owner and index: the account is workerAddress(root, owner, index). */
    owner: Address;
    index: number;
    receiptKey: Bytes32;
    encryptionKey: Bytes32;
    attestation: Attestation;
}

// operator_update#3b6f174e query_id:uint64 owner:MsgAddressInt index:uint32 receipt_key:uint256 enc_key:uint256
//                  attestation:^Attestation = RootMsg;
export function operatorUpdateBody(u: OperatorUpdate, queryId: bigint = 0n): Cell {
    return beginCell()
        .storeUint(Op.operatorUpdate, 32)
        .storeUint(queryId, 64)
        .storeAddress(u.owner)
        .storeUint(u.index, 32)
        .store(storeBytes32(u.receiptKey, 'receiptKey'))
        .store(storeBytes32(u.encryptionKey, 'encryptionKey'))
        .storeRef(attestationCell(u.attestation))
        .endCell();
}

// sync_worker query_id owner index
export function syncWorkerBody(owner: Address, index: number, queryId: bigint = 0n): Cell {
    return beginCell().storeUint(Op.syncWorker, 32).storeUint(queryId, 64).storeAddress(owner).storeUint(index, 32).endCell();
}

// fund_library query_id
export function fundLibraryBody(queryId: bigint = 0n): Cell {
    return beginCell().storeUint(Op.fundLibrary, 32).storeUint(queryId, 64).endCell();
}

/** How the job-code library's masterchain rent is paid by the protocol (docs/protocol.md §9.8). */
export interface LibraryFunding {
    /** The librarian that publishes the job code (masterchain), or null when the root holds inline job code. */
    librarian: Address | null;
    /** Until when the protocol has paid the library's rent (unix seconds). */
    paidUntil: number;
    /** The rent of one year at current masterchain prices, for the job code's size bound, nanoton. */
    yearlyRent: bigint;
    /** Jobs open only while paidUntil is at least this many seconds ahead. */
    minRunway: number;
    /** fund_library tops the rent up to this many seconds ahead. */
    targetRunway: number;
}

// treasury_deposit query_id
export function treasuryDepositBody(queryId: bigint = 0n): Cell {
    return beginCell().storeUint(Op.treasuryDeposit, 32).storeUint(queryId, 64).endCell();
}

export interface Treasury {
    /** What governance can withdraw now: balance above the storage reserve. */
    withdrawable: bigint;
    /** Every fee and slash the root has received since deployment. */
    collected: bigint;
}

export class Root implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: { code: Cell; data: Cell },
    ) {}

    static createFromAddress(address: Address) {
        return new Root(address);
    }

    static createFromConfig(config: RootConfig, code: Cell, workchain = 0) {
        const data = rootConfigToCell(config);
        const init = { code, data };
        return new Root(contractAddress(workchain, init), init);
    }

    async sendDeploy(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: beginCell().endCell() });
    }

    async sendGovernance(provider: ContractProvider, via: Sender, action: RootGovernanceAction, value: bigint, queryId = 0n) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: rootGovernanceBody(action, queryId) });
    }

    /** Registers (or, with update = true, re-attests) a worker; `value` carries the stake plus fees. */
    async sendRegisterWorker(provider: ContractProvider, via: Sender, r: WorkerRegistration, value: bigint, update = false) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: workerRegistrationBody(r, update) });
    }

    /** An operator wallet's re-attestation of (owner, index); `value` must cover getOperatorUpdateFee (the rest comes back). */
    async sendOperatorUpdate(provider: ContractProvider, via: Sender, u: OperatorUpdate, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: operatorUpdateBody(u) });
    }

    async sendSyncWorker(provider: ContractProvider, via: Sender, owner: Address, index: number, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: syncWorkerBody(owner, index) });
    }

    /**
     * Opens a job: the root deploys it at jobAddress({root, client: sender, worker, jobId}) with the current job code;
     * the job then asks the worker account. `value` is the deposit plus the root's gas and the job's reserve.
     */
    async sendOpenJob(provider: ContractProvider, via: Sender, value: bigint, request: OpenJobRequest) {
        await provider.internal(via, { value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body: openJobBody(request) });
    }

    /** Anyone: pays the job-code library's rent from the treasury, up to the target runway. */
    async sendFundLibrary(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: fundLibraryBody() });
    }

    async sendTreasuryDeposit(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: treasuryDepositBody() });
    }

    async sendRaw(provider: ContractProvider, via: Sender, body: Cell, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    async getParams(provider: ContractProvider): Promise<RootParams> {
        const r = await provider.get('get_params', []);
        return loadParams(r.stack.readCell().beginParse());
    }

    async getIsImageAllowed(provider: ContractProvider, imageHash: Uint8Array): Promise<boolean> {
        const t = new TupleBuilder();
        t.writeNumber(bufferToUint256(imageHash));
        return (await provider.get('is_image_allowed', t.build())).stack.readBoolean();
    }

    async getIsModelAllowed(provider: ContractProvider, modelHash: Uint8Array): Promise<boolean> {
        const t = new TupleBuilder();
        t.writeNumber(bufferToUint256(modelHash));
        return (await provider.get('is_model_allowed', t.build())).stack.readBoolean();
    }

    async getImages(provider: ContractProvider): Promise<Bytes32Map<ImageEntry>> {
        const c = (await provider.get('get_images', [])).stack.readCellOpt();
        const d = Dictionary.loadDirect(Dictionary.Keys.Buffer(32), ImageEntryValue, c);
        return new Bytes32Map(d.keys().map((k) => [k, d.get(k)!] as const));
    }

    async getModels(provider: ContractProvider): Promise<Bytes32Map<ModelEntry>> {
        const c = (await provider.get('get_models', [])).stack.readCellOpt();
        const d = Dictionary.loadDirect(Dictionary.Keys.Buffer(32), ModelEntryValue, c);
        return new Bytes32Map(d.keys().map((k) => [k, d.get(k)!] as const));
    }

    async getWorkerAddress(provider: ContractProvider, owner: Address, index: number): Promise<Address> {
        const t = new TupleBuilder();
        t.writeAddress(owner);
        t.writeNumber(index);
        return (await provider.get('get_worker_address', t.build())).stack.readAddress();
    }

    /** The governance, the pending handover offer (null if none) and when that offer expires (0 if none). */
    async getGovernance(provider: ContractProvider): Promise<{ governance: Address; pending: Address | null; expiresAt: number }> {
        const s = (await provider.get('get_governance', [])).stack;
        return { governance: s.readAddress(), pending: s.readAddressOpt(), expiresAt: s.readNumber() };
    }

    /** PauseFlags set by governance (or the guardian's emergency path); job-open paths read it before opening. */
    async getPaused(provider: ContractProvider): Promise<number> {
        return (await provider.get('get_paused', [])).stack.readNumber();
    }

    async getTreasury(provider: ContractProvider): Promise<Treasury> {
        const s = (await provider.get('get_treasury', [])).stack;
        return { withdrawable: s.readBigNumber(), collected: s.readBigNumber() };
    }

    /** Fees at current prices: registration (on top of the minimum stake), attestation update, parameter sync. */
    async getFees(provider: ContractProvider): Promise<{ register: bigint; update: bigint; sync: bigint }> {
        const s = (await provider.get('get_fees', [])).stack;
        return { register: s.readBigNumber(), update: s.readBigNumber(), sync: s.readBigNumber() };
    }

    /** What an operator's attestation update must carry at current prices (what is left comes back with the comment "cocoon: attestation change"). */
    async getOperatorUpdateFee(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_operator_update_fee', [])).stack.readBigNumber();
    }

    async getLibraryFunding(provider: ContractProvider): Promise<LibraryFunding> {
        const s = (await provider.get('get_library_funding', [])).stack;
        return {
            librarian: s.readAddressOpt(),
            paidUntil: s.readNumber(),
            yearlyRent: s.readBigNumber(),
            minRunway: s.readNumber(),
            targetRunway: s.readNumber(),
        };
    }

    async getChildCodes(provider: ContractProvider): Promise<{ workerCode: Cell; jobCode: Cell }> {
        const s = (await provider.get('get_child_codes', [])).stack;
        return { workerCode: s.readCell(), jobCode: s.readCell() };
    }

    async getBalance(provider: ContractProvider): Promise<bigint> {
        return (await provider.getState()).balance;
    }
}
