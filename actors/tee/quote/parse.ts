import { isAllZero } from '../bytes';
import { QuoteFormatError } from './errors';
import { ByteReader } from './reader';
import {
    ATT_KEY_TYPE_ECDSA_P256,
    BodyType,
    EnclaveReportBody,
    Quote,
    QuoteHeader,
    QuoteSignatureData,
    TdReportBody,
    TEE_TYPE_SGX,
    TEE_TYPE_TDX,
} from './types';

export const HEADER_LEN = 48;
export const TD10_BODY_LEN = 584;
export const TD15_BODY_LEN = 648;
export const ENCLAVE_REPORT_LEN = 384;
export const INTEL_QE_VENDOR_ID = '939a7233f79c4ca9940a0db3957f0607';

const CERT_TYPE_PCK_CHAIN = 5;
const CERT_TYPE_QE_REPORT = 6;

export interface ParseOptions {
    /**
     * What may follow the declared end. Real quote buffers carry zero padding (GCP pads to 8000 bytes)
     * and go-tdx-guest's SPR sample even carries a text note, which Intel's QVL and go-tdx-guest ignore.
     * Those bytes are unsigned, so nothing downstream ever reads them: hashes, caches and the on-chain
     * quote hash use `declared` only. 'any' (default) keeps QVL compatibility; 'zero' and 'none' are stricter.
     */
    trailing?: 'any' | 'zero' | 'none';
}

function parseHeader(r: ByteReader): QuoteHeader {
    const version = r.u16('header.version');
    if (version !== 3 && version !== 4 && version !== 5) {
        throw new QuoteFormatError('UNSUPPORTED_VERSION', 0, `version ${version}, expected 3, 4 or 5`);
    }
    const attKeyType = r.u16('header.att_key_type');
    if (attKeyType !== ATT_KEY_TYPE_ECDSA_P256) {
        throw new QuoteFormatError('UNSUPPORTED_ATT_KEY_TYPE', 2, `attestation key type ${attKeyType}, expected 2 (ECDSA P-256)`);
    }
    const teeType = r.u32('header.tee_type');
    const expectedTee = version === 3 ? TEE_TYPE_SGX : TEE_TYPE_TDX;
    if (teeType !== expectedTee) {
        throw new QuoteFormatError(
            'UNSUPPORTED_TEE_TYPE',
            4,
            `tee type 0x${teeType.toString(16)} in a v${version} quote, expected 0x${expectedTee.toString(16)}`,
        );
    }
    const qeSvn = r.u16('header.qe_svn');
    const pceSvn = r.u16('header.pce_svn');
    const qeVendorId = r.bytes(16, 'header.qe_vendor_id');
    if (qeVendorId.toString('hex') !== INTEL_QE_VENDOR_ID) {
        throw new QuoteFormatError('UNKNOWN_QE_VENDOR', 12, `QE vendor ${qeVendorId.toString('hex')} is not Intel's`);
    }
    const userData = r.bytes(20, 'header.user_data');
    return { version, attKeyType, teeType, qeSvn, pceSvn, qeVendorId, userData };
}

export function parseTdReportBody(raw: Buffer): TdReportBody {
    const r = new ByteReader(raw);
    const body: TdReportBody = {
        teeTcbSvn: r.bytes(16, 'td.tee_tcb_svn'),
        mrSeam: r.bytes(48, 'td.mrseam'),
        mrSignerSeam: r.bytes(48, 'td.mrsignerseam'),
        seamAttributes: r.bytes(8, 'td.seam_attributes'),
        tdAttributes: r.bytes(8, 'td.td_attributes'),
        xfam: r.bytes(8, 'td.xfam'),
        mrTd: r.bytes(48, 'td.mrtd'),
        mrConfigId: r.bytes(48, 'td.mrconfigid'),
        mrOwner: r.bytes(48, 'td.mrowner'),
        mrOwnerConfig: r.bytes(48, 'td.mrownerconfig'),
        rtmr: [r.bytes(48, 'td.rtmr0'), r.bytes(48, 'td.rtmr1'), r.bytes(48, 'td.rtmr2'), r.bytes(48, 'td.rtmr3')],
        reportData: r.bytes(64, 'td.report_data'),
        raw,
    };
    if (raw.length === TD15_BODY_LEN) {
        body.teeTcbSvn2 = r.bytes(16, 'td.tee_tcb_svn2');
        body.mrServiceTd = r.bytes(48, 'td.mrservicetd');
    }
    return body;
}

export function parseEnclaveReport(raw: Buffer): EnclaveReportBody {
    const r = new ByteReader(raw);
    const cpuSvn = r.bytes(16, 'report.cpusvn');
    const miscSelect = r.u32('report.miscselect');
    r.bytes(28, 'report.reserved1');
    const attributes = r.bytes(16, 'report.attributes');
    const mrEnclave = r.bytes(32, 'report.mrenclave');
    r.bytes(32, 'report.reserved2');
    const mrSigner = r.bytes(32, 'report.mrsigner');
    r.bytes(96, 'report.reserved3');
    const isvProdId = r.u16('report.isvprodid');
    const isvSvn = r.u16('report.isvsvn');
    r.bytes(60, 'report.reserved4');
    const reportData = r.bytes(64, 'report.report_data');
    return { cpuSvn, miscSelect, attributes, mrEnclave, mrSigner, isvProdId, isvSvn, reportData, raw };
}

const PEM_RE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

export function splitPemChain(text: string): string[] {
    return text.match(PEM_RE) ?? [];
}

function parseCertificationData(r: ByteReader, version: number): Pick<QuoteSignatureData, 'qeReport' | 'qeReportSignature' | 'qeAuthData' | 'pckChainPem'> {
    let inner = r;
    if (version !== 3) {
        // v4/v5: the outer certification data is type 6 (QE report certification data) wrapping type 5.
        const typeOffset = r.offset;
        const certType = r.u16('certification_data.type');
        if (certType !== CERT_TYPE_QE_REPORT) {
            throw new QuoteFormatError('BAD_CERTIFICATION_TYPE', typeOffset, `outer certification type ${certType}, expected 6`);
        }
        const size = r.u32('certification_data.size');
        inner = r.sub(size, 'certification_data (type 6)');
    }
    const qeReport = parseEnclaveReport(inner.bytes(ENCLAVE_REPORT_LEN, 'qe_report'));
    const qeReportSignature = inner.bytes(64, 'qe_report_signature');
    const authLen = inner.u16('qe_auth_data.size');
    const qeAuthData = inner.bytes(authLen, 'qe_auth_data');
    const typeOffset = inner.offset;
    const certType = inner.u16('pck_certification_data.type');
    if (certType !== CERT_TYPE_PCK_CHAIN) {
        throw new QuoteFormatError('BAD_CERTIFICATION_TYPE', typeOffset, `PCK certification type ${certType}, expected 5 (PEM chain)`);
    }
    const chainLen = inner.u32('pck_certification_data.size');
    const chainBytes = inner.bytes(chainLen, 'pck_certification_data');
    // The chain is NUL-terminated PEM text.
    let end = chainBytes.length;
    while (end > 0 && chainBytes[end - 1] === 0) end--;
    const pckChainPem = splitPemChain(chainBytes.subarray(0, end).toString('latin1'));
    if (pckChainPem.length === 0) {
        throw new QuoteFormatError('BAD_PCK_CHAIN', typeOffset + 6, 'no PEM certificate in the PCK certification data');
    }
    return { qeReport, qeReportSignature, qeAuthData, pckChainPem };
}

/**
 * Parses a DCAP quote. Throws QuoteFormatError (never anything else) on malformed input.
 * The declared length (signed region + 4 + signature data length) is authoritative.
 */
export function parseQuote(input: Uint8Array, options: ParseOptions = {}): Quote {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const r = new ByteReader(buf);
    const header = parseHeader(r);

    let bodyType: BodyType;
    let bodyLen: number;
    if (header.version === 5) {
        const typeOffset = r.offset;
        const t = r.u16('body_descriptor.type');
        bodyLen = r.u32('body_descriptor.size');
        if (t !== 2 && t !== 3) {
            throw new QuoteFormatError('UNSUPPORTED_BODY_TYPE', typeOffset, `v5 body type ${t}, expected 2 (TD 1.0) or 3 (TD 1.5)`);
        }
        const expected = t === 2 ? TD10_BODY_LEN : TD15_BODY_LEN;
        if (bodyLen !== expected) {
            throw new QuoteFormatError('BAD_BODY_SIZE', typeOffset + 2, `body type ${t} has size ${bodyLen}, expected ${expected}`);
        }
        bodyType = t;
    } else if (header.version === 4) {
        bodyType = 2;
        bodyLen = TD10_BODY_LEN;
    } else {
        bodyType = 1;
        bodyLen = ENCLAVE_REPORT_LEN;
    }
    const bodyRaw = r.bytes(bodyLen, 'quote body');
    const signedEnd = r.offset;
    const sigDataLen = r.u32('signature_data_len');
    const declaredEnd = signedEnd + 4 + sigDataLen;
    if (declaredEnd > buf.length) {
        throw new QuoteFormatError('BAD_LENGTH', signedEnd, `signature data length ${sigDataLen} runs past the end of the ${buf.length}-byte input`);
    }
    const trailing = buf.subarray(declaredEnd);
    const mode = options.trailing ?? 'any';
    if (trailing.length > 0 && (mode === 'none' || (mode === 'zero' && !isAllZero(trailing)))) {
        throw new QuoteFormatError('TRAILING_BYTES', declaredEnd, `${trailing.length} bytes after the declared end${isAllZero(trailing) ? '' : ' (not all zero)'}`);
    }

    const sr = new ByteReader(buf, signedEnd + 4, declaredEnd);
    const signature = sr.bytes(64, 'quote_signature');
    const attestationKey = sr.bytes(64, 'attestation_key');
    const cert = parseCertificationData(sr, header.version);
    if (sr.remaining !== 0) {
        throw new QuoteFormatError('BAD_LENGTH', sr.offset, `${sr.remaining} unaccounted bytes inside the signature data`);
    }

    const common = {
        header,
        bodyType,
        signedRegion: buf.subarray(0, signedEnd),
        declared: buf.subarray(0, declaredEnd),
        signatureData: { signature, attestationKey, ...cert },
        trailingBytes: trailing.length,
        trailingAllZero: isAllZero(trailing),
    };
    if (bodyType === 1) return { ...common, tee: 'sgx', enclave: parseEnclaveReport(bodyRaw) };
    return { ...common, tee: 'tdx', td: parseTdReportBody(bodyRaw) };
}

/** Non-throwing variant for callers that prefer a result value. */
export function tryParseQuote(input: Uint8Array, options?: ParseOptions): { ok: true; quote: Quote } | { ok: false; error: QuoteFormatError } {
    try {
        return { ok: true, quote: parseQuote(input, options) };
    } catch (e) {
        if (e instanceof QuoteFormatError) return { ok: false, error: e };
        throw e;
    }
}
