/**
 * Job addresses inside encrypted-payload bindings. Canonical form: 36 bytes = workchain as a signed
 * 32-bit big-endian integer ‖ 32-byte account id (the same fields as a TON MsgAddressInt addr_std,
 * without anycast). Callers may also pass the raw string form "<workchain>:<64 hex>", e.g.
 * "0:3f2a…"; user-friendly base64 addresses are deliberately not accepted here, so this module has no
 * dependency on chain libraries (convert with @ton/core's Address.toRawString() first).
 */
export const JOB_ADDRESS_LEN = 36;

export type JobAddress = string | Uint8Array;

export function encodeJobAddress(address: JobAddress): Buffer {
    if (typeof address !== 'string') {
        if (address.length !== JOB_ADDRESS_LEN) throw new Error(`job address must be ${JOB_ADDRESS_LEN} bytes, got ${address.length}`);
        return Buffer.from(address);
    }
    const m = /^(-?\d{1,10}):([0-9a-fA-F]{64})$/.exec(address);
    if (!m) throw new Error('job address must be a raw address "<workchain>:<64 hex>"');
    const wc = Number(m[1]);
    if (wc < -(2 ** 31) || wc >= 2 ** 31) throw new Error('workchain out of int32 range');
    const out = Buffer.alloc(JOB_ADDRESS_LEN);
    out.writeInt32BE(wc, 0);
    Buffer.from(m[2], 'hex').copy(out, 4);
    return out;
}

export function formatJobAddress(bytes: Uint8Array): string {
    const b = encodeJobAddress(bytes);
    return `${b.readInt32BE(0)}:${b.subarray(4).toString('hex')}`;
}
