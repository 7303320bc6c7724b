/**
 * What must hold after every fault, read from both actors' databases (through their own stores), the chain
 * (the wrappers' getters and the job accounts' transactions) and what the app saw:
 * - no acknowledged receipt or voucher is lost: every receipt the relay accepted is the worker's stored one,
 *   and every voucher the relay delivered is (at least) the worker's best;
 * - no request is billed twice: no more receipts (relay or worker) than requests the app sent, one answer per
 *   (job, seqno), every answer billed under a receipt the relay holds, and the API key's spend equals the sum
 *   of the receipts;
 * - the relay never signs more than the deposit, and no job escrow of the relay's wallet is unknown to it;
 * - the app saw a full answer or a clear error, never a truncated one;
 * and, at settlement, that the worker's claims equal what the relay vouched and the fees are exact.
 */
import { Address, Cell } from '@ton/core';
import type { Chain, ChainTransaction } from '../../actors/chain/types';
import { RelayStore, type StoredReceipt, type StoredVoucher } from '../../actors/relay/store/lmdb';
import type { JobRecord as RelayJob } from '../../actors/relay/core/ledger';
import type { ApiKeyRecord } from '../../actors/relay/core/keys';
import { LmdbStore } from '../../actors/worker/store/lmdb';
import type { JobRecord as WorkerJob, ReceiptRecord } from '../../actors/worker/store/types';
import { parseSignedReceiptCell } from '../../wrappers/payloads';
import { feesOf, Job, parseJobPayoutBody, parseJobReportBody } from '../../wrappers/Job';
import { Op } from '../../wrappers/Constants';
import type { Outcome } from './app';

export interface Snapshot {
    relayJobs: RelayJob[];
    relayReceipts: Map<string, StoredReceipt[]>;
    vouchers: Map<string, StoredVoucher>;
    keys: ApiKeyRecord[];
    workerJobs: Map<string, WorkerJob>;
    workerReceipts: Map<string, ReceiptRecord[]>;
}

/** Both databases as they are on disk now (LMDB lets a second process read while the actor runs). */
export async function readDatabases(relayDir: string, workerDir: string): Promise<Snapshot> {
    const rs = new RelayStore(`${relayDir}/state`);
    const ws = new LmdbStore(workerDir);
    try {
        const relayJobs = rs.jobs();
        const workerJobs = ws.jobs();
        return {
            relayJobs,
            relayReceipts: new Map(relayJobs.map((j) => [j.address, rs.receipts(j.address)])),
            vouchers: new Map(relayJobs.flatMap((j) => { const v = rs.getVoucher(j.address); return v ? [[j.address, v] as const] : []; })),
            keys: rs.keys(),
            workerJobs: new Map(workerJobs.map((j) => [j.job, j])),
            workerReceipts: new Map(workerJobs.map((j) => [j.job, ws.receipts(j.job)])),
        };
    } finally {
        await rs.close();
        await ws.close();
    }
}

/** Every transaction of an account, oldest first. */
export async function allTransactions(chain: Chain, a: Address): Promise<ChainTransaction[]> {
    const out: ChainTransaction[] = [];
    let cursor = null as Parameters<Chain['transactionsSince']>[1];
    for (;;) {
        const r = await chain.transactionsSince(a, cursor, { limit: 100 });
        out.push(...r.transactions);
        if (r.transactions.length === 0) return out;
        cursor = r.cursor;
    }
}

const opOf = (c: Cell): number | null => {
    const s = c.beginParse();
    return s.remainingBits >= 32 ? s.loadUint(32) : null;
};

/**
 * Job escrows paid for by the relay's wallet, found on-chain without the relay's help: destinations of its
 * messages, and of the messages a contract sent on their behalf (the root, when jobs open through it), that
 * answer the job getters with the wallet as client. Finalized jobs are gone and not listed.
 */
export async function jobsOfWallet(chain: Chain, wallet: Address): Promise<string[]> {
    const direct = new Set<string>();
    for (const t of await allTransactions(chain, wallet))
        for (const m of t.outMessages) if (m.destination && !m.destination.equals(wallet)) direct.add(m.destination.toRawString());
    const candidates = new Set(direct);
    for (const raw of direct) {
        const a = Address.parseRaw(raw);
        if ((await chain.getAccount(a)).status !== 'active') continue;
        const isJob = await Job.createFromAddress(a).getTerms(chain.provider(a)).then(() => true, () => false);
        if (isJob) continue;
        for (const t of await allTransactions(chain, a))
            if (t.inMessage?.source?.equals(wallet)) for (const m of t.outMessages) if (m.destination) candidates.add(m.destination.toRawString());
    }
    const found: string[] = [];
    for (const raw of candidates) {
        const a = Address.parseRaw(raw);
        if ((await chain.getAccount(a)).status !== 'active') continue;
        const terms = await Job.createFromAddress(a).getTerms(chain.provider(a)).catch(() => null);
        if (terms?.client.equals(wallet)) found.push(raw);
    }
    return found;
}

export async function checkState(chain: Chain, s: Snapshot, outcomes: Outcome[], walletJobs: string[]): Promise<string[]> {
    const v: string[] = [];
    let receiptSum = 0n;
    let receiptCount = 0;
    for (const j of s.relayJobs) {
        const rs = s.relayReceipts.get(j.address) ?? [];
        rs.forEach((r, i) => {
            if (r.seqno !== i + 1) v.push(`relay job ${j.address}: receipts are not 1..n (#${i} has seqno ${r.seqno})`);
        });
        if (rs.length !== j.seqno) v.push(`relay job ${j.address}: ${rs.length} receipts stored but the job is at seqno ${j.seqno}`);
        const sum = rs.reduce((a, r) => a + r.cost, 0n);
        if (sum !== j.cumulative) v.push(`relay job ${j.address}: receipts sum to ${sum}, the job says ${j.cumulative}`);
        receiptSum += sum;
        receiptCount += rs.length;
        for (const r of rs) {
            const parsed = parseSignedReceiptCell(Cell.fromBoc(Buffer.from(r.boc, 'base64'))[0]).receipt;
            if (parsed.job.toRawString() !== j.address || parsed.seqno !== r.seqno || parsed.cost !== r.cost) v.push(`relay receipt ${j.address}#${r.seqno} does not say what the relay recorded`);
        }
        const vo = s.vouchers.get(j.address);
        if (vo) {
            if (vo.amount > j.cumulative) v.push(`relay job ${j.address}: voucher ${vo.amount} above the receipts' ${j.cumulative}`);
            if (vo.amount > j.deposit) v.push(`relay job ${j.address}: voucher ${vo.amount} above the recorded deposit ${j.deposit}`);
            if (j.state !== 'finalized') {
                const onChain = await Job.createFromAddress(Address.parseRaw(j.address)).getJobData(chain.provider(Address.parseRaw(j.address))).catch(() => null);
                if (onChain && vo.amount > onChain.deposit) v.push(`relay job ${j.address}: voucher ${vo.amount} above the on-chain deposit ${onChain.deposit}`);
            }
        }
        const w = s.workerJobs.get(j.address);
        const wr = new Map((s.workerReceipts.get(j.address) ?? []).map((r) => [r.seqno, r]));
        if (rs.length > 0 && !w) v.push(`relay job ${j.address}: the worker has no record of it`);
        for (const r of rs) {
            const mine = wr.get(r.seqno);
            if (!mine) v.push(`receipt lost: relay holds ${j.address}#${r.seqno}, the worker does not`);
            else if (!mine.signedBoc.equals(Buffer.from(r.boc, 'base64'))) v.push(`receipt ${j.address}#${r.seqno} differs between the relay and the worker`);
        }
        if (w && w.cumulative < j.cumulative) v.push(`relay job ${j.address}: the worker's cumulative ${w.cumulative} is below the relay's ${j.cumulative}`);
        const best = w?.best?.amount ?? 0n;
        if (vo?.sentAt && best < vo.amount) v.push(`voucher lost: the relay delivered ${vo.amount} for ${j.address}, the worker's best is ${best}`);
        if (best > (vo?.amount ?? 0n)) v.push(`the worker holds a voucher of ${best} for ${j.address}, above the relay's last ${vo?.amount ?? 0n}`);
    }
    const spent = s.keys.reduce((a, k) => a + k.spent, 0n);
    const requests = s.keys.reduce((a, k) => a + k.requests, 0);
    if (spent !== receiptSum) v.push(`API keys charged ${spent}, the receipts sum to ${receiptSum}`);
    if (requests !== receiptCount) v.push(`API keys counted ${requests} requests, the relay holds ${receiptCount} receipts`);
    // each app request is served at most once: one receipt per request sent (an SDK retry included)
    const workerReceipts = [...s.workerReceipts.values()].reduce((a, rs) => a + rs.length, 0);
    if (receiptCount > outcomes.length) v.push(`the relay holds ${receiptCount} receipts for ${outcomes.length} requests of the app: a request was billed twice`);
    if (workerReceipts > outcomes.length) v.push(`the worker issued ${workerReceipts} receipts for ${outcomes.length} requests of the app: a request was served twice`);
    const answered = new Set<string>();
    for (const o of outcomes) {
        if (o.kind === 'truncated') v.push(`the app saw a silently truncated answer (${o.why}; ${o.chunks} chunks: ${JSON.stringify(o.text.slice(0, 60))})`);
        if (o.kind !== 'full') continue;
        const id = `${o.billed.job}#${o.billed.seqno}`;
        if (answered.has(id)) v.push(`two answers were billed under one receipt ${id}`);
        answered.add(id);
        const r = s.relayReceipts.get(o.billed.job)?.find((x) => x.seqno === o.billed.seqno);
        if (!r) v.push(`the app was billed under ${id}, which the relay does not hold`);
        else if (r.cost !== o.billed.cost) v.push(`the app was billed ${o.billed.cost} under ${id}, the receipt says ${r.cost}`);
    }
    const known = new Set(s.relayJobs.map((j) => j.address));
    for (const a of walletJobs) {
        if (known.has(a)) continue;
        const d = await Job.createFromAddress(Address.parseRaw(a)).getJobData(chain.provider(Address.parseRaw(a))).catch(() => null);
        if (d) v.push(`job ${a} was opened from the relay's wallet (deposit ${d.deposit}) but the relay does not know it`);
    }
    return v;
}

export interface Settled {
    job: string;
    deposit: bigint;
    paid: bigint;
    fees: bigint;
    refund: bigint;
    vouched: bigint;
    relayCumulative: bigint;
    workerCumulative: bigint;
    /** What reached the worker account: payouts of held earnings and the settlement's report (with the rest held). */
    toWorker: bigint;
}

/** The money of one settled job, from its transactions: claims, the report, the treasury's fee and the refund. */
export function settlementOf(txs: ChainTransaction[], o: { job: string; worker: Address; client: Address; feeBps: number; deposit: bigint; vouched: bigint; relayCumulative: bigint; workerCumulative: bigint; workerBest: bigint; paidOnChain: bigint }): { settled: Settled; violations: string[] } {
    const v: string[] = [];
    let payouts = 0n;
    let reportValue = 0n;
    let report: { paid: bigint; fees: bigint } | null = null;
    let treasury = 0n;
    let refund = 0n;
    for (const t of txs)
        for (const m of t.outMessages) {
            if (!m.destination) continue;
            const op = opOf(m.body);
            if (m.destination.equals(o.worker) && op === Op.jobPayout) payouts += parseJobPayoutBody(m.body).amount;
            else if (m.destination.equals(o.worker) && op === Op.jobReport) {
                report = parseJobReportBody(m.body);
                reportValue = m.value;
            }
            else if (op === Op.treasuryDeposit) treasury += m.value;
            else if (m.destination.equals(o.client)) refund += m.value;
        }
    const paid = report?.paid ?? 0n;
    const fees = report?.fees ?? 0n;
    if (paid !== o.paidOnChain) v.push(`job ${o.job}: the job's getter said paid ${o.paidOnChain} before finalize, its report says ${paid}`);
    if (paid > o.deposit) v.push(`job ${o.job}: paid ${paid} above its deposit ${o.deposit}`);
    if (fees !== feesOf(paid, o.feeBps)) v.push(`job ${o.job}: fees ${fees}, expected ${feesOf(paid, o.feeBps)} (${o.feeBps} bps of ${paid})`);
    if (treasury !== fees) v.push(`job ${o.job}: the treasury got ${treasury}, the fees are ${fees}`);
    if (paid !== o.workerBest) v.push(`job ${o.job}: the worker held a voucher of ${o.workerBest} but claimed ${paid}`);
    if (paid < o.vouched) v.push(`job ${o.job}: the relay vouched ${o.vouched} but the worker claimed only ${paid} (a voucher never reached it)`);
    if (paid > o.vouched) v.push(`job ${o.job}: claimed ${paid}, above the relay's last voucher ${o.vouched}`);
    if (o.vouched < o.relayCumulative) v.push(`job ${o.job}: the relay accepted receipts for ${o.relayCumulative} but vouched only ${o.vouched}`);
    if (refund < o.deposit - paid) v.push(`job ${o.job}: refund ${refund} is below the unspent deposit ${o.deposit - paid}`);
    return { settled: { job: o.job, deposit: o.deposit, paid, fees, refund, vouched: o.vouched, relayCumulative: o.relayCumulative, workerCumulative: o.workerCumulative, toWorker: payouts + reportValue }, violations: v };
}
