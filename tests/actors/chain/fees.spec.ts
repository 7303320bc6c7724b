/**
 * estimateFee (toncenter's route, served by the local chain and used by the chain layer): the estimate of an
 * external must equal what the chain then charges for the very same message, field by field; and the W5 wallet
 * uses it to refuse a send it cannot pay for instead of letting IGNORE_ERRORS drop the transfer silently.
 */
// Local chain servers start in seconds on an idle machine, much slower on a loaded one: hooks get room.
jest.setTimeout(240_000);

import { Address, beginCell, Cell, external, internal, SendMode, storeMessage, toNano, Transaction } from '@ton/core';
import { mnemonicToPrivateKey } from '@ton/crypto';
import { computeExternalMessageFees, configParseMsgPrices } from '@ton/ton';
import { Blockchain } from '@ton/sandbox';
import { Chain, ChainError, FeeEstimate, HttpChain, requireSuccess, w5Contract } from '../../../actors/chain';
import { EmbeddedChain, LocalChain, Localnet, startLocalnet } from '../../../actors/chain/dev';
import { feesOf } from '../../../actors/chain/fees';

const sink = new Address(0, Buffer.alloc(32, 9));

/** A signed W5 transfer of `value` to the sink, for the wallet of `mnemonic` at its current seqno. */
async function transferBody(chain: Chain, mnemonic: string[], value: bigint, secretKey?: Buffer) {
    const keys = await mnemonicToPrivateKey(mnemonic);
    const wallet = w5Contract(keys.publicKey, (await chain.config()).globalId);
    const seqno = (await chain.runGetMethod(wallet.address, 'seqno')).stack.readNumber();
    const body = wallet.createTransfer({
        seqno,
        secretKey: secretKey ?? keys.secretKey,
        timeout: (await chain.now()) + 120,
        sendMode: SendMode.PAY_GAS_SEPARATELY + SendMode.IGNORE_ERRORS,
        messages: [internal({ to: sink, value, bounce: false, body: beginCell().storeUint(0, 32).storeStringTail('fee probe').endCell() })],
    });
    return { wallet: wallet.address, body };
}

/** The wallet's newest transaction, as the local chain ran it. */
async function lastTransaction(local: LocalChain, address: Address): Promise<Transaction> {
    const [tx] = await local.transactions(address, { limit: 1 });
    return tx;
}

/** The import fee the config's forwarding prices give for this external (independent of the emulator). */
async function importFee(chain: Chain, to: Address, body: Cell): Promise<bigint> {
    const prices = configParseMsgPrices((await chain.config()).msgForwardPrices.beginParse());
    return computeExternalMessageFees(prices, beginCell().store(storeMessage(external({ to, body }))).endCell());
}

function expectSum(f: FeeEstimate) {
    expect(f.total).toBe(f.inForwardFee + f.storageFee + f.gasFee + f.forwardFee);
    expect(f.gasFee).toBeGreaterThan(0n);
    expect(f.forwardFee).toBeGreaterThan(0n);
    expect(f.inForwardFee).toBeGreaterThan(0n);
}

describe('estimateFee: embedded chain (frozen clock, so storage is exact too)', () => {
    let local: LocalChain;
    let chain: EmbeddedChain;
    let mnemonic: string[];

    beforeAll(async () => {
        local = new LocalChain(await Blockchain.create(), 'manual');
        mnemonic = (await local.fundedWallet(toNano('100'))).mnemonic;
        chain = new EmbeddedChain(local);
        // One transaction first, so the wallet has paid storage up to a known time; then let storage accrue.
        const w = await chain.openWallet(mnemonic);
        requireSuccess(await chain.waitForTrace(w.address, await w.send([{ to: sink, value: toNano('1'), bounce: false }])));
        chain.advance(3 * 24 * 3600);
    });

    it('equals, field by field, the fees the chain then charges for the same message', async () => {
        const { wallet, body } = await transferBody(chain, mnemonic, toNano('2'));
        const estimate = await chain.estimateExternalFee(wallet, body);
        expectSum(estimate);
        expect(estimate.storageFee).toBeGreaterThan(0n);
        expect(estimate.inForwardFee).toBe(await importFee(chain, wallet, body));
        const before = (await chain.getAccount(wallet)).balance;
        // Nothing was committed by the estimate.
        expect((await chain.transactionsSince(sink, null)).transactions).toHaveLength(1);
        requireSuccess(await chain.waitForTrace(wallet, await chain.sendExternal(wallet, body)));
        const charged = feesOf(await lastTransaction(local, wallet));
        expect(charged).toEqual(estimate);
        expect((await chain.getAccount(wallet)).balance).toBe(before - toNano('2') - estimate.total);
    });

    it('a bad signature is rejected, and priced anyway with ignoreSignature', async () => {
        const { wallet, body } = await transferBody(chain, mnemonic, toNano('1'), Buffer.alloc(64, 1));
        await expect(chain.estimateExternalFee(wallet, body)).rejects.toMatchObject({ code: 'rejected' });
        expectSum(await chain.estimateExternalFee(wallet, body, { ignoreSignature: true }));
    });
});

describe('estimateFee: HTTP over the local chain server', () => {
    let net: Localnet;
    let chain: HttpChain;

    beforeAll(async () => {
        net = await startLocalnet({ deploy: false, wallets: 2 });
        chain = new HttpChain({ endpoint: net.endpoint }, { pollMs: { first: 20, max: 200 } });
    });
    afterAll(async () => {
        await net?.stop();
    });

    it("the server's estimateFee equals what the chain charges (storage: within what accrues while the test runs)", async () => {
        const mnemonic = net.wallets[0].mnemonic;
        const { wallet, body } = await transferBody(chain, mnemonic, toNano('3'));
        const t0 = await chain.now();
        const estimate = await chain.estimateExternalFee(wallet, body);
        expectSum(estimate);
        expect(estimate.inForwardFee).toBe(await importFee(chain, wallet, body));
        requireSuccess(await chain.waitForTrace(wallet, await chain.sendExternal(wallet, body)));
        const tx = await lastTransaction(net.chain, wallet);
        const charged = feesOf(tx);
        expect(charged.inForwardFee).toBe(estimate.inForwardFee);
        expect(charged.gasFee).toBe(estimate.gasFee);
        expect(charged.forwardFee).toBe(estimate.forwardFee);
        // The server's clock follows the wall clock: storage accrues between the estimate and the send. A W5
        // wallet's storage costs well under 1 nanoton a second on the default config: allow 1 per second elapsed.
        const elapsed = BigInt(tx.now - t0 + 1);
        expect(charged.storageFee).toBeGreaterThanOrEqual(estimate.storageFee);
        expect(charged.storageFee - estimate.storageFee).toBeLessThanOrEqual(elapsed);
    });

    it('a wallet refuses a send it cannot pay for, before sending anything (IGNORE_ERRORS would drop it silently)', async () => {
        const w = await chain.openWallet(net.wallets[1].mnemonic);
        const balance = await w.balance();
        const seqno = (await chain.runGetMethod(w.address, 'seqno')).stack.readNumber();
        // Exactly the balance: the value fits, the fees do not.
        const error = await w.send([{ to: sink, value: balance, bounce: false }]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ChainError);
        expect((error as ChainError).code).toBe('rejected');
        expect((error as ChainError).message).toMatch(/holds .* TON; this send needs/);
        expect((await chain.runGetMethod(w.address, 'seqno')).stack.readNumber()).toBe(seqno);
        // A send it can pay for still goes through.
        requireSuccess(await chain.waitForTrace(w.address, await w.send([{ to: sink, value: toNano('1'), bounce: false }])));
    });

    it('answers estimateFee errors as JSON: a malformed body is 400', async () => {
        const r = await fetch(net.endpoint, { method: 'POST', body: JSON.stringify({ method: 'estimateFee', params: { address: sink.toString(), body: 'not a boc' } }) });
        expect(r.status).toBe(400);
        expect(await r.json()).toMatchObject({ ok: false, error: expect.stringMatching(/body/) });
    });
});
