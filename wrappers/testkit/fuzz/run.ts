/**
 * Runs fuzz campaigns: fast-check draws sequences of actions, the world runs each from the deployed
 * protocol's snapshot and checks the invariants after every step (liveness every `livenessEvery` steps and
 * at the end of each sequence). On a violation fast-check shrinks the sequence; the report names the seed,
 * the path (to replay exactly that run) and the shrunk sequence.
 */
import fc from 'fast-check';
import { Action, actionArbitrary, describeSequence, Exclusions, Weights } from './actions';
import { FuzzWorld, InvariantError } from './world';
import { GovWorld, GOV_CAMPAIGNS, govStepArbitrary } from './gov-world';

export interface FuzzOptions {
    seed: number;
    /** Total steps to run (at least; whole sequences). */
    steps: number;
    /** Steps per sequence (each sequence starts from the freshly deployed protocol). */
    sequenceLength?: number;
    livenessEvery?: number;
    weights?: Weights;
    /** Steps left out (known findings awaiting their fix). */
    exclude?: Exclusions;
    /** fast-check replay path of a failure (with the same seed). */
    path?: string;
    /** Stop shrinking after this many attempts (shrinking replays sequences). */
    maxShrinks?: number;
    log?: (line: string) => void;
    /** Shrink a failing sequence (default true); false reports the first failing sequence at once. */
    shrink?: boolean;
    /** Run a governance campaign of gov-world.ts (GOV_CAMPAIGNS) instead of the protocol campaign (weights, exclude ignored). */
    governance?: string;
    /** The command-line flags that chose the campaign (e.g. `--focus reputationFreeze`), repeated in the replay command. */
    campaignFlags?: string;
}

/** What runSequence drives: the protocol's world (world.ts) or the governance campaigns' (gov-world.ts). */
export interface SequenceWorld<A> {
    reset(): Promise<void>;
    step(a: A): Promise<unknown>;
    checkLiveness(): Promise<void>;
    transactions: number;
}

export interface FuzzOutcome {
    ok: boolean;
    seed: number;
    steps: number;
    transactions: number;
    sequences: number;
    seconds: number;
    /** The invariant that failed, if any. */
    invariant?: string;
    message?: string;
    shrunk?: Action[];
    path?: string;
    /** A printable report: seed, path, invariant, shrunk sequence. */
    report: string;
}

let shared: Promise<FuzzWorld> | undefined;

/** One deployed world per process: deploying costs far more than a run. */
export function sharedWorld(): Promise<FuzzWorld> {
    shared ??= FuzzWorld.create();
    return shared;
}

const govWorlds = new Map<number, Promise<GovWorld>>();

/** One governance world per process and council size. */
export function sharedGovWorld(members: number): Promise<GovWorld> {
    if (!govWorlds.has(members)) govWorlds.set(members, GovWorld.create(members));
    return govWorlds.get(members)!;
}

/** Runs one sequence from the deployed state; throws InvariantError on the first violation. */
export async function runSequence<A>(world: SequenceWorld<A>, actions: readonly A[], livenessEvery = 50): Promise<void> {
    await world.reset();
    let i = 0;
    for (const a of actions) {
        try {
            await world.step(a);
            if (++i % livenessEvery === 0) await world.checkLiveness();
        } catch (e) {
            if (e instanceof InvariantError) throw new InvariantError(e.id, `step ${i}: ${e.message}`);
            throw e;
        }
    }
    try {
        await world.checkLiveness();
    } catch (e) {
        if (e instanceof InvariantError) throw new InvariantError(e.id, `liveness after step ${i}: ${e.message}`);
        throw e;
    }
}

export async function fuzz(o: FuzzOptions): Promise<FuzzOutcome> {
    const campaign = o.governance === undefined ? undefined : GOV_CAMPAIGNS[o.governance];
    if (o.governance !== undefined && !campaign) throw new Error(`unknown governance campaign ${o.governance}`);
    const world: SequenceWorld<Action> = campaign ? ((await sharedGovWorld(campaign.members)) as unknown as SequenceWorld<Action>) : await sharedWorld();
    const length = o.sequenceLength ?? 100;
    // Sequences average about half their maximum length (fast-check draws lengths in [1, max]).
    const runs = Math.max(1, Math.ceil(o.steps / (length * 0.45)));
    const started = Date.now();
    const log = o.log ?? (() => undefined);
    let steps = 0;
    let sequences = 0;
    const tx0 = world.transactions;
    // Fixed-length sequences while searching; shrinking may drop steps (minLength 1).
    const steps$ = campaign ? (govStepArbitrary(campaign) as unknown as fc.Arbitrary<Action>) : actionArbitrary(o.weights, o.exclude);
    const sequences$ = fc.array(steps$, { minLength: 1, maxLength: length, size: 'max' });
    let lastError: InvariantError | undefined;
    const property = fc.asyncProperty(sequences$, async (actions) => {
        sequences++;
        steps += actions.length;
        try {
            await runSequence(world, actions, o.livenessEvery ?? 100);
        } catch (e) {
            if (e instanceof InvariantError) {
                if (!lastError) log(`first failure (shrinking): ${e.message}`);
                lastError = e;
            }
            throw e;
        }
        if (sequences % 10 === 0) log(`${sequences} sequences, ${steps} steps, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
    const details = await fc.check(property, {
        seed: o.seed,
        numRuns: runs,
        path: o.path,
        endOnFailure: o.shrink === false,
        maxSkipsPerRun: 0,
    });
    const seconds = (Date.now() - started) / 1000;
    const base = { seed: o.seed, steps, transactions: world.transactions - tx0, sequences, seconds };
    if (!details.failed) {
        return { ok: true, ...base, report: `fuzz: seed ${o.seed}, ${steps} steps (${sequences} sequences), ${base.transactions} transactions, ${seconds.toFixed(1)} s: every invariant held` };
    }
    const shrunk = (details.counterexample?.[0] ?? []) as Action[];
    // Re-run the shrunk sequence to name the invariant it breaks (the last error seen may be from a shrink attempt).
    let invariant = lastError?.id;
    let message = lastError?.message ?? String(details.errorInstance);
    try {
        await runSequence(world, shrunk, o.livenessEvery ?? 100);
    } catch (e) {
        if (e instanceof InvariantError) {
            invariant = e.id;
            message = e.message;
        } else message = (e as Error).stack ?? String(e);
    }
    const report = [
        `fuzz FAILED: invariant ${invariant}`,
        `  ${message}`,
        `  seed ${o.seed}, path "${details.counterexamplePath}" (replay: npm run fuzz -- --seed ${o.seed} --steps ${o.steps} --length ${length}${o.governance ? ` --gov ${o.governance}` : ''}${o.campaignFlags ? ` ${o.campaignFlags}` : ''} --path "${details.counterexamplePath}")`,
        `  shrunk sequence (${shrunk.length} steps, after ${details.numShrinks} shrinks):`,
        describeSequence(shrunk),
    ].join('\n');
    return { ok: false, ...base, invariant, message, shrunk, path: details.counterexamplePath ?? undefined, report };
}
