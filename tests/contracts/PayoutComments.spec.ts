/**
 * Every payout, refund and change a plain wallet receives says what it is: a text comment the wallet shows, never
 * an unknown binary operation (such as TEP-74 `excesses`). One test per comment the contracts send (grep '"cocoon:'
 * contracts/*.fc); "stake withdrawn", "payout" (collect) and "job closed" are checked through the scripts' links
 * (WalletLinks.spec.ts).
 */
import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import { Address, beginCell, storeCommonMessageInfo, toNano } from '@ton/core';
import { Blockchain, internal, loadConfig, SendMessageResult } from '@ton/sandbox';
import '@ton/test-utils';
import { equivocationBody } from '../../wrappers/payloads';
import { commentBody } from '../../wrappers/common';
import { JobState } from '../../wrappers/Constants';
import { Job, openJobBody } from '../../wrappers/Job';
import { DEFAULT_PRICES, deployProtocol, hashOf } from '../../wrappers/testkit';
import { deployForJobs, CLOSE_VALUE, openJob } from '../../wrappers/testkit/jobs';
import { deployCouncil, SMALL, TIMELOCK, VOTING_PERIOD } from '../../wrappers/testkit/council';
import { commentOf } from '../../wrappers/testkit/replies';

const USAGE = { prompt: 300_000, cached: 0, completion: 100_000, reasoning: 0 };

/** The text comments of the messages `result` delivered to `to`. */
function commentsTo(result: SendMessageResult, to: Address): string[] {
    return result.transactions.filter((t) => t.inMessage?.info.dest instanceof Address && t.inMessage.info.dest.equals(to)).map((t) => commentOf(t.inMessage!.body) ?? '<binary>');
}

/** The messages `result` delivered to `to` from `from`, with their comment and the forward fee they carried. */
function messagesTo(result: SendMessageResult, from: Address, to: Address): { comment: string; forwardFee: bigint }[] {
    return result.transactions.flatMap((t) => {
        const info = t.inMessage?.info;
        if (info?.type !== 'internal' || !info.src.equals(from) || !info.dest.equals(to)) return [];
        return [{ comment: commentOf(t.inMessage!.body) ?? '<binary>', forwardFee: info.forwardFee }];
    });
}

/**
 * The forward fee a basechain message carries when nothing but its root cell is sent (the fee rules count the
 * cells and bits below the root only): the lump price less the first hop's share. A change comment travels in the
 * message's root cell, so the fee formulas that price these replies as get_forward_fee(BASECHAIN, 0, 0) (gas.fc
 * fee::operator_update) still cover them.
 */
function rootCellForwardFee(blockchain: Blockchain): bigint {
    const fwd = loadConfig(blockchain.config)[25].anon0;
    const lump = BigInt(fwd.lump_price);
    return lump - (lump * BigInt(fwd.first_frac)) / 65536n;
}

/** `result` delivered exactly one message from `from` to `to`, with the comment `text`, in one cell. */
function expectComment(result: SendMessageResult, blockchain: Blockchain, from: Address, to: Address, text: string): void {
    const got = messagesTo(result, from, to);
    expect(got.map((m) => m.comment)).toEqual([text]);
    expect(got[0].forwardFee).toBe(rootCellForwardFee(blockchain));
}

describe('payouts and refunds carry their text comment', () => {
    it('a settled job: the client gets "cocoon: job settled", the worker\'s owner "cocoon: payout"', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        j.serve(USAGE);
        await p.run(() => j.job.sendExtClaim(j.voucher()));
        j.serve(USAGE);
        const final = j.voucher(undefined, { final: true });
        const { result } = await p.run(() => j.job.sendSettle(j.client.getSender(), CLOSE_VALUE, final, j.countersign(final)));
        expect(commentsTo(result, j.client.address)).toContain('cocoon: job settled');
        expect(commentsTo(result, j.worker.owner.address)).toContain('cocoon: payout');
    });

    it('proven equivocation: the reporter gets "cocoon: evidence reward"; the next client of the slashed worker "cocoon: job refused: inactive"', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        const reporter = await p.wallet('reporter');
        const body = equivocationBody(j.receipt({ seqno: 3, cost: 1000n }), j.receipt({ seqno: 3, cost: 2000n }));
        const { result } = await p.run(() => j.worker.worker.sendRaw(reporter.getSender(), body, toNano('0.1')));
        expect(commentsTo(result, reporter.address)).toContain('cocoon: evidence reward');
        const next = await openJob(p, { allowRefusal: true });
        expect(commentsTo(next.opened.result, next.client.address)).toContain('cocoon: job refused: inactive');
    });

    it('a job whose worker never answered, closed by its client after the answer timeout: "cocoon: job cancelled"', async () => {
        const p = await deployForJobs();
        const client = await p.wallet('unanswered client');
        const worker = p.workers[0].worker.address;
        const open = internal({
            from: client.address,
            to: p.root.address,
            value: toNano('3'),
            body: openJobBody({ worker, jobId: 5n, clientKey: hashOf('k'), challenge: p.params.minChallenge, maxPrices: DEFAULT_PRICES }),
        });
        // the root deploys the job and the job sends its offer; the offer is never delivered (the worker never answers)
        const job = p.blockchain.openContract(Job.createForJob({ root: p.root.address, client: client.address, worker, jobId: 5n }));
        const steps = await p.blockchain.sendMessageIter(open);
        for await (const tx of steps) if (tx.inMessage?.info.dest instanceof Address && tx.inMessage.info.dest.equals(job.address)) break;
        // The offer still waits in the sandbox's message queue: drop it, as a lost message (nothing else is queued).
        const queue = (p.blockchain as unknown as { defaultQueueManager: { messageQueue: unknown[] } }).defaultQueueManager.messageQueue;
        expect(queue).toHaveLength(1);
        queue.length = 0;
        expect(await job.getState()).toBe(JobState.Pending);
        p.advance(3_600 + 1);
        const r = await client.send({ to: job.address, value: toNano('0.05'), body: commentBody('close') });
        expect(commentsTo(r, client.address)).toContain('cocoon: job cancelled');
    });

    it('a treasury withdrawal by governance reaches its recipient as "cocoon: treasury withdrawal"', async () => {
        const k = await deployCouncil();
        await k.root.sendDeploy(k.outsider.getSender(), toNano('5')); // a donation: the treasury has something to give
        const to = await k.wallet('treasury recipient');
        const { result } = await k.enact([{ kind: 'root', value: toNano('0.05'), action: { kind: 'withdrawTreasury', amount: toNano('1'), to: to.address } }]);
        expect(commentsTo(result, to.address)).toContain('cocoon: treasury withdrawal');
    });
});

describe('change and refunds to a wallet carry their text comment, never a binary excesses', () => {
    const addImage = (label: string) => ({ kind: 'root' as const, value: toNano('0.05'), action: { kind: 'addImage' as const, label, imageHash: hashOf(label) } });

    it('a vote (the comment "yes" from a member\'s wallet): the voter gets "cocoon: vote change"', async () => {
        const k = await deployCouncil();
        const { proposal } = await k.propose(k.alice, [addImage('vote change')]);
        const { result } = await k.run(() => proposal.sendComment(k.bob.getSender(), 'yes', toNano('1')));
        expectComment(result, k.blockchain, proposal.address, k.bob.address, 'cocoon: vote change');
    });

    it('a cancel (the comment "cancel" from the proposer): the proposer gets "cocoon: cancel change"', async () => {
        const k = await deployCouncil();
        const { proposal } = await k.propose(k.alice, [addImage('cancel change')]);
        const { result } = await k.run(() => proposal.sendComment(k.alice.getSender(), 'cancel', toNano('1')));
        expectComment(result, k.blockchain, proposal.address, k.alice.address, 'cocoon: cancel change');
    });

    it('a cleanup by a stranger: the cleaner gets "cocoon: cleanup change", the proposer "cocoon: proposal refund"', async () => {
        const k = await deployCouncil();
        const { proposal } = await k.propose(k.alice, [addImage('cleanup')], { value: toNano('2') });
        k.advance(VOTING_PERIOD); // expired
        const { result } = await k.run(() => proposal.sendComment(k.outsider.getSender(), 'cleanup', SMALL));
        expectComment(result, k.blockchain, proposal.address, k.outsider.address, 'cocoon: cleanup change');
        expectComment(result, k.blockchain, proposal.address, k.alice.address, 'cocoon: proposal refund');
    });

    it('a cleanup by the proposer itself: one message, "cocoon: proposal refund"', async () => {
        const k = await deployCouncil();
        const { proposal } = await k.propose(k.alice, [addImage('own cleanup')]);
        await k.run(() => proposal.sendComment(k.alice.getSender(), 'cancel', SMALL));
        const { result } = await k.run(() => proposal.sendComment(k.alice.getSender(), 'cleanup', SMALL));
        expectComment(result, k.blockchain, proposal.address, k.alice.address, 'cocoon: proposal refund');
    });

    it('an execution: the executor gets its change from the council as "cocoon: execution change"', async () => {
        const k = await deployCouncil();
        const { proposal } = await k.propose(k.alice, [addImage('execution change')]);
        await k.pass(proposal);
        k.advance(TIMELOCK);
        const value = (await proposal.getExecuteValue()) + toNano('0.5');
        const { result } = await k.run(() => proposal.sendComment(k.outsider.getSender(), 'execute', value));
        expectComment(result, k.blockchain, k.council.address, k.outsider.address, 'cocoon: execution change');
    });

    it('a run the council refuses: the proposal refunds the executor with "cocoon: execution refund"', async () => {
        const k = await deployCouncil();
        // the council cannot pay a withdrawal above its balance: its transaction fails and bounces to the proposal
        const { proposal } = await k.propose(k.alice, [{ kind: 'withdraw', amount: toNano('50'), to: k.outsider.address }]);
        await k.pass(proposal);
        k.advance(TIMELOCK);
        const value = (await proposal.getExecuteValue()) + toNano('0.5');
        const { result } = await k.run(() => proposal.sendComment(k.outsider.getSender(), 'execute', value));
        expect(result.transactions).toHaveTransaction({ from: k.council.address, to: proposal.address, inMessageBounced: true });
        expectComment(result, k.blockchain, proposal.address, k.outsider.address, 'cocoon: execution refund');
    });

    it('a veto: the proposal returns the guardian\'s change as "cocoon: veto change"', async () => {
        const k = await deployCouncil();
        const { id, proposal } = await k.propose(k.alice, [addImage('veto change')]);
        await k.pass(proposal);
        const { result } = await k.run(() => k.council.sendVeto(k.guardian.getSender(), id, toNano('0.3')));
        expectComment(result, k.blockchain, proposal.address, k.guardian.address, 'cocoon: veto change');
    });

    it('a veto the proposal refuses: the council returns the guardian\'s value as "cocoon: veto refund"', async () => {
        const k = await deployCouncil();
        const { result } = await k.run(() => k.council.sendVeto(k.guardian.getSender(), 77, toNano('0.3'))); // no such proposal
        expect(result.transactions).toHaveTransaction({ to: k.council.address, inMessageBounced: true });
        expectComment(result, k.blockchain, k.council.address, k.guardian.address, 'cocoon: veto refund');
    });

    it('an operator\'s re-attestation: the operator gets "cocoon: attestation change"', async () => {
        const p = await deployProtocol({ workers: 1 });
        const w = p.workers[0];
        const operator = await p.wallet('operator');
        await p.run(() => w.worker.sendSetOperator(w.owner.getSender(), operator.address, toNano('0.05')));
        const update = {
            owner: w.owner.address,
            index: w.index,
            receiptKey: hashOf('receipt rotated'),
            encryptionKey: hashOf('enc rotated'),
            attestation: { ...w.registration.attestation, quoteHash: hashOf('quote rotated') },
        };
        const { result } = await p.run(() => p.root.sendOperatorUpdate(operator.getSender(), update, toNano('1')));
        expectComment(result, p.blockchain, w.worker.address, operator.address, 'cocoon: attestation change');
    });
});

describe('every text a contract sends stays in the message\'s root cell, at any value', () => {
    /** The payout, refund and change comments of the contracts ("cocoon: ..." literals), read from the sources. */
    function sentTexts(): string[] {
        const dir = path.join(__dirname, '..', '..', 'contracts');
        const texts = readdirSync(dir)
            .filter((f) => f.endsWith('.fc'))
            .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/"(cocoon: [^"]+)"/g)].map((m) => m[1]));
        return [...new Set(texts)];
    }

    it('header at its largest (8-byte value, 4-byte forward fee, both addresses) + op 0 + the text fit 1023 bits', () => {
        const texts = sentTexts();
        expect(texts).toEqual(expect.arrayContaining(['cocoon: proposal refund', 'cocoon: vote change', 'cocoon: attestation change', 'cocoon: veto refund']));
        const someone = new Address(0, Buffer.alloc(32, 0xff));
        // the header as the action phase completes it: source, value (all the TON there is fits 8 bytes), fees, lt, time
        const header = beginCell()
            .store(
                storeCommonMessageInfo({
                    type: 'internal',
                    ihrDisabled: true,
                    bounce: true,
                    bounced: false,
                    src: someone,
                    dest: someone,
                    value: { coins: 2n ** 64n - 1n },
                    ihrFee: 0n,
                    forwardFee: 2n ** 32n - 1n,
                    createdLt: 2n ** 64n - 1n,
                    createdAt: 2 ** 32 - 1,
                }),
            )
            .endCell().bits.length;
        for (const text of texts) {
            const bits = header + 1 + 1 + 32 + Buffer.byteLength(text) * 8; // no state init, body inline, op 0, the text
            expect({ text, fits: bits <= 1023 }).toEqual({ text, fits: true });
        }
    });
});
