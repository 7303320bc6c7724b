/**
 * The embedded implementation: the Chain interface over an in-process @ton/sandbox Blockchain (dev only).
 * Everything above the backend is the same code the HTTP implementation runs (ChainCore).
 */
import { Blockchain } from '@ton/sandbox';
import { ChainCore, ChainCoreOptions } from '../core';
import { ClockMode, LocalChain } from './localChain';

export class EmbeddedChain extends ChainCore {
    constructor(
        readonly local: LocalChain,
        options: ChainCoreOptions = {},
    ) {
        // The sandbox answers at once: poll fast when a trace is not complete yet.
        super(local, { pollMs: { first: 5, max: 50 }, ...options });
    }

    static over(blockchain: Blockchain, clock: ClockMode = 'manual', options: ChainCoreOptions = {}): EmbeddedChain {
        return new EmbeddedChain(new LocalChain(blockchain, clock), options);
    }

    get blockchain(): Blockchain {
        return this.local.blockchain;
    }

    /** Moves chain time forward by `seconds`; returns the new chain time. */
    advance(seconds: number): number {
        return this.local.advance(seconds);
    }
}
