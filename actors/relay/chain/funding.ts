/**
 * JobFunding over the chain layer's W5 wallet: open_job through the root (which deploys the job), top_up,
 * close_job, finalize_job and the evidence reports, each waited for on-chain. Job addresses and message bodies
 * come only from the wrappers (Job.ts, payloads.ts), so layout changes reach the relay through them.
 */
import { Address, Cell, toNano } from '@ton/core';
import { describeRefusal, errorNameOf, refusalIn } from '../../chain/errors';
import { ChainError, type Chain, type ChainWallet } from '../../chain/types';
import { crashPoint } from '../../crashpoint';
import { closeJobBody, finalizeJobBody, Job, openJobBody, topUpBody } from '../../../wrappers/Job';
import { claimBody, equivocationBody, wrongModelBody, type SignedCell, type SignedVoucher } from '../../../wrappers/payloads';
import { commentOf, type Prices } from '../../../wrappers/common';
import type { Trace } from '../../chain/types';
import type { JobFunding, OpenedJobInfo, Random } from '../types';

/** Why a worker account refused a job offer, as the job's refund says it (contracts/job.fc `refusal_text`). */
export type JobRefusalReason = 'inactive' | 'challenge' | 'prices' | 'no worker' | 'other';

/**
 * The worker account refused the offer: the job refunded the relay's wallet with "cocoon: job refused: <reason>"
 * and deleted itself. The deposit is back; the fees are not. The worker's failure, not the chain's.
 */
export class JobRefusedByWorker extends Error {
    constructor(
        readonly job: Address,
        readonly reason: JobRefusalReason,
    ) {
        super(`the worker account refused the job offer: ${reason}`);
        this.name = 'JobRefusedByWorker';
    }
}

const JOB_REFUSAL = /^cocoon: job refused(?:: (inactive|challenge|prices|no worker))?$/;

/** The reason of the job's refund comment to `client` inside a trace, or null when the job did not refuse. */
export function jobRefusalIn(trace: Pick<Trace, 'transactions'>, job: Address, client: Address): JobRefusalReason | null {
    for (const t of trace.transactions) {
        if (!t.account.equals(job)) continue;
        for (const m of t.outMessages) {
            if (m.kind !== 'internal' || !m.destination?.equals(client)) continue;
            const text = commentOf(m.body);
            const r = text === undefined ? null : JOB_REFUSAL.exec(text);
            if (r) return (r[1] as JobRefusalReason | undefined) ?? 'other';
        }
    }
    return null;
}

export interface FundingSettings {
    /** Added to the deposit on open_job: the job's storage reserve and gas (the rest is refunded at the end). */
    openExtra: bigint;
    challenge: number;
    /** Value sent with close, finalize and top-up gas, and with an evidence report. */
    opValue: bigint;
    reportValue: bigint;
    /** Value sent with a claim of an undelivered voucher: its gas (what is left joins the worker's earnings). */
    claimValue: bigint;
    timeoutMs: number;
}

export const DEFAULT_FUNDING: FundingSettings = { openExtra: toNano('0.2'), challenge: 3600, opValue: toNano('0.05'), reportValue: toNano('0.1'), claimValue: toNano('0.02'), timeoutMs: 60_000 };

export class WalletJobFunding implements JobFunding {
    constructor(
        private readonly chain: Chain,
        private readonly wallet: ChainWallet,
        private readonly root: Address,
        private readonly random: Random,
        private readonly s: FundingSettings = DEFAULT_FUNDING,
    ) {}

    private async send(what: 'open' | 'top-up' | 'close' | 'finalize' | 'report' | 'claim', to: Address, value: bigint, body: Cell): Promise<Trace> {
        const sent = await this.wallet.send([{ to, value, body, bounce: true }]);
        crashPoint(`relay.${what}.sent`);
        const trace = await this.chain.waitForTrace(this.wallet.address, sent, { timeoutMs: this.s.timeoutMs });
        // A refused open_job (job openings paused, the library unpaid…) succeeds on-chain with a refusal comment
        // back to this wallet and opens nothing: say why, with the named error, not "the job never appeared".
        const refusal = refusalIn(trace);
        if (refusal) {
            throw new ChainError('refused_on_chain', `the ${what} was refused by ${refusal.account.toRawString()}: ${describeRefusal(refusal)}`, {
                exitCode: refusal.error,
                errorName: errorNameOf(refusal.error),
            });
        }
        if (!trace.success) throw new Error(`a transaction to ${to.toRawString()} failed on-chain`);
        return trace;
    }

    async open(worker: Address, deposit: bigint, clientKey: Buffer, maxPrices: Prices, beforeSend?: (job: Address) => void): Promise<OpenedJobInfo> {
        const jobId = this.random.bytes(8).readBigUInt64BE(0);
        // The root deploys the job with its current code at the address the identity fixes; the job asks the worker.
        const job = Job.createForJob({ root: this.root, client: this.wallet.address, worker, jobId });
        beforeSend?.(job.address);
        const trace = await this.send('open', this.root, deposit + this.s.openExtra, openJobBody({ worker, jobId, clientKey, challenge: this.s.challenge, maxPrices }));
        // the worker account's answer is in the same trace: a refusal comes back as the job's refund, read here
        const refused = jobRefusalIn(trace, job.address, this.wallet.address);
        if (refused) throw new JobRefusedByWorker(job.address, refused);
        const p = this.chain.provider(job.address);
        const [data, terms] = await Promise.all([job.getJobData(p), job.getTerms(p)]);
        if (data.state !== 2 || !terms.acceptance) throw new Error(`the worker account did not accept job ${job.address.toRawString()}`);
        return {
            address: job.address,
            prices: terms.acceptance.workerPrices,
            receiptKey: Buffer.from(terms.acceptance.receiptKey),
            deposit: data.deposit,
            feeBps: terms.feeBps,
            nonce: terms.nonce,
        };
    }

    async topUp(job: Address, amount: bigint): Promise<bigint> {
        await this.send('top-up', job, amount + this.s.opValue, topUpBody());
        return (await Job.createFromAddress(job).getJobData(this.chain.provider(job))).deposit;
    }

    async close(job: Address): Promise<void> {
        await this.send('close', job, this.s.opValue, closeJobBody());
    }

    async finalize(job: Address): Promise<void> {
        await this.send('finalize', job, this.s.opValue, finalizeJobBody());
    }

    async claim(job: Address, signed: Pick<SignedVoucher, 'voucher' | 'signature'>): Promise<void> {
        await this.send('claim', job, this.s.claimValue, claimBody(signed));
    }

    async accepted(job: Address): Promise<(OpenedJobInfo & { state: number }) | 'pending' | null> {
        if ((await this.chain.getAccount(job)).status !== 'active') return null;
        const j = Job.createFromAddress(job);
        const p = this.chain.provider(job);
        const [data, terms] = await Promise.all([j.getJobData(p), j.getTerms(p)]);
        if (!terms.acceptance) return 'pending';
        return { address: job, prices: terms.acceptance.workerPrices, receiptKey: Buffer.from(terms.acceptance.receiptKey), deposit: data.deposit, feeBps: terms.feeBps, nonce: terms.nonce, state: data.state };
    }

    async settled(job: Address): Promise<boolean> {
        return (await this.chain.getAccount(job)).status !== 'active';
    }

    async read(job: Address): Promise<{ state: number; deposit: bigint; paid: bigint; deadline: number }> {
        const d = await Job.createFromAddress(job).getJobData(this.chain.provider(job));
        return { state: d.state, deposit: d.deposit, paid: d.paid, deadline: d.deadline };
    }

    async reportEquivocation(worker: Address, a: SignedCell, b: SignedCell): Promise<void> {
        await this.send('report', worker, this.s.reportValue, equivocationBody(a, b));
    }

    async reportWrongModel(worker: Address, evidence: SignedCell): Promise<void> {
        await this.send('report', worker, this.s.reportValue, wrongModelBody(evidence));
    }
}
