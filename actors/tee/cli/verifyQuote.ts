#!/usr/bin/env node
/**
 * Verifies a DCAP quote and prints the verdict as JSON; exit 0 only when the quote is acceptable.
 *
 *   npm run verify-quote -- <quote> [--collateral file.json] [--at ISO] [--allow-status S ...]
 *
 * Exit codes: 0 acceptable, 1 refused (see "reasons"), 2 usage or I/O error.
 */
import { readFileSync } from 'fs';
import { X509Certificate } from 'crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import { fromHex } from '../bytes';
import { anchorFromCertificate, INTEL_SGX_ROOT, TrustAnchor } from '../trust/anchors';
import { VERDICT_STATUSES, VerdictStatus } from '../verify/types';
import { verifyQuote } from '../verify/verifyQuote';
import { Policy } from '../verify/policy';

interface Options {
    collateral?: string;
    at?: string;
    allowStatus: VerdictStatus[];
    allowAdvisory?: string[];
    allowImage?: string[];
    allowXfam?: string[];
    allowMrservicetd?: boolean;
    allowSeptVeEnabled?: boolean;
    expectReportData?: string;
    trustSimulatedRoot?: string;
}

function parseTime(v: string): string {
    if (Number.isNaN(Date.parse(v))) throw new InvalidArgumentError('not an ISO 8601 time');
    return v;
}

function fail(message: string): never {
    console.error(message);
    process.exit(2);
}

const program = new Command()
    .name('verify-quote')
    .description('Verify an Intel TDX quote (offline, or with Intel collateral) and print the verdict as JSON')
    .argument('<quote>', 'quote file (binary)')
    .option('--collateral <file>', 'collateral JSON (dcap-qvl QuoteCollateralV3 format: tcb_info, qe_identity, CRLs, chains)')
    .option('--at <iso-time>', 'verification time (default: now)', parseTime)
    .addOption(new Option('--allow-status <status...>', 'TCB statuses to accept').choices([...VERDICT_STATUSES]).default(['UpToDate']))
    .option('--allow-advisory <id...>', 'if given, every advisory on the verdict must be listed')
    .option('--allow-image <hash...>', 'if given, the image hash must be one of these (hex or 0x)')
    .option('--allow-xfam <hex...>', 'if given, XFAM must be one of these')
    .option('--allow-mrservicetd', 'accept a non-zero MRSERVICETD')
    .option('--allow-sept-ve-enabled', 'accept SEPT_VE_DISABLE = 0')
    .option('--expect-report-data <hex>', 'REPORTDATA must equal this (128 hex chars)')
    .option('--trust-simulated-root <pem>', 'DEVELOPMENT ONLY: also trust this simulated root; verdicts say simulated: true')
    .action((file: string, opts: Options) => {
        let raw: Buffer;
        try {
            raw = readFileSync(file);
        } catch (e) {
            fail(`cannot read ${file}: ${(e as Error).message}`);
        }
        let collateral: unknown;
        if (opts.collateral) {
            try {
                collateral = JSON.parse(readFileSync(opts.collateral, 'utf8'));
            } catch (e) {
                fail(`cannot read collateral ${opts.collateral}: ${(e as Error).message}`);
            }
        }
        const anchors: TrustAnchor[] = [INTEL_SGX_ROOT];
        if (opts.trustSimulatedRoot) {
            try {
                anchors.push(anchorFromCertificate(new X509Certificate(readFileSync(opts.trustSimulatedRoot)), 'simulated root (command line)', true));
            } catch (e) {
                fail(`cannot read simulated root ${opts.trustSimulatedRoot}: ${(e as Error).message}`);
            }
        }
        let expectedReportData: Buffer | undefined;
        if (opts.expectReportData) {
            try {
                expectedReportData = fromHex(opts.expectReportData);
            } catch (e) {
                fail(`--expect-report-data: ${(e as Error).message}`);
            }
        }
        const policy: Partial<Policy> = {
            allowedStatuses: opts.allowStatus,
            allowedAdvisories: opts.allowAdvisory,
            allowedImageHashes: opts.allowImage,
            allowedXfam: opts.allowXfam,
            allowMrServiceTd: opts.allowMrservicetd === true,
            requireSeptVeDisable: opts.allowSeptVeEnabled !== true,
            expectedReportData,
        };
        // The CLI is the one place that may read the wall clock: the library always takes `at`.
        const at = new Date(opts.at ?? Date.now());
        const verdict = verifyQuote(raw, { at, collateral, trustedRoots: anchors, policy });
        console.log(JSON.stringify(verdict, null, 2));
        process.exit(verdict.ok ? 0 : 1);
    });

program.parse();
