/** What every fuzz world and step module shares: the violation they throw, and a party that sends. */
import { Address, Sender } from '@ton/core';

/** A broken invariant: `id` names it (the lists at the top of world.ts, reach.ts and governance.ts). */
export class InvariantError extends Error {
    constructor(
        readonly id: string,
        message: string,
    ) {
        super(`[${id}] ${message}`);
    }
}

/** Someone who sends messages in a fuzz world: a sandbox treasury or a rejecting contract. */
export interface Party {
    address: Address;
    sender(): Sender;
}
