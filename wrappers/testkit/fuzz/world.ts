/**
 * The fuzzer's world: one deployed protocol (root, three worker accounts, a council of three, clients, a
 * stranger and contracts that reject everything), a model of what each party is owed, the step executor, and
 * the invariants checked after every step. The protocol is deployed once; every run starts from its snapshot.
 *
 * Invariants (InvariantError.id):
 *   conservation            TON conserved to the nanoton (the kit's ledger) around every step
 *   job-overpaid            a job's paid never exceeds its deposit (getter, and the paid a settlement reports)
 *   paid-decreased          a job's paid never decreases (except when its payout bounced off the worker account)
 *   valid-voucher-refused   a valid voucher the worker submits while the job is claimable pays at least its amount
 *   challenge-cut           a job never ends, except by the worker's own final voucher or after its challenge
 *                           deadline, with less paid than the best voucher the worker holds (its challenge period)
 *   old-life-voucher-paid   a voucher signed for an earlier life of a job address pays nothing
 *   stake-changed           a worker's stake changes only by its owner's deposits/withdrawals, valid evidence
 *                           and governance orders
 *   root-changed            the root's parameters, allowlists, governance and codes change only by governance
 *   message-lost            a non-bounceable message between protocol contracts never fails (it would vanish)
 *   bounce-failed           a protocol contract's bounce handler never fails
 *   report-not-counted      every settlement that paid a worker is counted in its reputation
 *   frozen                  no protocol account is ever frozen
 *   replaced-code-job-opened  once governance replaces the job code, no job of an earlier code opens (finding 2)
 *   slash-missed            a governance slash the council executed reaches the worker, across worker-code changes (finding 3)
 *   pending-no-exit / job-no-exit / unbond-no-exit / proposal-no-exit   liveness, tried on a snapshot
 *   reach.ts: slash-evaded, inexact-layout-accepted, external-overpaid, open-below-runway, library-lapsed-lock
 *   governance.ts: executed-not-applied, executed-twice, executed-after-window, cleanup-in-flight,
 *   refused-proposal-created, quorum-floor, emergency-widened, council-paid-out, handover-stale-accepted
 */
import { Address, beginCell, Cell, toNano, Transaction } from '@ton/core';
import { Blockchain, BlockchainSnapshot, SandboxContract, SendMessageResult, TreasuryContract } from '@ton/sandbox';
import { Ed25519KeyPair, signReceipt, signVoucher } from '../../../actors/crypto';
import { DEFAULT_PRICES, REGISTRATION_FEES } from '../index';
import { deployCouncil, CouncilKit, SMALL } from '../council';
import { deployRejecting } from '../rejecting';
import { ed25519FromLabel, hashOf } from '../keys';
import { ConservationError } from '../ledger';
import { sandboxGlobalId } from '../jobs';
import { Job, parseJobStorage, jobAcceptedBody, jobRefusedBody, jobPayoutBody, jobReportBody } from '../../Job';
import { Worker, WorkerComments } from '../../Worker';
import { Proposal, ProposalState } from '../../Proposal';
import { CouncilAction, proposalApprovedBody, vetoProposalBody } from '../../Council';
import { RootGovernanceAction } from '../../Root';
import { Errors, Op, Tags } from '../../Constants';
import { equivocationBody, Receipt, SignedVoucher, wrongModelBody, ZERO_HEAD } from '../../payloads';
import { pricesCell } from '../../common';
import { loadCode } from '../../code';
import { codeVariant } from '../codes';
import { Action, SenderName, VALUES } from './actions';
import { ReachFuzz } from './reach';
import { isReachAction } from './reach-actions';
import { WorkerRegistration } from '../../Root';
import { GovernanceFuzz } from './governance';
import { InvariantError, Party } from './invariant';

export { InvariantError } from './invariant';
import { GovAction } from './gov-actions';

interface IssuedVoucher {
    signed: SignedVoucher;
    amount: bigint;
    final: boolean;
}

type JobStatus = 'pending' | 'active' | 'closing' | 'gone';

interface JobModel {
    n: number;
    job: SandboxContract<Job>;
    client: number;
    worker: number;
    jobId: bigint;
    life: number;
    keys: Ed25519KeyPair;
    vouchers: IssuedVoucher[];
    lastAmount: bigint;
    tokens: bigint;
    status: JobStatus;
    paid: bigint;
    deposit: bigint;
    deadline: number;
    accepted: boolean;
    /** The job's nonce for this life (read after the open); every voucher of this life carries it. */
    nonce: bigint;
}

interface WorkerModel {
    handle: SandboxContract<Worker>;
    owner: Party;
    stake: bigint;
    status: number;
    reportedJobs: number;
    receiptKeys: Ed25519KeyPair;
    rejectingOwner: boolean;
}

interface ProposalModel {
    id: number;
    handle: SandboxContract<Proposal>;
}

const MAX_LIVE_JOBS = 8;
const MAX_PROPOSALS = 12;
const U64 = (1n << 64n) - 1n;

function wallet(t: SandboxContract<TreasuryContract>): Party {
    return { address: t.address, sender: () => t.getSender() };
}

function pick<T>(items: readonly T[], i: number): T | undefined {
    return items.length === 0 ? undefined : items[i % items.length];
}

function computeOf(tx: Transaction): { ran: boolean; success: boolean; exitCode: number } {
    const d = tx.description;
    if (d.type !== 'generic') return { ran: false, success: true, exitCode: 0 };
    if (d.computePhase.type !== 'vm') return { ran: false, success: false, exitCode: -1 };
    return { ran: true, success: d.computePhase.success && (d.actionPhase?.success ?? true), exitCode: d.computePhase.exitCode };
}

function destOf(tx: Transaction): Address | undefined {
    const info = tx.inMessage?.info;
    return info && info.type !== 'external-out' ? (info.dest as Address) : undefined;
}

/** A pseudo-random cell of `bits` bits and `refs` refs, from a seed (garbage bodies). */
function garbageCell(seed: number, bits: number, refs: number, depth = 0): Cell {
    const b = beginCell();
    let x = seed >>> 0 || 1;
    const words = Math.floor(bits / 32);
    for (let i = 0; i < words; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        b.storeUint(x >>> 0, 32);
    }
    b.storeUint(0, bits % 32);
    if (depth < 2) for (let i = 0; i < refs; i++) b.storeRef(garbageCell(seed + i + 1, (seed * 7 + i * 131) % 600, refs - 1, depth + 1));
    return b.endCell();
}

/**
 * A message between two protocol contracts (the caller checks both ends): a non-bounceable one that failed is lost
 * (a job_report the worker can't count freezes its reputation silently), a bounce handler must never fail.
 */
function checkDelivery(tx: Transaction, when: string): void {
    const info = tx.inMessage?.info;
    if (!info || info.type !== 'internal') return;
    const body = tx.inMessage!.body.beginParse();
    const op = body.remainingBits >= 32 ? body.preloadUint(32) : -1;
    const c = computeOf(tx);
    // Known and minor: a settlement's protocol fee below the root's gas (a tiny job) fails (out of gas, or the
    // VM does not start) at the root; the value stays in the root's balance, only `collected` misses it.
    const tinyFee = op === Op.treasuryDeposit && (c.exitCode === -14 || !c.ran);
    const route = `op 0x${op.toString(16)} from ${info.src.toRawString()} to ${info.dest.toRawString()}`;
    if (!c.success && !info.bounce && !info.bounced && !tinyFee) {
        throw new InvariantError('message-lost', `${when}a non-bounceable message ${route} failed with exit code ${c.exitCode}: it is lost`);
    }
    if (!c.success && info.bounced) {
        throw new InvariantError('bounce-failed', `${when}the bounce handler of ${info.dest.toRawString()} failed with exit code ${c.exitCode}`);
    }
}

export interface StepReport {
    /** Whether the step caused at least one transaction. */
    ran: boolean;
}

export class FuzzWorld {
    private base!: BlockchainSnapshot;
    private kit!: CouncilKit;
    private bc!: Blockchain;
    private parties!: Record<Exclude<SenderName, 'owner' | 'client'>, Party>;
    private clients!: Party[];
    private silentWorker!: Party;
    private workerSetup!: { handle: SandboxContract<Worker>; owner: Party; receiptKeys: Ed25519KeyPair; rejecting: boolean; registration: WorkerRegistration }[];
    private globalId = 0;

    // model, reset per run
    private jobs: JobModel[] = [];
    private workers: WorkerModel[] = [];
    private baseWorkers: WorkerModel[] | undefined;
    private baseRootPrint = '';
    private baseNow = 0;
    private proposalFee: bigint | undefined;
    /** Proposal ids are sequential; a refused creation takes none. */
    private baseNextId = 0;
    private proposals: ProposalModel[] = [];
    private rootPrint = '';
    private nextJob = 0;
    private protocolAddresses = new Set<string>();
    steps = 0;
    transactions = 0;

    static async create(): Promise<FuzzWorld> {
        const w = new FuzzWorld();
        await w.deploy();
        return w;
    }

    private async deploy(): Promise<void> {
        const kit = await deployCouncil({ workers: 2 });
        this.kit = kit;
        this.bc = kit.blockchain;
        this.globalId = sandboxGlobalId(kit);
        const impostor = await deployRejecting(this.bc, 1);
        const rejectingOwner = await deployRejecting(this.bc, 2);
        const rejectingClient = await deployRejecting(this.bc, 3);
        kit.ledger.track(impostor, rejectingOwner, rejectingClient);
        const injected = (address: Address): Party => ({ address, sender: () => this.bc.sender(address) });
        this.parties = {
            alice: wallet(kit.alice),
            bob: wallet(kit.bob),
            carol: wallet(kit.carol),
            guardian: wallet(kit.guardian),
            stranger: wallet(kit.outsider),
            impostor: injected(impostor),
            oldGov: wallet(kit.governance),
        };
        this.clients = [wallet(await kit.wallet('client 0')), wallet(await kit.wallet('client 1')), injected(rejectingClient)];
        this.silentWorker = wallet(await kit.wallet('silent worker'));

        // A third worker, owned by a contract that rejects what it is sent (its withdrawals and payouts bounce).
        const reg = kit.registrationFor('rejecting owner', 0);
        const stake = kit.params.minStake;
        await kit.run(() => kit.root.sendRegisterWorker(this.bc.sender(rejectingOwner), reg.registration, stake + REGISTRATION_FEES));
        const third = this.bc.openContract(Worker.createFor(kit.root.address, rejectingOwner, 0));
        this.workerSetup = [
            ...kit.workers.map((w) => ({ handle: w.worker, owner: wallet(w.owner), receiptKeys: w.receiptKeys, rejecting: false, registration: w.registration })),
            { handle: third, owner: injected(rejectingOwner), receiptKeys: reg.receiptKeys, rejecting: true, registration: reg.registration },
        ];
        this.base = this.bc.snapshot();
        this.baseNow = this.bc.now!;
        this.baseNextId = (await kit.council.getCouncilData()).nextId;
        this.reach = new ReachFuzz({
            kit,
            bc: this.bc,
            globalId: this.globalId,
            send: (action) => this.send(action),
            party: (name) => this.party(name),
            workers: () => this.workers,
            registration: (i) => this.workerSetup[i].registration,
            firstKey: (i) => this.workerSetup[i].receiptKeys,
            liveJobs: () => this.liveJobs().filter((j) => j.life === this.lifeOf(j)),
            payoutBounced: (n) => this.payoutBounced.has(n),
        });
        this.gov = new GovernanceFuzz({
            kit,
            bc: this.bc,
            party: (name) => this.party(name),
            stranger: this.parties.stranger,
            carol: this.parties.carol,
            proposals: () => this.proposals,
            addProposal: (p) => {
                this.proposals.push(p);
                this.protocolAddresses.add(p.handle.address.toRawString());
            },
            isProtocol: (raw) => this.protocolAddresses.has(raw),
            send: (action, injected) => this.send(action, injected),
            maxProposals: MAX_PROPOSALS,
        });
    }

    /** Steps and invariants of findings 6, 8 and 9 (reach.ts); they throw the world's InvariantError. */
    private reach!: ReachFuzz;

    /** Governance steps and invariants (governance.ts); they throw the world's InvariantError. */
    private gov!: GovernanceFuzz;

    /** Back to the freshly deployed protocol; the model starts over. */
    async reset(): Promise<void> {
        await this.bc.loadFrom(this.base);
        this.jobs = [];
        this.proposals = [];
        this.nextJob = 0;
        this.protocolAddresses = new Set([this.kit.root.address, this.kit.council.address, ...this.workerSetup.map((w) => w.handle.address)].map((a) => a.toRawString()));
        if (!this.baseWorkers) {
            this.baseWorkers = [];
            for (const w of this.workerSetup) {
                const s = await w.handle.getState();
                const rep = await w.handle.getReputation();
                this.baseWorkers.push({ handle: w.handle, owner: w.owner, stake: s.stake, status: s.status, reportedJobs: rep.jobs, receiptKeys: w.receiptKeys, rejectingOwner: w.rejecting });
            }
            this.baseRootPrint = await this.rootFingerprint();
        }
        this.workers = this.baseWorkers.map((w) => ({ ...w }));
        this.rootPrint = this.baseRootPrint;
        this.settledPaid.clear();
        this.codeChanges = 0;
        this.bc.now = this.baseNow;
        await this.reach.reset();
        await this.gov.reset();
    }

    private party(name: SenderName, ctx: { owner?: Party; client?: Party } = {}): Party {
        if (name === 'owner') return ctx.owner ?? this.parties.stranger;
        if (name === 'client') return ctx.client ?? this.parties.stranger;
        return this.parties[name];
    }

    private get now(): number {
        return this.bc.now!;
    }

    private liveJobs(): JobModel[] {
        return this.jobs.filter((j) => j.status !== 'gone');
    }

    /** The root's storage without its treasury counter: governance, pending handover and its expiry, pause flags, params, allowlists, codes. */
    private async rootFingerprint(): Promise<string> {
        const acc = await this.bc.getContract(this.kit.root.address);
        const st = acc.accountState;
        if (st?.type !== 'active' || !st.state.data) return 'not active';
        const data = st.state.data;
        try {
            const s = data.beginParse();
            const gov = s.loadAddress().toRawString();
            const pending = s.loadMaybeAddress()?.toRawString() ?? '';
            const handover = s.loadUint(32);
            const paused = s.loadUint(8);
            s.loadCoins(); // the treasury counter: fees and slashes move it without governance
            // The child codes cell also holds the library's paid-until, which anyone's fund_library moves: only its codes count.
            const print = (r: Cell) => (r.refs.length === 2 && r.bits.length === 32 ? r.refs.map((c) => c.hash().toString('hex')).join('+') : r.hash().toString('hex'));
            return [gov, pending, handover, paused, s.loadBits(s.remainingBits).toString(), ...data.refs.map(print)].join('|');
        } catch {
            return this.rootFingerprintByGetters();
        }
    }

    private async rootFingerprintByGetters(): Promise<string> {
        const r = this.kit.root;
        const params = await r.getParams();
        const images = await r.getImages();
        const models = await r.getModels();
        const gov = await r.getGovernance();
        const codes = await r.getChildCodes();
        const map = <T>(m: Iterable<[Buffer, T]>) => [...m].map(([k, v]) => `${k.toString('hex')}=${JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x))}`).sort();
        return JSON.stringify({
            params: JSON.stringify(params, (_, x) => (typeof x === 'bigint' ? x.toString() : x)),
            images: map(images),
            models: map(models),
            gov: gov.governance.toRawString(),
            pending: gov.pending?.toRawString() ?? null,
            codes: codes.workerCode.hash().toString('hex') + codes.jobCode.hash().toString('hex'),
        });
    }

    // ------------------------------------------------------------------ running a step

    /** Every address the model knows: the ledger reads their balances before a step instead of restoring a snapshot. */
    private knownAddresses(): Address[] {
        const out = [...this.protocolAddresses].map((a) => Address.parseRaw(a));
        for (const p of Object.values(this.parties)) out.push(p.address);
        for (const c of this.clients) out.push(c.address);
        for (const w of this.workerSetup) out.push(w.owner.address);
        out.push(this.silentWorker.address);
        return out;
    }

    /** Runs one action under the ledger; external messages the contract refuses come back as `null`. */
    private async send(action: () => Promise<unknown>, injected?: () => bigint): Promise<SendMessageResult | null> {
        try {
            const entry = await this.kit.ledger.run(action as () => Promise<SendMessageResult>, { known: this.knownAddresses(), injected });
            return entry.result;
        } catch (e) {
            if (e instanceof ConservationError) throw new InvariantError('conservation', e.message);
            const msg = String((e as Error).message ?? e);
            if (/external|Error executing transaction|exit code|not accepted/i.test(msg)) return null;
            throw e;
        }
    }

    async step(a: Action): Promise<StepReport> {
        this.steps++;
        const before = {
            jobs: new Map(this.liveJobs().map((j) => [j.n, { ...j }])),
        };
        let result: SendMessageResult | null = null;
        const expectations: Array<(r: SendMessageResult | null) => Promise<void>> = [];
        const allowStake = new Map<number, 'up' | 'down' | 'any'>();
        const govBefore = await this.gov.before(a);
        switch (a.k) {
            case 'wait':
                await this.reach.beforeTimeMove(this.now + a.seconds);
                this.bc.now = this.now + a.seconds;
                break;
            case 'open':
                result = await this.open(a);
                break;
            case 'sign':
                this.sign(a);
                break;
            case 'workerClaim':
                result = await this.workerClaim(a, expectations);
                break;
            case 'clientClaim':
                result = await this.clientClaim(a);
                break;
            case 'forgedClaim':
                result = await this.forgedClaim(a, expectations);
                break;
            case 'topUp': {
                const j = pick(this.liveJobs(), a.job);
                if (j) result = await this.send(() => j.job.sendTopUp(this.party(a.sender, this.ctxOf(j)).sender(), VALUES[a.value]));
                break;
            }
            case 'close': {
                const j = pick(this.liveJobs(), a.job);
                if (j) result = await this.send(() => j.job.sendClose(this.party(a.sender, this.ctxOf(j)).sender(), VALUES[a.value], { asText: a.asText }));
                break;
            }
            case 'finalize': {
                const j = pick(this.liveJobs(), a.job);
                if (j) result = await this.send(() => j.job.sendFinalize(this.party(a.sender, this.ctxOf(j)).sender(), VALUES[a.value]));
                break;
            }
            case 'workerOp':
                result = await this.workerOp(a, allowStake);
                break;
            case 'evidence':
                result = await this.evidence(a, allowStake);
                break;
            case 'impersonate':
                result = await this.impersonate(a);
                break;
            case 'garbage':
                result = await this.garbage(a);
                break;
            case 'rootDirect': {
                const act = this.govAction(a.action, a.seed);
                if (act.kind === 'root') {
                    result = await this.send(() => this.kit.root.sendGovernance(this.party(a.sender).sender(), act.action, toNano('0.1')));
                }
                break;
            }
            case 'propose':
                result = await this.propose(a);
                break;
            case 'vote': {
                const pr = pick(this.proposals, a.proposal);
                if (pr) result = await this.send(() => pr.handle.sendVote(this.party(a.sender).sender(), a.yes, SMALL));
                break;
            }
            case 'execute': {
                const pr = pick(this.proposals, a.proposal);
                if (pr) {
                    const need = await pr.handle.getExecuteValue().catch(() => toNano('0.5'));
                    const value = a.margin < 0 ? need / 2n : need + BigInt(a.margin) * toNano('0.05');
                    result = await this.send(() => pr.handle.sendExecute(this.party(a.sender).sender(), value));
                    // Governance orders may move stakes (a slash).
                    for (let i = 0; i < this.workers.length; i++) allowStake.set(i, 'down');
                }
                break;
            }
            case 'veto': {
                const pr = pick(this.proposals, a.proposal);
                if (pr) result = await this.send(() => this.kit.council.sendRaw(this.party(a.sender).sender(), vetoProposalBody(pr.id), SMALL));
                break;
            }
            case 'cancel': {
                const pr = pick(this.proposals, a.proposal);
                if (pr) result = await this.send(() => pr.handle.sendCancel(this.party(a.sender).sender(), SMALL));
                break;
            }
            case 'govOrder':
                result = await this.govOrder(a, allowStake, expectations);
                break;
            case 'cleanup': {
                const pr = pick(this.proposals, a.proposal);
                if (pr) result = await this.send(() => pr.handle.sendCleanup(this.party(a.sender).sender(), SMALL));
                break;
            }
            case 'rotateKey':
            case 'oldKeyEvidence':
            case 'inexactClaim':
            case 'runwayJump':
            case 'fundLibrary':
                if (isReachAction(a)) result = await this.reach.step(a, allowStake, expectations);
                break;
            default:
                result = await this.gov.step(a as GovAction);
                break;
        }
        if (result) this.transactions += result.transactions.length;
        await this.checkAfter(a, result, before.jobs, allowStake);
        await this.gov.check(a, result, govBefore, 'sender' in a ? this.party(a.sender).address : undefined);
        for (const e of expectations) await e(result);
        await this.reach.after(this.justOpened);
        this.justOpened = undefined;
        return { ran: result !== null && result.transactions.length > 0 };
    }

    private ctxOf(j: JobModel): { owner: Party; client: Party } {
        return { owner: this.workers[j.worker]?.owner ?? this.silentWorker, client: this.clients[j.client] };
    }

    // ------------------------------------------------------------------ jobs

    private async open(a: Extract<Action, { k: 'open' }>): Promise<SendMessageResult | null> {
        if (this.liveJobs().length >= MAX_LIVE_JOBS) return null;
        const client = this.clients[a.client];
        const workerAddress = a.worker < this.workers.length ? this.workers[a.worker].handle.address : this.silentWorker.address;
        // Reopen an id this client used with this worker before (its address is then the same), or a fresh one.
        const previous = a.reuseId
            ? [...this.jobs]
                  .reverse()
                  // Only an address with no live life: reopening a live job is refused (on_reopen), it is not a new life.
                  .find((j) => j.status === 'gone' && j.client === a.client && j.worker === a.worker && !this.jobs.some((x) => x.status !== 'gone' && x.job.address.equals(j.job.address)))
            : undefined;
        const jobId = previous ? previous.jobId : BigInt(++this.nextJob);
        const keys = ed25519FromLabel(`fuzz voucher ${a.client}`);
        const job = this.bc.openContract(
            Job.createForJob({ root: this.kit.root.address, client: client.address, worker: workerAddress, jobId }),
        );
        const model: JobModel = {
            n: this.jobs.length,
            job,
            client: a.client,
            worker: a.worker,
            jobId,
            life: (previous?.life ?? 0) + 1,
            keys,
            vouchers: [],
            lastAmount: 0n,
            tokens: 0n,
            status: 'pending',
            paid: 0n,
            deposit: 0n,
            deadline: 0,
            accepted: false,
            nonce: 0n,
        };
        this.jobs.push(model);
        this.justOpened = model;
        this.protocolAddresses.add(job.address.toRawString());
        // Through the root, which deploys the job with its current code.
        const result = await this.send(() =>
            this.kit.root.sendOpenJob(client.sender(), toNano(a.value), {
                worker: workerAddress,
                jobId,
                clientKey: keys.publicKey,
                challenge: a.challenge,
                maxPrices: DEFAULT_PRICES,
            }),
        );
        model.nonce = await job.getNonce().catch(() => 0n); // 0 when the open failed: its vouchers are then never claimable
        await this.checkJobCode(model);
        return result;
    }

    /** A job that opened (its worker accepted) runs the job code the root holds now, never one governance replaced. */
    private async checkJobCode(j: JobModel): Promise<void> {
        const st = (await this.bc.getContract(j.job.address)).accountState;
        if (st?.type !== 'active' || !st.state.code) return;
        const stored = st.state.data ? parseJobStorage(st.state.data) : null;
        if (!stored || stored.state === 1) return; // not opened, or pending: no offer accepted yet
        const current = (await this.kit.root.getChildCodes()).jobCode;
        if (!st.state.code.equals(current)) {
            throw new InvariantError('replaced-code-job-opened', `job #${j.n} opened with code ${st.state.code.hash().toString('hex').slice(0, 16)} after governance set the job code to ${current.hash().toString('hex').slice(0, 16)}`);
        }
    }

    private voucherFor(j: JobModel, amount: bigint, tokens: bigint, final: boolean, opts: { secretKey?: Buffer; job?: Address; tag?: number; globalId?: number; nonce?: bigint } = {}): SignedVoucher {
        return signVoucher(
            { globalId: opts.globalId ?? this.globalId, job: opts.job ?? j.job.address, nonce: opts.nonce ?? j.nonce, amount, tokens, head: hashOf(`head ${j.n} ${amount}`), final },
            opts.secretKey ?? j.keys.secretKey,
            { tag: opts.tag },
        );
    }

    private sign(a: Extract<Action, { k: 'sign' }>): void {
        const j = pick(this.liveJobs().filter((x) => x.status === 'active' || x.status === 'closing'), a.job);
        if (!j) return;
        const amount = j.lastAmount + BigInt(a.add);
        // Every voucher counts at least one token more than the last (as the worker's receipts do), so any settled job
        // reports some; hugeTokens jumps to near 2^64 (finding 5: the worker's counter must neither freeze nor overflow).
        const tokens = a.hugeTokens ? U64 - BigInt(a.add % 1000) : j.tokens + 1n + BigInt(a.add % 100_000);
        j.lastAmount = amount;
        j.tokens = tokens > U64 ? U64 : tokens;
        j.vouchers.push({ signed: this.voucherFor(j, amount, j.tokens, a.final), amount, final: a.final });
    }

    private async submit(j: JobModel, v: SignedVoucher, ext: boolean, from: Party, value: bigint): Promise<SendMessageResult | null> {
        if (ext) return this.send(() => j.job.sendExtClaim(v));
        return this.send(() => j.job.sendClaim(from.sender(), value, v));
    }

    private claimable(j: JobModel): boolean {
        return j.status === 'active' || (j.status === 'closing' && this.now < j.deadline);
    }

    private async workerClaim(a: Extract<Action, { k: 'workerClaim' }>, expectations: Array<(r: SendMessageResult | null) => Promise<void>>) {
        const j = pick(this.jobs.filter((x) => x.vouchers.length > 0 && x.life === this.lifeOf(x)), a.job);
        if (!j) return null;
        const v = pick(j.vouchers, a.voucher)!;
        const owner = this.workers[j.worker]?.owner ?? this.silentWorker;
        const value = a.ext ? 0n : VALUES[a.value];
        const wasClaimable = j.status !== 'gone' && this.claimable(j) && j.accepted;
        const paidBefore = j.paid;
        const deposit = j.deposit;
        const worker = this.workers[j.worker];
        const result = await this.submit(j, v.signed, a.ext, owner, value);
        expectations.push(async (r) => {
            if (!wasClaimable || !worker || worker.status !== 1) return;
            const due = v.amount < deposit ? v.amount : deposit;
            if (due <= paidBefore) return;
            const jobTx = r?.transactions.find((t) => destOf(t)?.equals(j.job.address));
            if (!jobTx) {
                // An external the job refused: only a payout too small to cover its own gas may be refused.
                if (a.ext && due - paidBefore < toNano('0.05')) return;
                if (!a.ext && value < toNano('0.02')) return;
                throw new InvariantError('valid-voucher-refused', `job #${j.n}: the worker's valid voucher for ${v.amount} (paid ${paidBefore}) was refused without a transaction`);
            }
            const c = computeOf(jobTx);
            if (!c.success) {
                if (c.exitCode === Errors.insufficientValue || c.exitCode === Errors.payoutBelowGas || c.exitCode === -14 || c.exitCode === 13) return;
                if (!c.ran && value < toNano('0.02')) return;
                throw new InvariantError('valid-voucher-refused', `job #${j.n}: the worker's valid voucher for ${v.amount} (paid ${paidBefore}, deposit ${deposit}) failed with exit code ${c.exitCode}`);
            }
            const paidNow = j.status === 'gone' ? this.settledPaid.get(j.n) ?? 0n : j.paid;
            if (paidNow < due && !this.payoutBounced.has(j.n)) {
                throw new InvariantError('valid-voucher-refused', `job #${j.n}: paid ${paidNow} after the worker's valid voucher for ${v.amount} (deposit ${deposit})`);
            }
        });
        return result;
    }

    private lifeOf(j: JobModel): number {
        return Math.max(...this.jobs.filter((x) => x.job.address.equals(j.job.address)).map((x) => x.life));
    }

    private async clientClaim(a: Extract<Action, { k: 'clientClaim' }>) {
        const j = pick(this.liveJobs().filter((x) => x.status !== 'pending'), a.job);
        if (!j) return null;
        const amount = a.atPaid ? j.paid : j.lastAmount;
        const v = this.voucherFor(j, amount, j.tokens, a.final);
        return this.submit(j, v, a.ext, this.clients[j.client], toNano('0.05'));
    }
    private justOpened: JobModel | undefined;

    private async forgedClaim(a: Extract<Action, { k: 'forgedClaim' }>, expectations: Array<(r: SendMessageResult | null) => Promise<void>>) {
        const j = pick(this.liveJobs().filter((x) => x.status !== 'pending'), a.job);
        if (!j) return null;
        const owner = this.workers[j.worker]?.owner ?? this.silentWorker;
        const amount = j.paid + toNano('1');
        let v: SignedVoucher;
        switch (a.kind) {
            case 'wrongKey':
                v = this.voucherFor(j, amount, 0n, false, { secretKey: ed25519FromLabel('forger').secretKey });
                break;
            case 'wrongJob': {
                const other = this.jobs.find((x) => !x.job.address.equals(j.job.address));
                v = this.voucherFor(j, amount, 0n, false, { job: other?.job.address ?? this.kit.root.address });
                break;
            }
            case 'wrongTag':
                v = this.voucherFor(j, amount, 0n, false, { tag: Tags.receipt });
                break;
            case 'wrongNetwork':
                v = this.voucherFor(j, amount, 0n, false, { globalId: -3 });
                break;
            case 'stale': {
                const old = j.vouchers.find((x) => x.amount <= j.paid && !x.final);
                if (!old) return null;
                v = old.signed;
                break;
            }
            case 'replayOldLife': {
                const earlier = this.jobs.filter((x) => x.job.address.equals(j.job.address) && x.life < j.life && x.vouchers.length > 0);
                const old = earlier.flatMap((x) => x.vouchers).sort((x, y) => (x.amount > y.amount ? -1 : 1))[0];
                if (!old) return null;
                v = old.signed;
                break;
            }
        }
        const paidBefore = j.paid;
        const result = await this.submit(j, v, a.ext, owner, toNano('0.05'));
        expectations.push(async () => {
            const paidNow = j.status === 'gone' ? this.settledPaid.get(j.n) ?? 0n : j.paid;
            if (paidNow > paidBefore) {
                const id = a.kind === 'replayOldLife' ? 'old-life-voucher-paid' : 'forged-voucher-paid';
                throw new InvariantError(id, `job #${j.n} (life ${j.life}): a ${a.kind} voucher raised paid from ${paidBefore} to ${paidNow}`);
            }
        });
        return result;
    }

    // ------------------------------------------------------------------ workers

    private async workerOp(a: Extract<Action, { k: 'workerOp' }>, allowStake: Map<number, 'up' | 'down' | 'any'>) {
        const w = this.workers[a.worker];
        const from = this.party(a.sender, { owner: w.owner });
        const isOwner = from.address.equals(w.owner.address);
        const v = VALUES[a.value];
        const h = w.handle;
        switch (a.op) {
            case 'addStake':
                if (isOwner) allowStake.set(a.worker, 'up');
                return this.send(() => h.sendAddStake(from.sender(), v));
            case 'requestUnbond':
                return this.send(() => h.sendRequestUnbond(from.sender(), v));
            case 'cancelUnbond':
                return this.send(() => h.sendComment(from.sender(), WorkerComments.cancelUnbond, v));
            case 'withdraw':
                if (isOwner) allowStake.set(a.worker, 'down');
                return this.send(() => h.sendWithdraw(from.sender(), v));
            case 'collect':
                return this.send(() => h.sendCollectEarnings(from.sender(), v));
            case 'setPrices':
                return this.send(() => h.sendSetPrices(from.sender(), { ...DEFAULT_PRICES, completion: DEFAULT_PRICES.completion / 2n }, undefined, v));
            case 'setPricesPadded': {
                // A Prices cell with extra bits and a ref: must be refused wherever it enters.
                const padded = beginCell().storeSlice(pricesCell(DEFAULT_PRICES).beginParse()).storeUint(0, 600).storeRef(garbageCell(7, 900, 2)).endCell();
                const body = beginCell().storeUint(Op.setPrices, 32).storeUint(0, 64).storeRef(padded).storeMaybeRef(null).endCell();
                return this.send(() => h.sendRaw(from.sender(), body, v));
            }
            case 'setThreshold':
                return this.send(() => h.sendSetPayoutThreshold(from.sender(), toNano('1'), v));
        }
    }

    private async evidence(a: Extract<Action, { k: 'evidence' }>, allowStake: Map<number, 'up' | 'down' | 'any'>) {
        const w = this.workers[a.worker];
        const job = this.jobs.find((j) => j.worker === a.worker);
        const jobAddress = job?.job.address ?? this.kit.root.address;
        const key = a.valid ? w.receiptKeys.secretKey : ed25519FromLabel('forger').secretKey;
        const receipt = (n: number, model: Buffer): Receipt => ({
            globalId: this.globalId,
            job: jobAddress,
            nonce: 1n,
            seqno: 1,
            modelHash: model,
            tokens: { prompt: 10, cached: 0, completion: n, reasoning: 0 },
            cost: 1000n,
            cumulative: 1000n,
            prevHead: ZERO_HEAD,
            requestHash: hashOf(`rq ${n}`),
            responseHash: hashOf(`rs ${n}`),
        });
        if (a.valid) allowStake.set(a.worker, 'down');
        const from = this.party(a.sender, { owner: w.owner });
        const body = a.wrongModel
            ? wrongModelBody(signReceipt(receipt(1, hashOf('some other model')), key))
            : equivocationBody(signReceipt(receipt(1, this.kit.modelHash), key), signReceipt(receipt(2, this.kit.modelHash), key));
        return this.send(() => w.handle.sendRaw(from.sender(), body, toNano('0.2')));
    }

    // ------------------------------------------------------------------ impostors and garbage

    private targetAddress(target: Extract<Action, { k: 'garbage' }>['target'], index: number): Address | undefined {
        switch (target) {
            case 'root':
                return this.kit.root.address;
            case 'council':
                return this.kit.council.address;
            case 'worker':
                return this.workers[index % this.workers.length].handle.address;
            case 'job':
                return pick(this.liveJobs(), index)?.job.address;
            case 'proposal':
                return pick(this.proposals, index)?.handle.address;
        }
    }

    private async impersonate(a: Extract<Action, { k: 'impersonate' }>) {
        const to = this.targetAddress(a.target, a.index);
        if (!to) return null;
        const someJob = pick(this.jobs, a.index);
        const client = someJob ? this.clients[someJob.client].address : this.parties.stranger.address;
        let body: Cell;
        switch (a.op) {
            case 'jobPayout':
                body = jobPayoutBody({ amount: toNano('100'), nonce: 1n });
                break;
            case 'jobReport':
                body = jobReportBody({ paid: toNano('100'), fees: 0n, tokens: U64, client, jobId: someJob?.jobId ?? 1n });
                break;
            case 'jobAccepted':
                body = jobAcceptedBody({ receiptKey: hashOf('impostor key'), paramsVersion: 1, feeBps: 0, payoutThreshold: 0n, prices: DEFAULT_PRICES });
                break;
            case 'jobRefused':
                body = jobRefusedBody(1);
                break;
            case 'govSlash':
                body = beginCell().storeUint(Op.govSlash, 32).storeUint(0, 64).storeCoins(toNano('5')).storeUint(10_000, 16).storeUint(0, 256).endCell();
                break;
            case 'workerAttest':
                body = beginCell().storeUint(Op.workerAttest, 32).storeUint(0, 64).storeRef(garbageCell(3, 768, 0)).endCell();
                break;
            case 'proposalApproved':
                body = proposalApprovedBody(0, 0, this.parties.stranger.address, [
                    { kind: 'root', value: toNano('0.05'), action: { kind: 'addImage', label: 'test image', imageHash: hashOf('impostor image') } },
                ]);
                break;
        }
        return this.inject(this.party(a.sender).address, to, toNano('0.5'), body);
    }

    /** A message from `src` (any address: this is how a contract that impersonates is modelled). */
    private inject(src: Address, dest: Address, value: bigint, body: Cell) {
        return this.send(() =>
            this.bc.sendMessage({
                info: { type: 'internal', ihrDisabled: true, bounce: true, bounced: false, src, dest, value: { coins: value }, ihrFee: 0n, forwardFee: 0n, createdLt: 0n, createdAt: this.now },
                body,
            }),
        );
    }

    private async garbage(a: Extract<Action, { k: 'garbage' }>) {
        const to = this.targetAddress(a.target, a.index);
        if (!to) return null;
        const body = garbageCell(a.seed, a.bits, a.refs);
        return this.inject(this.party(a.sender).address, to, VALUES[a.value], body);
    }

    // ------------------------------------------------------------------ governance

    private govAction(kind: Extract<Action, { k: 'propose' }>['action'], seed: number): CouncilAction {
        const value = toNano('0.05');
        const root = (action: RootGovernanceAction): CouncilAction => ({ kind: 'root', value, action });
        const w = this.workerSetup[seed % this.workerSetup.length];
        switch (kind) {
            case 'addImage':
                return root({ kind: 'addImage', label: `fuzz image ${seed % 5}`, imageHash: hashOf(`image ${seed % 5}`) });
            case 'retireImage':
                return root({ kind: 'retireImage', imageHash: seed % 2 ? this.kit.imageHash : hashOf(`image ${seed % 5}`) });
            case 'addModel':
                return root({ kind: 'addModel', modelHash: hashOf(`model ${seed % 5}`), name: `model ${seed % 5}` });
            case 'removeModel':
                return root({ kind: 'removeModel', modelHash: seed % 2 ? this.kit.modelHash : hashOf(`model ${seed % 5}`) });
            case 'setParams': {
                const p = { ...this.kit.params };
                const variants = [
                    () => (p.unbondingPeriod = 3600),
                    () => (p.minChallenge = 60),
                    () => (p.maxChallenge = 2 ** 32 - 1),
                    () => (p.unbondingPeriod = 2 ** 32 - 1),
                    () => (p.protocolFeeBps = 10_000),
                    () => (p.minStake = toNano('1')),
                    () => (p.version = p.version + 1),
                ];
                variants[seed % variants.length]();
                return root({ kind: 'setParams', params: p });
            }
            case 'slashWorker':
                return root({ kind: 'slashWorker', owner: w.owner.address, index: 0, amount: toNano(String(1 + (seed % 20))), bps: 1000, reason: hashOf('fuzz') });
            case 'withdrawTreasury':
                return root({ kind: 'withdrawTreasury', amount: BigInt(1 + (seed % 3)) * toNano('0.1'), to: this.parties.stranger.address });
            case 'setThreshold':
                return { kind: 'setThreshold', threshold: BigInt(1 + (seed % 9)) };
        }
    }

    /** Code variants handed out in this run (each code change gets a fresh hash; at most MAX_PROPOSALS per run). */
    private codeChanges = 0;

    /**
     * The council enacts one order: alice proposes, bob and carol vote yes, the timelock passes, a stranger executes.
     * Each message runs under the ledger; the step's result is the execution's.
     */
    private async govOrder(a: Extract<Action, { k: 'govOrder' }>, allowStake: Map<number, 'up' | 'down' | 'any'>, expectations: Array<(r: SendMessageResult | null) => Promise<void>>) {
        if (this.proposals.length >= MAX_PROPOSALS) return null;
        const value = toNano('0.05');
        const target = a.seed % this.workers.length;
        const action: CouncilAction =
            a.order === 'jobCode'
                ? { kind: 'root', value, action: { kind: 'setCode', jobCode: codeVariant(loadCode('Job'), ++this.codeChanges) } }
                : a.order === 'workerCode'
                  ? { kind: 'root', value, action: { kind: 'setCode', workerCode: codeVariant(loadCode('Worker'), ++this.codeChanges) } }
                  : // A fresh reason per order: the worker refuses a reason it was already slashed for.
                    { kind: 'root', value, action: { kind: 'slashWorker', owner: this.workerSetup[target].owner.address, index: 0, amount: toNano('1'), bps: 1000, reason: hashOf(`order ${this.baseNextId + this.proposals.length}`) } };
        this.proposalFee ??= await this.kit.council.getProposalFee();
        const id = this.baseNextId + this.proposals.length;
        const created = await this.send(() =>
            this.kit.council.sendCreateProposal(this.parties.alice.sender(), { actions: [action], description: `order ${id}`, value: this.proposalFee! + toNano('0.1'), evidence: a.order === 'slash' ? hashOf(`evidence ${id}`) : null }),
        );
        const handle = this.kit.proposal(id);
        if (!created || !(await this.isActive(handle.address))) return created;
        this.proposals.push({ id, handle });
        this.protocolAddresses.add(handle.address.toRawString());
        for (const m of ['bob', 'carol'] as const) await this.send(() => handle.sendVote(this.parties[m].sender(), true, SMALL));
        if ((await handle.getState()) !== ProposalState.Passed) return null;
        const data = await handle.getProposalData();
        if (this.now < data.executeAt) this.bc.now = data.executeAt;
        const w = this.workers[target];
        const stakeOf = async () => ((await this.isActive(w.handle.address)) ? (await w.handle.getState()).stake : 0n);
        const stakeBefore = a.order === 'slash' ? await stakeOf() : 0n;
        const need = await handle.getExecuteValue();
        const result = await this.send(() => handle.sendExecute(this.parties.stranger.sender(), need + toNano('0.05')));
        if (a.order === 'slash') {
            allowStake.set(target, 'down');
            expectations.push(async () => {
                const executed = (await handle.getState().catch(() => ProposalState.Executed)) === ProposalState.Executed;
                if (executed && stakeBefore > 0n && (await stakeOf()) >= stakeBefore) {
                    throw new InvariantError('slash-missed', `worker ${target}: the council's slash executed (after ${this.codeChanges} code changes) but its stake stayed ${stakeBefore}`);
                }
            });
        }
        return result;
    }

    private async propose(a: Extract<Action, { k: 'propose' }>) {
        if (this.proposals.length >= MAX_PROPOSALS) return null;
        this.proposalFee ??= await this.kit.council.getProposalFee();
        const fee = this.proposalFee;
        const nextId = this.baseNextId + this.proposals.length;
        const value = a.value === 0 ? fee / 2n : fee + BigInt(a.value) * toNano('0.1');
        const result = await this.send(() =>
            this.kit.council.sendCreateProposal(this.party(a.sender).sender(), { actions: [this.govAction(a.action, a.seed)], description: `fuzz ${nextId}`, value }),
        );
        const handleOf = this.kit.proposal(nextId);
        if (await this.isActive(handleOf.address)) {
            const handle = this.kit.proposal(nextId);
            this.proposals.push({ id: nextId, handle });
            this.protocolAddresses.add(handle.address.toRawString());
        }
        return result;
    }

    // ------------------------------------------------------------------ invariants after every step

    private settledPaid = new Map<number, bigint>();
    private payoutBounced = new Set<number>();

    private async checkAfter(
        a: Action,
        r: SendMessageResult | null,
        jobsBefore: Map<number, JobModel>,
        allowStake: Map<number, 'up' | 'down' | 'any'>,
    ): Promise<void> {
        const txs = r?.transactions ?? [];
        const touched = new Set(txs.map((t) => destOf(t)?.toRawString()).filter((x): x is string => !!x));
        this.payoutBounced.clear();

        // Messages between protocol contracts: a non-bounceable one must not fail (it would vanish), a bounce handler must not fail.
        const reports = new Map<string, number>();
        for (const tx of txs) {
            const info = tx.inMessage?.info;
            if (!info || info.type !== 'internal') continue;
            const src = info.src.toRawString();
            const dst = info.dest.toRawString();
            const body = tx.inMessage!.body.beginParse();
            const op = body.remainingBits >= 32 ? body.preloadUint(32) : -1;
            if (this.protocolAddresses.has(src) && this.protocolAddresses.has(dst)) {
                if (op === Op.jobReport) reports.set(dst, (reports.get(dst) ?? 0) + 1);
                checkDelivery(tx, '');
                if (info.bounced && body.remainingBits >= 64) {
                    const s = body.clone();
                    s.skip(32);
                    if (s.loadUint(32) === Op.jobPayout) {
                        const j = this.jobs.find((x) => x.job.address.toRawString() === dst && x.status !== 'gone');
                        if (j) this.payoutBounced.add(j.n);
                    }
                }
            }
            if (op === Op.jobReport && this.protocolAddresses.has(src)) {
                const s = tx.inMessage!.body.beginParse();
                s.skip(32);
                const paid = s.loadCoins();
                const j = this.jobs.find((x) => x.job.address.toRawString() === src && x.status !== 'gone') ?? this.jobs.find((x) => x.job.address.toRawString() === src);
                if (j) this.settledPaid.set(j.n, paid);
            }
        }

        // Jobs the step touched.
        for (const j of this.liveJobs().concat(this.jobs.filter((x) => x.status === 'gone' && touched.has(x.job.address.toRawString())))) {
            if (!touched.has(j.job.address.toRawString()) && j !== this.justOpened) continue;
            if (j.life !== this.lifeOf(j)) continue;
            await this.refreshJob(j, a, jobsBefore.get(j.n));
        }

        // Workers: stake only by the owner, valid evidence, governance; reports counted; never frozen.
        for (let i = 0; i < this.workers.length; i++) {
            const w = this.workers[i];
            if (!touched.has(w.handle.address.toRawString())) continue;
            const acc = await this.bc.getContract(w.handle.address);
            if (acc.accountState?.type === 'frozen') throw new InvariantError('frozen', `worker ${i} is frozen`);
            const active = acc.accountState?.type === 'active';
            // A withdrawal deletes the account: no stake, no status, reputation kept in the model.
            const s = active ? await w.handle.getState() : { stake: 0n, status: 0 };
            const rep = active ? await w.handle.getReputation() : { jobs: w.reportedJobs + (reports.get(w.handle.address.toRawString()) ?? 0) };
            const delta = s.stake - w.stake;
            // Anyone may add to a worker's stake (add_stake or a plain transfer): a deposit, never a loss.
            const deposited = txs.some((t) => {
                const info = t.inMessage?.info;
                if (info?.type !== 'internal' || !info.dest.equals(w.handle.address) || this.protocolAddresses.has(info.src.toRawString())) return false;
                const b = t.inMessage!.body.beginParse();
                // add_stake, an empty body, or a text comment from anyone but the owner (the owner's are commands).
                return b.remainingBits < 32 || b.preloadUint(32) === Op.addStake || (b.preloadUint(32) === 0 && !info.src.equals(w.owner.address));
            });
            const allowed = allowStake.get(i) ?? (deposited ? 'up' : undefined);
            if (delta !== 0n && !(allowed === 'any' || (allowed === 'up' && delta > 0n) || (allowed === 'down' && delta < 0n))) {
                throw new InvariantError('stake-changed', `worker ${i}: stake ${w.stake} -> ${s.stake} by ${JSON.stringify(a)}`);
            }
            const expected = w.reportedJobs + (reports.get(w.handle.address.toRawString()) ?? 0);
            if (rep.jobs !== expected) {
                throw new InvariantError('report-not-counted', `worker ${i}: reputation counts ${rep.jobs} jobs, ${expected} reports were sent to it`);
            }
            w.stake = s.stake;
            w.status = s.status;
            w.reportedJobs = rep.jobs;
        }

        // Root: parameters, allowlists, governance and codes only by governance (a council message to the root).
        if (touched.has(this.kit.root.address.toRawString())) {
            const print = await this.rootFingerprint();
            if (print !== this.rootPrint) {
                const byGovernance = txs.some((t) => {
                    const info = t.inMessage?.info;
                    return info?.type === 'internal' && info.src.equals(this.kit.council.address) && info.dest.equals(this.kit.root.address);
                });
                if (!byGovernance && !this.gov.rootChangeAllowed(txs)) throw new InvariantError('root-changed', `the root's settings changed by ${a.k} without governance`);
                this.rootPrint = print;
            }
        }
        for (const addr of touched) {
            if (!this.protocolAddresses.has(addr)) continue;
            const acc = await this.bc.getContract(Address.parseRaw(addr));
            if (acc.accountState?.type === 'frozen') throw new InvariantError('frozen', `${addr} is frozen`);
        }
    }

    /** checkDelivery over every transaction of the results (the liveness check's settlements). */
    private checkDeliveries(results: Array<SendMessageResult | null>, when: string): void {
        for (const r of results) {
            for (const tx of r?.transactions ?? []) {
                const info = tx.inMessage?.info;
                if (info?.type === 'internal' && this.protocolAddresses.has(info.src.toRawString()) && this.protocolAddresses.has(info.dest.toRawString())) {
                    checkDelivery(tx, when);
                }
            }
        }
    }

    private async refreshJob(j: JobModel, a: Action, before: JobModel | undefined): Promise<void> {
        const acc = await this.bc.getContract(j.job.address);
        const st = acc.accountState;
        if (st?.type === 'frozen') throw new InvariantError('frozen', `job #${j.n} is frozen`);
        // Read the storage directly (a getter costs a VM run): null while it is the init data.
        const stored = st?.type === 'active' && st.state.data ? parseJobStorage(st.state.data) : null;
        const exists = stored !== null;
        if (!exists) {
            if (j.status === 'gone') return;
            const was = before ?? j;
            j.status = 'gone';
            if (!was.accepted || was.status === 'pending') return; // refused or never answered: no voucher exists
            const settled = this.settledPaid.get(j.n) ?? 0n;
            if (settled > was.deposit) throw new InvariantError('job-overpaid', `job #${j.n} settled at ${settled} above its deposit ${was.deposit}`);
            // Who may end a job early: the worker with a final voucher, or anyone after the challenge deadline.
            const byWorkerFinal = a.k === 'workerClaim';
            const afterDeadline = was.status === 'closing' && this.now >= was.deadline;
            const worker = this.workers[j.worker];
            const workerGone = !worker || worker.status !== 1;
            if (byWorkerFinal || afterDeadline || workerGone) return;
            const best = j.vouchers.reduce((m, v) => (v.amount > m ? v.amount : m), 0n);
            const due = best < was.deposit ? best : was.deposit;
            if (settled < due) {
                throw new InvariantError(
                    'challenge-cut',
                    `job #${j.n} ended by ${a.k} (${was.status}, deadline ${was.deadline}, now ${this.now}) with ${settled} paid while the worker holds a voucher for ${best}: its challenge period was cut`,
                );
            }
            return;
        }
        const d = stored!;
        const status: JobStatus = d.state === 1 ? 'pending' : d.state === 2 ? 'active' : 'closing';
        if (d.paid > d.deposit) throw new InvariantError('job-overpaid', `job #${j.n}: paid ${d.paid} above deposit ${d.deposit}`);
        if (j.status !== 'gone' && d.paid < j.paid && !this.payoutBounced.has(j.n)) {
            throw new InvariantError('paid-decreased', `job #${j.n}: paid ${j.paid} -> ${d.paid} by ${a.k}`);
        }
        if (status !== 'pending') j.accepted = true;
        j.status = status;
        j.paid = d.paid;
        j.deposit = d.deposit;
        j.deadline = d.deadline;
    }

    // ------------------------------------------------------------------ liveness, on a snapshot

    private async isActive(a: Address): Promise<boolean> {
        return (await this.bc.getContract(a)).accountState?.type === 'active';
    }

    /** Tries every exit on a copy of the chain: jobs end, workers withdraw, proposals end. Restores the chain after. */
    async checkLiveness(): Promise<void> {
        const snap = this.bc.snapshot();
        const now = this.now;
        try {
            const longest = 40 * 86_400;
            // The exits below move the clock by twice `longest`: the library must stay paid for the jobs it promised.
            await this.reach.beforeTimeMove(this.now + 2 * longest, 'liveness: ');
            for (const j of this.liveJobs()) {
                if (j.life !== this.lifeOf(j)) continue;
                const client = this.clients[j.client];
                const stateBefore = j.status;
                this.bc.now = this.now + longest;
                // The client's ways out: close (or cancel a pending job), then anyone finalizes after the deadline.
                const closed = await this.send(() => j.job.sendClose(client.sender(), toNano('0.05')));
                this.bc.now = this.now + longest;
                const finalized = await this.send(() => j.job.sendFinalize(this.parties.stranger.sender(), toNano('0.05')));
                // Settling must also reach the worker: a report the worker can't count (a frozen counter) is lost.
                this.checkDeliveries([closed, finalized], `settling job #${j.n} (liveness): `);
                const acc = await this.bc.getContract(j.job.address);
                const alive = acc.accountState?.type === 'active' && (await j.job.getState().catch(() => 0)) > 0;
                if (alive) {
                    throw new InvariantError(stateBefore === 'pending' ? 'pending-no-exit' : 'job-no-exit', `job #${j.n} (${stateBefore}) cannot be ended: the client's deposit is locked`);
                }
            }
            const params = await this.kit.root.getParams();
            for (let i = 0; i < this.workers.length; i++) {
                const w = this.workers[i];
                if (!(await this.isActive(w.handle.address))) continue; // withdrawn: the account is deleted
                const s = await w.handle.getState();
                if (s.stake === 0n || w.rejectingOwner) continue;
                if (s.status !== 2) await this.send(() => w.handle.sendRequestUnbond(w.owner.sender(), toNano('0.05')));
                this.bc.now = this.now + Math.min(params.unbondingPeriod, 2 ** 31) + 1;
                await this.send(() => w.handle.sendWithdraw(w.owner.sender(), toNano('0.05')));
                const after = (await this.isActive(w.handle.address)) ? await w.handle.getState() : { stake: 0n };
                if (after.stake !== 0n) throw new InvariantError('unbond-no-exit', `worker ${i} (status ${s.status}, stake ${s.stake}) cannot withdraw after unbonding`);
            }
            for (const pr of this.proposals) {
                const acc = await this.bc.getContract(pr.handle.address);
                if (acc.accountState?.type !== 'active') continue;
                let state = await pr.handle.getState();
                const terminal = () => [ProposalState.Executed, ProposalState.Vetoed, ProposalState.Cancelled, ProposalState.Failed, ProposalState.Expired, ProposalState.Rejected].includes(state);
                if (!terminal()) {
                    this.bc.now = this.now + 200 * 86_400;
                    state = await pr.handle.getState();
                    if (state === ProposalState.Passed) {
                        const need = await pr.handle.getExecuteValue();
                        await this.send(() => pr.handle.sendExecute(this.parties.stranger.sender(), need + toNano('0.1')));
                        state = await pr.handle.getState().catch(() => ProposalState.Executed);
                    }
                }
                if (!terminal()) throw new InvariantError('proposal-no-exit', `proposal ${pr.id} is stuck in state ${ProposalState[state]}`);
            }
        } finally {
            await this.bc.loadFrom(snap);
            this.bc.now = now;
            await this.reach.resync();
        }
    }
}
