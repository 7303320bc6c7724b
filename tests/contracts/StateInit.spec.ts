/**
 * Storage and message sizes the contracts rely on for their fee checks (contracts/gas.fc `size::` constants).
 */
import { beginCell, toNano } from '@ton/core';
import { loadCode } from '../../wrappers/code';
import { installBody } from '../../wrappers/stub';
import { workerStateInit } from '../../wrappers/Worker';
import { deployProtocol } from '../../wrappers/testkit';
import { treeSize } from '../../wrappers/testkit/sizes';
import { gasConstant as constant } from '../../wrappers/testkit/gas';


describe('state init and message sizes', () => {
    it('the root → worker deploy message fits the size the root charges for', async () => {
        const p = await deployProtocol({ workers: 1 });
        const registration = p.workers[0];
        // The stub state init, and install carrying the worker code and the attest body (registration, prices,
        // endpoint and the parameter snapshot).
        const init = workerStateInit(p.root.address, registration.owner.address, 0);
        const stateInit = beginCell().storeUint(0, 2).storeMaybeRef(init.code).storeMaybeRef(init.data).storeUint(0, 1).endCell();
        const attest = beginCell()
            .storeUint(0, 32 + 64 + 1 + 512)
            .storeRef(beginCell().storeUint(0, 768).endCell())
            .storeRef(beginCell().storeCoins(toNano('1')).storeCoins(toNano('1')).storeCoins(toNano('1')).storeCoins(toNano('1')).endCell())
            .storeRef(beginCell().storeBuffer(Buffer.alloc(127)).endCell())
            .storeRef(beginCell().storeUint(0, 300).endCell())
            .endCell();
        const body = installBody(loadCode('Worker'), attest);
        const size = treeSize([stateInit, body]);
        expect(size.bits).toBeLessThanOrEqual(constant('max_size::worker_deploy_msg_bits'));
        expect(size.cells).toBeLessThanOrEqual(constant('max_size::worker_deploy_msg_cells'));
    });

    it('the root → worker parameter push fits the size the root charges for', async () => {
        // worker_params query_id cfg:^WorkerConfig (the Params cell)
        const body = beginCell().storeUint(0, 32 + 64).storeRef(beginCell().storeUint(0, 300).endCell()).endCell();
        const size = treeSize([body]);
        expect(size.bits).toBeLessThanOrEqual(constant('max_size::worker_params_msg_bits'));
        expect(size.cells).toBeLessThanOrEqual(constant('max_size::worker_params_msg_cells'));
    });
});
