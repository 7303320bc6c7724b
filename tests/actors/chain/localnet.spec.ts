/**
 * The local chain server keeps its chain across restarts (--state) and moves chain time on /dev/advance.
 */
// Local chain servers start in seconds on an idle machine, much slower on a loaded one: hooks get room.
jest.setTimeout(240_000);

import { Address, toNano } from '@ton/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { HttpChain, requireSuccess } from '../../../actors/chain';
import { Localnet, startLocalnet } from '../../../actors/chain/dev';

describe('local chain server: state file and time', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'localnet-'));
    const stateFile = path.join(dir, 'state.json');
    let net: Localnet | undefined;

    afterAll(async () => {
        await net?.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    it('restores accounts, history, wallets and time from the state file; /dev/advance moves time forward', async () => {
        net = await startLocalnet({ deploy: false, wallets: 1, stateFile });
        expect(net.restored).toBe(false);
        let chain = new HttpChain({ endpoint: net.endpoint }, { pollMs: { first: 20, max: 200 } });
        const wallet = await chain.openWallet(net.wallets[0].mnemonic);
        const sink = new Address(0, Buffer.alloc(32, 5));
        requireSuccess(await chain.waitForTrace(wallet.address, await wallet.send([{ to: sink, value: toNano('3'), bounce: false }])));
        const before = await chain.now();
        const advanced = await fetch(`${net.url}/dev/advance`, { method: 'POST', body: JSON.stringify({ seconds: 86_400 }) });
        expect(((await advanced.json()) as { result: { now: number } }).result.now).toBeGreaterThanOrEqual(before + 86_400);
        const afterAdvance = await chain.now();
        await net.stop();
        net = undefined;

        net = await startLocalnet({ stateFile });
        expect(net.restored).toBe(true);
        expect(net.wallets[0].address.equals(wallet.address)).toBe(true);
        chain = new HttpChain({ endpoint: net.endpoint }, { pollMs: { first: 20, max: 200 } });
        expect((await chain.getAccount(sink)).balance).toBeGreaterThan(toNano('2.99'));
        expect((await chain.transactionsSince(sink, null)).transactions).toHaveLength(1);
        expect(await chain.now()).toBeGreaterThanOrEqual(afterAdvance);
        // The restored wallet keeps its seqno: another send works.
        const again = await chain.openWallet(net.wallets[0].mnemonic);
        requireSuccess(await chain.waitForTrace(again.address, await again.send([{ to: sink, value: toNano('1'), bounce: false }])));
        expect((await chain.transactionsSince(sink, null)).transactions).toHaveLength(2);
    });
});
