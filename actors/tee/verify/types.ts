/** Verdict vocabulary shared by the verifier, the policy and the CLIs. */

/** Intel TCB statuses as they appear in TCB Info / QE Identity (Intel PCS API v4). */
export const TCB_STATUSES = [
    'UpToDate',
    'SWHardeningNeeded',
    'ConfigurationNeeded',
    'ConfigurationAndSWHardeningNeeded',
    'OutOfDate',
    'OutOfDateConfigurationNeeded',
    'Revoked',
] as const;
export type TcbStatus = (typeof TCB_STATUSES)[number];

/**
 * Verdict status: a TCB status; NotSupported when no TCB level matches (Intel: TCB_NOT_SUPPORTED);
 * NoCollateral when only the offline checks ran; Invalid when a signature, chain, CRL, freshness or
 * structure check failed (the reasons say which).
 */
export const VERDICT_STATUSES = [...TCB_STATUSES, 'NotSupported', 'NoCollateral', 'Invalid'] as const;
export type VerdictStatus = (typeof VERDICT_STATUSES)[number];

export type ReasonCode =
    | 'MALFORMED_QUOTE'
    | 'QUOTE_SIGNATURE_INVALID'
    | 'PCK_CHAIN_LENGTH'
    | 'PCK_CHAIN_UNPARSABLE'
    | 'PCK_CHAIN_SIGNATURE'
    | 'PCK_CHAIN_NOT_CA'
    | 'ROOT_NOT_TRUSTED'
    | 'CERT_NOT_TIME_VALID'
    | 'QE_REPORT_SIGNATURE_INVALID'
    | 'QE_REPORT_DATA_MISMATCH'
    | 'QE_IDENTITY_MISMATCH'
    | 'PCK_EXTENSIONS_UNREADABLE'
    | 'COLLATERAL_MALFORMED'
    | 'COLLATERAL_SIGNER_UNTRUSTED'
    | 'COLLATERAL_SIGNATURE_INVALID'
    | 'COLLATERAL_EXPIRED'
    | 'COLLATERAL_MISMATCH'
    | 'CRL_SIGNATURE_INVALID'
    | 'CRL_EXPIRED'
    | 'REVOKED'
    | 'TDX_MODULE_MISMATCH'
    | 'TCB_NOT_SUPPORTED'
    | 'STATUS_NOT_ALLOWED'
    | 'ADVISORY_NOT_ALLOWED'
    | 'NOT_A_TD'
    | 'TD_DEBUG'
    | 'TD_ATTRIBUTES_NOT_ALLOWED'
    | 'SEPT_VE_DISABLE_REQUIRED'
    | 'XFAM_NOT_ALLOWED'
    | 'MRSERVICETD_NONZERO'
    | 'IMAGE_NOT_ALLOWED'
    | 'REPORT_DATA_MISMATCH';

export interface Reason {
    code: ReasonCode;
    detail: string;
}

export type Checks = Record<string, boolean>;

/** Hex strings of every TD measurement, as printed by the CLI and carried in the verdict. */
export interface Measurements {
    mrTd: string;
    mrConfigId: string;
    mrOwner: string;
    mrOwnerConfig: string;
    rtmr: [string, string, string, string];
    mrSeam: string;
    mrSignerSeam: string;
    seamAttributes: string;
    tdAttributes: string;
    xfam: string;
    teeTcbSvn: string;
    teeTcbSvn2?: string;
    mrServiceTd?: string;
    reportData: string;
    /** Telegram COCOON's image hash of the same TD, for cross-checking against COCOON allowlists. */
    cocoonImageHash: string;
}

export interface CollateralEvaluation {
    platformTcbStatus: TcbStatus | 'NotSupported';
    platformTcbDate: string | null;
    tdxModuleIdentity?: string;
    tdxModuleTcbStatus?: TcbStatus | 'NotSupported';
    qeTcbStatus: TcbStatus | 'NotSupported';
    combinedPlatformStatus: TcbStatus | 'NotSupported';
    advisoryIDs: string[];
    tcbEvaluationDataNumber: number;
    pckCrlRevokedCount: number;
}

export interface Verdict {
    /** True only if every check passed and the policy accepts the result. */
    ok: boolean;
    /** True when the chain ends at a simulated (non-Intel) root. Never acceptable in production. */
    simulated: boolean;
    tee: 'tdx' | 'sgx';
    status: VerdictStatus;
    advisoryIds: string[];
    /** cocoon-ton image hash v1 (hex, 64 chars) and the same as a 0x uint256 literal; TDX only. */
    imageHash?: string;
    imageHashUint?: string;
    measurements?: Measurements;
    /** SHA-256 of the declared quote bytes (what the chain stores as quote_hash). */
    quoteHash: string;
    fmspc?: string;
    verifiedAt: string;
    checks: Checks;
    collateral?: CollateralEvaluation;
    reasons: Reason[];
}
