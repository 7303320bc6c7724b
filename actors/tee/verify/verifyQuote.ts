import { createHash } from 'crypto';
import { toHex } from '../bytes';
import { CollateralCache } from '../collateral/cache';
import { evaluateCollateral, prepareCollateral } from '../collateral/verify';
import { cocoonImageHash, imageHash, imageHashUint } from '../imageHash';
import { QuoteFormatError } from '../quote/errors';
import { parseQuote, ParseOptions } from '../quote/parse';
import { Quote, TdReportBody } from '../quote/types';
import { INTEL_SGX_ROOT, TrustAnchor } from '../trust/anchors';
import { verifyOffline } from './offline';
import { Policy, resolvePolicy, statusPolicyReasons, tdPolicyReasons } from './policy';
import { Measurements, Reason, Verdict, VerdictStatus } from './types';

export interface VerifyOptions {
    /** Verification time. Required: there is deliberately no Date.now() default inside the library. */
    at: Date;
    /** Collateral JSON (dcap-qvl QuoteCollateralV3 shape), already JSON.parse'd. */
    collateral?: unknown;
    /** Trust anchors. Default: the pinned Intel SGX Root CA only. */
    trustedRoots?: TrustAnchor[];
    policy?: Partial<Policy>;
    parse?: ParseOptions;
    /** Reuse verified collateral across calls (a relay keeps one for its lifetime). */
    collateralCache?: CollateralCache;
}

export function measurementsOf(td: TdReportBody): Measurements {
    return {
        mrTd: toHex(td.mrTd),
        mrConfigId: toHex(td.mrConfigId),
        mrOwner: toHex(td.mrOwner),
        mrOwnerConfig: toHex(td.mrOwnerConfig),
        rtmr: [toHex(td.rtmr[0]), toHex(td.rtmr[1]), toHex(td.rtmr[2]), toHex(td.rtmr[3])],
        mrSeam: toHex(td.mrSeam),
        mrSignerSeam: toHex(td.mrSignerSeam),
        seamAttributes: toHex(td.seamAttributes),
        tdAttributes: toHex(td.tdAttributes),
        xfam: toHex(td.xfam),
        teeTcbSvn: toHex(td.teeTcbSvn),
        ...(td.teeTcbSvn2 ? { teeTcbSvn2: toHex(td.teeTcbSvn2) } : {}),
        ...(td.mrServiceTd ? { mrServiceTd: toHex(td.mrServiceTd) } : {}),
        reportData: toHex(td.reportData),
        cocoonImageHash: toHex(cocoonImageHash(td)),
    };
}

/** Verifies an already-parsed quote. */
export function verifyParsedQuote(quote: Quote, options: VerifyOptions): Verdict {
    const policy = resolvePolicy(options.policy);
    const at = options.at;
    const anchors = options.trustedRoots ?? [INTEL_SGX_ROOT];
    const offline = verifyOffline(quote, at, anchors);
    const reasons: Reason[] = [...offline.reasons];
    const checks = { ...offline.checks };

    let status: VerdictStatus = 'NoCollateral';
    let advisoryIds: string[] = [];
    let evaluation: Verdict['collateral'];
    if (options.collateral !== undefined) {
        if (offline.chain) {
            const prepared = options.collateralCache
                ? options.collateralCache.get(options.collateral, offline.chain.anchor)
                : prepareCollateral(options.collateral, offline.chain.anchor);
            const col = evaluateCollateral(quote, offline.chain, prepared, at);
            Object.assign(checks, col.checks);
            reasons.push(...col.reasons);
            evaluation = col.evaluation;
            if (col.evaluation) {
                status = col.evaluation.combinedPlatformStatus;
                advisoryIds = col.evaluation.advisoryIDs;
            }
        } else {
            reasons.push({ code: 'ROOT_NOT_TRUSTED', detail: 'collateral not evaluated: the PCK chain is not anchored' });
        }
    }
    // Any failed cryptographic, structural or freshness check makes the verdict Invalid, whatever TCB
    // level the (possibly unauthenticated) collateral would have given.
    if (reasons.some((r) => r.code !== 'TCB_NOT_SUPPORTED')) status = 'Invalid';

    const td = quote.tee === 'tdx' ? quote.td : undefined;
    const hash = td ? toHex(imageHash(td)) : undefined;
    reasons.push(...tdPolicyReasons(td, hash, policy));
    reasons.push(...statusPolicyReasons(status, advisoryIds, policy));
    const simulated = offline.chain?.anchor.simulated ?? false;

    return {
        ok: reasons.length === 0,
        simulated,
        tee: quote.tee,
        status,
        advisoryIds,
        ...(td && hash ? { imageHash: hash, imageHashUint: imageHashUint(Buffer.from(hash, 'hex')), measurements: measurementsOf(td) } : {}),
        quoteHash: createHash('sha256').update(quote.declared).digest('hex'),
        ...(offline.chain?.extensions ? { fmspc: offline.chain.extensions.fmspc.toString('hex') } : {}),
        verifiedAt: at.toISOString(),
        checks,
        ...(evaluation ? { collateral: evaluation } : {}),
        reasons,
    };
}

/** Parses and verifies a quote; a malformed quote yields an Invalid verdict with the parse reason. */
export function verifyQuote(input: Uint8Array, options: VerifyOptions): Verdict {
    let quote: Quote;
    try {
        quote = parseQuote(input, options.parse);
    } catch (e) {
        if (!(e instanceof QuoteFormatError)) throw e;
        return {
            ok: false,
            simulated: false,
            tee: 'tdx',
            status: 'Invalid',
            advisoryIds: [],
            quoteHash: createHash('sha256').update(input).digest('hex'),
            verifiedAt: options.at.toISOString(),
            checks: { parsed: false },
            reasons: [{ code: 'MALFORMED_QUOTE', detail: e.message }],
        };
    }
    return verifyParsedQuote(quote, options);
}
