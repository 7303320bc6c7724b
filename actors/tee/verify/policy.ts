import { toHex } from '../bytes';
import { decodeTdAttributes, TDATTR_KL, TDATTR_PERFMON, TDATTR_PKS, TDATTR_SEPT_VE_DISABLE } from '../quote/tdAttributes';
import { TdReportBody } from '../quote/types';
import { Reason, VerdictStatus } from './types';

/** What the relay accepts. Defaults are strict: production TDs with UpToDate TCB only. */
export interface Policy {
    /** TCB statuses to accept. Default: only UpToDate. Add 'NoCollateral' to accept offline-only checks. */
    allowedStatuses: VerdictStatus[];
    /** If set, every advisory on the verdict must be listed here. */
    allowedAdvisories?: string[];
    /**
     * TDATTRIBUTES bits that may be set. DEBUG (bit 0) is refused even if it is in the mask.
     * Default: SEPT_VE_DISABLE | PKS | KL | PERFMON.
     */
    allowedTdAttributesMask: bigint;
    /** Require SEPT_VE_DISABLE (bit 28). Default true (the Google SPR sample has 0 and is refused). */
    requireSeptVeDisable: boolean;
    /** Accept a TD 1.5 quote with a non-zero MRSERVICETD. Default false. */
    allowMrServiceTd: boolean;
    /** If set, XFAM (16 hex chars, as in the quote) must be one of these. */
    allowedXfam?: string[];
    /** If set, the cocoon-ton image hash (hex) must be one of these (the on-chain allowlist). */
    allowedImageHashes?: string[];
    /** If set, REPORTDATA must equal this (see binding.ts). */
    expectedReportData?: Uint8Array;
    /** Refuse SGX enclave quotes (this project runs TDs only). Default true. */
    requireTd: boolean;
}

export const DEFAULT_POLICY: Policy = {
    allowedStatuses: ['UpToDate'],
    allowedTdAttributesMask: TDATTR_SEPT_VE_DISABLE | TDATTR_PKS | TDATTR_KL | TDATTR_PERFMON,
    requireSeptVeDisable: true,
    allowMrServiceTd: false,
    requireTd: true,
};

export function resolvePolicy(p: Partial<Policy> = {}): Policy {
    return { ...DEFAULT_POLICY, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) };
}

/** Policy checks on the TD itself (independent of collateral). */
export function tdPolicyReasons(td: TdReportBody | undefined, imageHashHex: string | undefined, policy: Policy): Reason[] {
    const reasons: Reason[] = [];
    if (!td) {
        if (policy.requireTd) reasons.push({ code: 'NOT_A_TD', detail: 'quote is an SGX enclave quote, not a TDX TD quote' });
        return reasons;
    }
    const attrs = decodeTdAttributes(td.tdAttributes);
    if (attrs.debug) reasons.push({ code: 'TD_DEBUG', detail: 'TD DEBUG attribute is set: its memory is readable by the host' });
    const outside = attrs.value & ~policy.allowedTdAttributesMask & ~1n;
    if (outside !== 0n) reasons.push({ code: 'TD_ATTRIBUTES_NOT_ALLOWED', detail: `TDATTRIBUTES bits 0x${outside.toString(16)} are outside the allowed mask` });
    if (policy.requireSeptVeDisable && !attrs.septVeDisable) reasons.push({ code: 'SEPT_VE_DISABLE_REQUIRED', detail: 'SEPT_VE_DISABLE (bit 28) is not set' });
    if (policy.allowedXfam && !policy.allowedXfam.map((x) => x.toLowerCase()).includes(toHex(td.xfam))) {
        reasons.push({ code: 'XFAM_NOT_ALLOWED', detail: `XFAM ${toHex(td.xfam)} is not allowed` });
    }
    if (td.mrServiceTd && !policy.allowMrServiceTd && td.mrServiceTd.some((b) => b !== 0)) {
        reasons.push({ code: 'MRSERVICETD_NONZERO', detail: 'MRSERVICETD is non-zero (a service TD is bound)' });
    }
    if (policy.allowedImageHashes && imageHashHex && !policy.allowedImageHashes.map((h) => h.toLowerCase().replace(/^0x/, '')).includes(imageHashHex)) {
        reasons.push({ code: 'IMAGE_NOT_ALLOWED', detail: `image hash ${imageHashHex} is not in the allowlist` });
    }
    if (policy.expectedReportData && !td.reportData.equals(Buffer.from(policy.expectedReportData))) {
        reasons.push({ code: 'REPORT_DATA_MISMATCH', detail: 'REPORTDATA does not bind the expected keys' });
    }
    return reasons;
}

export function statusPolicyReasons(status: VerdictStatus, advisories: string[], policy: Policy): Reason[] {
    const reasons: Reason[] = [];
    if (status !== 'Invalid' && !policy.allowedStatuses.includes(status)) {
        reasons.push({ code: 'STATUS_NOT_ALLOWED', detail: `status ${status} is not in the allowed set [${policy.allowedStatuses.join(', ')}]` });
    }
    if (policy.allowedAdvisories) {
        const bad = advisories.filter((a) => !policy.allowedAdvisories!.includes(a));
        if (bad.length) reasons.push({ code: 'ADVISORY_NOT_ALLOWED', detail: `advisories not allowed: ${bad.join(', ')}` });
    }
    return reasons;
}
