/**
 * TEMPORARY: the two Chain methods the worker's chain adapters use (getAccount, sendExternal), over a
 * @ton/sandbox Blockchain, until the chain layer's embedded implementation lands on main. The other
 * methods throw, so a test that needs them fails loudly.
 */
import { Address, Cell, external } from '@ton/core';
import type { Blockchain } from '@ton/sandbox';
import { AccountState, Chain, ChainError } from '../../../../actors/chain/types';

export function sandboxChain(blockchain: Blockchain): Chain {
    const missing = (name: string) => () => {
        throw new Error(`sandboxChain: ${name} is not implemented in the temporary test chain`);
    };
    return {
        name: 'sandbox-test',
        async getAccount(address: Address): Promise<AccountState> {
            const c = await blockchain.getContract(address);
            const st = c.accountState;
            const active = st?.type === 'active' ? st.state : null;
            return {
                address,
                status: !st ? 'nonexistent' : st.type === 'active' ? 'active' : st.type === 'frozen' ? 'frozen' : 'uninit',
                balance: c.balance,
                codeHash: active?.code ? active.code.hash() : null,
                dataHash: active?.data ? active.data.hash() : null,
                code: active?.code ?? null,
                data: active?.data ?? null,
                lastTransaction: null,
            };
        },
        async sendExternal(address: Address, body: Cell) {
            const msg = external({ to: address, body });
            try {
                const r = await blockchain.sendMessage(msg);
                const failed = r.transactions.find((t) => t.description.type === 'generic' && t.description.computePhase.type === 'vm' && !t.description.computePhase.success);
                if (failed) throw new ChainError('failed_on_chain', 'a transaction of the claim failed');
            } catch (e) {
                if (e instanceof ChainError) throw e;
                throw new ChainError('rejected', `external refused: ${(e as Error).message}`);
            }
            return { messageHash: Buffer.alloc(32) };
        },
        runGetMethod: missing('runGetMethod'),
        provider: missing('provider'),
        openWallet: missing('openWallet'),
        waitForTrace: missing('waitForTrace'),
        transactionsSince: missing('transactionsSince'),
        now: async () => blockchain.now ?? Math.floor(Date.now() / 1000),
        config: missing('config'),
    } as Chain;
}
