/** Typed view of an Intel DCAP quote (v3 SGX, v4/v5 TDX). All byte fields are sub-views of the input. */

export const TEE_TYPE_SGX = 0x00000000;
export const TEE_TYPE_TDX = 0x00000081;
export const ATT_KEY_TYPE_ECDSA_P256 = 2;

export interface QuoteHeader {
    version: 3 | 4 | 5;
    attKeyType: number;
    teeType: number;
    /** v3 only: bytes 8..10 / 10..12 of the header; zero in v4/v5. */
    qeSvn: number;
    pceSvn: number;
    qeVendorId: Buffer;
    userData: Buffer;
}

/** Quote body types as in the v5 body descriptor; v3/v4 imply 1 or 2. */
export type BodyType = 1 | 2 | 3;

/** TD report body 1.0 (584 bytes) or 1.5 (648 bytes). */
export interface TdReportBody {
    teeTcbSvn: Buffer;
    mrSeam: Buffer;
    mrSignerSeam: Buffer;
    seamAttributes: Buffer;
    tdAttributes: Buffer;
    xfam: Buffer;
    mrTd: Buffer;
    mrConfigId: Buffer;
    mrOwner: Buffer;
    mrOwnerConfig: Buffer;
    rtmr: [Buffer, Buffer, Buffer, Buffer];
    reportData: Buffer;
    /** TD 1.5 only. */
    teeTcbSvn2?: Buffer;
    /** TD 1.5 only. */
    mrServiceTd?: Buffer;
    raw: Buffer;
}

/** SGX enclave report body (384 bytes): the QE report and the body of an SGX quote. */
export interface EnclaveReportBody {
    cpuSvn: Buffer;
    miscSelect: number;
    attributes: Buffer;
    mrEnclave: Buffer;
    mrSigner: Buffer;
    isvProdId: number;
    isvSvn: number;
    reportData: Buffer;
    raw: Buffer;
}

export interface QuoteSignatureData {
    /** ECDSA P-256 r||s (big-endian) by the attestation key over the signed region. */
    signature: Buffer;
    /** Raw P-256 public key x||y (64 bytes). */
    attestationKey: Buffer;
    qeReport: EnclaveReportBody;
    /** ECDSA P-256 r||s by the PCK leaf key over the 384-byte QE report. */
    qeReportSignature: Buffer;
    qeAuthData: Buffer;
    /** PEM certificates in quote order: leaf, intermediate, root. */
    pckChainPem: string[];
}

interface QuoteCommon {
    header: QuoteHeader;
    bodyType: BodyType;
    /** Bytes covered by the quote signature. */
    signedRegion: Buffer;
    /** The quote up to its declared end (signed region + signature data); hash and cache this. */
    declared: Buffer;
    signatureData: QuoteSignatureData;
    /** Unsigned bytes that followed the declared end in the input (ignored by every check). */
    trailingBytes: number;
    trailingAllZero: boolean;
}

export interface TdQuote extends QuoteCommon {
    tee: 'tdx';
    td: TdReportBody;
}

export interface SgxQuote extends QuoteCommon {
    tee: 'sgx';
    enclave: EnclaveReportBody;
}

export type Quote = TdQuote | SgxQuote;
