#!/usr/bin/env node
/**
 * Fetches the collateral of a quote into the JSON file verify-quote reads:
 *   npm run collateral -- fetch <quote> [--pccs URL] [--out collateral.json]
 * Without --pccs it asks Intel's provisioning certification service. Exit 0 on success, 2 on any error.
 */
import { readFileSync, writeFileSync } from 'fs';
import { Command } from 'commander';
import { fetchCollateral, intelSource, pccsSource } from '../collateral/fetch';

const program = new Command().name('collateral').description('Intel collateral for TDX quotes');

program
    .command('fetch')
    .argument('<quote>', 'quote file (binary)')
    .option('--pccs <url>', 'a PCCS base URL instead of Intel PCS (e.g. https://pccs.local:8081)')
    .option('--out <file>', 'write the JSON here (default: standard output)')
    .action(async (file: string, opts: { pccs?: string; out?: string }) => {
        try {
            const c = await fetchCollateral(readFileSync(file), opts.pccs ? pccsSource(opts.pccs) : intelSource());
            const json = JSON.stringify(c, null, 2) + '\n';
            if (opts.out) writeFileSync(opts.out, json);
            else process.stdout.write(json);
            if (opts.out) console.error(`collateral written to ${opts.out}; check with: npm run verify-quote -- ${file} --collateral ${opts.out}`);
        } catch (e) {
            console.error(`collateral: ${(e as Error).message}`);
            process.exit(2);
        }
    });

program.parseAsync(process.argv);
