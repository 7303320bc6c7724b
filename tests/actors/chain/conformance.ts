/**
 * The one conformance body every Chain implementation must pass (embedded, HTTP over the local chain server,
 * and testnet when configured): the protocol's life through the wrappers, every getter, cursors, traces,
 * wallet seqnos and the typed errors a caller can see from the chain itself.
 */
import { Address, beginCell, Contract, openContract, OpenedContract, toNano } from '@ton/core';
import { Chain, ChainError, ChainSender, ChainWallet, Cursor, SendResult } from '../../../actors/chain';
import { requireSuccess } from '../../../actors/chain/errors';
import { loadCode } from '../../../wrappers/code';
import { Errors, JobState, WorkerStatus } from '../../../wrappers/Constants';
import { Job, JobIdentity } from '../../../wrappers/Job';
import { extClaimBody, requestCost } from '../../../wrappers/payloads';
import { signVoucher } from '../../../actors/crypto/payloads';
import { Root, RootParams, WorkerRegistration } from '../../../wrappers/Root';
import { Worker } from '../../../wrappers/Worker';
import { DEFAULT_IMAGE, DEFAULT_IMAGE_LABEL, DEFAULT_MODEL, DEFAULT_MODEL_NAME, DEFAULT_PARAMS, DEFAULT_PRICES, ed25519FromLabel, hashOf, x25519FromLabel } from '../../../wrappers/testkit';

/** What `f` throws (undefined when it returns). */
function thrownBy(f: () => void): unknown {
    try {
        f();
    } catch (e) {
        return e;
    }
    return undefined;
}

export interface ConformanceTarget {
    chain: Chain;
    /** At least three funded wallets: governance, worker owner, client. */
    mnemonics: string[][];
    /** Moves chain time forward; absent on a public network (finalize is then skipped). */
    advance?: (seconds: number) => Promise<void>;
    teardown(): Promise<void>;
}

export function open<T extends Contract>(chain: Chain, contract: T): OpenedContract<T> {
    return openContract(contract, (a) => chain.provider(a.address, a.init?.code && a.init.data ? { code: a.init.code, data: a.init.data } : undefined));
}

export const last = (s: ChainSender): SendResult => {
    const r = s.sent[s.sent.length - 1];
    if (!r) throw new Error('nothing sent');
    return r;
};

export function conformanceSuite(label: string, setup: () => Promise<ConformanceTarget>): void {
    describe(`Chain conformance: ${label}`, () => {
        let t: ConformanceTarget;
        let chain: Chain;
        let gov: ChainWallet, owner: ChainWallet, client: ChainWallet;
        let root: OpenedContract<Root>;
        let worker: OpenedContract<Worker>;
        let job: OpenedContract<Job>;
        const params: RootParams = { ...DEFAULT_PARAMS, minStake: toNano('1'), minChallenge: 60, version: 1 + Math.floor(Math.random() * 1e6) };
        const workerCode = loadCode('Worker');
        const jobCode = loadCode('Job');
        const clientKeys = ed25519FromLabel(`conformance client ${label}`);
        const receiptKeys = ed25519FromLabel(`conformance receipt ${label}`);
        let globalId: number;
        let rootCursor: Cursor = null;

        const wait = async (from: ChainWallet, s: ChainSender) => requireSuccess(await chain.waitForTrace(from.address, last(s)));

        beforeAll(async () => {
            t = await setup();
            chain = t.chain;
            [gov, owner, client] = await Promise.all(t.mnemonics.slice(0, 3).map((m) => chain.openWallet(m)));
        });
        afterAll(async () => {
            await t?.teardown();
        });

        it('reads the network global id and the live gas and forwarding prices', async () => {
            const c = await chain.config();
            globalId = c.globalId;
            expect([-239, -3]).toContain(c.globalId);
            expect(c.gasPrices.bits.length).toBeGreaterThan(0);
            expect(c.msgForwardPrices.bits.length).toBeGreaterThan(0);
            expect(await chain.now()).toBeGreaterThan(1_600_000_000);
        });

        it('deploys a root from a W5 wallet and waits for the whole trace', async () => {
            const now = await chain.now();
            root = open(
                chain,
                Root.createFromConfig(
                    {
                        governance: gov.address,
                        params,
                        workerCode,
                        jobCode,
                        images: new Map([[DEFAULT_IMAGE, { addedAt: now, retireAt: 0, label: DEFAULT_IMAGE_LABEL }]]),
                        models: new Map([[DEFAULT_MODEL, { addedAt: now, name: DEFAULT_MODEL_NAME }]]),
                    },
                    loadCode('Root'),
                ),
            );
            const s = gov.sender();
            await root.sendDeploy(s, toNano('0.5'));
            const trace = await wait(gov, s);
            expect(trace.transactions[0].account.equals(gov.address)).toBe(true);
            expect(trace.transactions.some((x) => x.account.equals(root.address))).toBe(true);
            const a = await chain.getAccount(root.address);
            expect(a.status).toBe('active');
            expect(a.codeHash?.equals(loadCode('Root').hash())).toBe(true);
        });

        it('registers a worker through the root (wallet -> root -> worker account)', async () => {
            const registration: WorkerRegistration = {
                index: 0,
                receiptKey: receiptKeys.publicKey,
                encryptionKey: x25519FromLabel(`conformance ${label}`).publicKey,
                payoutThreshold: 0n,
                attestation: { imageHash: DEFAULT_IMAGE, modelHash: DEFAULT_MODEL, quoteHash: hashOf(`quote ${label}`) },
                prices: DEFAULT_PRICES,
                endpoint: 'https://worker.example:8443/0',
            };
            const fees = await root.getFees();
            const s = owner.sender();
            await root.sendRegisterWorker(s, registration, params.minStake + fees.register);
            const trace = await wait(owner, s);
            const workerAddress = await root.getWorkerAddress(owner.address, 0);
            expect(trace.transactions.some((x) => x.account.equals(workerAddress))).toBe(true);
            worker = open(chain, Worker.createFromAddress(workerAddress));
            const state = await worker.getState();
            expect(state.status).toBe(WorkerStatus.Active);
            expect(state.owner.equals(owner.address)).toBe(true);
            expect(state.stake).toBeGreaterThanOrEqual(params.minStake);
        });

        it('opens a job, and the worker account accepts it', async () => {
            const id: JobIdentity = { root: root.address, client: client.address, worker: worker.address, jobId: BigInt(Math.floor(Math.random() * 1e9)) };
            job = open(chain, Job.createForJob(id));
            const s = client.sender();
            // The root deploys the job (stub + install of its current job code); the job then asks the worker account.
            await root.sendOpenJob(s, toNano('2'), { worker: id.worker, jobId: id.jobId, clientKey: clientKeys.publicKey, challenge: params.minChallenge, maxPrices: DEFAULT_PRICES });
            await wait(client, s);
            expect(await job.getState()).toBe(JobState.Active);
        });

        it('claims a voucher by external message (no wallet) and sees the payout in the trace', async () => {
            // Large enough that the protocol fee sent to the root at settlement pays the root's gas (a fee below
            // ~0.0025 TON runs the root's treasury_deposit out of gas: reported as a contract finding).
            const amount = requestCost({ prompt: 1_000_000, cached: 0, completion: 1_000_000, reasoning: 0 }, DEFAULT_PRICES);
            const voucher = signVoucher({ globalId, job: job.address, nonce: await job.getNonce(), amount, tokens: 2_000_000n, head: hashOf('head'), final: false }, clientKeys.secretKey);
            const sent = await chain.sendExternal(job.address, extClaimBody(voucher));
            const trace = requireSuccess(await chain.waitForTrace(job.address, sent));
            expect(trace.transactions[0].inMessage?.kind).toBe('external-in');
            expect(trace.transactions.length).toBeGreaterThan(1);
            expect(await job.getPaid()).toBe(amount);
            // The same voucher again: refused before accept_message, so the node rejects the external.
            const replay = await chain.sendExternal(job.address, extClaimBody(voucher)).catch((e: unknown) => e);
            expect(replay).toBeInstanceOf(ChainError);
            expect((replay as ChainError).code).toBe('rejected');
        });

        it('answers every getter of the root, the worker account and the job through the wrappers', async () => {
            expect((await root.getParams()).minStake).toBe(params.minStake);
            expect(await root.getIsImageAllowed(DEFAULT_IMAGE)).toBe(true);
            expect(await root.getIsModelAllowed(DEFAULT_MODEL)).toBe(true);
            expect(await root.getIsModelAllowed(hashOf('no such model'))).toBe(false);
            expect([...(await root.getImages()).keys()]).toEqual([DEFAULT_IMAGE]);
            expect((await root.getModels()).get(DEFAULT_MODEL)?.name).toBe(DEFAULT_MODEL_NAME);
            expect((await root.getGovernance()).governance.equals(gov.address)).toBe(true);
            expect((await root.getGovernance()).pending).toBeNull();
            expect((await root.getTreasury())).toBeDefined();
            expect((await root.getChildCodes()).workerCode.hash().equals(workerCode.hash())).toBe(true);
            expect(await root.getBalance()).toBeGreaterThan(0n);

            expect((await worker.getKeys()).receiptKey.equals(Buffer.from(receiptKeys.publicKey))).toBe(true);
            expect((await worker.getProfile()).endpoint).toBe('https://worker.example:8443/0');
            expect((await worker.getEarnings()).payoutThreshold).toBe(0n);
            expect((await worker.getReputation())).toBeDefined();
            expect((await worker.getSettings()).params.minStake).toBe(params.minStake);
            expect(await worker.getIsEvidenceUsed(hashOf('no such evidence'))).toBe(false);
            expect(await worker.getBalance()).toBeGreaterThan(0n);

            const data = await job.getJobData();
            expect(data).toBeDefined();
            expect((await job.getTerms())).toBeDefined();
            expect(await job.getDeposit()).toBeGreaterThan(0n);
            expect(await job.getRemaining()).toBe((await job.getDeposit()) - (await job.getPaid()));
            expect((await job.getPrices()).maxPrices).toEqual(DEFAULT_PRICES);
            expect(Buffer.from((await job.getKeys()).clientKey).equals(Buffer.from(clientKeys.publicKey))).toBe(true);
            expect(await job.getChallengeDeadline()).toBe(0);
            expect(await job.getReserve()).toBeGreaterThan(0n);
        });

        it('follows the root from a cursor: everything once, oldest first, then only what is new', async () => {
            const first = await chain.transactionsSince(root.address, null);
            expect(first.transactions.length).toBeGreaterThanOrEqual(2); // deploy, registration
            const lts = first.transactions.map((x) => x.id.lt);
            expect([...lts].sort((a, b) => (a < b ? -1 : 1))).toEqual(lts);
            rootCursor = first.cursor;
            const again = await chain.transactionsSince(root.address, rootCursor);
            expect(again.transactions).toEqual([]);
            expect(again.cursor).toEqual(rootCursor);
            // Paging: one at a time from the start gives the same sequence.
            let c: Cursor = null;
            const oneByOne: bigint[] = [];
            for (;;) {
                const page = await chain.transactionsSince(root.address, c, { limit: 1 });
                if (page.transactions.length === 0) break;
                oneByOne.push(page.transactions[0].id.lt);
                c = page.cursor;
            }
            expect(oneByOne).toEqual(lts);
        });

        it('a transaction that fails on chain: failed_on_chain with the named error, and the bounce in the trace', async () => {
            const s = client.sender();
            await s.send({ to: root.address, value: toNano('0.05'), body: beginCell().storeUint(0x0badc0de, 32).storeUint(0, 64).endCell(), bounce: true });
            const trace = await chain.waitForTrace(client.address, last(s));
            expect(trace.success).toBe(false);
            expect(trace.transactions.some((x) => x.bounced)).toBe(true);
            const error = thrownBy(() => requireSuccess(trace));
            expect(error).toBeInstanceOf(ChainError);
            expect((error as ChainError).code).toBe('failed_on_chain');
            // Only governance may send the root anything but registrations: the named error comes with the code.
            expect((error as ChainError).details.exitCode).toBe(Errors.notGovernance);
            expect((error as ChainError).details.errorName).toBe('notGovernance');
            // The root's follower sees exactly that one new transaction.
            const next = await chain.transactionsSince(root.address, rootCursor);
            expect(next.transactions).toHaveLength(1);
            expect(next.transactions[0].exitCode).toBe(Errors.notGovernance);
            rootCursor = next.cursor;
        });

        it('a contract that refuses with a comment: the trace is no success, refused_on_chain with the reason and the named error', async () => {
            const s = client.sender();
            const offChain = new Address(-1, Buffer.alloc(32, 5));
            await root.sendOpenJob(s, toNano('0.5'), { worker: offChain, jobId: 77n, clientKey: clientKeys.publicKey, challenge: params.minChallenge, maxPrices: DEFAULT_PRICES });
            const trace = await chain.waitForTrace(client.address, last(s));
            // every transaction succeeded: the root answered with a refusal comment and the value, no bounce
            expect(trace.transactions.every((x) => x.success && !x.bounced)).toBe(true);
            expect(trace.success).toBe(false);
            const error = thrownBy(() => requireSuccess(trace));
            expect(error).toBeInstanceOf(ChainError);
            expect((error as ChainError).code).toBe('refused_on_chain');
            expect((error as ChainError).details).toMatchObject({ exitCode: Errors.workerNotBasechain, errorName: 'workerNotBasechain' });
            expect((error as ChainError).message).toMatch(/basechain/);
        });

        it('two sends in a row from one wallet never collide on the seqno', async () => {
            const s = gov.sender();
            const target = Address.parse(root.address.toString());
            await Promise.all([
                s.send({ to: target, value: toNano('0.01'), body: beginCell().storeUint(0, 32).storeStringTail('top-up 1').endCell() }),
                s.send({ to: target, value: toNano('0.01'), body: beginCell().storeUint(0, 32).storeStringTail('top-up 2').endCell() }),
            ]);
            expect(s.sent).toHaveLength(2);
            expect(s.sent[0].messageHash.equals(s.sent[1].messageHash)).toBe(false);
            for (const sent of s.sent) {
                const trace = await chain.waitForTrace(gov.address, sent);
                expect(trace.transactions[0].success).toBe(true);
                expect(trace.transactions[0].outMessages.length).toBe(1);
            }
        });

        it('closes the job, and after the challenge period anyone finalizes it', async () => {
            const s = client.sender();
            await job.sendClose(s, toNano('0.05'));
            await wait(client, s);
            expect(await job.getState()).toBe(JobState.Closing);
            const deadline = await job.getChallengeDeadline();
            expect(deadline).toBeGreaterThan(0);
            if (!t.advance) return; // a public network: the challenge period takes real time
            await t.advance(params.minChallenge + 1);
            expect(await chain.now()).toBeGreaterThan(deadline);
            const f = owner.sender();
            await job.sendFinalize(f, toNano('0.05'));
            await wait(owner, f);
            expect(['nonexistent', 'uninit']).toContain((await chain.getAccount(job.address)).status);
        });

        it('not_found for a get-method on an account with no code; a timeout for a trace that never comes', async () => {
            const nobody = new Address(0, Buffer.alloc(32, 7));
            expect((await chain.getAccount(nobody)).status).toBe('nonexistent');
            await expect(chain.runGetMethod(nobody, 'seqno')).rejects.toMatchObject({ code: 'not_found' });
            await expect(chain.waitForTrace(nobody, { messageHash: Buffer.alloc(32, 1) }, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'timeout' });
            await expect(root.getFees()).resolves.toBeDefined();
            await expect(open(chain, Root.createFromAddress(nobody)).getFees()).rejects.toMatchObject({ code: 'not_found' });
        });
    });
}

