/**
 * Executors and invariants of the steps in reach-actions.ts (findings 6, 8 and 9 of the money-path review). The
 * world (world.ts) owns the chain and the model; it hands this module what it needs through ReachContext, calls
 * `step` for these steps, `beforeTimeMove` before any time jump and `after` after every step.
 *
 * Invariants (InvariantError.id):
 *   slash-evaded             valid equivocation signed by a receipt key that was the worker's within its evidence
 *                            window (current, or retired less than one unbonding period ago, however many rotations
 *                            followed) slashes a worker that has stake (finding 6)
 *   inexact-layout-accepted  an external claim in any layout but the exact one is refused (finding 8)
 *   external-overpaid        what an accepted external claim takes from the escrow (its balance, storage fee aside, and
 *                            what it now owes the worker) never exceeds the net the voucher moved: the claim's gas
 *                            and import fee come out of the worker's share, never the escrow's (finding 8)
 *   open-below-runway        no job opens on the job-code library while less than its minimum runway is paid (finding 9)
 *   library-lapsed-lock      the library's rent never lapses (time passes its paid-until, after anyone's fund_library
 *                            had the chance to pay from the treasury) under a job that opened less than the minimum
 *                            runway before: no escrow is locked by an unpaid bill (finding 9)
 *
 * The sandbox's public libraries are static, so the lapse is modelled (the library's paid-until against the chain's
 * clock), not emulated.
 */
import { Address, beginCell, Cell, toNano, Transaction } from '@ton/core';
import { Blockchain, SandboxContract, SendMessageResult } from '@ton/sandbox';
import { Ed25519KeyPair, signReceipt } from '../../../actors/crypto';
import { Job, parseJobStorage, feesOf } from '../../Job';
import { Worker } from '../../Worker';
import { findTxTo } from '../transactions';
import { LIBRARY_MIN_RUNWAY, WorkerRegistration } from '../../Root';
import { equivocationBody, extClaimBody, Receipt, SignedVoucher, ZERO_HEAD } from '../../payloads';
import { CouncilKit } from '../council';
import { ed25519FromLabel, hashOf } from '../keys';
import { inlineBodyRoom, paddedBody, sendExternal } from '../externals';
import { SenderName, VALUES } from './actions';
import { ReachAction } from './reach-actions';
import { InvariantError, Party } from './invariant';

/** What this module reads of the world's model of a job. */
export interface ReachJob {
    n: number;
    job: SandboxContract<Job>;
    worker: number;
    status: 'pending' | 'active' | 'closing' | 'gone';
    accepted: boolean;
    deadline: number;
    vouchers: ReadonlyArray<{ signed: SignedVoucher; amount: bigint; final: boolean }>;
}

export interface ReachContext {
    kit: CouncilKit;
    bc: Blockchain;
    globalId: number;
    /** Runs an action under the world's ledger (null: an external the contract refused). */
    send(action: () => Promise<unknown>): Promise<SendMessageResult | null>;
    party(name: SenderName): Party;
    workers(): ReadonlyArray<{ handle: SandboxContract<Worker>; owner: Party; stake: bigint; status: number }>;
    /** The registration a worker was created with (a rotation re-sends it with a new receipt key). */
    registration(worker: number): WorkerRegistration;
    /** The worker's receipt key at deployment. */
    firstKey(worker: number): Ed25519KeyPair;
    /** Live jobs of their current life. */
    liveJobs(): readonly ReachJob[];
    /** Whether a payout of the job bounced in the last step (paid may then fall back). */
    payoutBounced(n: number): boolean;
}

interface KeyUse {
    keys: Ed25519KeyPair;
    /** When it stopped being the current key (undefined while current). */
    retiredAt?: number;
}

/** The job-code library a job runs on, and until when its rent is paid as last seen. */
interface LibraryUse {
    hash: string;
    openedAt: number;
}

export class ReachFuzz {
    private keyHistory: KeyUse[][] = [];
    private rotations = 0;
    private usedEvidence = new Set<string>();
    /** paid-until of each library, by hash (refreshed from the root for the library it funds). */
    private paidUntil = new Map<string, number>();
    private jobLibraries = new Map<number, LibraryUse>();

    constructor(private readonly ctx: ReachContext) {}

    async reset(): Promise<void> {
        this.keyHistory = this.ctx.workers().map((_, i) => [{ keys: this.ctx.firstKey(i) }]);
        this.rotations = 0;
        this.usedEvidence.clear();
        this.paidUntil.clear();
        this.jobLibraries.clear();
        await this.refreshLibrary();
    }

    private get now(): number {
        return this.ctx.bc.now!;
    }

    // ------------------------------------------------------------------ the library's runway (finding 9)

    /** The hash of the library the root's job code stands for, or undefined when the root holds the code inline. */
    private async currentLibrary(): Promise<string | undefined> {
        const code = (await this.ctx.kit.root.getChildCodes()).jobCode;
        if (!code.isExotic) return undefined;
        return code.bits.subbuffer(8, 256)!.toString('hex');
    }

    /** After the world restored a snapshot (the liveness check): the library's paid-until as the chain has it. */
    async resync(): Promise<void> {
        await this.refreshLibrary();
    }

    private async refreshLibrary(): Promise<void> {
        const hash = await this.currentLibrary();
        if (!hash) return;
        this.paidUntil.set(hash, (await this.ctx.kit.root.getLibraryFunding()).paidUntil);
    }

    /** Paid-until of the library the root funds now (undefined: inline job code). */
    private async runwayEnd(): Promise<number | undefined> {
        const hash = await this.currentLibrary();
        return hash ? this.paidUntil.get(hash) ?? 0 : undefined;
    }

    /**
     * Before the clock moves to `target`: a keeper (anyone) asks the root to pay the rent once the runway would fall
     * below the minimum, as the protocol expects; then the lapse check at `target`.
     */
    async beforeTimeMove(target: number, when = ''): Promise<void> {
        const end = await this.runwayEnd();
        if (end !== undefined && target + LIBRARY_MIN_RUNWAY > end && this.jobLibraries.size > 0) {
            await this.ctx.send(() => this.ctx.kit.root.sendFundLibrary(this.ctx.party('stranger').sender(), toNano('0.05')));
            await this.refreshLibrary();
        }
        this.checkLapse(target, when);
    }

    private checkLapse(at: number, when: string): void {
        const live = new Set(this.ctx.liveJobs().map((j) => j.n));
        for (const [n, use] of this.jobLibraries) {
            if (!live.has(n)) {
                this.jobLibraries.delete(n);
                continue;
            }
            const paid = this.paidUntil.get(use.hash) ?? 0;
            if (at > paid && use.openedAt + LIBRARY_MIN_RUNWAY > paid) {
                throw new InvariantError(
                    'library-lapsed-lock',
                    `${when}job #${n}, opened at ${use.openedAt}, runs on library ${use.hash.slice(0, 16)} whose rent is paid until ${paid} only (the clock reaches ${at}): its escrow is locked by an unpaid bill less than the minimum runway after it opened`,
                );
            }
        }
    }

    /** A job that just opened (pending or beyond): the root must have had the minimum runway paid. */
    private async checkOpen(j: ReachJob): Promise<void> {
        const st = (await this.ctx.bc.getContract(j.job.address)).accountState;
        if (st?.type !== 'active' || !st.state.code || !st.state.data) return;
        const stored = parseJobStorage(st.state.data);
        if (!stored) return;
        const code = st.state.code;
        if (!code.isExotic) return; // inline code: no library to lapse
        const hash = code.bits.subbuffer(8, 256)!.toString('hex');
        if (this.jobLibraries.has(j.n)) return;
        const paid = this.paidUntil.get(hash) ?? 0;
        this.jobLibraries.set(j.n, { hash, openedAt: this.now });
        if (paid < this.now + LIBRARY_MIN_RUNWAY) {
            throw new InvariantError(
                'open-below-runway',
                `job #${j.n} opened at ${this.now} on library ${hash.slice(0, 16)} paid until ${paid}: ${paid - this.now} s of runway, below the minimum ${LIBRARY_MIN_RUNWAY}`,
            );
        }
    }

    // ------------------------------------------------------------------ steps

    async step(a: ReachAction, allowStake: Map<number, 'up' | 'down' | 'any'>, expectations: Array<(r: SendMessageResult | null) => Promise<void>>): Promise<SendMessageResult | null> {
        switch (a.k) {
            case 'rotateKey':
                // The update's value beyond the fees joins the stake (as a registration's does).
                allowStake.set(a.worker, 'up');
                return this.rotateKey(a);
            case 'oldKeyEvidence':
                return this.oldKeyEvidence(a, allowStake, expectations);
            case 'inexactClaim':
                return this.inexactClaim(a, expectations);
            case 'runwayJump': {
                const end = await this.runwayEnd();
                if (end === undefined) return null;
                const target = end + a.offset;
                if (target <= this.now) return null;
                await this.beforeTimeMove(target, 'runway jump: ');
                this.ctx.bc.now = target;
                return null;
            }
            case 'fundLibrary': {
                const r = await this.ctx.send(() => this.ctx.kit.root.sendFundLibrary(this.ctx.party(a.sender).sender(), VALUES[a.value]));
                await this.refreshLibrary();
                return r;
            }
        }
    }

    /** After every step of the world: a job that just opened is checked against the runway. */
    async after(opened: ReachJob | undefined): Promise<void> {
        if (opened) await this.checkOpen(opened);
    }

    private async rotateKey(a: Extract<ReachAction, { k: 'rotateKey' }>): Promise<SendMessageResult | null> {
        const w = this.ctx.workers()[a.worker];
        if (!w) return null;
        const keys = ed25519FromLabel(`fuzz receipt key ${a.worker} ${++this.rotations}`);
        const registration = { ...this.ctx.registration(a.worker), receiptKey: keys.publicKey };
        const r = await this.ctx.send(() => this.ctx.kit.root.sendRegisterWorker(w.owner.sender(), registration, toNano('0.1'), true));
        if ((await this.ctx.bc.getContract(w.handle.address)).accountState?.type !== 'active') return r;
        const current = (await w.handle.getKeys()).receiptKey;
        if (Buffer.from(current).equals(keys.publicKey)) {
            const history = this.keyHistory[a.worker];
            history[history.length - 1].retiredAt = this.now;
            history.push({ keys });
        }
        return r;
    }

    private async oldKeyEvidence(
        a: Extract<ReachAction, { k: 'oldKeyEvidence' }>,
        allowStake: Map<number, 'up' | 'down' | 'any'>,
        expectations: Array<(r: SendMessageResult | null) => Promise<void>>,
    ): Promise<SendMessageResult | null> {
        const w = this.ctx.workers()[a.worker];
        const history = this.keyHistory[a.worker];
        if (!w || !history) return null;
        const use = history[Math.max(0, history.length - 1 - a.age)];
        const rotationsSince = history.length - 1 - history.indexOf(use);
        const job = this.ctx.liveJobs().find((j) => j.worker === a.worker)?.job.address ?? this.ctx.kit.root.address;
        const seqno = 1000 + a.seqno;
        const receipt = (n: number): Receipt => ({
            globalId: this.ctx.globalId,
            job,
            nonce: 1n,
            seqno,
            modelHash: this.ctx.kit.modelHash,
            tokens: { prompt: 10, cached: 0, completion: n, reasoning: 0 },
            cost: 1000n,
            cumulative: 1000n,
            prevHead: ZERO_HEAD,
            requestHash: hashOf(`rq ${seqno} ${n}`),
            responseHash: hashOf(`rs ${seqno} ${n}`),
        });
        const evidenceId = `${a.worker} ${job.toRawString()} ${seqno}`;
        const fresh = !this.usedEvidence.has(evidenceId);
        this.usedEvidence.add(evidenceId);
        const active = (await this.ctx.bc.getContract(w.handle.address)).accountState?.type === 'active';
        const stakeBefore = active ? (await w.handle.getState()).stake : 0n;
        const window = active ? (await w.handle.getSettings()).params.unbondingPeriod : 0;
        const inWindow = use.retiredAt === undefined || this.now < use.retiredAt + window;
        allowStake.set(a.worker, 'down');
        const body = equivocationBody(signReceipt(receipt(1), use.keys.secretKey), signReceipt(receipt(2), use.keys.secretKey));
        const reporter = this.ctx.party('stranger');
        const result = await this.ctx.send(() => w.handle.sendRaw(reporter.sender(), body, toNano('0.2')));
        expectations.push(async () => {
            if (!active || !fresh || !inWindow || stakeBefore < toNano('1')) return;
            const after = (await this.ctx.bc.getContract(w.handle.address)).accountState?.type === 'active' ? (await w.handle.getState()).stake : 0n;
            if (after >= stakeBefore) {
                const tx = result ? findTxTo(result.transactions, w.handle.address) : undefined;
                throw new InvariantError(
                    'slash-evaded',
                    `worker ${a.worker}: equivocation signed by its receipt key of ${rotationsSince} rotation(s) ago (${use.retiredAt === undefined ? 'current' : `retired at ${use.retiredAt}, window until ${use.retiredAt + window}`}, now ${this.now}) left its stake at ${after} (exit code ${exitCodeOf(tx)})`,
                );
            }
        });
        return result;
    }

    private async inexactClaim(a: Extract<ReachAction, { k: 'inexactClaim' }>, expectations: Array<(r: SendMessageResult | null) => Promise<void>>): Promise<SendMessageResult | null> {
        const jobs = this.ctx.liveJobs().filter((j) => j.accepted && (j.status === 'active' || (j.status === 'closing' && this.now < j.deadline)) && j.vouchers.some((v) => !v.final));
        const j = jobs.length === 0 ? undefined : jobs[a.job % jobs.length];
        if (!j) return null;
        const vouchers = j.vouchers.filter((v) => !v.final);
        const v = vouchers[a.voucher % vouchers.length];
        const address = j.job.address;
        const before = await this.escrow(address);
        if (!before) return null;
        let body = extClaimBody(v.signed);
        let init: { code: Cell; data: Cell } | undefined;
        switch (a.layout) {
            case 'bodyAsRef':
                // Padded past the room in the message cell, the body travels in a ref: an extra cell the import fee charges.
                body = paddedBody(body, Math.max(1, inlineBodyRoom(address) - body.bits.length + 1));
                break;
            case 'trailingBits':
                body = paddedBody(body, 8);
                break;
            case 'stateInit':
                init = { code: beginCell().storeUint(0xfade, 16).endCell(), data: beginCell().storeUint(a.voucher, 8).endCell() };
                break;
            case 'exact':
                break;
        }
        const result = await this.ctx.send(() => sendExternal(this.ctx.bc, address, body, { init }));
        expectations.push(async () => {
            const tx = result?.transactions.find((t) => t.inMessage?.info.type === 'external-in');
            if (!tx) return; // refused before accept_message: the escrow paid nothing
            const after = await this.escrow(address);
            if (after && !this.ctx.payoutBounced(j.n)) {
                const gross = after.paid - before.paid;
                const net = gross - (feesOf(after.paid, before.feeBps) - feesOf(before.paid, before.feeBps));
                const storage = storageFeeOf(tx);
                const taken = before.balance - after.balance - storage + (after.held - before.held);
                if (taken > net) {
                    throw new InvariantError('external-overpaid', `job #${j.n}: an external claim in layout ${a.layout} moved ${net} net to the worker but took ${taken} from the escrow: ${taken - net} of its gas or import fee paid by the escrow`);
                }
            }
            if (a.layout !== 'exact') {
                throw new InvariantError('inexact-layout-accepted', `job #${j.n}: an external claim in layout ${a.layout} was accepted (exit code ${exitCodeOf(tx)})`);
            }
        });
        return result;
    }

    /** The escrow's balance, paid, what it holds for the worker, and the fee rate (null once settled). */
    private async escrow(address: Address): Promise<{ balance: bigint; paid: bigint; held: bigint; feeBps: number } | null> {
        const acc = await this.ctx.bc.getContract(address);
        const st = acc.accountState;
        if (st?.type !== 'active' || !st.state.data) return null;
        const stored = parseJobStorage(st.state.data);
        if (!stored) return null;
        return { balance: acc.balance, paid: stored.paid, held: stored.held, feeBps: stored.terms.feeBps };
    }
}

function exitCodeOf(tx: Transaction | undefined): number | string {
    const d = tx?.description;
    if (!d || d.type !== 'generic') return 'no transaction';
    return d.computePhase.type === 'vm' ? d.computePhase.exitCode : 'skipped';
}

function storageFeeOf(tx: Transaction): bigint {
    const d = tx.description;
    return d.type === 'generic' ? d.storagePhase?.storageFeesCollected ?? 0n : 0n;
}
