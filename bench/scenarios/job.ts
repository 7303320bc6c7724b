/**
 * Gas and fees of every job-escrow operation, each as a whole transaction chain, and a session: open a job,
 * 10 claims, close, finalize. Budgets are the limits tests/contracts/GasBudgets.spec.ts enforces; the gas budget
 * of the external claim and the fee budgets are the protocol's targets.
 *
 * For reference (COCOON's contracts in the same sandbox): a client charge plus a worker payout burn
 * 0.0266 TON (38,487 gas); its equivalent session burns 0.3231 TON over 105 transactions.
 */
import { Address, toNano } from '@ton/core';
import { DEFAULT_PRICES } from '../../wrappers/testkit';

/** The bench worker's owner batches earnings (scripts/worker/register's default): forwarded once they reach 1 TON. */
const PAYOUT_THRESHOLD = toNano('1');
import { CLAIM_VALUE, CLOSE_VALUE, deployForJobs, FINALIZE_VALUE, openJob } from '../../wrappers/testkit/jobs';
import { ChainCost, chainCost, GasRow, Scenario } from './types';
import { sumForwardFees } from '../../wrappers/testkit/transactions';
import type { SendMessageResult } from '@ton/sandbox';

/** One request's worth of tokens in the benchmark (about 0.08 TON at the default prices). */
const USAGE = { prompt: 200_000, cached: 50_000, completion: 80_000, reasoning: 20_000 };

/** Targets: an external claim in one transaction of at most 6,000 gas, and the 10-claim session. */
export const JOB_TARGETS = {
    claimGas: 6_000,
    claimFees: toNano('0.003'),
    /** The target for the session; `sessionFees` below is the budget the tests hold it to. */
    sessionTarget: toNano('0.05'),
    // 0.05 TON was the target; three legs that each carry a guarantee take the session above it (the root's open_job
    // transaction, the authenticated worker report, the treasury deposit): `sessionLegs` measures each, and
    // docs/gas.md "Where one job's TON goes" prints them. Kept as the honest budget.
    sessionFees: toNano('0.055'),
} as const;

/** Gas budgets per operation (whole chain; the sender's wallet excluded, an external's first transaction included). */
export const JOB_GAS_BUDGETS = {
    open: 33_000, // measured 32236: root open_job (pause flag, library runway, inside a try so a refusal comes back as text) + job install and init + worker offer + job answer
    refused: 33_000, // measured 31901: root (open_job inside a try) + job install and init + worker offer + job refusal (its comment says why) + client wallet
    claimExternal: JOB_TARGETS.claimGas, // one transaction: the job records the claim and holds the earnings
    claimInternal: 6_500, // job claim (the claimer's wallet excluded)
    claimPayout: 15_000, // job claim + payout to the worker account + owner wallet (threshold reached)
    payWorker: 13_000, // job + worker account + owner wallet
    topUp: 4_000,
    close: 5_000,
    finalize: 19_000, // job finalize + worker report (earnings) + root treasury + client wallet
    settle: 20_500, // countersigned final voucher: job + worker report + root treasury + client wallet
    payoutBounce: 12_000, // job claim + bounce from a closed worker account + job winds down
    session: 120_000,
} as const;

function sum(costs: ChainCost[]): ChainCost {
    return {
        transactions: costs.reduce((a, c) => a + c.transactions, 0),
        gas: costs.reduce((a, c) => a + c.gas, 0),
        gasPerTransaction: costs.flatMap((c) => c.gasPerTransaction),
        fees: costs.reduce((a, c) => a + c.fees, 0n),
    };
}

/**
 * One job's whole life on a sandbox of its own (so no other weeks' storage rent of the accounts it touches counts
 * as the job's): open, 10 external claims, close, finalize. With `closeByVoucher` the client's last voucher is
 * final, which is its close (no close message of its own).
 */
async function session(closeByVoucher: boolean): Promise<ChainCost> {
    const q = await deployForJobs();
    const worker = await q.registerWorker(await q.wallet('session owner'), 0, { payoutThreshold: PAYOUT_THRESHOLD });
    const s = await openJob(q, { value: toNano('10'), worker });
    const costs: ChainCost[] = [chainCost(s.opened.result)];
    for (let i = 0; i < 10; i++) {
        s.serve(USAGE);
        const last = i === 9;
        costs.push(chainCost((await q.run(() => s.job.sendExtClaim(s.voucher(undefined, { final: closeByVoucher && last })))).result, true));
    }
    if (!closeByVoucher) costs.push(chainCost((await q.run(() => s.job.sendClose(s.client.getSender(), CLOSE_VALUE))).result));
    q.advance(q.params.minChallenge);
    costs.push(chainCost((await q.run(() => s.job.sendFinalize(s.client.getSender(), FINALIZE_VALUE))).result));
    return { ...sum(costs), gasPerTransaction: [] };
}

/** One leg of the session: what the chain burns for it, and the guarantee it buys when it is above the bare minimum. */
export interface SessionLeg {
    leg: string;
    fees: bigint;
    /** Set for the legs that a weaker design could drop: the guarantee that keeps them. */
    keeps?: string;
}

/** What one transaction of a chain burns: its own fees plus the forwarding fees of the messages it sends. */
function feesOf(result: SendMessageResult, index: number): bigint {
    const tx = result.transactions[index];
    return tx.totalFees.coins + sumForwardFees(tx);
}

/**
 * The session (open, 10 external claims, close, finalize) leg by leg, on a sandbox of its own: which
 * transactions burn its TON, and which of them exist only for a guarantee. docs/gas.md prints it.
 */
export async function sessionLegs(): Promise<SessionLeg[]> {
    const q = await deployForJobs();
    const worker = await q.registerWorker(await q.wallet('legs owner'), 0, { payoutThreshold: PAYOUT_THRESHOLD });
    const s = await openJob(q, { value: toNano('10'), worker });
    const open = s.opened.result; // wallet → root → job (stub + install) → worker → job
    let claims = 0n;
    for (let i = 0; i < 10; i++) {
        s.serve(USAGE);
        claims += chainCost((await q.run(() => s.job.sendExtClaim(s.voucher()))).result, true).fees;
    }
    const close = chainCost((await q.run(() => s.job.sendClose(s.client.getSender(), CLOSE_VALUE))).result).fees;
    q.advance(q.params.minChallenge);
    const fin = (await q.run(() => s.job.sendFinalize(s.client.getSender(), FINALIZE_VALUE))).result; // wallet → job → worker, root, client
    const legOf = (r: SendMessageResult, to: Address) => r.transactions.findIndex((t) => t.inMessage?.info.dest?.toString() === to.toString());
    const finWorker = legOf(fin, worker.worker.address);
    const finRoot = legOf(fin, q.root.address);
    const finClient = fin.transactions.findIndex((t, i) => i > 0 && t.inMessage?.info.dest?.toString() === s.client.address.toString());
    return [
        { leg: "open: the client's wallet", fees: feesOf(open, 0) },
        { leg: "open: the root's open_job transaction", fees: feesOf(open, 1), keeps: 'only the root installs job code, so no job of a replaced code can open (a client-deployed job skips it)' },
        { leg: 'open: job install and init, worker offer, job accepted', fees: feesOf(open, 2) + feesOf(open, 3) + feesOf(open, 4) },
        { leg: '10 external claims (one transaction each)', fees: claims },
        { leg: 'close (client wallet, job)', fees: close },
        { leg: "finalize: the client's wallet and the job", fees: feesOf(fin, 0) + feesOf(fin, 1) },
        { leg: 'finalize: the worker report (earnings and token counts)', fees: feesOf(fin, finWorker), keeps: 'reputation is counted only from authenticated reports; the held earnings travel with it' },
        { leg: 'finalize: the protocol fee deposited in the root treasury', fees: feesOf(fin, finRoot), keeps: 'the protocol fee reaches the treasury that pays the library rent and the root' },
        { leg: "finalize: the refund in the client's wallet", fees: feesOf(fin, finClient) },
    ];
}

export const jobScenario: Scenario = {
    title: 'Job escrow',
    async run(): Promise<GasRow[]> {
        const rows: GasRow[] = [];
        const p = await deployForJobs();
        const anyone = await p.wallet('bench anyone');
        const batching = await p.registerWorker(await p.wallet('batching owner'), 0, { payoutThreshold: PAYOUT_THRESHOLD });

        // open: wallet → root (open_job) → job (stub deployed, code installed) → worker account (offer) → job (accepted)
        const j = await openJob(p, { value: toNano('10'), worker: batching });
        const open = chainCost(j.opened.result);
        rows.push({ operation: 'open job (accepted)', gasBudget: JOB_GAS_BUDGETS.open, note: 'wallet → root → job (stub + install) → worker → job', ...open,
            handlers: [{ constant: 'gas::root_open', transaction: 1 }, { constant: 'gas::job_open', transaction: 2 }, { constant: 'gas::job_worker_offer', transaction: 3 }, { constant: 'gas::job_answer', transaction: 4 }] });

        const refused = await openJob(p, { allowRefusal: true, maxPrices: { ...DEFAULT_PRICES, prompt: 1n } });
        rows.push({ operation: 'open job (refused: prices)', gasBudget: JOB_GAS_BUDGETS.refused, note: 'wallet → root → job → worker → job → refund, job deleted', ...chainCost(refused.opened.result),
            handlers: [{ constant: 'gas::job_answer', transaction: 4 }] });

        // claims
        j.serve(USAGE);
        let e = await p.run(() => j.job.sendExtClaim(j.voucher()));
        rows.push({ operation: 'claim (external message)', gasBudget: JOB_GAS_BUDGETS.claimExternal, feeBudget: JOB_TARGETS.claimFees,
            note: 'external → job, one transaction: the earnings stay in the job until the threshold (1 TON); gas and import fee paid from the worker share', ...chainCost(e.result, true),
            handlers: [{ constant: 'gas::job_ext_claim', transaction: 0 }] });

        j.serve(USAGE);
        e = await p.run(() => j.job.sendClaim(anyone.getSender(), CLAIM_VALUE, j.voucher()));
        rows.push({ operation: 'claim (internal, from any wallet)', gasBudget: JOB_GAS_BUDGETS.claimInternal,
            note: "wallet → job; fees include the claimer's own wallet transaction", ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_claim', transaction: 1 }] });

        // a claim that reaches the owner's threshold (0 here): the job pays the held earnings out
        const direct = await openJob(p, { value: toNano('10') });
        direct.serve(USAGE);
        e = await p.run(() => direct.job.sendExtClaim(direct.voucher()));
        rows.push({ operation: 'claim (external, payout at the threshold)', gasBudget: JOB_GAS_BUDGETS.claimPayout,
            note: 'external → job → worker → owner wallet (payout threshold 0)', ...chainCost(e.result, true),
            handlers: [{ constant: 'gas::job_ext_claim', transaction: 0 }, { constant: 'gas::job_worker_payout', transaction: 1 }] });

        e = await p.run(() => j.job.sendPayWorker(batching.owner.getSender(), CLAIM_VALUE));
        rows.push({ operation: 'payout on request (pay_worker)', gasBudget: JOB_GAS_BUDGETS.payWorker,
            note: 'owner wallet → job → worker account (earnings held there until its threshold)', ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_pay_worker', transaction: 1 }, { constant: 'gas::job_worker_payout', transaction: 2 }] });

        e = await p.run(() => j.job.sendTopUp(anyone.getSender(), toNano('1')));
        rows.push({ operation: 'top up', gasBudget: JOB_GAS_BUDGETS.topUp, note: 'wallet → job', ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_top_up', transaction: 1 }] });

        j.serve(USAGE);
        await p.run(() => j.job.sendExtClaim(j.voucher()));
        e = await p.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE));
        rows.push({ operation: 'close job', gasBudget: JOB_GAS_BUDGETS.close, note: 'client wallet → job', ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_close', transaction: 1 }] });
        p.advance(p.params.minChallenge);
        e = await p.run(() => j.job.sendFinalize(anyone.getSender(), FINALIZE_VALUE));
        rows.push({ operation: 'finalize job', gasBudget: JOB_GAS_BUDGETS.finalize, note: 'wallet → job → worker (report with the earnings), root treasury, client wallet; job deleted', ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_finalize', transaction: 1 }, { constant: 'gas::job_worker_report', transaction: 2 }] });

        // cooperative settlement: the client's final voucher, countersigned by the worker's receipt key
        const f = await openJob(p, { value: toNano('10'), worker: batching });
        f.serve(USAGE);
        await p.run(() => f.job.sendExtClaim(f.voucher()));
        f.serve(USAGE);
        const final = f.voucher(undefined, { final: true });
        e = await p.run(() => f.job.sendSettle(f.client.getSender(), CLOSE_VALUE, final, f.countersign(final)));
        rows.push({ operation: 'cooperative settlement (countersigned final voucher)', gasBudget: JOB_GAS_BUDGETS.settle,
            note: 'client wallet → job → worker (report with the earnings), root treasury, client wallet; job deleted', ...chainCost(e.result),
            handlers: [{ constant: 'gas::job_settle', transaction: 1 }, { constant: 'gas::job_worker_report', transaction: 2 }] });

        // payout bounce: the worker account is gone
        const b = await openJob(p, { value: toNano('10'), worker: await p.registerWorker(await p.wallet('leaving owner')) });
        await p.run(() => b.worker.worker.sendRequestUnbond(b.worker.owner.getSender(), toNano('0.05')));
        p.advance(p.params.unbondingPeriod);
        await p.run(() => b.worker.worker.sendWithdraw(b.worker.owner.getSender(), toNano('0.05')));
        b.serve(USAGE);
        e = await p.run(() => b.job.sendExtClaim(b.voucher()));
        rows.push({ operation: 'claim whose payout bounces', gasBudget: JOB_GAS_BUDGETS.payoutBounce, note: 'external → job → (no account) → job keeps it for the client, closing',
            ...chainCost(e.result, true), handlers: [{ constant: 'gas::job_bounce', transaction: 2 }] });

        rows.push({ operation: 'session: open + 10 claims + close + finalize', gasBudget: JOB_GAS_BUDGETS.session,
            note: 'external claims, earnings held in the job (threshold 1 TON) and paid with the report; COCOON: 105 transactions, 0.3231 TON', ...(await session(false)) });
        rows.push({ operation: 'session, closed by the final voucher: open + 10 claims + finalize', gasBudget: JOB_GAS_BUDGETS.session, feeBudget: JOB_TARGETS.sessionFees,
            note: "the client's last voucher is final: claiming it is the close", ...(await session(true)) });
        return rows;
    },
};
