/**
 * A contract that refuses every incoming message (throws), used to exercise bounce paths: an owner, reporter,
 * client or recipient whose address bounces what it is sent. Messages *from* it are injected with
 * `blockchain.sender(address)`, which the ledger counts as value entering from outside.
 */
import { compileFunc } from '@ton-community/func-js';
import { Address, beginCell, Cell, contractAddress, toNano } from '@ton/core';
import { Blockchain } from '@ton/sandbox';

const REJECTING_SOURCE = `
() recv_internal() impure {
    throw(0xbad);
}
`;

/** Exit code of the rejecting contract. */
export const REJECTED = 0xbad;

let compiled: Cell | undefined;

async function rejectingCode(): Promise<Cell> {
    if (compiled) return compiled;
    const result = await compileFunc({ targets: ['reject.fc'], sources: { 'reject.fc': REJECTING_SOURCE } });
    if (result.status === 'error') throw new Error(result.message);
    compiled = Cell.fromBase64(result.codeBoc);
    return compiled;
}

/** Deploys a rejecting contract (distinct per `salt`) holding `balance`, and returns its address. */
export async function deployRejecting(blockchain: Blockchain, salt: number, balance: bigint = toNano('10')): Promise<Address> {
    const code = await rejectingCode();
    const data = beginCell().storeUint(salt, 32).endCell();
    const address = contractAddress(0, { code, data });
    await blockchain.setShardAccount(address, {
        account: {
            addr: address,
            storageStats: { used: { cells: 1n, bits: 0n }, lastPaid: 0, duePayment: null, storageExtra: null },
            storage: { lastTransLt: 0n, balance: { coins: balance }, state: { type: 'active', state: { code, data } } },
        },
        lastTransactionLt: 0n,
        lastTransactionHash: 0n,
    });
    return address;
}
