/**
 * Cell codecs shared by several contracts (protocol.tlb "shared pieces") and small helpers.
 * Pure functions only: the actors import them unchanged.
 */
import { beginCell, Builder, Cell, Slice } from '@ton/core';

/** Prices in nanoton per million tokens (protocol.tlb `Prices`). */
export interface Prices {
    prompt: bigint;
    cached: bigint;
    completion: bigint;
    reasoning: bigint;
}

/** What a TDX quote proved (protocol.tlb `Attestation`). */
export interface Attestation {
    imageHash: bigint;
    modelHash: bigint;
    quoteHash: bigint;
}

/** The most bytes a `Text` cell holds (one cell, 1023 bits). */
export const MAX_TEXT_BYTES = 127;

// prices$_ prompt:Coins cached:Coins completion:Coins reasoning:Coins = Prices;
export function storePrices(p: Prices): (b: Builder) => void {
    return (b) => b.storeCoins(p.prompt).storeCoins(p.cached).storeCoins(p.completion).storeCoins(p.reasoning);
}

export function pricesCell(p: Prices): Cell {
    return beginCell().store(storePrices(p)).endCell();
}

export function loadPrices(s: Slice): Prices {
    return { prompt: s.loadCoins(), cached: s.loadCoins(), completion: s.loadCoins(), reasoning: s.loadCoins() };
}

// attestation$_ image_hash:uint256 model_hash:uint256 quote_hash:uint256 = Attestation;
export function attestationCell(a: Attestation): Cell {
    return beginCell().storeUint(a.imageHash, 256).storeUint(a.modelHash, 256).storeUint(a.quoteHash, 256).endCell();
}

export function loadAttestation(s: Slice): Attestation {
    return { imageHash: s.loadUintBig(256), modelHash: s.loadUintBig(256), quoteHash: s.loadUintBig(256) };
}

// text$_ bytes:bits = Text;  (one cell, at most 127 bytes)
export function textCell(text: string): Cell {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > MAX_TEXT_BYTES) throw new RangeError(`text is ${bytes.length} bytes, at most ${MAX_TEXT_BYTES} fit`);
    return beginCell().storeBuffer(bytes).endCell();
}

export function readText(c: Cell): string {
    const s = c.beginParse();
    return s.loadBuffer(s.remainingBits / 8).toString('utf8');
}

/** A text comment body (op 0 + UTF-8), what a plain wallet sends with a comment. */
export function commentBody(text: string): Cell {
    return beginCell().storeUint(0, 32).storeStringTail(text).endCell();
}

/** 32-byte value as an unsigned 256-bit integer (hashes and keys on-chain). */
export function bufferToUint256(b: Uint8Array): bigint {
    if (b.length !== 32) throw new RangeError(`expected 32 bytes, got ${b.length}`);
    return BigInt('0x' + Buffer.from(b).toString('hex'));
}

export function uint256ToBuffer(v: bigint): Buffer {
    return Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
}

