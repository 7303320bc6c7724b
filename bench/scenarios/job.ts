/**
 * Gas and fees of every job-escrow operation, each as a whole transaction chain, and a session:
 * open a job, 10 claims, close, finalize. Budgets are the limits tests/contracts/GasBudgets.spec.ts enforces;
 * the fee budgets of the claim and session rows are the protocol's fee targets.
 *
 * For reference (COCOON's contracts in the same sandbox): a client charge plus a worker payout burn
 * 0.0266 TON (38,487 gas); its equivalent session burns 0.3231 TON over 105 transactions.
 */
import { toNano } from '@ton/core';
import { DEFAULT_PRICES } from '../../wrappers/testkit';

/** The bench worker's owner batches earnings (scripts/worker/register's default): forwarded once they reach 1 TON. */
const PAYOUT_THRESHOLD = toNano('1');
import { CLAIM_VALUE, CLOSE_VALUE, deployForJobs, FINALIZE_VALUE, openJob } from '../../wrappers/testkit/jobs';
import { ChainCost, chainCost, GasRow, Scenario } from './types';

/** One request's worth of tokens in the benchmark (about 0.08 TON at the default prices). */
const USAGE = { prompt: 200_000, cached: 50_000, completion: 80_000, reasoning: 20_000 };

/** Fee targets: a claim's whole chain, and the 10-claim session. */
export const JOB_TARGETS = {
    claimGas: 12_000,
    claimFees: toNano('0.006'),
    sessionFees: toNano('0.10'),
} as const;

/** Gas budgets per operation (whole chain; the sender's wallet excluded, an external's first transaction included). */
export const JOB_GAS_BUDGETS = {
    open: 24_000, // job open + worker offer + job answer
    refused: 24_000, // job open + worker offer + job refusal + client wallet
    claimInternal: JOB_TARGETS.claimGas, // job claim + worker payout (earnings held for the owner)
    claimExternal: JOB_TARGETS.claimGas, // same, started by an external message
    claimForwarding: 15_000, // job claim + worker payout + owner wallet (threshold 0: every payout forwarded)
    topUp: 4_000,
    close: 4_500,
    finalize: 17_000, // job finalize + worker report + root treasury + client wallet
    finalVoucher: 26_000, // job settles: payout, treasury, refund, then the worker and the wallets
    payoutBounce: 16_000, // job claim + bounce from a closed worker account + job restore
    session: 230_000,
} as const;

function sum(costs: ChainCost[]): ChainCost {
    return {
        transactions: costs.reduce((a, c) => a + c.transactions, 0),
        gas: costs.reduce((a, c) => a + c.gas, 0),
        gasPerTransaction: costs.flatMap((c) => c.gasPerTransaction),
        fees: costs.reduce((a, c) => a + c.fees, 0n),
    };
}

export const jobScenario: Scenario = {
    title: 'Job escrow',
    async run(): Promise<GasRow[]> {
        const rows: GasRow[] = [];
        const p = await deployForJobs();
        const anyone = await p.wallet('bench anyone');
        const batching = await p.registerWorker(await p.wallet('batching owner'), 0, { payoutThreshold: PAYOUT_THRESHOLD });

        // open: wallet → job (deploy) → worker account (offer) → job (accepted)
        const j = await openJob(p, { value: toNano('10'), worker: batching });
        const open = chainCost(j.opened.result);
        rows.push({ operation: 'open job (accepted)', gasBudget: JOB_GAS_BUDGETS.open, note: 'wallet → job (deploy) → worker → job', ...open,
            handlers: [{ constant: 'gas::job_open', transaction: 1 }, { constant: 'gas::job_worker_offer', transaction: 2 }, { constant: 'gas::job_answer', transaction: 3 }] });

        const refused = await openJob(p, { allowRefusal: true, maxPrices: { ...DEFAULT_PRICES, prompt: 1n } });
        rows.push({ operation: 'open job (refused: prices)', gasBudget: JOB_GAS_BUDGETS.refused, note: 'wallet → job → worker → job → refund, job deleted', ...chainCost(refused.opened.result),
            handlers: [{ constant: 'gas::job_answer', transaction: 3 }] });

        // claims
        j.serve(USAGE);
        let e = await p.run(() => j.job.sendExtClaim(j.voucher()));
        rows.push({ operation: 'claim (external message)', gasBudget: JOB_GAS_BUDGETS.claimExternal, feeBudget: JOB_TARGETS.claimFees,
            note: 'external → job → worker (earnings held until 1 TON); gas paid from the payout', ...chainCost(e.result, true),
            handlers: [{ constant: 'gas::job_ext_claim', transaction: 0 }, { constant: 'gas::job_worker_payout', transaction: 1 }] });

        j.serve(USAGE);
        e = await p.run(() => j.job.sendClaim(anyone.getSender(), CLAIM_VALUE, j.voucher()));
        rows.push({ operation: 'claim (internal, from any wallet)', gasBudget: JOB_GAS_BUDGETS.claimInternal,
            note: "wallet → job → worker (earnings held); fees include the claimer's own wallet transaction", ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_claim', transaction: 1 }, { constant: 'gas::job_worker_payout', transaction: 2 }] });

        // the same claim for an owner who takes every payout at once (threshold 0)
        const direct = await openJob(p, { value: toNano('10') });
        direct.serve(USAGE);
        e = await p.run(() => direct.job.sendExtClaim(direct.voucher()));
        rows.push({ operation: 'claim (external, earnings forwarded at once)', gasBudget: JOB_GAS_BUDGETS.claimForwarding,
            note: 'external → job → worker → owner wallet (payout threshold 0)', ...chainCost(e.result, true),
            handlers: [{ constant: 'gas::job_worker_payout', transaction: 1 }] });

        e = await p.run(() => j.job.sendTopUp(anyone.getSender(), toNano('1')));
        rows.push({ operation: 'top up', gasBudget: JOB_GAS_BUDGETS.topUp, note: 'wallet → job', ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_top_up', transaction: 1 }] });

        e = await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
        rows.push({ operation: 'close job', gasBudget: JOB_GAS_BUDGETS.close, note: 'client wallet → job', ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_close', transaction: 1 }] });
        p.advance(p.params.minChallenge);
        e = await p.run(() => j.job.sendFinalize(anyone.getSender(), FINALIZE_VALUE));
        rows.push({ operation: 'finalize job', gasBudget: JOB_GAS_BUDGETS.finalize, note: 'wallet → job → worker (report), root treasury, client wallet; job deleted', ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_finalize', transaction: 1 }, { constant: 'gas::job_worker_report', transaction: 2 }] });

        // final-flag settlement (external)
        const f = await openJob(p, { value: toNano('10') });
        f.serve(USAGE);
        await p.run(() => f.job.sendExtClaim(f.voucher()));
        f.serve(USAGE);
        e = await p.run(() => f.job.sendExtClaim(f.voucher(undefined, { final: true })));
        rows.push({ operation: 'final-voucher settlement (external)', gasBudget: JOB_GAS_BUDGETS.finalVoucher,
            note: 'external → job → worker (payout, report), root treasury, client wallet; job deleted', ...chainCost(e.result, true),
            handlers: [{ constant: 'gas::job_ext_claim', transaction: 0 }] });

        // payout bounce: the worker account is gone
        const b = await openJob(p, { value: toNano('10'), worker: await p.registerWorker(await p.wallet('leaving owner')) });
        await p.run(() => b.worker.worker.sendRequestUnbond(b.worker.owner.getSender(), toNano('0.05')));
        p.advance(p.params.unbondingPeriod);
        await p.run(() => b.worker.worker.sendWithdraw(b.worker.owner.getSender(), toNano('0.05')));
        b.serve(USAGE);
        e = await p.run(() => b.job.sendExtClaim(b.voucher()));
        rows.push({ operation: 'claim whose payout bounces', gasBudget: JOB_GAS_BUDGETS.payoutBounce, note: 'external → job → (no account) → job restores paid',
            ...chainCost(e.result, true), handlers: [{ constant: 'gas::job_bounce', transaction: 2 }] });

        // session: open + 10 external claims + close + finalize
        const s = await openJob(p, { value: toNano('10'), worker: batching });
        const costs: ChainCost[] = [chainCost(s.opened.result)];
        for (let i = 0; i < 10; i++) {
            s.serve(USAGE);
            costs.push(chainCost((await p.run(() => s.job.sendExtClaim(s.voucher()))).result, true));
        }
        costs.push(chainCost((await p.run(() => s.job.sendClose(s.client.getSender(), CLOSE_VALUE))).result));
        p.advance(p.params.minChallenge);
        costs.push(chainCost((await p.run(() => s.job.sendFinalize(s.client.getSender(), FINALIZE_VALUE))).result));
        rows.push({ operation: 'session: open + 10 claims + close + finalize', gasBudget: JOB_GAS_BUDGETS.session, feeBudget: JOB_TARGETS.sessionFees,
            note: 'external claims, earnings held for the owner; COCOON: 105 transactions, 0.3231 TON', ...sum(costs), gasPerTransaction: [] });
        return rows;
    },
};
