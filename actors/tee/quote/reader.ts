import { QuoteFormatError } from './errors';

/**
 * Bounds-checked little-endian cursor. Every read names the field it is reading so a truncated quote
 * reports e.g. "TRUNCATED at byte 1218: QE auth data needs 32 bytes, 5 left".
 */
export class ByteReader {
    private pos: number;

    constructor(
        private readonly buf: Buffer,
        start = 0,
        private readonly end = buf.length,
    ) {
        this.pos = start;
    }

    get offset(): number {
        return this.pos;
    }

    get remaining(): number {
        return this.end - this.pos;
    }

    bytes(n: number, field: string): Buffer {
        if (n < 0 || this.pos + n > this.end) {
            throw new QuoteFormatError('TRUNCATED', this.pos, `${field} needs ${n} bytes, ${this.remaining} left`);
        }
        const out = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return out;
    }

    /** A reader confined to the next n bytes (a length-prefixed nested structure); advances past them. */
    sub(n: number, field: string): ByteReader {
        const start = this.pos;
        this.bytes(n, field);
        return new ByteReader(this.buf, start, start + n);
    }

    u16(field: string): number {
        return this.bytes(2, field).readUInt16LE(0);
    }

    u32(field: string): number {
        return this.bytes(4, field).readUInt32LE(0);
    }
}
