/**
 * npm run fuzz -- --steps N --seed S [--length L] [--path P] [--focus finding | --gov campaign]
 * Long fuzz campaigns over the whole protocol in @ton/sandbox (see wrappers/testkit/fuzz). Exits 1 on a violation,
 * after printing the seed, the replay path and the shrunk sequence.
 */
import { Command } from 'commander';
import { buildAllContracts } from '../tools/buildContracts';
import { fuzz } from '../../wrappers/testkit/fuzz/run';
import { FOCUS, FOCUS_EXCLUDE } from '../../wrappers/testkit/fuzz/focus';
import { GOV_CAMPAIGNS } from '../../wrappers/testkit/fuzz/gov-world';
import { KNOWN_FINDINGS } from '../../wrappers/testkit/fuzz/actions';

async function main(): Promise<void> {
    const program = new Command()
        .option('--steps <n>', 'steps to run', '10000')
        .option('--seed <n>', 'fast-check seed', String(Date.now() % 2 ** 31))
        .option('--length <n>', 'maximum steps per sequence', '100')
        .option('--liveness <n>', 'check liveness every n steps', '50')
        .option('--path <p>', 'replay path printed by a failure')
        .option('--no-shrink', 'report the first failing sequence without shrinking it (quick triage)')
        .option('--known', 'keep the steps that reach the known findings (left out by default, as in CI)')
        .option('--focus <name>', `weights aimed at one finding: ${Object.keys(FOCUS).join(', ')}`)
        .option('--gov <name>', `a governance campaign (council and proposals only): ${Object.keys(GOV_CAMPAIGNS).join(', ')}`)
        .parse();
    const o = program.opts<{ steps: string; seed: string; length: string; liveness: string; path?: string; focus?: string; gov?: string; known?: boolean; shrink: boolean }>();
    const failed = await buildAllContracts();
    if (failed.length > 0) throw new Error(`contracts that did not compile: ${failed.join(', ')}`);
    const weights = o.focus ? FOCUS[o.focus] : undefined;
    if (o.focus && !weights) throw new Error(`unknown focus ${o.focus}`);
    const outcome = await fuzz({
        seed: Number(o.seed),
        steps: Number(o.steps),
        sequenceLength: Number(o.length),
        livenessEvery: Number(o.liveness),
        path: o.path,
        weights,
        shrink: o.shrink,
        exclude: o.focus ? FOCUS_EXCLUDE[o.focus] : o.known ? {} : KNOWN_FINDINGS,
        governance: o.gov,
        campaignFlags: [o.focus && `--focus ${o.focus}`, o.known && '--known', o.liveness !== '50' && `--liveness ${o.liveness}`].filter(Boolean).join(' '),
        log: (l) => console.error(l),
    });
    console.log(outcome.report);
    console.log(`${outcome.steps} steps in ${outcome.seconds.toFixed(1)} s: ${(outcome.steps / outcome.seconds).toFixed(1)} steps/s`);
    process.exitCode = outcome.ok ? 0 : 1;
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 2;
});
