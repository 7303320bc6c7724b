/**
 * The chaos run: start the network, then for each round pick (from the seed) a fault — SIGKILL of the
 * worker, the relay or the engine after a chosen number of streamed chunks, or an actor armed with a crash
 * point (between a receipt and its voucher, between two database writes, right after a job open or a top-up
 * left the wallet) — restart what died, check that the network serves again, and check the invariants
 * (invariants.ts). At the end every job is closed, claimed (the worker possibly killed mid-claim), finalized
 * and its money checked on-chain. A violation stops the run with the seed and the events so far.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Address } from '@ton/core';
import { closeJobBody, finalizeJobBody, Job } from '../../wrappers/Job';
import { JobState } from '../../wrappers/Constants';
import { devCall } from '../../devnet/network/launch';
import { streamChat, type Outcome } from './app';
import { allTransactions, checkState, jobsOfWallet, readDatabases, settlementOf, type Settled } from './invariants';
import { ChaosNetwork, MAX_TOKENS, MODEL, type Actor } from './network';
import { Rng } from './random';

export type Fault =
    | { kind: 'kill-mid-stream'; actor: Actor; afterChunks: number }
    | { kind: 'crash-point'; actor: 'worker' | 'relay'; point: string; hit: number; requests: number; workerRestartFirst: boolean };

export interface ChaosOptions {
    rounds: number;
    seed: number;
    /** Progress lines (events are also kept for the failure report). */
    log?: (line: string) => void;
    /** Keep the temporary directory (databases, logs) for inspection. */
    keepDir?: boolean;
}

export interface ChaosReport {
    seed: number;
    rounds: number;
    violations: string[];
    events: string[];
    outcomes: { full: number; error: number; truncated: number };
    faults: Record<string, number>;
    crashPointsFired: number;
    jobs: Settled[];
    seconds: number;
}

const RELAY_POINTS = ['relay.receipt.checked', 'relay.receipt.midway', 'relay.voucher.signed', 'relay.top-up.sent', 'relay.open.sent'];
const WORKER_POINTS = ['worker.receipt.committed', 'worker.voucher.stored'];
const CLAIM_POINTS = [null, 'worker.claim.recorded', 'worker.claim.sent'];
const PROMPTS = ['Count to five.', 'Name three colours.', 'Say hello.', 'What is two plus two?', 'List some fruit.', 'Tell a short story.'];

export function chooseFault(rng: Rng): Fault {
    const r = rng.next();
    if (r < 0.45) return { kind: 'kill-mid-stream', actor: rng.pick(['worker', 'relay', 'engine'] as const), afterChunks: rng.int(1, 8) };
    const relay = rng.next() < 0.6;
    const point = relay ? rng.pick(RELAY_POINTS) : rng.pick(WORKER_POINTS);
    // a top-up needs the deposit to run low: several requests; a job open needs a worker with new keys first
    const topUp = point === 'relay.top-up.sent';
    return { kind: 'crash-point', actor: relay ? 'relay' : 'worker', point, hit: topUp || point === 'relay.open.sent' ? 1 : rng.int(1, 2), requests: topUp ? 10 : 3, workerRestartFirst: point === 'relay.open.sent' };
}

const describe = (f: Fault) => (f.kind === 'kill-mid-stream' ? `SIGKILL ${f.actor} after ${f.afterChunks} streamed chunks` : `${f.actor} armed with crash point ${f.point}#${f.hit}${f.workerRestartFirst ? ' (worker restarted first: new keys, so a new job opens)' : ''}`);
const brief = (o: Outcome) => (o.kind === 'full' ? `full (${o.chunks} chunks, billed ${o.billed.job.slice(0, 10)}…#${o.billed.seqno} ${o.billed.cost})` : o.kind === 'error' ? `error after ${o.chunks} chunks: ${o.message.slice(0, 120)}` : `TRUNCATED after ${o.chunks} chunks: ${o.why}`);

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
    const t0 = Date.now();
    const rng = new Rng(o.seed);
    // Prompts draw from their own stream: how many requests a round takes depends on timing (retries, probes),
    // and must not shift the faults that follow, so a seed replays the same faults at the same moments.
    const prompts = new Rng(o.seed ^ 0x5bd1e995);
    const events: string[] = [];
    const say = (s: string) => {
        const line = `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${s}`;
        events.push(line);
        o.log?.(line);
    };
    const dir = mkdtempSync(join(tmpdir(), 'cocoon-chaos-'));
    const net = new ChaosNetwork(dir, () => undefined);
    const outcomes: Outcome[] = [];
    const faults: Record<string, number> = {};
    const violations: string[] = [];
    let fired = 0;
    let jobs: Settled[] = [];
    const ask = async (onChunk?: (n: number) => void): Promise<Outcome> => {
        const out = await streamChat(net.baseURL, net.apiKey, { model: MODEL, prompt: prompts.pick(PROMPTS), maxTokens: MAX_TOKENS, onChunk });
        outcomes.push(out);
        return out;
    };
    const diedOf = (a: Actor): string => {
        const m = /crash point (\S+): SIGKILL/.exec(net.tail(a));
        return m ? `crash point ${m[1]} fired` : 'exited';
    };
    const check = async (when: string) => {
        const s = await readDatabases(net.relayDir, net.workerDir);
        const found = await checkState(net.lc.chain, s, outcomes, await jobsOfWallet(net.lc.chain, net.relayWallet));
        if (found.length) {
            violations.push(...found.map((x) => `${when}: ${x}`));
            for (const x of found) say(`VIOLATION ${x}`);
        }
        return found.length === 0;
    };
    try {
        say(`seed ${o.seed}, ${o.rounds} rounds; starting the local chain, the council vote, the engine, the worker and the relay`);
        await net.start();
        say(`network up: relay ${net.baseURL}, worker ${net.workerAccount.toRawString()}`);
        say(`warm-up: ${brief(await ask())}`);
        for (let round = 1; round <= o.rounds; round++) {
            const f = chooseFault(rng);
            const key = f.kind === 'kill-mid-stream' ? `kill ${f.actor} mid-stream` : f.point;
            faults[key] = (faults[key] ?? 0) + 1;
            say(`round ${round}: ${describe(f)}`);
            if (f.kind === 'kill-mid-stream') {
                let killed: Promise<void> | null = null;
                const out = await ask((n) => {
                    if (n === f.afterChunks && !killed) killed = net.kill(f.actor);
                });
                if (!killed) say(`  the answer ended before chunk ${f.afterChunks}; killing ${f.actor} after it`);
                await (killed ?? net.kill(f.actor));
                say(`  app: ${brief(out)}`);
                await net.restart(f.actor);
                say(`  ${f.actor} restarted${f.actor === 'worker' ? ' (new keys on-chain)' : ''}`);
            } else {
                if (f.workerRestartFirst) {
                    await net.restart('worker');
                    say('  worker restarted (new keys on-chain)');
                }
                await net.restart(f.actor, `${f.point}#${f.hit}`);
                let died = false;
                for (let i = 0; i < f.requests && !died; i++) {
                    const out = await ask();
                    say(`  app: ${brief(out)}`);
                    died = await net.exited(f.actor, 1500);
                }
                if (died) {
                    fired++;
                    say(`  ${f.actor}: ${diedOf(f.actor)}`);
                } else say(`  ${f.actor}: crash point not reached in ${f.requests} requests`);
                await net.restart(f.actor);
                say(`  ${f.actor} restarted unarmed${f.actor === 'worker' ? ' (new keys on-chain)' : ''}`);
            }
            // the network must serve again: the relay re-verifies the worker, resumes its jobs, recovers receipts
            let recovered: Outcome | null = null;
            for (let i = 0; i < 6 && recovered?.kind !== 'full'; i++) {
                if (i > 0) await new Promise((r) => setTimeout(r, 2000));
                recovered = await ask();
                say(`  probe: ${brief(recovered)}`);
            }
            if (recovered?.kind !== 'full') {
                violations.push(`round ${round}: the network did not serve again after the fault`);
                say('VIOLATION the network did not serve again after the fault');
            }
            if (!(await check(`round ${round}`))) break;
        }
        if (violations.length === 0) jobs = await settle(net, rng, say, violations);
        if (violations.length === 0) await check('after settlement');
    } catch (e) {
        violations.push(`harness error: ${(e as Error).stack ?? e}`);
        say(`HARNESS ERROR ${(e as Error).message}`);
        for (const a of ['relay', 'worker', 'engine'] as const) say(`  ${a} output tail:\n${net.tail(a).slice(-2000)}`);
    } finally {
        await net.processes.stopAll();
        if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
        else say(`kept ${dir}`);
    }
    const count = (k: Outcome['kind']) => outcomes.filter((x) => x.kind === k).length;
    return { seed: o.seed, rounds: o.rounds, violations, events, outcomes: { full: count('full'), error: count('error'), truncated: count('truncated') }, faults, crashPointsFired: fired, jobs, seconds: (Date.now() - t0) / 1000 };
}

/** Closes every job of the relay's wallet (relay stopped), lets the worker claim (maybe killed mid-claim), finalizes, checks the money. */
async function settle(net: ChaosNetwork, rng: Rng, say: (s: string) => void, violations: string[]): Promise<Settled[]> {
    const { chain } = net.lc;
    await net.stop('relay');
    const claimPoint = rng.pick(CLAIM_POINTS);
    await net.restart('worker', claimPoint ?? undefined);
    say(`settlement: relay stopped; worker restarted${claimPoint ? ` armed with crash point ${claimPoint}` : ''}`);
    const before = await readDatabases(net.relayDir, net.workerDir);
    const addrs = [...new Set([...before.relayJobs.map((j) => j.address), ...(await jobsOfWallet(chain, net.relayWallet))])];
    const wallet = await chain.openWallet(net.relayMnemonic);
    const info = new Map<string, { deposit: bigint; feeBps: number; deadline: number }>();
    const paidBefore = new Map<string, bigint>();
    for (const a of addrs) {
        const addr = Address.parseRaw(a);
        const job = Job.createFromAddress(addr);
        const d = await job.getJobData(chain.provider(addr)).catch(() => null);
        if (!d) continue;
        const terms = await job.getTerms(chain.provider(addr));
        if (d.state === JobState.Active) {
            const sent = await wallet.send([{ to: addr, value: 50_000_000n, body: closeJobBody(), bounce: true }]);
            const t = await chain.waitForTrace(wallet.address, sent);
            if (!t.success) violations.push(`settlement: closing ${a} failed on-chain`);
        }
        const after = await job.getJobData(chain.provider(addr));
        info.set(a, { deposit: after.deposit, feeBps: terms.feeBps, deadline: after.deadline });
    }
    say(`settlement: ${info.size} jobs closing; waiting for the worker's claims`);
    const until = Date.now() + 120_000;
    let snap = before;
    for (;;) {
        snap = await readDatabases(net.relayDir, net.workerDir);
        let open = 0;
        for (const [a, i] of info) {
            const best = snap.workerJobs.get(a)?.best?.amount ?? 0n;
            const want = best < i.deposit ? best : i.deposit;
            const paid = (await Job.createFromAddress(Address.parseRaw(a)).getJobData(chain.provider(Address.parseRaw(a)))).paid;
            if (paid < want) open++;
        }
        if (open === 0) break;
        if (!net.child('worker')) {
            say(`settlement: worker ${/crash point (\S+)/.exec(net.tail('worker'))?.[0] ?? 'exited'}; restarting it unarmed`);
            await net.restart('worker');
        }
        if (Date.now() > until) {
            violations.push(`settlement: ${open} jobs still unclaimed after 120 s`);
            break;
        }
        await new Promise((r) => setTimeout(r, 1500));
    }
    // What each job paid, read while every job still exists: past the deadline anyone may finalize, the worker's
    // claimer included, so a job can be gone before the harness gets to it.
    for (const a of info.keys()) paidBefore.set(a, (await Job.createFromAddress(Address.parseRaw(a)).getJobData(chain.provider(Address.parseRaw(a)))).paid);
    const now = await chain.now();
    const latest = Math.max(...[...info.values()].map((i) => i.deadline), now);
    await devCall(net.lc.url, '/dev/advance', { seconds: latest - now + 60 });
    const out: Settled[] = [];
    for (const [a, i] of info) {
        const addr = Address.parseRaw(a);
        if ((await chain.getAccount(addr)).status === 'active') {
            const sent = await wallet.send([{ to: addr, value: 50_000_000n, body: finalizeJobBody(), bounce: true }]);
            const t = await chain.waitForTrace(wallet.address, sent);
            // A failure is one only if the job still stands (the worker's finalize can land first: ours then bounces).
            if (!t.success && (await chain.getAccount(addr)).status === 'active') violations.push(`settlement: finalizing ${a} failed on-chain`);
        } else {
            say(`  job ${a.slice(0, 12)}…: already finalized by someone else after its deadline`);
        }
        const account = await chain.getAccount(addr);
        if (account.status === 'active') violations.push(`settlement: job ${a} still exists after finalize`);
        const rj = snap.relayJobs.find((j) => j.address === a);
        const s = settlementOf(await allTransactions(chain, addr), {
            job: a, worker: net.workerAccount, client: net.relayWallet, feeBps: i.feeBps, deposit: i.deposit,
            vouched: snap.vouchers.get(a)?.amount ?? 0n, relayCumulative: rj?.cumulative ?? 0n,
            workerCumulative: snap.workerJobs.get(a)?.cumulative ?? 0n, workerBest: snap.workerJobs.get(a)?.best?.amount ?? 0n, paidOnChain: paidBefore.get(a) ?? 0n,
            finalBalance: account.balance,
        });
        violations.push(...s.violations.map((x) => `settlement: ${x}`));
        for (const x of s.violations) say(`VIOLATION ${x}`);
        out.push(s.settled);
        say(`  job ${a.slice(0, 12)}…: deposit ${s.settled.deposit} paid ${s.settled.paid} (vouched ${s.settled.vouched}, relay receipts ${s.settled.relayCumulative}, worker receipts ${s.settled.workerCumulative}) fees ${s.settled.fees} to the worker account ${s.settled.toWorker} refund ${s.settled.refund}; received ${s.settled.received} (bounced back ${s.settled.returned}, offer ${s.settled.offered}), chain fees ${s.settled.chainFees}${s.violations.length ? '' : ': claims + refund = received − bounced − offer − fee − chain fees, exactly'}`);
    }
    return out;
}
