/**
 * The request envelope (POST /v1/requests) and the voucher envelope (POST /v1/vouchers). Big-endian:
 *
 *   request envelope
 *     magic        4   "CTRQ"
 *     version      1   WIRE_VERSION (1)
 *     global_id    4   int32: the network (ConfigParam 19) the client believes it is on
 *     job          36  int32 workchain ‖ 32-byte account id of the job escrow (actors/crypto/jobAddress)
 *     seqno        4   uint32: the request's position in the job, 1, 2, 3, ...
 *     voucher_len  2   uint16: 0 = no voucher piggybacked, else the length of the next field
 *     voucher      voucher_len  signature (64) ‖ BoC of the voucher cell (wrappers/payloads.ts layout)
 *     sealed       rest: enc (32) ‖ HPKE ciphertext (actors/crypto/request.ts), at least 48 bytes
 *
 *   voucher envelope
 *     magic        4   "CTVC"
 *     version      1   WIRE_VERSION
 *     signature    64  Ed25519 by the job's client key over the voucher cell hash
 *     voucher      rest: BoC of the voucher cell
 *
 * The sealed request's plaintext is the inner request (innerRequest.ts): kind ‖ JSON body.
 * The voucher cell is parsed only through wrappers/payloads.ts, so a layout change there reaches both actors.
 */
import { Cell } from '@ton/core';
import { decodeSealedRequest, encodeSealedRequest } from '../crypto/request';
import { encodeJobAddress, formatJobAddress, JOB_ADDRESS_LEN } from '../crypto/jobAddress';
import { parseVoucherCell, type SignedCell, Voucher } from '../../wrappers/payloads';
import { MAX_VOUCHER_BOC_BYTES, REQUEST_MAGIC, VOUCHER_MAGIC, WIRE_VERSION } from './constants';
import { WireError } from './errors';

export const SIGNATURE_LEN = 64;
/** Bytes before the voucher field: magic, version, global id, job, seqno, voucher_len. */
export const REQUEST_HEADER_LEN = 4 + 1 + 4 + JOB_ADDRESS_LEN + 4 + 2;
/** Smallest sealed part: enc (32) + AEAD tag (16) of an empty plaintext. */
export const MIN_SEALED_LEN = 32 + 16;

/** A voucher as it travels: the client's signature and the voucher cell. */
export interface WireVoucher {
    signature: Buffer;
    cell: Cell;
    voucher: Voucher;
}

export interface RequestEnvelope {
    globalId: number;
    /** Raw job address "<wc>:<64 hex>" (what actors/crypto binds into the HPKE info). */
    job: string;
    seqno: number;
    voucher: WireVoucher | null;
    enc: Buffer;
    ciphertext: Buffer;
}

function voucherBytes(v: SignedCell): Buffer {
    if (v.signature.length !== SIGNATURE_LEN) throw new WireError('bad_voucher', 'voucher signature must be 64 bytes');
    const boc = v.cell.toBoc({ idx: false, crc32: false });
    if (boc.length > MAX_VOUCHER_BOC_BYTES) throw new WireError('bad_voucher', 'voucher BoC too large');
    return Buffer.concat([v.signature, boc]);
}

function parseVoucherBytes(b: Buffer): WireVoucher {
    if (b.length <= SIGNATURE_LEN) throw new WireError('bad_voucher', 'voucher field shorter than a signature');
    const signature = Buffer.from(b.subarray(0, SIGNATURE_LEN));
    const boc = b.subarray(SIGNATURE_LEN);
    if (boc.length > MAX_VOUCHER_BOC_BYTES) throw new WireError('bad_voucher', 'voucher BoC too large');
    let cells: Cell[];
    try {
        cells = Cell.fromBoc(boc);
    } catch (e) {
        throw new WireError('bad_voucher', `voucher BoC does not parse: ${(e as Error).message}`);
    }
    if (cells.length !== 1) throw new WireError('bad_voucher', 'voucher BoC must hold exactly one root cell');
    let voucher: Voucher;
    try {
        voucher = parseVoucherCell(cells[0]);
    } catch (e) {
        throw new WireError('bad_voucher', `not a voucher: ${(e as Error).message}`);
    }
    return { signature, cell: cells[0], voucher };
}

export function encodeRequestEnvelope(e: {
    globalId: number;
    job: string | Uint8Array;
    seqno: number;
    voucher?: SignedCell | null;
    enc: Uint8Array;
    ciphertext: Uint8Array;
}): Buffer {
    if (!Number.isInteger(e.seqno) || e.seqno < 1 || e.seqno > 0xffffffff) throw new WireError('bad_envelope', 'seqno must be a uint32 >= 1');
    const v = e.voucher ? voucherBytes(e.voucher) : Buffer.alloc(0);
    if (v.length > 0xffff) throw new WireError('bad_voucher', 'voucher field too large');
    const head = Buffer.alloc(REQUEST_HEADER_LEN);
    REQUEST_MAGIC.copy(head, 0);
    head[4] = WIRE_VERSION;
    head.writeInt32BE(e.globalId, 5);
    encodeJobAddress(e.job).copy(head, 9);
    head.writeUInt32BE(e.seqno, 9 + JOB_ADDRESS_LEN);
    head.writeUInt16BE(v.length, 13 + JOB_ADDRESS_LEN);
    return Buffer.concat([head, v, encodeSealedRequest({ enc: e.enc, ciphertext: e.ciphertext })]);
}

/** Throws WireError('bad_envelope' | 'bad_voucher') on anything that does not follow the layout. */
export function decodeRequestEnvelope(body: Buffer): RequestEnvelope {
    if (body.length < REQUEST_HEADER_LEN + MIN_SEALED_LEN) throw new WireError('bad_envelope', `request envelope too short (${body.length} bytes)`);
    if (!body.subarray(0, 4).equals(REQUEST_MAGIC)) throw new WireError('bad_envelope', 'request envelope magic is not "CTRQ"');
    if (body[4] !== WIRE_VERSION) throw new WireError('bad_envelope', `unsupported wire version ${body[4]} (this worker speaks ${WIRE_VERSION})`);
    const globalId = body.readInt32BE(5);
    const job = formatJobAddress(body.subarray(9, 9 + JOB_ADDRESS_LEN));
    const seqno = body.readUInt32BE(9 + JOB_ADDRESS_LEN);
    if (seqno === 0) throw new WireError('bad_envelope', 'seqno 0 is never used (the first request is 1)');
    const vlen = body.readUInt16BE(13 + JOB_ADDRESS_LEN);
    const sealedStart = REQUEST_HEADER_LEN + vlen;
    if (body.length < sealedStart + MIN_SEALED_LEN) throw new WireError('bad_envelope', 'voucher_len runs past the sealed request');
    const voucher = vlen === 0 ? null : parseVoucherBytes(body.subarray(REQUEST_HEADER_LEN, sealedStart));
    const { enc, ciphertext } = decodeSealedRequest(body.subarray(sealedStart));
    return { globalId, job, seqno, voucher, enc, ciphertext };
}

export function encodeVoucherEnvelope(v: SignedCell): Buffer {
    return Buffer.concat([VOUCHER_MAGIC, Buffer.of(WIRE_VERSION), voucherBytes(v)]);
}

export function decodeVoucherEnvelope(body: Buffer): WireVoucher {
    if (body.length < 5 + SIGNATURE_LEN + 1) throw new WireError('bad_envelope', 'voucher envelope too short');
    if (!body.subarray(0, 4).equals(VOUCHER_MAGIC)) throw new WireError('bad_envelope', 'voucher envelope magic is not "CTVC"');
    if (body[4] !== WIRE_VERSION) throw new WireError('bad_envelope', `unsupported wire version ${body[4]}`);
    return parseVoucherBytes(body.subarray(5));
}
