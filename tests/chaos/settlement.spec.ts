/**
 * The chaos run's settlement check (invariants.ts settlementOf) on one job's whole life in the sandbox, through
 * the chain layer: open, a top-up, two claims (one by external message, one through a wallet), the client's
 * close, a finalize, and a second finalize that bounces off the destroyed account. The worker's claims plus the
 * client's refund equal what the job received less the protocol fee and the chain's fees, to the nanoton; a
 * nanoton missing or sent elsewhere is a violation.
 */
import { Address, beginCell, toNano } from '@ton/core';
import { EmbeddedChain } from '../../actors/chain/dev/embedded';
import type { ChainTransaction } from '../../actors/chain/types';
import { deployForJobs, openJob, CLAIM_VALUE, CLOSE_VALUE, FINALIZE_VALUE } from '../../wrappers/testkit/jobs';
import { allTransactions, settlementOf } from './invariants';

jest.setTimeout(120_000);

describe('chaos settlement: claims + refund = received − fee − chain fees, to the nanoton', () => {
    it('holds over a whole job life and catches a single nanoton off', async () => {
        const p = await deployForJobs();
        const chain = EmbeddedChain.over(p.blockchain);
        const j = await openJob(p, { value: toNano('3') });
        await p.run(() => j.job.sendTopUp(j.client.getSender(), toNano('0.5')));
        const deposit = (await j.job.getJobData()).deposit;
        const first = j.voucher(deposit / 4n);
        await p.run(() => j.job.sendExtClaim(first));
        const second = j.voucher(deposit / 2n);
        const keeper = await p.wallet('claim keeper');
        await p.run(() => j.job.sendClaim(keeper.getSender(), CLAIM_VALUE, second));
        await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
        const data = await j.job.getJobData();
        const { feeBps } = await j.job.getTerms();
        p.blockchain.now = data.deadline + 1;
        await p.run(() => j.job.sendFinalize(j.client.getSender(), FINALIZE_VALUE));
        await p.run(() => j.job.sendFinalize(j.client.getSender(), FINALIZE_VALUE)); // the account is gone: bounces back
        const txs = await allTransactions(chain, j.address);
        const account = await chain.getAccount(j.address);
        const input = {
            job: j.address.toRawString(), worker: j.worker.worker.address, client: j.client.address, feeBps,
            deposit: data.deposit, vouched: second.voucher.amount, relayCumulative: second.voucher.amount, workerCumulative: second.voucher.amount,
            workerBest: second.voucher.amount, paidOnChain: data.paid, finalBalance: account.balance,
        };
        const ok = settlementOf(txs, input);
        expect(ok.violations).toEqual([]);
        expect(ok.settled.returned).toBeGreaterThan(0n); // the second finalize came back
        expect(ok.settled.chainFees).toBeGreaterThan(0n);
        expect(ok.settled.offered).toBeGreaterThan(0n);
        expect(ok.settled.toWorker + ok.settled.refund).toBe(ok.settled.received - ok.settled.returned - ok.settled.offered - ok.settled.fees - ok.settled.chainFees);

        // one nanoton the chain did not charge (a fee misread) breaks it
        const off: ChainTransaction[] = txs.map((t, i) => (i === 0 ? { ...t, totalFees: t.totalFees - 1n } : t));
        expect(settlementOf(off, input).violations.some((x) => /off by 1\b/.test(x) || /off by -1\b/.test(x))).toBe(true);
        // a nanoton sent to a stranger is caught as such
        const stranger = Address.parseRaw('0:' + '77'.repeat(32));
        const leak: ChainTransaction[] = [...txs.slice(0, -1), { ...txs[txs.length - 1], outMessages: [...txs[txs.length - 1].outMessages, { kind: 'internal', source: j.address, destination: stranger, value: 1n, forwardFee: 0n, bounce: false, bounced: false, body: beginCell().endCell(), hash: Buffer.alloc(32), createdLt: 0n }] }];
        expect(settlementOf(leak, input).violations.some((x) => /went to neither/.test(x))).toBe(true);
    });
});
