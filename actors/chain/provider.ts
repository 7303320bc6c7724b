/**
 * A @ton/core ContractProvider over the chain layer, so every wrapper's get* and send* works unchanged through
 * any implementation (the same role as TonClient's provider). Get-methods that exit with an error throw a
 * ChainError with the exit code and our named error, as TonClient throws on a non-zero exit.
 */
import { Address, Cell, comment, Contract, ContractProvider, ContractState, openContract, Sender, toNano, Transaction, TupleItem, TupleReader } from '@ton/core';
import { errorNameOf } from './errors';
import { Chain, ChainError } from './types';

export type RawHistory = (address: Address, lt: bigint, hash: Buffer, limit: number) => Promise<Transaction[]>;

export function chainProvider(chain: Chain, history: RawHistory, address: Address, init?: { code: Cell; data: Cell }): ContractProvider {
    const neededInit = async () => (init && (await chain.getAccount(address)).status !== 'active' ? init : undefined);
    return {
        async getState(): Promise<ContractState> {
            const a = await chain.getAccount(address);
            const last = a.lastTransaction ? { lt: a.lastTransaction.lt, hash: a.lastTransaction.hash } : null;
            const state: ContractState['state'] =
                a.status === 'active'
                    ? { type: 'active', code: a.code?.toBoc() ?? null, data: a.data?.toBoc() ?? null }
                    : a.status === 'frozen'
                      ? { type: 'frozen', stateHash: Buffer.alloc(32) }
                      : { type: 'uninit' };
            return { balance: a.balance, extracurrency: null, last, state };
        },
        async get(name: string | number, args: TupleItem[]) {
            if (typeof name !== 'string') throw new ChainError('bad_response', 'get-methods are called by name');
            const r = await chain.runGetMethod(address, name, args);
            if (r.exitCode !== 0 && r.exitCode !== 1) {
                const errorName = errorNameOf(r.exitCode);
                throw new ChainError('failed_on_chain', `get-method ${name} on ${address} exited with ${r.exitCode}${errorName ? ` (${errorName})` : ''}`, {
                    exitCode: r.exitCode,
                    errorName,
                });
            }
            return { stack: r.stack };
        },
        async external(message: Cell) {
            await chain.sendExternal(address, message, await neededInit());
        },
        async internal(via: Sender, args) {
            const body = typeof args.body === 'string' ? comment(args.body) : (args.body ?? undefined);
            await via.send({
                to: address,
                value: typeof args.value === 'string' ? toNano(args.value) : args.value,
                bounce: args.bounce ?? true,
                sendMode: args.sendMode,
                extracurrency: args.extracurrency,
                init: await neededInit(),
                body,
            });
        },
        open<T extends Contract>(contract: T) {
            return openContract(contract, (a) => chain.provider(a.address, a.init?.code && a.init.data ? { code: a.init.code, data: a.init.data } : undefined));
        },
        getTransactions(of: Address, lt: bigint, hash: Buffer, limit?: number) {
            return history(of, lt, hash, limit ?? 100);
        },
    };
}

/** A TupleReader over plain items (what the wrappers read). */
export const readerOf = (items: TupleItem[]) => new TupleReader(items);
