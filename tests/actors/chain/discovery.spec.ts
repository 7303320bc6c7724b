/**
 * Discovery of workers from the root's address alone: the root's worker events lead to candidates, each checked
 * against the account itself and the root's own derivation; a persisted cursor resumes; status changes at the
 * worker account (unbonding, exit) are picked up by refresh.
 */
// Local chain servers start in seconds on an idle machine, much slower on a loaded one: hooks get room.
jest.setTimeout(240_000);

import { Address, toNano } from '@ton/core';
import { WorkerDiscovery } from '../../../actors/chain/discovery';
import { EmbeddedChain } from '../../../actors/chain/dev';
import { Root } from '../../../wrappers/Root';
import { Events } from '../../../wrappers/Constants';
import { parseRootEvent, rootEventCell } from '../../../wrappers/events';
import { deployProtocol, hashOf } from '../../../wrappers/testkit';
import { readFileSync } from 'fs';
import path from 'path';
import { crc32 } from 'zlib';

describe('root worker events', () => {
    it('tags are the CRC32 of their protocol.tlb constructors, the same in op-codes.fc and Constants.ts', () => {
        const tlb = readFileSync(path.join(__dirname, '..', '..', '..', 'contracts', 'protocol.tlb'), 'utf8');
        const fc = readFileSync(path.join(__dirname, '..', '..', '..', 'contracts', 'op-codes.fc'), 'utf8');
        for (const [name, value] of [['worker_registered', Events.workerRegistered], ['worker_updated', Events.workerUpdated]] as const) {
            const line = new RegExp(`^${name}#([0-9a-f]{8}) ([^;]*);`, 'm').exec(tlb);
            expect(line).not.toBeNull();
            expect(Number('0x' + line![1])).toBe(value);
            expect((crc32(Buffer.from(`${name} ${line![2].replace(/\s+/g, ' ').trim()}`)) >>> 0) & 0x7fffffff).toBe(value);
            expect(fc).toContain(`const int event::${name} = 0x${value.toString(16).padStart(8, '0')};`);
        }
    });

    it('the codec round-trips and ignores bodies that are not root events', () => {
        const e = { kind: 'workerUpdated' as const, worker: new Address(0, Buffer.alloc(32, 3)), index: 7, receiptKey: hashOf('k') };
        const back = parseRootEvent(rootEventCell(e));
        expect(back?.kind).toBe('workerUpdated');
        expect(back?.worker.equals(e.worker)).toBe(true);
        expect(back?.index).toBe(7);
        expect(back?.receiptKey.equals(e.receiptKey)).toBe(true);
        expect(parseRootEvent(rootEventCell(e).asBuilder().asCell().beginParse().skip(32).asCell())).toBeNull();
    });
});


describe('WorkerDiscovery', () => {
    it('finds every registered worker from the root address alone, resumes from its saved state, and follows their status', async () => {
        const p = await deployProtocol({ workers: 2 });
        const chain = EmbeddedChain.over(p.blockchain);
        const d = new WorkerDiscovery(chain, p.root.address);
        const first = await d.sync();
        expect(first.added.map((w) => w.address.toRawString()).sort()).toEqual(p.workers.map((w) => w.worker.address.toRawString()).sort());
        expect(d.workers().every((w) => w.standing === 'active' && w.profile?.endpoint.startsWith('https://'))).toBe(true);

        // A restart: the saved state knows both; only the new registration is reported.
        const saved = JSON.parse(JSON.stringify(d.state()));
        const third = await p.registerWorker(await p.wallet('third owner'));
        const resumed = new WorkerDiscovery(chain, p.root.address, saved);
        const next = await resumed.sync();
        expect(next.added.map((w) => w.address.toRawString())).toEqual([third.worker.address.toRawString()]);

        // An update (re-attestation with a rotated key) is an event too: reported as updated, with the new key.
        const rotated = hashOf('rotated receipt key');
        await p.run(() => p.root.sendRegisterWorker(third.owner.getSender(), { ...third.registration, receiptKey: rotated }, toNano('0.2'), true));
        const after = await resumed.sync();
        expect(after.updated.map((w) => w.address.toRawString())).toEqual([third.worker.address.toRawString()]);
        expect(after.updated[0].keys?.receiptKey.equals(rotated)).toBe(true);

        // Unbonding happens at the worker account, not the root: refresh re-reads the accounts.
        const w0 = p.workers[0];
        await p.run(() => w0.worker.sendRequestUnbond(w0.owner.getSender(), toNano('0.05')));
        const refreshed = await resumed.refresh();
        expect(refreshed.find((w) => w.address.equals(w0.worker.address))?.standing).toBe('inactive');
        p.advance(p.params.unbondingPeriod + 1);
        await p.run(() => w0.worker.sendWithdraw(w0.owner.getSender(), toNano('0.05')));
        expect((await resumed.refresh()).find((w) => w.address.equals(w0.worker.address))?.standing).toBe('gone');
    });

    it('refuses a candidate that is not this root\'s worker account (another root\'s worker, a wallet)', async () => {
        const a = await deployProtocol({ workers: 1 });
        const chain = EmbeddedChain.over(a.blockchain);
        const d = new WorkerDiscovery(chain, a.root.address);
        expect(await d.check(a.workers[0].worker.address)).not.toBeNull();
        const wallet = await a.wallet('not a worker');
        expect(await d.check(wallet.address)).toBeNull();
        // A second root on the same chain: its worker account names the other root.
        const other = a.blockchain.openContract(Root.createFromConfig({ governance: a.governance.address, params: { ...a.params, version: 99 }, workerCode: a.codes.worker, jobCode: a.codes.job, images: await a.root.getImages(), models: await a.root.getModels() }, a.codes.root));
        await other.sendDeploy(a.governance.getSender(), toNano('1'));
        const owner = await a.wallet('other owner');
        await other.sendRegisterWorker(owner.getSender(), a.registrationFor('other').registration, a.params.minStake + toNano('0.2'));
        const foreign = await other.getWorkerAddress(owner.address, 0);
        expect((await chain.getAccount(foreign)).status).toBe('active');
        expect(await d.check(foreign)).toBeNull();
        expect(d.workers().map((w) => w.address.toRawString())).toEqual([a.workers[0].worker.address.toRawString()]);
    });
});
