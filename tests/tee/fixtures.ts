import { readFileSync } from 'fs';
import { join } from 'path';

/** Test fixtures live in the repo (tests/fixtures/tdx) so tests never depend on ../shared. */
export const FIXTURES = join(__dirname, '..', 'fixtures', 'tdx');

export interface ExpectedQuote {
    file: string;
    size: number;
    sha256: string;
    header: { version: number; attKeyType: number; teeType: number; qeSvn: number; pceSvn: number; qeVendorId: string; userData: string };
    bodyType: number;
    bodyLen: number;
    signatureDataLen: number;
    trailingBytesAfterSignatureData: number;
    quoteLenDeclared: number;
    body: Record<string, string | string[]>;
    tdAttributesDecoded?: Record<string, boolean>;
    cocoonImageHash?: string;
    attestationKey: string;
    qeAuthData: string;
    qeReport: { cpusvn: string; miscselect: number; attributes: string; mrenclave: string; mrsigner: string; isvprodid: number; isvsvn: number; reportdata: string };
    pck: { fmspc: string; pceId: string; pcesvn: number; cpusvn: string; tcbComponents: number[]; sgxType: number; ppid: string };
    pckChain: { subjectCN: string; serial: string; validFrom: string; validTo: string; sha256: string }[];
    offlineChecksAt: string;
    offlineChecks: Record<string, boolean>;
    offlineOk: boolean;
    collateralFile?: string;
    collateralChecks?: Record<string, boolean>;
    collateralEvaluation?: Record<string, unknown> & { combinedPlatformStatus: string; advisoryIDs: string[] };
}

export const EXPECTED: Record<string, ExpectedQuote> = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));

export function fixture(path: string): Buffer {
    return readFileSync(join(FIXTURES, path));
}

export function collateralJson(path: string): Record<string, string> {
    return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8'));
}

/** Byte offset of a sub-view inside its parent buffer. */
export function offsetIn(parent: Buffer, sub: Buffer): number {
    const off = sub.byteOffset - parent.byteOffset;
    if (sub.buffer !== parent.buffer || off < 0 || off + sub.length > parent.length) throw new Error('not a sub-view');
    return off;
}

export function flipped(buf: Buffer, offset: number, mask = 0x01): Buffer {
    const out = Buffer.from(buf);
    out[offset] ^= mask;
    return out;
}
