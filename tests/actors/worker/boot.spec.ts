/**
 * Boot checks on a chain (the embedded implementation of the chain layer over the sandbox): the image and
 * model allowlists, the worker account, this boot's keys, and the registration and key update through the
 * owner's wallet or as a printed ton:// link and Blueprint command.
 */
import { toNano } from '@ton/core';
import { EmbeddedChain } from '../../../actors/chain/dev/embedded';
import { SimulatedQuoteProvider } from '../../../actors/tee';
import { attest, freshKeys } from '../../../actors/worker/boot/attest';
import {
    checkAllowlists,
    OnChainInput,
    operatorOf,
    putKeysOnChain,
    putKeysOnChainAsOperator,
    readWorker,
    registrationFor,
    waitForKeys,
} from '../../../actors/worker/boot/onchain';
import { setOperatorBody, Worker } from '../../../wrappers/Worker';
import { BootError } from '../../../actors/worker/errors';
import { deployProtocol, DEFAULT_PRICES } from '../../../wrappers/testkit';

async function code(p: Promise<unknown>): Promise<string> {
    try {
        await p;
        return 'ok';
    } catch (e) {
        if (e instanceof BootError) return e.code;
        throw e;
    }
}

it('refuses an image not allowed now, registers through the wallet, and updates the keys of a new boot', async () => {
    const p = await deployProtocol({ workers: 0 });
    const chain = EmbeddedChain.over(p.blockchain);
    const funded = await chain.local.fundedWallet(toNano('100'));
    const wallet = await chain.openWallet(funded.mnemonic);
    const sim = new SimulatedQuoteProvider();
    const boot = async () => {
        const keys = freshKeys();
        return { keys, attested: await attest(sim, keys) };
    };
    const b1 = await boot();
    const input: OnChainInput = { chain, root: p.root.address, owner: wallet.address, index: 0, ...b1, modelHash: p.modelHash, testnet: true };

    expect(await code(checkAllowlists(input))).toBe('image_not_allowed');
    await p.root.sendGovernance(p.governance.getSender(), { kind: 'addImage', label: 'test image', imageHash: b1.attested.imageHash }, toNano('0.05'));
    expect(await code(checkAllowlists(input))).toBe('ok');
    expect(await code(checkAllowlists({ ...input, modelHash: Buffer.alloc(32, 9) }))).toBe('model_not_allowed');
    expect(await code(readWorker(input))).toBe('worker_account_missing');

    const reg = registrationFor(input, { prices: DEFAULT_PRICES, endpoint: 'https://gpu.example', payoutThreshold: 0n });
    const printed = await putKeysOnChain(input, 'register', reg, null);
    expect(printed.sent).toBe(false);
    expect(printed.link).toMatch(/^ton:\/\/transfer\/[A-Za-z0-9_-]{48}\?amount=\d+&bin=[A-Za-z0-9_-]+$/);
    expect(printed.command).toContain(`--receipt-key ${b1.keys.receiptPublic.toString('hex')}`);
    expect(printed.command).toContain(`--quote-hash ${b1.attested.quoteHash.toString('hex')}`);

    const sent = await putKeysOnChain(input, 'register', reg, wallet, p.params.minStake);
    expect(sent.sent).toBe(true);
    const w1 = await waitForKeys(input, 30_000, 100);
    expect(w1.keysMatch).toBe(true);

    // a restart: new keys, the account still holds the old ones
    const b2 = await boot();
    const input2 = { ...input, ...b2 };
    const before = await readWorker(input2);
    expect(before.keysMatch).toBe(false);
    await putKeysOnChain(input2, 'update', registrationFor(input2, { prices: before.prices, endpoint: before.endpoint, payoutThreshold: before.payoutThreshold }), wallet);
    expect((await waitForKeys(input2, 30_000, 100)).keysMatch).toBe(true);
    expect((await readWorker(input)).keysMatch).toBe(false);
}, 120_000);

it('a new boot puts its keys on-chain through the operator wallet once the owner authorised it, and only then', async () => {
    const p = await deployProtocol({ workers: 0 });
    const chain = EmbeddedChain.over(p.blockchain);
    const owner = await chain.openWallet((await chain.local.fundedWallet(toNano('100'))).mnemonic);
    const operator = await chain.openWallet((await chain.local.fundedWallet(toNano('5'))).mnemonic);
    const sim = new SimulatedQuoteProvider();
    const boot = async () => {
        const keys = freshKeys();
        return { keys, attested: await attest(sim, keys) };
    };
    const b1 = await boot();
    await p.root.sendGovernance(p.governance.getSender(), { kind: 'addImage', label: 'test image', imageHash: b1.attested.imageHash }, toNano('0.05'));
    const input: OnChainInput = { chain, root: p.root.address, owner: owner.address, index: 0, ...b1, modelHash: p.modelHash, testnet: true };
    const reg = registrationFor(input, { prices: DEFAULT_PRICES, endpoint: 'https://gpu.example', payoutThreshold: 0n });
    await putKeysOnChain(input, 'register', reg, owner, p.params.minStake);
    await waitForKeys(input, 30_000, 100);
    const account = (await readWorker(input)).workerAccount;
    const worker = p.blockchain.openContract(Worker.createFromAddress(account));
    const stake = (await worker.getState()).stake;

    // A restart on a host that holds only the operator key: refused until the owner authorises it.
    const b2 = await boot();
    const input2 = { ...input, ...b2 };
    expect(await operatorOf(input2)).toBeNull();
    // The refusal comes back at once, naming the reason (not a wait for keys that never arrive).
    const refused = await putKeysOnChainAsOperator(input2, operator).then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(BootError);
    expect((refused as BootError).code).toBe('keys_not_registered');
    expect((refused as BootError).message).toMatch(/notOperator/);
    expect(await code(waitForKeys(input2, 300, 100))).toBe('keys_not_registered');

    await owner.send([{ to: account, value: toNano('0.05'), body: setOperatorBody(operator.address), bounce: true }]);
    expect((await operatorOf(input2))!.equals(operator.address)).toBe(true);
    const operatorBalance = (await chain.getAccount(operator.address)).balance;
    await putKeysOnChainAsOperator(input2, operator);
    const w2 = await waitForKeys(input2, 30_000, 100);
    expect(w2.keysMatch).toBe(true);
    // Prices, endpoint and threshold are the owner's registration's; the stake did not move; the operator paid fees only.
    expect([w2.prices, w2.endpoint, w2.payoutThreshold]).toEqual([DEFAULT_PRICES, 'https://gpu.example', 0n]);
    expect((await worker.getState()).stake).toBe(stake);
    expect(operatorBalance - (await chain.getAccount(operator.address)).balance).toBeLessThan(toNano('0.05'));
}, 120_000);
