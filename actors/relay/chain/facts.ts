/** WorkerFacts over the chain layer: the worker account and the root's allowlists, read through the wrappers. */
import { Address } from '@ton/core';
import type { Chain } from '../../chain/types';
import { Root } from '../../../wrappers/Root';
import { Worker } from '../../../wrappers/Worker';
import { WorkerStatus } from '../../../wrappers/Constants';
import type { WorkerFacts, WorkerOnChain } from '../types';

export class ChainWorkerFacts implements WorkerFacts {
    constructor(
        private readonly chain: Chain,
        private readonly root: Address,
    ) {}

    async read(account: Address): Promise<WorkerOnChain> {
        const w = Worker.createFromAddress(account);
        const wp = this.chain.provider(account);
        const r = Root.createFromAddress(this.root);
        const rp = this.chain.provider(this.root);
        const st = await this.chain.getAccount(account);
        if (st.status !== 'active') throw new Error(`worker account ${account.toRawString()} is ${st.status}`);
        const state = await w.getState(wp);
        if (!state.root.equals(this.root)) throw new Error(`worker account ${account.toRawString()} belongs to another root`);
        const [keys, profile, reputation, params] = await Promise.all([w.getKeys(wp), w.getProfile(wp), w.getReputation(wp), r.getParams(rp)]);
        const [imageAllowed, modelAllowed] = await Promise.all([r.getIsImageAllowed(rp, profile.imageHash), r.getIsModelAllowed(rp, profile.modelHash)]);
        return {
            account,
            active: state.status === WorkerStatus.Active,
            stake: state.stake,
            minStake: params.minStake,
            receiptKey: Buffer.from(keys.receiptKey),
            encKey: Buffer.from(keys.encryptionKey),
            imageHash: Buffer.from(profile.imageHash),
            modelHash: Buffer.from(profile.modelHash),
            quoteHash: Buffer.from(profile.quoteHash),
            prices: profile.prices,
            endpoint: profile.endpoint,
            imageAllowed,
            modelAllowed,
            reputation: { jobs: reputation.jobs, slashes: reputation.slashes },
        };
    }
}
