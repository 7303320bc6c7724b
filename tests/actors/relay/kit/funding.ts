/**
 * JobFunding in @ton/sandbox for the tests: the relay's wallet is a sandbox treasury, jobs are opened with
 * the test kit's openJob (the wrappers' Job and codec) under the ledger's conservation check. The production
 * adapter (actors/relay/chain/funding.ts) does the same through the chain layer's W5 wallet.
 */
import { Address, toNano } from '@ton/core';
import type { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Job } from '../../../../wrappers/Job';
import { equivocationBody, wrongModelBody, type SignedCell } from '../../../../wrappers/payloads';
import type { Prices } from '../../../../wrappers/common';
import type { Ed25519KeyPair } from '../../../../actors/crypto/keys';
import type { JobFunding, OpenedJobInfo } from '../../../../actors/relay/types';
import type { Protocol, RegisteredWorker } from '../../../../wrappers/testkit';
import { openJob, CLOSE_VALUE, FINALIZE_VALUE } from '../../../../wrappers/testkit/jobs';

export class SandboxFunding implements JobFunding {
    readonly workers = new Map<string, RegisteredWorker>();
    readonly opened: Address[] = [];
    /** Every TON value the relay's wallet sent, by purpose (the demo and tests print them). */
    readonly spent: { what: string; value: bigint }[] = [];
    /** Set to make every open fail (tests of failures before the first byte). */
    failOpen = false;

    constructor(
        readonly p: Protocol,
        readonly wallet: SandboxContract<TreasuryContract>,
        readonly keys: Ed25519KeyPair,
    ) {}

    async open(worker: Address, deposit: bigint, clientKey: Buffer, maxPrices: Prices): Promise<OpenedJobInfo> {
        if (this.failOpen) throw new Error('open refused (test)');
        const reg = this.workers.get(worker.toRawString());
        if (!reg) throw new Error('unknown worker');
        if (!clientKey.equals(this.keys.publicKey)) throw new Error('client key is not the relay voucher key');
        const value = deposit + toNano('0.2');
        const j = await openJob(this.p, { worker: reg, client: this.wallet, clientKeys: this.keys, value, maxPrices });
        this.spent.push({ what: 'open_job', value });
        this.opened.push(j.address);
        const [data, terms] = [await j.job.getJobData(), await j.job.getTerms()];
        return { address: j.address, prices: terms.acceptance!.workerPrices, receiptKey: Buffer.from(terms.acceptance!.receiptKey), deposit: data.deposit, feeBps: terms.feeBps, nonce: terms.nonce };
    }

    private job(a: Address) {
        return this.p.blockchain.openContract(Job.createFromAddress(a));
    }

    async topUp(job: Address, amount: bigint): Promise<bigint> {
        await this.p.run(() => this.job(job).sendTopUp(this.wallet.getSender(), amount + toNano('0.05')) as never);
        return (await this.job(job).getJobData()).deposit;
    }

    async close(job: Address): Promise<void> {
        await this.p.run(() => this.job(job).sendClose(this.wallet.getSender(), CLOSE_VALUE) as never);
    }

    async finalize(job: Address): Promise<void> {
        await this.p.run(() => this.job(job).sendFinalize(this.wallet.getSender(), FINALIZE_VALUE) as never);
    }

    async accepted(job: Address): Promise<(OpenedJobInfo & { state: number }) | 'pending' | null> {
        const acc = await this.p.blockchain.getContract(job);
        if (acc.accountState?.type !== 'active') return null;
        const [data, terms] = [await this.job(job).getJobData(), await this.job(job).getTerms()];
        if (!terms.acceptance) return 'pending';
        return { address: job, prices: terms.acceptance.workerPrices, receiptKey: Buffer.from(terms.acceptance.receiptKey), deposit: data.deposit, feeBps: terms.feeBps, nonce: terms.nonce, state: data.state };
    }

    async settled(job: Address): Promise<boolean> {
        return (await this.p.blockchain.getContract(job)).accountState?.type !== 'active';
    }

    async read(job: Address) {
        const d = await this.job(job).getJobData();
        return { state: d.state, deposit: d.deposit, paid: d.paid, deadline: d.deadline };
    }

    async reportEquivocation(worker: Address, a: SignedCell, b: SignedCell): Promise<void> {
        await this.p.run(() => this.wallet.send({ to: worker, value: toNano('0.1'), body: equivocationBody(a, b) }));
    }

    async reportWrongModel(worker: Address, evidence: SignedCell): Promise<void> {
        await this.p.run(() => this.wallet.send({ to: worker, value: toNano('0.1'), body: wrongModelBody(evidence) }));
    }
}
