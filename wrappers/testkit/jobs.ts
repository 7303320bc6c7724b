/**
 * Job helpers on top of the protocol test kit: open a job between a client wallet and a registered worker,
 * serve requests (worker-signed receipts, chained), and sign the client's cumulative vouchers.
 *
 *     const p = await deployProtocol({ workers: 1 });
 *     const j = await openJob(p, { value: toNano('5') }); // deposit + reserve
 *     const r = j.serve({ prompt: 1000, cached: 0, completion: 500, reasoning: 0 });
 *     await p.run(() => j.job.sendExtClaim(j.voucher()));
 *
 * Everything is built with ../payloads (the one codec) and ../Job.
 */
import { Address, Cell, Dictionary, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Prices } from '../common';
import { Job, JobIdentity } from '../Job';
import {
    chainHead,
    requestCost,
    Receipt,
    SignedReceipt,
    SignedVoucher,
    TokenCounts,
    Voucher,
    ZERO_HEAD,
} from '../payloads';
import { countersignVoucher, Ed25519KeyPair, signReceipt, signVoucher } from '../../actors/crypto';
import { deployProtocol, DEFAULT_PRICES, Protocol, ProtocolOptions, RegisteredWorker } from './index';
import { ed25519FromLabel, hashOf } from './keys';
import { LedgerEntry } from './ledger';

/** Value attached to a wallet claim, close or finalize: covers the gas; the rest flows on. */
export const CLAIM_VALUE = toNano('0.02');
export const CLOSE_VALUE = toNano('0.01');
export const FINALIZE_VALUE = toNano('0.01');

export interface OpenJobOptions {
    worker?: RegisteredWorker;
    client?: SandboxContract<TreasuryContract>;
    clientKeys?: Ed25519KeyPair;
    jobId?: bigint;
    /** Value sent with open_job (deposit + reserve). Default 5 TON. */
    value?: bigint;
    challenge?: number;
    maxPrices?: Prices;
    /** Do not throw if the worker refused (tests of refusal paths). */
    allowRefusal?: boolean;
}

export interface VoucherOptions {
    tokens?: bigint;
    head?: Buffer;
    final?: boolean;
    globalId?: number;
    job?: Address;
    /** Another life's nonce (tests of replays across lives). */
    nonce?: bigint;
    tag?: number;
    /** Sign with another key (tests of wrong keys). */
    secretKey?: Buffer;
}

/** A job opened in the sandbox, with the client's and the worker's keys, and the served receipts. */
export class OpenedJob {
    /** Receipts served so far, in order; `head` is the chain head over them. */
    readonly receipts: SignedReceipt[] = [];
    head: Buffer = ZERO_HEAD;
    cumulative = 0n;
    tokens = 0n;
    /** The life of the job (its `get_nonce`), read once the job is open; every voucher carries it. */
    nonce = 0n;

    constructor(
        readonly p: Protocol,
        readonly job: SandboxContract<Job>,
        readonly id: JobIdentity,
        readonly client: SandboxContract<TreasuryContract>,
        readonly clientKeys: Ed25519KeyPair,
        readonly worker: RegisteredWorker,
        readonly prices: Prices,
        readonly globalId: number,
        readonly opened: LedgerEntry,
        /** The challenge period the job was opened with, seconds. */
        readonly challenge: number = 600,
    ) {}

    get address(): Address {
        return this.job.address;
    }

    /** A receipt for one more request, signed by the worker's receipt key; advances the chain. */
    serve(tokens: TokenCounts, opts: { modelHash?: Buffer; secretKey?: Buffer; seqno?: number } = {}): SignedReceipt {
        const cost = requestCost(tokens, this.prices);
        const receipt: Receipt = {
            globalId: this.globalId,
            job: this.address,
            nonce: this.nonce,
            seqno: opts.seqno ?? this.receipts.length + 1,
            modelHash: opts.modelHash ?? this.p.modelHash,
            tokens,
            cost,
            cumulative: this.cumulative + cost,
            prevHead: this.head,
            requestHash: hashOf(`request ${this.receipts.length + 1}`),
            responseHash: hashOf(`response ${this.receipts.length + 1}`),
        };
        const signed = signReceipt(receipt, opts.secretKey ?? this.worker.receiptKeys.secretKey);
        this.receipts.push(signed);
        this.cumulative += cost;
        this.tokens += BigInt(tokens.prompt + tokens.completion);
        this.head = chainHead(this.head, signed.cell);
        return signed;
    }

    /** A receipt signed by this job's worker key without advancing the chain (evidence tests). */
    receipt(fields: Partial<Receipt> & { seqno: number }, secretKey?: Buffer): SignedReceipt {
        const receipt: Receipt = {
            globalId: this.globalId,
            job: this.address,
            nonce: this.nonce,
            modelHash: this.p.modelHash,
            tokens: { prompt: 100, cached: 0, completion: 50, reasoning: 0 },
            cost: 1000n,
            cumulative: 1000n,
            prevHead: ZERO_HEAD,
            requestHash: hashOf(`request ${fields.seqno}`),
            responseHash: hashOf(`response ${fields.seqno}`),
            ...fields,
        };
        return signReceipt(receipt, secretKey ?? this.worker.receiptKeys.secretKey);
    }

    /** The client's voucher for everything served so far (or for `amount`), signed by the client's key. */
    voucher(amount: bigint = this.cumulative, opts: VoucherOptions = {}): SignedVoucher {
        const v: Voucher = {
            globalId: opts.globalId ?? this.globalId,
            job: opts.job ?? this.address,
            nonce: opts.nonce ?? this.nonce,
            amount,
            tokens: opts.tokens ?? this.tokens,
            head: opts.head ?? this.head,
            final: opts.final ?? false,
        };
        return signVoucher(v, opts.secretKey ?? this.clientKeys.secretKey, { tag: opts.tag });
    }

    /** The worker's countersignature of a final voucher (its receipt key), for the cooperative close. */
    countersign(signed: SignedVoucher, secretKey?: Buffer): Buffer {
        return countersignVoucher(signed, secretKey ?? this.worker.receiptKeys.secretKey);
    }
}

/** The network global id the sandbox runs with (ConfigParam 19). */
export function sandboxGlobalId(p: Protocol): number {
    return configGlobalId(p.blockchain.config);
}

/** ConfigParam 19 of a config cell (Hashmap 32 ^Cell). */
export function configGlobalId(config: Cell): number {
    const c = Dictionary.loadDirect(Dictionary.Keys.Int(32), Dictionary.Values.Cell(), config).get(19);
    if (!c) throw new Error('ConfigParam 19 missing');
    return c.beginParse().loadInt(32);
}

let jobCounter = 0n;

/** Opens a job through the root (which deploys it); returns once the worker account answered. Throws if it refused (unless allowed). */
export async function openJob(p: Protocol, o: OpenJobOptions = {}): Promise<OpenedJob> {
    const worker = o.worker ?? p.workers[0];
    if (!worker) throw new Error('no registered worker: deployProtocol({ workers: 1 })');
    jobCounter += 1n;
    const client = o.client ?? (await p.wallet(`client ${jobCounter}`));
    const clientKeys = o.clientKeys ?? ed25519FromLabel(`voucher ${client.address.toRawString()}`);
    const id: JobIdentity = { root: p.root.address, client: client.address, worker: worker.worker.address, jobId: o.jobId ?? jobCounter };
    const job = p.blockchain.openContract(Job.createForJob(id));
    const challenge = o.challenge ?? p.params.minChallenge;
    const opened = await p.run(() =>
        p.root.sendOpenJob(client.getSender(), o.value ?? toNano('5'), {
            worker: id.worker,
            jobId: id.jobId,
            clientKey: clientKeys.publicKey,
            challenge,
            maxPrices: o.maxPrices ?? DEFAULT_PRICES,
        }),
    );
    const j = new OpenedJob(p, job, id, client, clientKeys, worker, worker.registration.prices, sandboxGlobalId(p), opened, challenge);
    if (!o.allowRefusal) {
        const state = (await p.blockchain.getContract(job.address)).accountState?.type;
        if (state !== 'active' || (await job.getState()) !== 2) throw new Error(`job ${job.address} was not accepted`);
    }
    if ((await p.blockchain.getContract(job.address)).accountState?.type === 'active') j.nonce = await job.getNonce();
    return j;
}

/** deployProtocol for job tests: one registered worker (payout threshold 0, so every payout reaches its owner). */
export async function deployForJobs(options: ProtocolOptions = {}): Promise<Protocol> {
    return deployProtocol({ workers: 1, ...options });
}
