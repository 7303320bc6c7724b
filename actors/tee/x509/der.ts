/**
 * Just enough DER to decode the primitive values inside Intel's SGX extension (INTEGER, OCTET STRING,
 * ENUMERATED), whose schema declares them as ANY. Structures go through @peculiar/asn1-schema.
 */

export const DER_INTEGER = 0x02;
export const DER_OCTET_STRING = 0x04;
export const DER_ENUMERATED = 0x0a;

export interface DerTlv {
    tag: number;
    value: Buffer;
}

export function readDerTlv(input: Uint8Array): DerTlv {
    const buf = Buffer.from(input);
    if (buf.length < 2) throw new Error('DER value too short');
    const tag = buf[0];
    let len = buf[1];
    let off = 2;
    if (len & 0x80) {
        const n = len & 0x7f;
        if (n === 0 || n > 4 || buf.length < 2 + n) throw new Error('unsupported DER length encoding');
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + buf[2 + i];
        off += n;
    }
    if (off + len !== buf.length) throw new Error(`DER length ${len} does not match the ${buf.length - off} bytes present`);
    return { tag, value: buf.subarray(off, off + len) };
}

/** Decodes a non-negative DER INTEGER or ENUMERATED that fits in a JS number. */
export function derUnsigned(input: Uint8Array): number {
    const { tag, value } = readDerTlv(input);
    if (tag !== DER_INTEGER && tag !== DER_ENUMERATED) throw new Error(`expected INTEGER, got tag 0x${tag.toString(16)}`);
    if (value.length === 0 || value.length > 6 || value[0] & 0x80) throw new Error('INTEGER out of range');
    return value.readUIntBE(0, value.length);
}

export function derOctetString(input: Uint8Array): Buffer {
    const { tag, value } = readDerTlv(input);
    if (tag !== DER_OCTET_STRING) throw new Error(`expected OCTET STRING, got tag 0x${tag.toString(16)}`);
    return value;
}

/** Canonical serial-number form for comparisons: upper-case hex without leading zero bytes. */
export function normaliseSerial(hexOrBytes: string | Uint8Array): string {
    let hex = typeof hexOrBytes === 'string' ? hexOrBytes : Buffer.from(hexOrBytes).toString('hex');
    hex = hex.toUpperCase().replace(/^(00)+/, '');
    return hex === '' ? '00' : hex;
}
