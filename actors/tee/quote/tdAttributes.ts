/**
 * TDATTRIBUTES decoding (Intel TDX Module ABI spec, TDATTRIBUTES). Bit 0 is the LSB of byte 0.
 * TUD bits 7:0 (bit 0 DEBUG), SEC bits 31:8 (28 SEPT_VE_DISABLE, 30 PKS, 31 KL), OTHER bits 63:32 (63 PERFMON).
 */
export const TDATTR_DEBUG = 1n << 0n;
export const TDATTR_SEPT_VE_DISABLE = 1n << 28n;
export const TDATTR_PKS = 1n << 30n;
export const TDATTR_KL = 1n << 31n;
export const TDATTR_PERFMON = 1n << 63n;
const TUD_RESERVED = 0xfen; // bits 1..7
const SEC_RESERVED = 0x2fffff00n; // bits 8..27 and 29
const OTHER_RESERVED = 0x7fffffff00000000n; // bits 32..62

export interface TdAttributes {
    value: bigint;
    debug: boolean;
    tudReserved: boolean;
    septVeDisable: boolean;
    pks: boolean;
    kl: boolean;
    perfmon: boolean;
    secReservedSet: boolean;
    otherReservedSet: boolean;
}

export function decodeTdAttributes(raw: Uint8Array): TdAttributes {
    if (raw.length !== 8) throw new Error('TDATTRIBUTES must be 8 bytes');
    const value = Buffer.from(raw).readBigUInt64LE(0);
    return {
        value,
        debug: (value & TDATTR_DEBUG) !== 0n,
        tudReserved: (value & TUD_RESERVED) !== 0n,
        septVeDisable: (value & TDATTR_SEPT_VE_DISABLE) !== 0n,
        pks: (value & TDATTR_PKS) !== 0n,
        kl: (value & TDATTR_KL) !== 0n,
        perfmon: (value & TDATTR_PERFMON) !== 0n,
        secReservedSet: (value & SEC_RESERVED) !== 0n,
        otherReservedSet: (value & OTHER_RESERVED) !== 0n,
    };
}
