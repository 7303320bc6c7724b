/**
 * Child addressing. Every child account of the root (worker accounts, job escrows) is deployed with one fixed,
 * minimal stub code (contracts/stub.fc) and its identity as data; the root replaces the stub with the real code
 * in the deploying message (`install`). A child's address is therefore the hash of (stub, identity) and never
 * depends on the version of the real code: derive every worker and job address through `childAddress` (via
 * `workerAddress` in ./Worker and `jobAddress` in ./Job), never from the code a contract runs now.
 */
import { Address, beginCell, Cell, contractAddress, StateInit } from '@ton/core';
import { Op } from './Constants';

/**
 * The compiled stub, pinned: its hash is part of every child address, so it must never change on a live network.
 * contracts/addresses.fc holds the same bytes; tests/contracts/Stub.spec.ts checks that contracts/stub.fc still
 * compiles to them and that both copies agree.
 */
export const STUB_CODE_BOC =
    'b5ee9c72410102010041000114ff00f4a413f4bcf2c80b010064d3ed44d081010bd719f89201c705f2e067840f01d31f0182107229d9e5ba12f2f4d421fb04d74cd001d0ed1e20ed537001d968d25721';

export const STUB_CODE: Cell = Cell.fromBoc(Buffer.from(STUB_CODE_BOC, 'hex'))[0];

/** The state init a child is deployed with: the stub and its identity (`data`, whose first field is the root). */
export function childStateInit(data: Cell): StateInit {
    return { code: STUB_CODE, data };
}

/** The basechain address of the child whose identity is `data`. */
export function childAddress(data: Cell): Address {
    return contractAddress(0, childStateInit(data));
}

// install#7229d9e5 code:^Cell body:^Cell = ChildMsg;
/** What the root sends to deploy a child: the real code, and the body that code then handles. */
export function installBody(code: Cell, body: Cell): Cell {
    return beginCell().storeUint(Op.install, 32).storeRef(code).storeRef(body).endCell();
}

export function parseInstallBody(c: Cell): { code: Cell; body: Cell } {
    const s = c.beginParse();
    if (s.loadUint(32) !== Op.install) throw new Error('not an install message');
    return { code: s.loadRef(), body: s.loadRef() };
}
