/**
 * `npm run demo`: the cocoon-ton network on an embedded @ton/sandbox chain, step by step, with the gas and
 * fees of each step: a DAO council governs the root, a GPU owner registers a worker, a client opens a job,
 * the worker serves requests with signed receipts and claims the client's vouchers, the job settles, and a
 * worker that signs two conflicting receipts is slashed on anyone's evidence. Compiles the contracts first,
 * so it runs on a fresh clone after `npm ci`. Every step is checked for TON conservation to the nanoton.
 */
import { Address, fromNano, toNano } from '@ton/core';
import { buildAllContracts } from '../scripts/tools/buildContracts';
import { WorkerStatus } from '../wrappers/Constants';
import { WorkerComments } from '../wrappers/Worker';
import { DEFAULT_PARAMS, hashOf } from '../wrappers/testkit';
import { deployCouncil } from '../wrappers/testkit/council';
import { CLOSE_VALUE, FINALIZE_VALUE, openJob } from '../wrappers/testkit/jobs';
import { equivocationBody } from '../wrappers/payloads';
import { chainCost } from '../wrappers/testkit/transactions';

type Result = Parameters<typeof chainCost>[0];

function step(title: string, result: Result, external = false): void {
    const cost = chainCost(result, external);
    console.log(`  ✓ ${title}: ${cost.transactions} transactions, ${cost.gas} gas, ${fromNano(cost.fees)} TON in fees`);
}

const short = (a: Address) => a.toString().slice(0, 10) + '…';

async function main(): Promise<void> {
    console.log('cocoon-ton demo — every contract runs in an embedded TON sandbox\n');
    const failed = await buildAllContracts();
    if (failed.length > 0) throw new Error(`contracts did not compile: ${failed.join(', ')}`);

    console.log('1. Root registry, handed over to a DAO council (alice 4, bob 3, carol 2; threshold 5)');
    const c = await deployCouncil();
    const params = await c.root.getParams();
    console.log(`  root ${short(c.root.address)} governed by the council ${short(c.council.address)}`);
    console.log(`  parameters v${params.version}: min stake ${fromNano(params.minStake)} TON, fee ${params.protocolFeeBps} bps, unbonding ${params.unbondingPeriod / 86400} days`);

    console.log('\n2. The DAO allows a new worker image, superseding the current one after a one-day grace window');
    const nextImage = hashOf('image: cocoon-ton worker v2');
    const { proposal, result: proposed } = await c.propose(c.alice, [
        { kind: 'root', value: toNano('0.05'), action: { kind: 'addImage', label: 'demo: next image', imageHash: nextImage, supersedes: c.imageHash, grace: 86_400 } },
    ]);
    step('alice proposes', proposed);
    step('bob votes "yes" (a text comment from his wallet)', (await c.run(() => proposal.sendComment(c.bob.getSender(), 'yes', toNano('0.05')))).result);
    step('carol votes "yes": passed, the timelock starts', (await c.run(() => proposal.sendComment(c.carol.getSender(), 'yes', toNano('0.05')))).result);
    step('anyone executes after the timelock', await c.execute(proposal));
    console.log(`  image v2 allowed: ${await c.root.getIsImageAllowed(nextImage)}; v1 retires at ${new Date((await c.root.getImages()).get(c.imageHash)!.retireAt * 1000).toISOString()}`);

    console.log('\n3. A GPU owner registers a worker: stake + the keys its TDX quote attested');
    const owner = await c.wallet('gpu owner');
    const w = await c.registerWorker(owner, 0, { payoutThreshold: toNano('1') });
    const state = await w.worker.getState();
    console.log(`  worker account ${short(w.worker.address)}: ${WorkerStatus[state.status as WorkerStatus]}, stake ${fromNano(state.stake)} TON, earnings forwarded from 1 TON`);

    console.log('\n4. A client opens a job escrow for that worker; the worker account accepts it');
    const j = await openJob(c, { worker: w, value: toNano('5') });
    step('open job', j.opened.result);
    console.log(`  deposit ${fromNano(await j.job.getDeposit())} TON, challenge period 600 s`);

    console.log('\n5. The worker serves 3 requests (signed receipts), claiming each cumulative voucher by external message');
    for (let i = 0; i < 3; i++) {
        const r = j.serve({ prompt: 200_000, cached: 50_000, completion: 80_000, reasoning: 20_000 });
        step(`request ${i + 1} (${fromNano(r.receipt.cost)} TON) claimed`, (await c.run(() => j.job.sendExtClaim(j.voucher()))).result, true);
    }
    console.log(`  paid ${fromNano(await j.job.getPaid())} TON; held for the owner ${fromNano((await w.worker.getEarnings()).earnings)} TON`);

    console.log('\n6. The client closes; after the challenge period anyone finalizes');
    step('close', (await c.run(() => j.job.sendClose(j.client.getSender(), CLOSE_VALUE))).result);
    c.advance(params.minChallenge);
    step('finalize: report to the worker, fee to the treasury, the rest to the client', (await c.run(() => j.job.sendFinalize(c.outsider.getSender(), FINALIZE_VALUE))).result);
    const rep = await w.worker.getReputation();
    console.log(`  reputation: ${rep.jobs} job, ${fromNano(rep.volume)} TON, ${rep.tokens} tokens; treasury collected ${fromNano((await c.root.getTreasury()).collected)} TON`);
    step('the owner collects its earnings (the comment "collect")', (await c.run(() => w.worker.sendComment(owner.getSender(), WorkerComments.collect, toNano('0.05')))).result);

    console.log('\n7. Another worker signs two different receipts for the same request: anyone can prove it');
    const cheater = await c.registerWorker(await c.wallet('cheating owner'));
    const k = await openJob(c, { worker: cheater, value: toNano('2') });
    const a = k.receipt({ seqno: 1, cost: 1000n, cumulative: 1000n });
    const b = k.receipt({ seqno: 1, cost: 9000n, cumulative: 9000n });
    const reporter = await c.wallet('reporter');
    const before = (await cheater.worker.getState()).stake;
    step('report equivocation', (await c.run(() => cheater.worker.sendRaw(reporter.getSender(), equivocationBody(a, b), toNano('0.1')))).result);
    const after = await cheater.worker.getState();
    console.log(`  ${WorkerStatus[after.status as WorkerStatus]}: stake ${fromNano(before)} → ${fromNano(after.stake)} TON; ${params.reporterBps / 100}% of the slash went to the reporter`);

    console.log('\n8. The honest owner leaves: "unbond", then "withdraw" after the unbonding period');
    step('unbond', (await c.run(() => w.worker.sendComment(owner.getSender(), WorkerComments.unbond, toNano('0.05')))).result);
    c.advance(DEFAULT_PARAMS.unbondingPeriod);
    step('withdraw', (await c.run(() => w.worker.sendComment(owner.getSender(), WorkerComments.withdraw, toNano('0.05')))).result);

    console.log('\nEvery step above was checked for TON conservation to the nanoton.');
}

void main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
