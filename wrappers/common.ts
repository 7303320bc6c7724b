/**
 * Cell codecs shared by several contracts (protocol.tlb "shared pieces") and small helpers.
 * Pure functions only: the actors import them unchanged.
 */
import { beginCell, Builder, Cell, Slice, TupleReader } from '@ton/core';

/** Prices in nanoton per million tokens (protocol.tlb `Prices`). */
export interface Prices {
    prompt: bigint;
    cached: bigint;
    completion: bigint;
    reasoning: bigint;
}

/**
 * 32 bytes: a hash (image, model, quote, receipt chain head, evidence id) or an Ed25519/X25519 public key.
 * The one representation of such values in the public API of the codec, the wrappers and the actors; the
 * cells and get-methods hold them as uint256, and only the codecs below convert.
 */
export type Bytes32 = Buffer;

/** Checks that `b` is 32 bytes and returns it as a Buffer. */
export function bytes32(b: Uint8Array, what = 'value'): Bytes32 {
    if (b.length !== 32) throw new RangeError(`${what} must be 32 bytes, got ${b.length}`);
    return Buffer.from(b.buffer, b.byteOffset, b.length);
}

/** Stores 32 bytes as a uint256 field. */
export function storeBytes32(v: Uint8Array, what?: string): (b: Builder) => void {
    return (b) => b.storeBuffer(bytes32(v, what));
}

/** Loads a uint256 field as 32 bytes. */
export function loadBytes32(s: Slice): Bytes32 {
    return s.loadBuffer(32);
}

/** Reads a uint256 get-method result as 32 bytes. */
export function readBytes32(stack: TupleReader): Bytes32 {
    return uint256ToBuffer(stack.readBigNumber());
}

/** A map keyed by 32-byte values, compared by content (a JS Map would compare Buffers by identity). */
export class Bytes32Map<V> implements Iterable<[Bytes32, V]> {
    private readonly byHex = new Map<string, [Bytes32, V]>();

    constructor(entries: Iterable<readonly [Uint8Array, V]> = []) {
        for (const [k, v] of entries) this.set(k, v);
    }
    get size(): number {
        return this.byHex.size;
    }
    get(key: Uint8Array): V | undefined {
        return this.byHex.get(Buffer.from(key).toString('hex'))?.[1];
    }
    has(key: Uint8Array): boolean {
        return this.byHex.has(Buffer.from(key).toString('hex'));
    }
    set(key: Uint8Array, value: V): this {
        const k = bytes32(key, 'key');
        this.byHex.set(k.toString('hex'), [k, value]);
        return this;
    }
    keys(): Bytes32[] {
        return [...this.byHex.values()].map(([k]) => k);
    }
    [Symbol.iterator](): Iterator<[Bytes32, V]> {
        return this.byHex.values();
    }
}

/** What a TDX quote proved (protocol.tlb `Attestation`). */
export interface Attestation {
    imageHash: Bytes32;
    modelHash: Bytes32;
    quoteHash: Bytes32;
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
    return beginCell()
        .store(storeBytes32(a.imageHash, 'imageHash'))
        .store(storeBytes32(a.modelHash, 'modelHash'))
        .store(storeBytes32(a.quoteHash, 'quoteHash'))
        .endCell();
}

export function loadAttestation(s: Slice): Attestation {
    return { imageHash: loadBytes32(s), modelHash: loadBytes32(s), quoteHash: loadBytes32(s) };
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

/** The text of a comment body (op 0 + UTF-8), or undefined for any other body: the reader of commentBody. */
export function commentOf(body: Cell): string | undefined {
    const s = body.beginParse();
    if (s.remainingBits < 32 || s.loadUint(32) !== 0) return undefined;
    try {
        return s.loadStringTail();
    } catch {
        return undefined;
    }
}

/** Texts longer than this are never commands (contracts/comments.fc comment::max_command_bytes). */
export const MAX_COMMAND_BYTES = 24;

/**
 * The command a comment is to the contracts (contracts/comments.fc `command_word`): its bytes with bit 0x20 set
 * (A-Z become a-z) and surrounding spaces removed, or undefined for a text too long to be a command. Off-chain
 * readers of comments use it so that "Close" from a phone means to them what it means to the job.
 */
export function commandWord(text: string): string | undefined {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > MAX_COMMAND_BYTES) return undefined;
    const lowered = Buffer.from(bytes.map((b) => b | 0x20));
    let start = 0;
    let end = lowered.length;
    while (end > start && lowered[end - 1] === 0x20) end--;
    while (start < end && lowered[start] === 0x20) start++;
    return lowered.subarray(start, end).toString('latin1');
}

/** A refusal a contract sends back to a plain wallet (contracts/comments.fc): the readable reason and the named error. */
export interface Refusal {
    reason: string;
    error: number;
}

const REFUSAL = /^cocoon-ton: refused: (.*) \(error (\d+)\)$/s;

/** The refusal a text comment carries ("cocoon-ton: refused: <reason> (error N)"), or undefined for any other text. */
export function parseRefusal(text: string): Refusal | undefined {
    const m = REFUSAL.exec(text);
    return m ? { reason: m[1], error: Number(m[2]) } : undefined;
}

/** 32-byte value as an unsigned 256-bit integer (hashes and keys on-chain). */
export function bufferToUint256(b: Uint8Array): bigint {
    if (b.length !== 32) throw new RangeError(`expected 32 bytes, got ${b.length}`);
    return BigInt('0x' + Buffer.from(b).toString('hex'));
}

/** An unsigned 256-bit integer as 32 bytes (what get-methods return for hashes and keys). */
export function uint256ToBuffer(v: bigint): Buffer {
    if (v < 0n || v >= 1n << 256n) throw new RangeError('not a uint256');
    return Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
}

