import { createHash } from 'crypto';
import { TdReportBody } from './quote/types';

/**
 * cocoon-ton image hash, version 1: the 256-bit key of the on-chain image allowlist.
 *
 *   image_hash = SHA-256( "cocoon-ton:img:1"            16 ASCII bytes, domain tag
 *                       ‖ TD report body bytes [120, 520) 400 bytes:
 *                           TDATTRIBUTES(8) ‖ XFAM(8) ‖ MRTD(48) ‖ MRCONFIGID(48) ‖ MROWNER(48)
 *                           ‖ MROWNERCONFIG(48) ‖ RTMR0(48) ‖ RTMR1(48) ‖ RTMR2(48) ‖ RTMR3(48) )
 *
 * The fields are contiguous in the TD report, so the preimage is a single slice. TDATTRIBUTES and XFAM
 * are included so a debug or differently configured TD never shares a hash with the production one;
 * RTMR3 is included because our images measure their static configuration there (an image that does
 * not extend RTMR3 simply hashes 48 zero bytes). REPORTDATA, the TCB SVNs and MRSEAM are excluded: they
 * change per boot or per platform patch, and are checked by the TCB status instead.
 */
export const IMAGE_HASH_TAG = Buffer.from('cocoon-ton:img:1', 'ascii');
export const IMAGE_HASH_BODY_START = 120;
export const IMAGE_HASH_BODY_END = 520;

export function imageHash(td: TdReportBody): Buffer {
    return createHash('sha256').update(IMAGE_HASH_TAG).update(td.raw.subarray(IMAGE_HASH_BODY_START, IMAGE_HASH_BODY_END)).digest();
}

/** The same value as the 0x-prefixed integer literal the contracts and wrappers take (uint256). */
export function imageHashUint(hash: Uint8Array): string {
    return '0x' + Buffer.from(hash).toString('hex');
}

/**
 * Telegram COCOON's image hash (SHA-256 of body bytes [136, 520) then 64 zero bytes), for comparison
 * with COCOON deployments only. It does not cover TDATTRIBUTES or XFAM, so it is never our allowlist key.
 */
export function cocoonImageHash(td: TdReportBody): Buffer {
    return createHash('sha256').update(td.raw.subarray(136, 520)).update(Buffer.alloc(64)).digest();
}
