import { createPublicKey, KeyObject, randomBytes, sign as nodeSign, X509Certificate } from 'crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
    AlgorithmIdentifier,
    AttributeTypeAndValue,
    AttributeValue,
    BasicConstraints,
    Certificate,
    Extension,
    Extensions,
    id_ce_basicConstraints,
    Name,
    RelativeDistinguishedName,
    SubjectPublicKeyInfo,
    TBSCertificate,
    Validity,
    Version,
} from '@peculiar/asn1-x509';

/**
 * Minimal X.509 v3 issuance for the simulated quote provider's certificate chain (Node can verify
 * certificates but not create them). ECDSA P-256 with SHA-256 only.
 */
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const CN = '2.5.4.3';
const O = '2.5.4.10';

export function distinguishedName(commonName: string, organisation: string): Name {
    const rdn = (type: string, value: string) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
    return new Name([rdn(CN, commonName), rdn(O, organisation)]);
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
    return new Uint8Array(b).buffer;
}

export interface IssueParams {
    subject: Name;
    issuer: Name;
    subjectKey: KeyObject;
    issuerKey: KeyObject;
    notBefore: Date;
    notAfter: Date;
    ca: boolean;
    extraExtensions?: Extension[];
}

export function issueCertificate(p: IssueParams): X509Certificate {
    const pub = p.subjectKey.type === 'private' ? createPublicKey(p.subjectKey) : p.subjectKey;
    const spki = pub.export({ format: 'der', type: 'spki' });
    const serial = randomBytes(16);
    // Positive and minimally encoded: DER forbids a leading zero byte unless the next byte has its top bit set,
    // and OpenSSL rejects such certificates (a 1-in-256 flake with a plain `& 0x7f`).
    serial[0] = (serial[0] & 0x3f) | 0x40;
    const extensions = new Extensions([
        new Extension({ extnID: id_ce_basicConstraints, critical: true, extnValue: new OctetString(AsnConvert.serialize(new BasicConstraints({ cA: p.ca }))) }),
        ...(p.extraExtensions ?? []),
    ]);
    const tbs = new TBSCertificate({
        version: Version.v3,
        serialNumber: toArrayBuffer(serial),
        signature: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
        issuer: p.issuer,
        validity: new Validity({ notBefore: p.notBefore, notAfter: p.notAfter }),
        subject: p.subject,
        subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
        extensions,
    });
    const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
    const signature = nodeSign('sha256', tbsDer, p.issuerKey); // DER ECDSA-Sig-Value
    const cert = new Certificate({
        tbsCertificate: tbs,
        signatureAlgorithm: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
        signatureValue: toArrayBuffer(signature),
    });
    return new X509Certificate(Buffer.from(AsnConvert.serialize(cert)));
}
