/**
 * Job escrow (contracts/job.fc): its address, message bodies, storage codec and a sandbox/Blueprint wrapper.
 * Voucher and receipt codecs live in ./payloads (the one codec for signed payloads).
 */
import {
    Address,
    beginCell,
    Cell,
    Contract,
    ContractProvider,
    Sender,
    SendMode,
    Slice,
    StateInit,
    TupleBuilder,
} from '@ton/core';
import { JobState, Op } from './Constants';
import { Bytes32, commentBody, loadBytes32, loadPrices, Prices, pricesCell, readBytes32, storeBytes32, uint256ToBuffer } from './common';
import { claimBody, extClaimBody, settleJobBody, SignedVoucher, Voucher } from './payloads';
import { childAddress, childStateInit } from './stub';

/** Identity of a job: everything its address is derived from (with the fixed stub code, ./stub). */
export interface JobIdentity {
    root: Address;
    client: Address;
    /** The worker account (not the worker's owner wallet). */
    worker: Address;
    /** Chosen by the client; any uint64, unique per (client, worker). */
    jobId: bigint;
}

// job_init$_ root:MsgAddressInt client:MsgAddressInt worker:MsgAddressInt job_id:uint64 = JobInitData;  (no refs)
export function jobInitData(id: JobIdentity): Cell {
    return beginCell().storeAddress(id.root).storeAddress(id.client).storeAddress(id.worker).storeUint(id.jobId, 64).endCell();
}

/** The state init the root deploys a job with: the fixed stub and the identity. */
export function jobStateInit(id: JobIdentity): StateInit {
    return childStateInit(jobInitData(id));
}

/**
 * The job's address, as contracts/addresses.fc job_account_id() computes it on-chain (basechain). It does not
 * depend on the job code: the root installs its current job code when it deploys the job, so every job of
 * every code generation sits at this address and its worker account recognises it.
 */
export function jobAddress(id: JobIdentity): Address {
    return childAddress(jobInitData(id));
}

/** What the client states when it opens a job. */
export interface OpenJobParams {
    /** Ed25519 public key (32 bytes) that signs the client's vouchers. */
    clientKey: Buffer;
    /** Challenge period in seconds (within the root's bounds, checked by the worker account). */
    challenge: number;
    /** Highest prices the client accepts, nanoton per million tokens. */
    maxPrices: Prices;
    queryId?: bigint;
}

/** What the client sends the root to open a job: the terms, and which worker account and job id. */
export interface OpenJobRequest extends OpenJobParams {
    /** The worker account (workerAddress(root, owner, index)), a basechain address. */
    worker: Address;
    /** Chosen by the client; any uint64, unique per (client, worker) among its live jobs. */
    jobId: bigint;
}

// open_job#56c977ec query_id:uint64 worker:MsgAddressInt job_id:uint64 client_key:uint256 challenge:uint32 max_prices:^Prices = RootMsg;
/** The body a client sends to the root; the root deploys the job at jobAddress({root, client: sender, worker, jobId}). */
export function openJobBody(r: OpenJobRequest): Cell {
    if (r.clientKey.length !== 32) throw new RangeError('clientKey must be 32 bytes');
    return beginCell()
        .storeUint(Op.openJob, 32)
        .storeUint(r.queryId ?? 0n, 64)
        .storeAddress(r.worker)
        .storeUint(r.jobId, 64)
        .storeBuffer(r.clientKey)
        .storeUint(r.challenge, 32)
        .storeRef(pricesCell(r.maxPrices))
        .endCell();
}

// init_job#3d5c02ff query_id:uint64 client_key:uint256 challenge:uint32 max_prices:^Prices = JobMsg;
/** What the root's install message carries to a new job (built by the root on-chain; here for tests). */
export function initJobBody(p: OpenJobParams): Cell {
    if (p.clientKey.length !== 32) throw new RangeError('clientKey must be 32 bytes');
    return beginCell()
        .storeUint(Op.initJob, 32)
        .storeUint(p.queryId ?? 0n, 64)
        .storeBuffer(p.clientKey)
        .storeUint(p.challenge, 32)
        .storeRef(pricesCell(p.maxPrices))
        .endCell();
}

// top_up#74ae1a26 query_id:uint64 = JobMsg;   close_job#409a4fc0 query_id:uint64 = JobMsg;   finalize_job#4da992b6 query_id:uint64 = JobMsg;
export function topUpBody(queryId: bigint = 0n): Cell {
    return beginCell().storeUint(Op.topUp, 32).storeUint(queryId, 64).endCell();
}
export function closeJobBody(queryId: bigint = 0n): Cell {
    return beginCell().storeUint(Op.closeJob, 32).storeUint(queryId, 64).endCell();
}
export function finalizeJobBody(queryId: bigint = 0n): Cell {
    return beginCell().storeUint(Op.finalizeJob, 32).storeUint(queryId, 64).endCell();
}

/** The worker account's answers (built here for tests that stand in for a worker account). */
export interface JobAcceptance {
    receiptKey: Bytes32;
    paramsVersion: number;
    feeBps: number;
    /** The worker owner's payout threshold: the job pays the held earnings out once they reach it. */
    payoutThreshold: bigint;
    prices: Prices;
}

// job_accepted#53da1db3 query_id:uint64 receipt_key:uint256 params_version:uint32 fee_bps:uint16
//                payout_threshold:Coins prices:^Prices = JobMsg;
export function jobAcceptedBody(a: JobAcceptance, queryId: bigint = 0n): Cell {
    return beginCell()
        .storeUint(Op.jobAccepted, 32)
        .storeUint(queryId, 64)
        .store(storeBytes32(a.receiptKey, 'receiptKey'))
        .storeUint(a.paramsVersion, 32)
        .storeUint(a.feeBps, 16)
        .storeCoins(a.payoutThreshold)
        .storeRef(pricesCell(a.prices))
        .endCell();
}

// job_refused#427370f6 query_id:uint64 reason:uint32 = JobMsg;
export function jobRefusedBody(reason: number, queryId: bigint = 0n): Cell {
    return beginCell().storeUint(Op.jobRefused, 32).storeUint(queryId, 64).storeUint(reason, 32).endCell();
}

/** job_offer as the job sends it to the worker account. */
export interface JobOffer {
    queryId: bigint;
    client: Address;
    jobId: bigint;
    challenge: number;
    maxPrices: Prices;
}

// job_offer#0ca48230 query_id:uint64 client:MsgAddressInt job_id:uint64 challenge:uint32 max_prices:^Prices = WorkerMsg;
export function jobOfferBody(o: JobOffer): Cell {
    return beginCell()
        .storeUint(Op.jobOffer, 32)
        .storeUint(o.queryId, 64)
        .storeAddress(o.client)
        .storeUint(o.jobId, 64)
        .storeUint(o.challenge, 32)
        .storeRef(pricesCell(o.maxPrices))
        .endCell();
}

export function parseJobOfferBody(c: Cell): JobOffer {
    const s = c.beginParse();
    if (s.loadUint(32) !== Op.jobOffer) throw new Error('not a job_offer');
    return { queryId: s.loadUintBig(64), client: s.loadAddress(), jobId: s.loadUintBig(64), challenge: s.loadUint(32), maxPrices: loadPrices(s.loadRef().beginParse()) };
}

/** job_payout as the job sends it to the worker account: a batch of the worker's held earnings. */
export interface JobPayout {
    /** The held earnings paid out (the message's value, before its forwarding fee). */
    amount: bigint;
    /** The job's nonce (its life), so a bounce that comes back to a later life is told apart. */
    nonce: bigint;
}

// job_payout#1e6f757c amount:Coins nonce:uint64 = WorkerMsg;
export function jobPayoutBody(p: JobPayout): Cell {
    return beginCell().storeUint(Op.jobPayout, 32).storeCoins(p.amount).storeUint(p.nonce, 64).endCell();
}

export function parseJobPayoutBody(c: Cell): JobPayout {
    const s = c.beginParse();
    if (s.loadUint(32) !== Op.jobPayout) throw new Error('not a job_payout');
    return { amount: s.loadCoins(), nonce: s.loadUintBig(64) };
}

// pay_worker#_ query_id:uint64 = JobMsg;
export function payWorkerBody(queryId: bigint = 0n): Cell {
    return beginCell().storeUint(Op.payWorker, 32).storeUint(queryId, 64).endCell();
}

/** job_report as a settling job sends it to the worker account: the job's totals, for its reputation. */
export interface JobReport {
    paid: bigint;
    fees: bigint;
    tokens: bigint;
    client: Address;
    jobId: bigint;
}

// job_report#2dda3500 paid:Coins fees:Coins tokens:uint64 client:MsgAddressInt job_id:uint64 = WorkerMsg;
export function jobReportBody(r: JobReport): Cell {
    return beginCell()
        .storeUint(Op.jobReport, 32)
        .storeCoins(r.paid)
        .storeCoins(r.fees)
        .storeUint(r.tokens, 64)
        .storeAddress(r.client)
        .storeUint(r.jobId, 64)
        .endCell();
}

export function parseJobReportBody(c: Cell): JobReport {
    const s = c.beginParse();
    if (s.loadUint(32) !== Op.jobReport) throw new Error('not a job_report');
    return { paid: s.loadCoins(), fees: s.loadCoins(), tokens: s.loadUintBig(64), client: s.loadAddress(), jobId: s.loadUintBig(64) };
}

/** protocol.tlb JobTerms. */
export interface JobTerms {
    /** The client's Ed25519 voucher key. */
    clientKey: Bytes32;
    /** The life of the job: every voucher must carry it (the logical time of open_job). */
    nonce: bigint;
    root: Address;
    client: Address;
    jobId: bigint;
    challenge: number;
    feeBps: number;
    maxPrices: Prices;
    acceptance: { receiptKey: Bytes32; paramsVersion: number; workerPrices: Prices } | null;
}

/** protocol.tlb JobStorage (after open_job). */
export interface JobStorage {
    state: JobState;
    deposit: bigint;
    paid: bigint;
    /** The worker's net earnings held for a batched payout. */
    held: bigint;
    tokens: bigint;
    head: Buffer;
    worker: Address;
    deadline: number;
    /** The worker owner's payout threshold (0 until accepted). */
    threshold: bigint;
    terms: JobTerms;
}

// job_terms$_ client_key:uint256 voucher:VoucherPrefix fee_bps:uint16 challenge:uint32 client:MsgAddressInt
//             init:^JobInitData max_prices:^Prices acceptance:(Maybe ^JobAcceptance) = JobTerms;
// voucher_prefix$_ tag:uint32 global_id:int32 job:MsgAddressInt nonce:uint64 = VoucherPrefix;
function loadTerms(s: Slice): JobTerms {
    const clientKey = loadBytes32(s);
    s.loadUint(32); // tag
    s.loadInt(32); // global id
    s.loadAddress(); // the job
    const nonce = s.loadUintBig(64);
    const feeBps = s.loadUint(16);
    const challenge = s.loadUint(32);
    const client = s.loadAddress();
    const init = s.loadRef().beginParse();
    const root = init.loadAddress();
    init.loadAddress();
    init.loadAddress();
    const jobId = init.loadUintBig(64);
    const maxPrices = loadPrices(s.loadRef().beginParse());
    const acc = s.loadMaybeRef();
    let acceptance: JobTerms['acceptance'] = null;
    if (acc) {
        const a = acc.beginParse();
        acceptance = { receiptKey: loadBytes32(a), paramsVersion: a.loadUint(32), workerPrices: loadPrices(a.loadRef().beginParse()) };
    }
    return { clientKey, nonce, root, client, jobId, challenge, feeBps, maxPrices, acceptance };
}

/** Parses the job's data cell; null while it is still the init data (before open_job). */
export function parseJobStorage(data: Cell): JobStorage | null {
    if (data.refs.length === 0) return null;
    const s = data.beginParse();
    return {
        state: s.loadUint(3) as JobState,
        deposit: s.loadCoins(),
        paid: s.loadCoins(),
        held: s.loadCoins(),
        tokens: s.loadUintBig(64),
        head: s.loadBuffer(32),
        threshold: s.loadCoins(),
        deadline: s.loadUint(32),
        worker: s.loadAddress(),
        terms: loadTerms(s.loadRef().beginParse()),
    };
}

/** fees(P) = P * fee_bps / 10000, rounded down: what the treasury is owed once P has been paid. */
export function feesOf(paid: bigint, feeBps: number): bigint {
    return (paid * BigInt(feeBps)) / 10_000n;
}

/**
 * Seconds after open_job from which the client may cancel a job the worker account has not answered (state
 * pending): contracts/job.fc `job::answer_timeout`.
 */
export const JOB_ANSWER_TIMEOUT = 3600;

/**
 * The tokens a settling job reports to the worker account: the voucher's count, but never more than `paid`
 * buys at the cheapest of the agreed prices (nanoton per million tokens; a zero price counts as 1), so a client
 * cannot inflate a worker's reputation, or push its counter to the top, for free. contracts/job.fc `reportable_tokens`.
 */
export function reportableTokens(paid: bigint, tokens: bigint, prices: Prices): bigint {
    let cheapest = prices.prompt;
    for (const v of [prices.cached, prices.completion, prices.reasoning]) if (v < cheapest) cheapest = v;
    if (cheapest < 1n) cheapest = 1n;
    const cap = (paid * 1_000_000n) / cheapest;
    return tokens < cap ? tokens : cap;
}

/** What one claim moves from `paid` to `newPaid`: gross, the protocol fee, and the worker's net. */
export function claimSplit(paid: bigint, newPaid: bigint, feeBps: number): { gross: bigint; fee: bigint; net: bigint } {
    const gross = newPaid - paid;
    const fee = feesOf(newPaid, feeBps) - feesOf(paid, feeBps);
    return { gross, fee, net: gross - fee };
}

export interface JobData {
    state: number; // 0 before open_job
    deposit: bigint;
    paid: bigint;
    remaining: bigint;
    feesOwed: bigint;
    tokens: bigint;
    head: Buffer;
    deadline: number;
    worker: Address;
    /** The worker's net earnings held for a batched payout. */
    held: bigint;
    /** The life of the job (what vouchers carry). */
    nonce: bigint;
    /** The worker owner's payout threshold. */
    threshold: bigint;
}


export class Job implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: StateInit,
    ) {}

    static createFromAddress(address: Address): Job {
        return new Job(address);
    }

    /** The job of `id`. The root deploys it (Root.sendOpenJob); nobody else can give it code. */
    static createForJob(id: JobIdentity): Job {
        return new Job(jobAddress(id));
    }

    /** Internal claim from any wallet; what is left of `value` after the gas joins the worker's earnings. */
    async sendClaim(provider: ContractProvider, via: Sender, value: bigint, signed: { voucher: Voucher; signature: Buffer }): Promise<void> {
        await provider.internal(via, { value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body: claimBody(signed) });
    }

    /** External claim: no wallet needed; the worker's share pays the gas and the import fee. */
    async sendExtClaim(provider: ContractProvider, signed: { voucher: Voucher; signature: Buffer }): Promise<void> {
        await provider.external(extClaimBody(signed));
    }

    /** Cooperative close by anyone: a final voucher with the worker's countersignature settles at once. */
    async sendSettle(provider: ContractProvider, via: Sender, value: bigint, signed: SignedVoucher, cosignature: Buffer, queryId = 0n): Promise<void> {
        await provider.internal(via, { value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body: settleJobBody(signed, cosignature, queryId) });
    }

    /** Anyone (the worker's owner, typically): pay the held earnings to the worker account now; `value` pays for it. */
    async sendPayWorker(provider: ContractProvider, via: Sender, value: bigint, queryId = 0n): Promise<void> {
        await provider.internal(via, { value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body: payWorkerBody(queryId) });
    }

    /** Top-up by anyone (op top_up; a plain transfer works too). */
    async sendTopUp(provider: ContractProvider, via: Sender, value: bigint, queryId = 0n): Promise<void> {
        await provider.internal(via, { value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body: topUpBody(queryId) });
    }

    /** Client: start the challenge period (op close_job, or the comment "close" when `asText`). */
    async sendClose(provider: ContractProvider, via: Sender, value: bigint, opts: { asText?: boolean; queryId?: bigint } = {}): Promise<void> {
        const body = opts.asText ? commentBody('close') : closeJobBody(opts.queryId);
        await provider.internal(via, { value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    /** Anyone, after the deadline (op finalize_job, or the comment "finalize"). */
    async sendFinalize(provider: ContractProvider, via: Sender, value: bigint, opts: { asText?: boolean; queryId?: bigint } = {}): Promise<void> {
        const body = opts.asText ? commentBody('finalize') : finalizeJobBody(opts.queryId);
        await provider.internal(via, { value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    async getState(provider: ContractProvider): Promise<number> {
        return Number((await provider.get('get_state', [])).stack.readBigNumber());
    }

    async getJobData(provider: ContractProvider): Promise<JobData> {
        const s = (await provider.get('get_job_data', [])).stack;
        return {
            state: s.readNumber(),
            deposit: s.readBigNumber(),
            paid: s.readBigNumber(),
            remaining: s.readBigNumber(),
            feesOwed: s.readBigNumber(),
            tokens: s.readBigNumber(),
            head: uint256ToBuffer(s.readBigNumber()),
            deadline: s.readNumber(),
            worker: s.readAddress(),
            held: s.readBigNumber(),
            nonce: s.readBigNumber(),
            threshold: s.readBigNumber(),
        };
    }

    async getTerms(provider: ContractProvider): Promise<JobTerms> {
        const s = (await provider.get('get_job_terms', [])).stack;
        const clientKey = readBytes32(s);
        const root = s.readAddress();
        const client = s.readAddress();
        const jobId = s.readBigNumber();
        const challenge = s.readNumber();
        const feeBps = s.readNumber();
        const maxPrices = loadPrices(s.readCell().beginParse());
        const acc = s.readCellOpt();
        let acceptance: JobTerms['acceptance'] = null;
        if (acc) {
            const a = acc.beginParse();
            acceptance = { receiptKey: loadBytes32(a), paramsVersion: a.loadUint(32), workerPrices: loadPrices(a.loadRef().beginParse()) };
        }
        return { clientKey, nonce: await this.getNonce(provider), root, client, jobId, challenge, feeBps, maxPrices, acceptance };
    }

    /** The nonce every voucher of this life of the job carries. */
    async getNonce(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_nonce', [])).stack.readBigNumber();
    }

    async getDeposit(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_deposit', [])).stack.readBigNumber();
    }

    async getPaid(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_paid', [])).stack.readBigNumber();
    }

    async getRemaining(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_remaining', [])).stack.readBigNumber();
    }

    /** The client's maximum prices and, once accepted, the worker's prices. */
    async getPrices(provider: ContractProvider): Promise<{ maxPrices: Prices; workerPrices: Prices | null }> {
        const s = (await provider.get('get_prices', [])).stack;
        const maxPrices = loadPrices(s.readCell().beginParse());
        const w = s.readCellOpt();
        return { maxPrices, workerPrices: w ? loadPrices(w.beginParse()) : null };
    }

    /** The client's voucher key and the worker's receipt key (32 zero bytes before acceptance). */
    async getKeys(provider: ContractProvider): Promise<{ clientKey: Bytes32; receiptKey: Bytes32 }> {
        const s = (await provider.get('get_keys', [])).stack;
        return { clientKey: readBytes32(s), receiptKey: readBytes32(s) };
    }

    /** The worker's net earnings this job holds, not yet paid out to the worker account. */
    async getWorkerOwed(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_worker_owed', [])).stack.readBigNumber();
    }

    async getChallengeDeadline(provider: ContractProvider): Promise<number> {
        return (await provider.get('get_challenge_deadline', [])).stack.readNumber();
    }

    /** What open_job keeps out of the deposit at the current config (a job must exist to ask it). */
    async getReserve(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_reserve', new TupleBuilder().build())).stack.readBigNumber();
    }
}
