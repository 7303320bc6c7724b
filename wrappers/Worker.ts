/**
 * Worker account: address derivation, owner/anyone message bodies and a sandbox/Blueprint wrapper.
 * Job-side bodies (job_offer, job_payout) live with the job codec (wrappers/Job.ts); evidence bodies with
 * the signed payloads (wrappers/payloads.ts).
 */
import { Address, beginCell, Cell, Contract, ContractProvider, Dictionary, Sender, SendMode, StateInit } from '@ton/core';
import { Op, WorkerStatus } from './Constants';
import { bufferToUint256, Bytes32, Bytes32Map, commentBody, loadPrices, Prices, pricesCell, readBytes32, readText, textCell } from './common';
import { loadParams, RootParams } from './Root';
import { childAddress, childStateInit } from './stub';

// worker_init$_ root:MsgAddressInt owner:MsgAddressInt index:uint32 = WorkerInitData;
export function workerInitData(root: Address, owner: Address, index: number): Cell {
    return beginCell().storeAddress(root).storeAddress(owner).storeUint(index, 32).endCell();
}

/** The state init the root deploys a worker account with: the fixed stub and the identity (./stub). */
export function workerStateInit(root: Address, owner: Address, index: number): StateInit {
    return childStateInit(workerInitData(root, owner, index));
}

/**
 * Where the root deploys the worker account of (owner, index): stable across key rotations and across
 * worker-code changes (the address hashes the fixed stub, not the code the account runs).
 */
export function workerAddress(root: Address, owner: Address, index: number): Address {
    return childAddress(workerInitData(root, owner, index));
}

/** Owner commands that also work as a plain wallet's text comment. */
export const WorkerComments = {
    unbond: 'unbond',
    cancelUnbond: 'cancel unbond',
    withdraw: 'withdraw',
    /** Forward the job earnings held for the owner now. */
    collect: 'collect',
} as const;

// set_payout_threshold#393884c1 query_id:uint64 payout_threshold:Coins = WorkerMsg;
export function setPayoutThresholdBody(threshold: bigint, queryId = 0n): Cell {
    return beginCell().storeUint(Op.setPayoutThreshold, 32).storeUint(queryId, 64).storeCoins(threshold).endCell();
}

// set_prices#075f1078 query_id:uint64 prices:^Prices endpoint:(Maybe ^Text) = WorkerMsg;
export function setPricesBody(prices: Prices, endpoint?: string, queryId = 0n): Cell {
    return beginCell()
        .storeUint(Op.setPrices, 32)
        .storeUint(queryId, 64)
        .storeRef(pricesCell(prices))
        .storeMaybeRef(endpoint === undefined ? null : textCell(endpoint))
        .endCell();
}

// set_operator#2bbcdde0 query_id:uint64 operator:MsgAddress = WorkerMsg;  null revokes (addr_none).
export function setOperatorBody(operator: Address | null, queryId = 0n): Cell {
    return beginCell().storeUint(Op.setOperator, 32).storeUint(queryId, 64).storeAddress(operator).endCell();
}

/** request_unbond / cancel_unbond / withdraw_stake / add_stake: op + query_id only. */
export function workerOpBody(op: number, queryId = 0n): Cell {
    return beginCell().storeUint(op, 32).storeUint(queryId, 64).endCell();
}

export interface WorkerState {
    root: Address;
    owner: Address;
    index: number;
    /** 0 = never registered. */
    status: WorkerStatus | 0;
    stake: bigint;
    /** 0 = no unbonding requested; otherwise the earliest withdrawal time. */
    unbondAt: number;
}

export interface WorkerKeys {
    receiptKey: Bytes32;
    encryptionKey: Bytes32;
    /**
     * Receipt keys rotated out, each with the time it was retired. Each stays slashable (evidence signed by it is
     * accepted) until retiredAt + the unbonding period; expired ones are pruned at the next rotation.
     */
    retiredKeys: Bytes32Map<number>;
    /** The most recently retired receipt key (32 zero bytes if never rotated) and when it was retired. */
    previousReceiptKey: Bytes32;
    rotatedAt: number;
}

// worker_keys$_ receipt_key:uint256 enc_key:uint256 retired:(HashmapE 256 uint32) operator:MsgAddress = WorkerKeys;
/** Reads the retired-keys dictionary of WorkerKeys (key -> retired_at). */
export function loadRetiredKeys(dict: Cell | null): Bytes32Map<number> {
    const d = Dictionary.loadDirect(Dictionary.Keys.Buffer(32), Dictionary.Values.Uint(32), dict);
    return new Bytes32Map(d.keys().map((k) => [k, d.get(k)!] as const));
}

export interface WorkerProfile {
    imageHash: Bytes32;
    modelHash: Bytes32;
    quoteHash: Bytes32;
    prices: Prices;
    endpoint: string;
}

export interface Reputation {
    registeredAt: number;
    jobs: number;
    /** Net nanoton paid to the owner through jobs. */
    volume: bigint;
    tokens: bigint;
    slashes: number;
    slashed: bigint;
}

export class Worker implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: StateInit,
    ) {}

    static createFromAddress(address: Address) {
        return new Worker(address);
    }

    /** The worker account of (owner, index) under `root` (deployed by the root, never by the caller). */
    static createFor(root: Address, owner: Address, index: number) {
        return new Worker(workerAddress(root, owner, index));
    }

    async sendAddStake(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: workerOpBody(Op.addStake) });
    }

    async sendSetPrices(provider: ContractProvider, via: Sender, prices: Prices, endpoint: string | undefined, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: setPricesBody(prices, endpoint) });
    }

    async sendSetPayoutThreshold(provider: ContractProvider, via: Sender, threshold: bigint, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: setPayoutThresholdBody(threshold) });
    }

    async sendCollectEarnings(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: workerOpBody(Op.collectEarnings) });
    }

    /** Owner: authorise the operator wallet that may re-attest this account (Root.sendOperatorUpdate), or null to revoke. */
    async sendSetOperator(provider: ContractProvider, via: Sender, operator: Address | null, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: setOperatorBody(operator) });
    }

    async sendRequestUnbond(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: workerOpBody(Op.requestUnbond) });
    }

    async sendCancelUnbond(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: workerOpBody(Op.cancelUnbond) });
    }

    async sendWithdraw(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: workerOpBody(Op.withdrawStake) });
    }

    /** What a plain wallet does: a transfer with a text comment. */
    async sendComment(provider: ContractProvider, via: Sender, text: string, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: commentBody(text) });
    }

    async sendRaw(provider: ContractProvider, via: Sender, body: Cell | undefined, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    async getState(provider: ContractProvider): Promise<WorkerState> {
        const s = (await provider.get('get_worker_state', [])).stack;
        return {
            root: s.readAddress(),
            owner: s.readAddress(),
            index: s.readNumber(),
            status: s.readNumber() as WorkerStatus | 0,
            stake: s.readBigNumber(),
            unbondAt: s.readNumber(),
        };
    }

    /** Job earnings held for the owner (forwarded at the threshold, or with "collect") and the threshold. */
    async getEarnings(provider: ContractProvider): Promise<{ earnings: bigint; payoutThreshold: bigint }> {
        const s = (await provider.get('get_earnings', [])).stack;
        return { earnings: s.readBigNumber(), payoutThreshold: s.readBigNumber() };
    }

    async getKeys(provider: ContractProvider): Promise<WorkerKeys> {
        const s = (await provider.get('get_keys', [])).stack;
        const receiptKey = readBytes32(s);
        const encryptionKey = readBytes32(s);
        const retiredKeys = loadRetiredKeys(s.readCellOpt());
        let previousReceiptKey: Bytes32 = Buffer.alloc(32);
        let rotatedAt = 0;
        for (const [key, at] of retiredKeys) {
            if (at >= rotatedAt) [previousReceiptKey, rotatedAt] = [key, at];
        }
        return { receiptKey, encryptionKey, retiredKeys, previousReceiptKey, rotatedAt };
    }

    /** The operator wallet that may re-attest this account, or null if none. */
    async getOperator(provider: ContractProvider): Promise<Address | null> {
        return (await provider.get('get_operator', [])).stack.readAddressOpt();
    }

    async getProfile(provider: ContractProvider): Promise<WorkerProfile> {
        const s = (await provider.get('get_profile', [])).stack;
        return {
            imageHash: readBytes32(s),
            modelHash: readBytes32(s),
            quoteHash: readBytes32(s),
            prices: loadPrices(s.readCell().beginParse()),
            endpoint: readText(s.readCell()),
        };
    }

    async getReputation(provider: ContractProvider): Promise<Reputation> {
        const s = (await provider.get('get_reputation', [])).stack;
        return {
            registeredAt: s.readNumber(),
            jobs: s.readNumber(),
            volume: s.readBigNumber(),
            tokens: s.readBigNumber(),
            slashes: s.readNumber(),
            slashed: s.readBigNumber(),
        };
    }

    /** The parameter snapshot this account works with (pushed by the root at registration, update and sync). */
    async getSettings(provider: ContractProvider): Promise<{ params: RootParams }> {
        const s = (await provider.get('get_settings', [])).stack;
        return { params: loadParams(s.readCell().beginParse()) };
    }

    /** Whether this evidence id (`equivocationEvidenceId` / `wrongModelEvidenceId`) has already been punished. */
    async getIsEvidenceUsed(provider: ContractProvider, evidenceId: Uint8Array): Promise<boolean> {
        return (await provider.get('is_evidence_used', [{ type: 'int', value: bufferToUint256(evidenceId) }])).stack.readBoolean();
    }

    async getBalance(provider: ContractProvider): Promise<bigint> {
        return (await provider.getState()).balance;
    }
}
