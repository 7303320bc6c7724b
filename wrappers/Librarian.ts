/**
 * Librarian: a masterchain account that publishes one code cell (the job escrow's) as a public library.
 * Its data at deployment is only the hash of the code it publishes, so its address follows from a library cell
 * alone: the root derives it to pay the library's rent from the treasury (fund_library), and anyone can find it,
 * top it up, or bring the code back to it.
 */
import { Address, beginCell, Cell, Contract, contractAddress, ContractProvider, Sender, SendMode, StateInit } from '@ton/core';
import { Bytes32, readBytes32 } from './common';

/**
 * The compiled librarian (contracts/librarian.fc), pinned: the root derives librarian addresses from its hash and
 * depth (contracts/addresses.fc). tests/contracts/Librarian.spec.ts checks that librarian.fc compiles to it.
 */
export const LIBRARIAN_CODE_BOC =
    'b5ee9c7241010601006b000114ff00f4a413f4bcf2c80b0102016202030070d06c31ed44d0d3fff405206e23d74ac200b08e1702d74c20f90022ba9b32c8cbff5210f400c9ed54915be2926c21e2206e91309372fb06e202012004050011bfd41f6a2686b85ffc0019bc71ef6a2684183eb90eb85804d23b7726';

export const LIBRARIAN_CODE: Cell = Cell.fromBoc(Buffer.from(LIBRARIAN_CODE_BOC, 'hex'))[0];

// librarian_storage$_ hash:uint256 code:(Maybe ^Cell) = LibrarianStorage;  (the code arrives with the first message)
export function librarianStateInit(libraryHash: Buffer): StateInit {
    if (libraryHash.length !== 32) throw new RangeError('libraryHash must be 32 bytes');
    return { code: LIBRARIAN_CODE, data: beginCell().storeBuffer(libraryHash).storeBit(false).endCell() };
}

/** The hash a library cell names (8-bit type 2, then the 256-bit hash of the code it stands for). */
export function libraryHashOf(libraryCell: Cell): Buffer {
    if (!libraryCell.isExotic) throw new Error('not a library cell');
    const s = libraryCell.beginParse(true);
    s.skip(8);
    return s.loadBuffer(32);
}

/** The body that deploys a librarian: the code it publishes, as a reference. */
export function librarianDeployBody(published: Cell): Cell {
    return beginCell().storeRef(published).endCell();
}

export class Librarian implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: StateInit,
        /** The code it publishes, when known (sent with the deploy). */
        readonly published?: Cell,
    ) {}

    /** The librarian of the library whose code hash is `libraryHash`, on the masterchain (workchain -1). */
    static forLibrary(libraryHash: Buffer): Librarian {
        const init = librarianStateInit(libraryHash);
        return new Librarian(contractAddress(-1, init), init);
    }

    /** The librarian that publishes `published` (able to deploy it: the code travels with the deploy message). */
    static createFor(published: Cell): Librarian {
        const init = librarianStateInit(published.hash());
        return new Librarian(contractAddress(-1, init), init, published);
    }

    /** Deploys (or tops up) the librarian with the code; `value` pays masterchain gas and rent. */
    async sendDeploy(provider: ContractProvider, via: Sender, value: bigint) {
        if (!this.published) throw new Error('the published code is unknown: use Librarian.createFor(code)');
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: librarianDeployBody(this.published) });
    }

    /** Hash of the published code (32 bytes). */
    async getLibraryHash(provider: ContractProvider): Promise<Bytes32> {
        return readBytes32((await provider.get('get_library_hash', [])).stack);
    }

    async getIsPublished(provider: ContractProvider): Promise<boolean> {
        return (await provider.get('is_published', [])).stack.readBoolean();
    }
}
