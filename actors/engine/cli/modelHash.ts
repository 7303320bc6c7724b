/**
 * `npm run model-hash -- <dir|file> [--manifest] [--json]`: the model hash a worker advertises (see
 * actors/engine/modelHash.ts for the exact definition), so DAO members can compute the same number.
 */
import { Command } from 'commander';
import { manifestBytes, manifestHash, modelManifest } from '../modelHash';

async function main(): Promise<void> {
    const program = new Command()
        .name('model-hash')
        .description('SHA-256 of the canonical manifest (sorted path, size, sha256) of a model directory or file')
        .argument('<target>', 'model directory or single model file')
        .option('--manifest', 'also print the manifest that is hashed')
        .option('--json', 'print {"modelHash", "files"} as JSON')
        .parse();
    const target = program.args[0];
    const o = program.opts<{ manifest?: boolean; json?: boolean }>();
    const entries = await modelManifest(target);
    const hash = manifestHash(entries).toString('hex');
    if (o.json) {
        process.stdout.write(JSON.stringify({ modelHash: hash, files: entries }) + '\n');
        return;
    }
    if (o.manifest) process.stdout.write(manifestBytes(entries).toString('utf8'));
    process.stdout.write(hash + '\n');
}

main().catch((e: unknown) => {
    process.stderr.write(`model-hash: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
