import { PckExtensions } from '../x509/pckExtensions';
import { OctetString } from '@peculiar/asn1-schema';
import { Extension } from '@peculiar/asn1-x509';
import { SGX_EXTENSION_OID } from '../x509/pckExtensions';

/** DER encoders for the handful of types inside Intel's SGX extension. */
function tlv(tag: number, value: Buffer): Buffer {
    if (value.length < 128) return Buffer.concat([Buffer.of(tag, value.length), value]);
    if (value.length < 256) return Buffer.concat([Buffer.of(tag, 0x81, value.length), value]);
    return Buffer.concat([Buffer.of(tag, 0x82, value.length >> 8, value.length & 0xff), value]);
}
function oid(dotted: string): Buffer {
    const parts = dotted.split('.').map(Number);
    const bytes: number[] = [parts[0] * 40 + parts[1]];
    for (const p of parts.slice(2)) {
        const enc: number[] = [p & 0x7f];
        for (let v = p >> 7; v > 0; v >>= 7) enc.unshift((v & 0x7f) | 0x80);
        bytes.push(...enc);
    }
    return tlv(0x06, Buffer.from(bytes));
}
function integer(n: number, tag = 0x02): Buffer {
    const hex = n.toString(16).padStart(2, '0');
    let b = Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex');
    if (b[0] & 0x80) b = Buffer.concat([Buffer.of(0), b]);
    return tlv(tag, b);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const entry = (id: string, value: Buffer) => seq(oid(id), value);

/** The fields of a parsed PCK extension that a builder sets (the SGX type is always Standard). */
export type SgxExtensionValues = Omit<PckExtensions, 'sgxType'>;

/** Builds the SGX PCK extension so simulated leaves parse exactly like real ones. */
export function sgxExtension(v: SgxExtensionValues): Extension {
    const base = SGX_EXTENSION_OID;
    const tcb = seq(
        ...v.tcbComponents.map((svn, i) => entry(`${base}.2.${i + 1}`, integer(svn))),
        entry(`${base}.2.17`, integer(v.pceSvn)),
        entry(`${base}.2.18`, tlv(0x04, v.cpuSvn)),
    );
    const value = seq(
        entry(`${base}.1`, tlv(0x04, v.ppid)),
        entry(`${base}.2`, tcb),
        entry(`${base}.3`, tlv(0x04, v.pceId)),
        entry(`${base}.4`, tlv(0x04, v.fmspc)),
        entry(`${base}.5`, integer(0, 0x0a)),
    );
    return new Extension({ extnID: base, critical: false, extnValue: new OctetString(value) });
}
