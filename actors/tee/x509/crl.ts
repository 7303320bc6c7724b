import { verify as nodeVerify, KeyObject } from 'crypto';
import { AsnParser } from '@peculiar/asn1-schema';
import { CertificateList } from '@peculiar/asn1-x509';
import { normaliseSerial } from './der';

/** A parsed X.509 CRL. Node has no CRL API, so the structure comes from @peculiar/asn1-x509. */
export interface ParsedCrl {
    thisUpdate: Date;
    nextUpdate?: Date;
    /** Normalised serials (see normaliseSerial). */
    revokedSerials: Set<string>;
    tbs: Buffer;
    signature: Buffer;
}

export function parseCrl(der: Uint8Array): ParsedCrl {
    const crl = AsnParser.parse(der, CertificateList);
    if (!crl.tbsCertListRaw) throw new Error('CRL parser did not keep the raw tbsCertList');
    const revokedSerials = new Set<string>();
    for (const r of crl.tbsCertList.revokedCertificates ?? []) revokedSerials.add(normaliseSerial(new Uint8Array(r.userCertificate)));
    return {
        thisUpdate: crl.tbsCertList.thisUpdate.getTime(),
        nextUpdate: crl.tbsCertList.nextUpdate?.getTime(),
        revokedSerials,
        tbs: Buffer.from(crl.tbsCertListRaw),
        signature: Buffer.from(crl.signature),
    };
}

/** ECDSA-SHA256 over the exact tbsCertList bytes; the CRL signature is DER-encoded (not r||s). */
export function crlSignedBy(crl: ParsedCrl, issuerKey: KeyObject | undefined): boolean {
    if (!issuerKey) return false;
    try {
        return nodeVerify('sha256', crl.tbs, issuerKey, crl.signature);
    } catch {
        return false;
    }
}

export function crlCurrent(crl: ParsedCrl, at: Date): boolean {
    return crl.thisUpdate.getTime() <= at.getTime() && (crl.nextUpdate === undefined || at.getTime() <= crl.nextUpdate.getTime());
}
