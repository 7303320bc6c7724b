#!/usr/bin/env node
/**
 * Prints the cocoon-ton image hash (v1, see actors/tee/imageHash.ts and docs/attestation.md) of a TDX
 * quote file, so DAO members can check an allowlist proposal themselves:
 *
 *   npm run image-hash -- quote.dat [--json]
 *
 * The quote is parsed, not verified: run verify-quote for signatures, chain and TCB status.
 */
import { readFileSync } from 'fs';
import { Command } from 'commander';
import { toHex } from '../bytes';
import { cocoonImageHash, imageHash, imageHashUint } from '../imageHash';
import { QuoteFormatError } from '../quote/errors';
import { parseQuote } from '../quote/parse';
import { measurementsOf } from '../verify/verifyQuote';

const program = new Command()
    .name('image-hash')
    .description('Print the on-chain image hash of a TDX quote (parsed only, not verified)')
    .argument('<quote>', 'quote file (binary)')
    .option('--json', 'print JSON with the measurements that went into the hash')
    .action((file: string, opts: { json?: boolean }) => {
        let raw: Buffer;
        try {
            raw = readFileSync(file);
        } catch (e) {
            console.error(`cannot read ${file}: ${(e as Error).message}`);
            process.exit(2);
        }
        try {
            const quote = parseQuote(raw);
            if (quote.tee !== 'tdx') {
                console.error('not a TDX quote (SGX enclave quotes have no image hash)');
                process.exit(1);
            }
            const h = imageHash(quote.td);
            const out = {
                imageHash: toHex(h),
                imageHashUint: imageHashUint(h),
                imageHashDecimal: BigInt(imageHashUint(h)).toString(10),
                definition: 'sha256("cocoon-ton:img:1" || td_report_body[120:520])',
                cocoonImageHash: toHex(cocoonImageHash(quote.td)),
                quoteVersion: quote.header.version,
                measurements: measurementsOf(quote.td),
            };
            if (opts.json) {
                console.log(JSON.stringify(out, null, 2));
            } else {
                console.log(out.imageHash);
                console.log(`uint256  ${out.imageHashUint}`);
                console.log(`decimal  ${out.imageHashDecimal}`);
                console.error('(parsed, not verified: use `npm run verify-quote` to check signatures and TCB status)');
            }
        } catch (e) {
            if (e instanceof QuoteFormatError) {
                console.error(`malformed quote: ${e.message}`);
                process.exit(1);
            }
            throw e;
        }
    });

program.parse();
