import { KeyObject, X509Certificate } from 'crypto';
import { normaliseSerial } from './der';

export function certValidAt(cert: X509Certificate, at: Date): boolean {
    const t = at.getTime();
    return new Date(cert.validFrom).getTime() <= t && t <= new Date(cert.validTo).getTime();
}

/** `child` carries a valid signature by `parent`'s key and names `parent` as its issuer. */
export function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
    try {
        return child.checkIssued(parent) && child.verify(parent.publicKey);
    } catch {
        return false;
    }
}

/** The certificate's key, or undefined when a damaged SubjectPublicKeyInfo cannot be decoded. */
export function publicKeyOf(cert: X509Certificate): KeyObject | undefined {
    try {
        return cert.publicKey;
    } catch {
        return undefined;
    }
}

export function commonName(cert: X509Certificate): string {
    const m = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
    return m ? m[1] : '';
}

export function serialOf(cert: X509Certificate): string {
    return normaliseSerial(cert.serialNumber);
}

/** Parses PEM blocks; returns undefined if any block is not a certificate Node can read. */
export function parsePemCerts(pems: string[]): X509Certificate[] | undefined {
    try {
        return pems.map((p) => new X509Certificate(p));
    } catch {
        return undefined;
    }
}
