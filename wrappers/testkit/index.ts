/**
 * cocoon-ton test kit: the whole protocol in @ton/sandbox in one call.
 *
 *     const p = await deployProtocol({ workers: 2 });
 *     const entry = await p.ledger.run(() => p.workers[0].worker.sendRequestUnbond(p.workers[0].owner.getSender(), toNano('0.05')));
 *
 * Every handle is typed; every wallet and contract is tracked by `p.ledger`, which checks TON conservation
 * around each action it runs. See docs/testing.md.
 */
import { Cell, toNano } from '@ton/core';
import { Ed25519KeyPair } from '../../actors/crypto/keys';
import { Blockchain, SandboxContract, SendMessageResult, TreasuryContract } from '@ton/sandbox';
import { loadCode } from '../code';
import { libraryCell, publicLibraries } from '../library';
import { Bytes32, Bytes32Map, Prices } from '../common';
import { ImageEntry, LIBRARY_TARGET_RUNWAY, ModelEntry, Root, RootParams, WorkerRegistration } from '../Root';
import { Worker } from '../Worker';
import { ed25519FromLabel, hashOf, x25519FromLabel, X25519KeyPair } from './keys';
import { Ledger } from './ledger';

export { Ledger } from './ledger';
export * from './keys';
export * from './gas';
export * from './transactions';
export { refusalTo, refusalFrom, commentOf } from './replies';

/** Parameters used unless a test overrides them. */
export const DEFAULT_PARAMS: RootParams = {
    version: 1,
    minStake: toNano('10'),
    unbondingPeriod: 14 * 24 * 3600,
    protocolFeeBps: 200,
    slashBps: 1000,
    reporterBps: 2000,
    minChallenge: 600,
    maxChallenge: 7 * 24 * 3600,
};

/** Prices in nanoton per million tokens. */
export const DEFAULT_PRICES: Prices = {
    prompt: toNano('0.2'),
    cached: toNano('0.05'),
    completion: toNano('0.6'),
    reasoning: toNano('0.6'),
};

export const DEFAULT_IMAGE = hashOf('image: cocoon-ton worker v1');
export const DEFAULT_MODEL_NAME = 'Qwen/Qwen3-0.6B@c1899de:9f1c0e5a';
/** The label the default image is allowed with (protocol.tlb ImageEntry). */
export const DEFAULT_IMAGE_LABEL = 'cocoon-tdx test image';
export const DEFAULT_MODEL = hashOf(DEFAULT_MODEL_NAME);
/** What a registration attaches on top of the minimum stake, comfortably above the root's fee check. */
export const REGISTRATION_FEES = toNano('0.2');

export interface RegisteredWorker {
    owner: SandboxContract<TreasuryContract>;
    index: number;
    worker: SandboxContract<Worker>;
    receiptKeys: Ed25519KeyPair;
    encryptionKeys: X25519KeyPair;
    registration: WorkerRegistration;
}

export interface ProtocolOptions {
    params?: Partial<RootParams>;
    /** Number of workers to register (each its own owner wallet, index 0). */
    workers?: number;
    /** Job code deployed in the root; defaults to the compiled job escrow, published as a library (below). */
    jobCode?: Cell;
    /**
     * Deploy jobs with a library cell standing for the job code, the code itself published in the sandbox's
     * public libraries, as production does (default true). false puts the whole code in every job.
     */
    jobCodeAsLibrary?: boolean;
    workerCode?: Cell;
    /** The sandbox's starting time (unix seconds); default 1_800_000_000. */
    now?: number;
}

export interface Protocol {
    blockchain: Blockchain;
    ledger: Ledger;
    governance: SandboxContract<TreasuryContract>;
    root: SandboxContract<Root>;
    params: RootParams;
    /** The code cells the root holds; `job` is the library cell when jobs use the published library. */
    codes: { root: Cell; worker: Cell; job: Cell };
    imageHash: Bytes32;
    modelHash: Bytes32;
    workers: RegisteredWorker[];
    /** A funded wallet tracked by the ledger. */
    wallet(name: string, balance?: bigint): Promise<SandboxContract<TreasuryContract>>;
    /** Registers one more worker through the root; throws if the root refused it. */
    registerWorker(owner: SandboxContract<TreasuryContract>, index?: number, overrides?: Partial<WorkerRegistration>): Promise<RegisteredWorker>;
    /** The registration a worker would send, with keys derived from its label. */
    registrationFor(label: string, index?: number): { registration: WorkerRegistration; receiptKeys: Ed25519KeyPair; encryptionKeys: X25519KeyPair };
    /** Runs an action under the conservation check. */
    run(action: () => Promise<SendMessageResult>): ReturnType<Ledger['run']>;
    /** Moves the sandbox clock forward. */
    advance(seconds: number): void;
}

export async function deployProtocol(options: ProtocolOptions = {}): Promise<Protocol> {
    const blockchain = await Blockchain.create();
    blockchain.now = options.now ?? 1_800_000_000;
    const ledger = new Ledger(blockchain);
    const jobCode = options.jobCode ?? loadCode('Job');
    const asLibrary = options.jobCodeAsLibrary ?? true;
    if (asLibrary) blockchain.libs = publicLibraries([jobCode]);
    const codes = {
        root: loadCode('Root'),
        worker: options.workerCode ?? loadCode('Worker'),
        job: asLibrary ? libraryCell(jobCode) : jobCode,
    };
    const params: RootParams = { ...DEFAULT_PARAMS, ...options.params };
    const governance = await blockchain.treasury('governance');
    ledger.track(governance.address);

    const now = blockchain.now;
    const images = new Bytes32Map<ImageEntry>([[DEFAULT_IMAGE, { addedAt: now, retireAt: 0, label: DEFAULT_IMAGE_LABEL }]]);
    const models = new Bytes32Map<ModelEntry>([[DEFAULT_MODEL, { addedAt: now, name: DEFAULT_MODEL_NAME }]]);
    // The library's rent starts paid for the target runway, as root/deploy leaves it after funding.
    const libraryPaidUntil = asLibrary ? now + LIBRARY_TARGET_RUNWAY : 0;
    const root = blockchain.openContract(
        Root.createFromConfig({ governance: governance.address, params, workerCode: codes.worker, jobCode: codes.job, libraryPaidUntil, images, models }, codes.root),
    );
    await ledger.run(() => root.sendDeploy(governance.getSender(), toNano('1')));

    const wallet = async (name: string, balance: bigint = toNano('1000')) => {
        const w = await blockchain.treasury(name, { balance });
        ledger.track(w.address);
        return w;
    };

    const registrationFor = (label: string, index = 0) => {
        const receiptKeys = ed25519FromLabel(`receipt ${label} ${index}`);
        const encryptionKeys = x25519FromLabel(`${label} ${index}`);
        const registration: WorkerRegistration = {
            index,
            receiptKey: receiptKeys.publicKey,
            encryptionKey: encryptionKeys.publicKey,
            // Tests see every payout reach the owner at once; operators usually batch (see scripts/worker/register).
            payoutThreshold: 0n,
            attestation: { imageHash: DEFAULT_IMAGE, modelHash: DEFAULT_MODEL, quoteHash: hashOf(`quote ${label} ${index}`) },
            prices: DEFAULT_PRICES,
            endpoint: `https://${label.replace(/[^a-z0-9]/gi, '')}.example:8443/${index}`,
        };
        return { registration, receiptKeys, encryptionKeys };
    };

    const registerWorker = async (owner: SandboxContract<TreasuryContract>, index = 0, overrides: Partial<WorkerRegistration> = {}) => {
        const label = owner.address.toRawString();
        const base = registrationFor(label, index);
        const registration = { ...base.registration, ...overrides, index };
        const worker = blockchain.openContract(Worker.createFor(root.address, owner.address, index));
        const stake = (await root.getParams()).minStake;
        await ledger.run(() => root.sendRegisterWorker(owner.getSender(), registration, stake + REGISTRATION_FEES));
        const state = await worker.getState().catch(() => undefined);
        if (!state || state.status === 0) throw new Error(`worker ${index} of ${owner.address} was not registered`);
        return { owner, index, worker, receiptKeys: base.receiptKeys, encryptionKeys: base.encryptionKeys, registration };
    };

    const workers: RegisteredWorker[] = [];
    for (let i = 0; i < (options.workers ?? 0); i++) {
        workers.push(await registerWorker(await wallet(`worker-owner-${i}`)));
    }

    return {
        blockchain,
        ledger,
        governance,
        root,
        params,
        codes,
        imageHash: DEFAULT_IMAGE,
        modelHash: DEFAULT_MODEL,
        workers,
        wallet,
        registerWorker,
        registrationFor,
        run: (action) => ledger.run(action),
        advance: (seconds) => {
            blockchain.now = (blockchain.now ?? Math.floor(Date.now() / 1000)) + seconds;
        },
    };
}
