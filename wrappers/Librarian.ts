/**
 * Librarian: a masterchain account that publishes one code cell (the job escrow's) as a public library.
 * Its address depends only on the code it publishes, so anyone can find or top up the librarian of a code.
 */
import { Address, beginCell, Cell, Contract, contractAddress, ContractProvider, Sender, SendMode, StateInit } from '@ton/core';
import { Bytes32, readBytes32 } from './common';

// librarian_storage$_ code:^Cell = LibrarianStorage;
export function librarianStateInit(librarianCode: Cell, published: Cell): StateInit {
    return { code: librarianCode, data: beginCell().storeRef(published).endCell() };
}

export class Librarian implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: StateInit,
    ) {}

    /** The librarian of `published`, on the masterchain (workchain -1), where public libraries live. */
    static createFor(librarianCode: Cell, published: Cell): Librarian {
        const init = librarianStateInit(librarianCode, published);
        return new Librarian(contractAddress(-1, init), init);
    }

    /** Deploys (or tops up) the librarian; `value` pays the masterchain storage rent of the library. */
    async sendDeploy(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: beginCell().endCell() });
    }

    /** Hash of the published code (32 bytes). */
    async getLibraryHash(provider: ContractProvider): Promise<Bytes32> {
        return readBytes32((await provider.get('get_library_hash', [])).stack);
    }
}
