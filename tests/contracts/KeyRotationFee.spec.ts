/**
 * A worker rotates its receipt key at every restart (the chaos runs restart it many times), paying exactly the
 * root's `get_fees` update fee, as `npm run worker -- start` does. Each rotation walks the retired keys
 * (keys::max_retired = 16 stay slashable for an unbonding period), so the update's gas grows with them: the fee
 * must cover the worst case, the 16th rotation, or a worker that restarted a few times can never put its keys
 * on-chain again (the update dies out of gas at the worker account; the chaos run hung at a worker boot).
 */
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { Errors } from '../../wrappers/Constants';
import { deployProtocol, hashOf } from '../../wrappers/testkit';
import { gasConstant } from '../../wrappers/testkit/gas';
import { registrationRefusal } from '../../wrappers/testkit/replies';
import { gasOf, txTo } from '../../wrappers/testkit/transactions';

jest.setTimeout(120_000);

describe('key rotation paid with exactly the update fee', () => {
    it('succeeds up to the bound of retired keys, within gas::worker_update, then is refused by name', async () => {
        const p = await deployProtocol({ workers: 1 });
        const w = p.workers[0];
        const gas: number[] = [];
        for (let i = 0; i < 16; i++) {
            const fee = (await p.root.getFees()).update;
            const e = await p.run(() => p.root.sendRegisterWorker(w.owner.getSender(), { ...w.registration, receiptKey: hashOf(`restart ${i}`) }, fee, true));
            const tx = txTo(e.result.transactions, w.worker.address);
            expect({ rotation: i + 1, exitCode: tx.description.type === 'generic' && tx.description.computePhase.type === 'vm' ? tx.description.computePhase.exitCode : null }).toEqual({ rotation: i + 1, exitCode: 0 });
            expect((await w.worker.getKeys()).receiptKey).toEqual(hashOf(`restart ${i}`));
            gas.push(gasOf(tx));
        }
        expect((await w.worker.getKeys()).retiredKeys.size).toBe(16);
        expect(Math.max(...gas)).toBeLessThanOrEqual(gasConstant('gas::worker_update'));
        const fee = (await p.root.getFees()).update;
        const e = await p.run(() => p.root.sendRegisterWorker(w.owner.getSender(), { ...w.registration, receiptKey: hashOf('one too many') }, fee, true));
        expect(registrationRefusal(e.result, w.owner.address)).toBe(Errors.tooManyRetiredKeys);
        expect(gasOf(txTo(e.result.transactions, w.worker.address))).toBeLessThanOrEqual(gasConstant('gas::worker_update'));
        console.log(`worker_attest gas per rotation (1st..16th): ${gas.join(', ')}`);
    });

    it('the operator\'s rotation too, paid with exactly get_operator_update_fee, up to the bound', async () => {
        const p = await deployProtocol({ workers: 1 });
        const w = p.workers[0];
        const operator = await p.wallet('operator');
        await p.run(() => w.worker.sendSetOperator(w.owner.getSender(), operator.address, toNano('0.05')));
        const gas: number[] = [];
        for (let i = 0; i < 16; i++) {
            const fee = await p.root.getOperatorUpdateFee();
            const e = await p.run(() =>
                p.root.sendOperatorUpdate(operator.getSender(), { owner: w.owner.address, index: w.registration.index, receiptKey: hashOf(`operator restart ${i}`), encryptionKey: w.registration.encryptionKey, attestation: w.registration.attestation }, fee),
            );
            const tx = txTo(e.result.transactions, w.worker.address);
            expect({ rotation: i + 1, exitCode: tx.description.type === 'generic' && tx.description.computePhase.type === 'vm' ? tx.description.computePhase.exitCode : null }).toEqual({ rotation: i + 1, exitCode: 0 });
            expect((await w.worker.getKeys()).receiptKey).toEqual(hashOf(`operator restart ${i}`));
            gas.push(gasOf(tx));
        }
        expect(Math.max(...gas)).toBeLessThanOrEqual(gasConstant('gas::worker_operator_attest'));
        console.log(`worker_operator_attest gas per rotation (1st..16th): ${gas.join(', ')}`);
    });
});
