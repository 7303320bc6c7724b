import { AsnArray, AsnParser, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { derOctetString, derUnsigned } from './der';

/** Intel SGX PCK certificate extension (Intel "SGX PCK Certificate and CRL Profile"). */
export const SGX_EXTENSION_OID = '1.2.840.113741.1.13.1';
const OID_TCB = `${SGX_EXTENSION_OID}.2`;
const OID_PCESVN = `${OID_TCB}.17`;
const OID_CPUSVN = `${OID_TCB}.18`;

export interface PckExtensions {
    ppid: Buffer;
    /** SGX TCB component SVNs 1..16 (index 0 = component 1). */
    tcbComponents: number[];
    pceSvn: number;
    cpuSvn: Buffer;
    pceId: Buffer;
    fmspc: Buffer;
    sgxType: number;
}

// The SGX extension is SEQUENCE OF SEQUENCE { OID, ANY }, nested once for the TCB entry. The schema is
// declared by calling asn1-schema's decorator functions directly, because this repo's tsconfig does not
// enable legacy decorators.
class SgxEntry {
    id = '';
    value: ArrayBuffer = new ArrayBuffer(0);
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(SgxEntry.prototype, 'id');
AsnProp({ type: AsnPropTypes.Any })(SgxEntry.prototype, 'value');
AsnType({ type: AsnTypeTypes.Sequence })(SgxEntry);

class SgxEntries extends AsnArray<SgxEntry> {}
AsnType({ type: AsnTypeTypes.Sequence, itemType: SgxEntry })(SgxEntries);

function entriesById(der: ArrayBuffer | Uint8Array): Map<string, Buffer> {
    const entries = AsnParser.parse(der, SgxEntries);
    const map = new Map<string, Buffer>();
    for (const e of entries) map.set(e.id, Buffer.from(e.value));
    return map;
}

function required(map: Map<string, Buffer>, oid: string): Buffer {
    const v = map.get(oid);
    if (!v) throw new Error(`SGX extension lacks ${oid}`);
    return v;
}

/** Reads FMSPC, PCE-ID, PCESVN, CPUSVN and the 16 TCB component SVNs from a PCK leaf certificate. */
export function parsePckExtensions(certDer: Uint8Array): PckExtensions {
    const cert = AsnParser.parse(certDer, Certificate);
    const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === SGX_EXTENSION_OID);
    if (!ext) throw new Error('certificate has no SGX extension');
    const top = entriesById(ext.extnValue.buffer);
    const tcb = entriesById(required(top, OID_TCB));
    const tcbComponents: number[] = [];
    for (let i = 1; i <= 16; i++) tcbComponents.push(derUnsigned(required(tcb, `${OID_TCB}.${i}`)));
    return {
        ppid: derOctetString(required(top, `${SGX_EXTENSION_OID}.1`)),
        tcbComponents,
        pceSvn: derUnsigned(required(tcb, OID_PCESVN)),
        cpuSvn: derOctetString(required(tcb, OID_CPUSVN)),
        pceId: derOctetString(required(top, `${SGX_EXTENSION_OID}.3`)),
        fmspc: derOctetString(required(top, `${SGX_EXTENSION_OID}.4`)),
        sgxType: derUnsigned(required(top, `${SGX_EXTENSION_OID}.5`)),
    };
}
