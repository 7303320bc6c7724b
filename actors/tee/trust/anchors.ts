import { createHash, X509Certificate } from 'crypto';

/**
 * A root the verifier accepts at the top of a PCK chain. `simulated` roots belong to the development
 * quote provider: a verifier trusts one only when configured to, and every verdict it anchors says so.
 */
export interface TrustAnchor {
    name: string;
    certificate: X509Certificate;
    /** SHA-256 of the DER encoding, hex. */
    derSha256: string;
    simulated: boolean;
}

/** DER SHA-256 of the Intel SGX Root CA (valid 2018-05-21 to 2049-12-31), as published by Intel. */
export const INTEL_SGX_ROOT_CA_SHA256 = '44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3';

// The Intel SGX Root CA certificate, the only trust anchor for production quotes. Pinned by value (and
// checked against the hash above at load) so no file or network lookup can substitute another root.
const INTEL_SGX_ROOT_CA_PEM = `
-----BEGIN CERTIFICATE-----
MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIw
aDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENv
cnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJ
BgNVBAYTAlVTMB4XDTE4MDUyMTEwNDUxMFoXDTQ5MTIzMTIzNTk1OVowaDEaMBgG
A1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENvcnBvcmF0
aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYT
AlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC6nEwMDIYZOj/iPWsCzaEKi7
1OiOSLRFhWGjbnBVJfVnkY4u3IjkDYYL0MxO4mqsyYjlBalTVYxFP2sJBK5zlKOB
uzCBuDAfBgNVHSMEGDAWgBQiZQzWWp00ifODtJVSv1AbOScGrDBSBgNVHR8ESzBJ
MEegRaBDhkFodHRwczovL2NlcnRpZmljYXRlcy50cnVzdGVkc2VydmljZXMuaW50
ZWwuY29tL0ludGVsU0dYUm9vdENBLmRlcjAdBgNVHQ4EFgQUImUM1lqdNInzg7SV
Ur9QGzknBqwwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYI
KoZIzj0EAwIDSQAwRgIhAOW/5QkR+S9CiSDcNoowLuPRLsWGf/Yi7GSX94BgwTwg
AiEA4J0lrHoMs+Xo5o/sX6O9QWxHRAvZUGOdRQ7cvqRXaqI=
-----END CERTIFICATE-----`;

export function anchorFromCertificate(certificate: X509Certificate, name: string, simulated: boolean): TrustAnchor {
    return { name, certificate, simulated, derSha256: createHash('sha256').update(certificate.raw).digest('hex') };
}

function loadIntelRoot(): TrustAnchor {
    const anchor = anchorFromCertificate(new X509Certificate(INTEL_SGX_ROOT_CA_PEM.trim()), 'Intel SGX Root CA', false);
    if (anchor.derSha256 !== INTEL_SGX_ROOT_CA_SHA256) throw new Error('embedded Intel SGX Root CA does not match its pinned hash');
    return anchor;
}

export const INTEL_SGX_ROOT: TrustAnchor = loadIntelRoot();
