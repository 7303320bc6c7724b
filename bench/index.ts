/**
 * npm run bench [-- --only chain,overhead,crypto,engine,where] [--quick] [--seed N]
 *
 * One benchmark report, docs/benchmarks.md, with the machine described and each figure next to its
 * reference as a ratio: on-chain cost against COCOON's contracts (the figures of the protocol's brief,
 * measured by them in @ton/sandbox with the same fee config), relay + worker overhead against the engine
 * alone at 1, 50 and 500 concurrent streams (the load benchmark's code, shorter), crypto and quote
 * verification, the engine path with the tiny real model, and where the time of a request goes.
 * Sections not run (--only) keep their previous text; --quick runs everything shorter, for trying it out.
 */
import { fromNano } from '@ton/core';
import { execSync } from 'child_process';
import { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg, totalmem } from 'os';
import { join } from 'path';
import { buildAllContracts } from '../scripts/tools/buildContracts';
import { jobScenario } from './scenarios/job';
import type { GasRow } from './scenarios/types';
import { cryptoTable } from './crypto';
import { whereTheTimeGoes } from './where';
import { ACTORS, currentMemory, formatPerActor, peakMemory, phase, startCluster, type ActorName, type Cluster, type PhaseResult } from './load/cluster';
import type { LoadOptions } from './load/driver';

const ROOT = join(__dirname, '..');
const DOC = join(ROOT, 'docs', 'benchmarks.md');
const PARTS = ['chain', 'overhead', 'crypto', 'engine', 'where'] as const;
type Part = (typeof PARTS)[number];

/** COCOON's contracts in @ton/sandbox with the same fee config (figures from the protocol's brief). */
const COCOON = {
    charge: { gas: 15_937, ton: 0.0117 },
    payout: { gas: 22_550, ton: 0.0149 },
    session: { transactions: 105, gas: 566_166, ton: 0.3231 },
} as const;

const median = (xs: number[]) => {
    const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '–');
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const int = (n: number) => Math.round(n).toLocaleString('en');

interface Headline {
    figure: string;
    ours: string;
    reference: string;
    ratio: string;
    section: string;
}

// ---------------------------------------------------------------------------------------------- on-chain

async function chainSection(head: Headline[]): Promise<string> {
    const rows = await jobScenario.run();
    const find = (prefix: string): GasRow | undefined => rows.find((r) => r.operation.startsWith(prefix));
    const ton = (r: GasRow | undefined) => (r ? Number(fromNano(r.fees)) : NaN);
    const claim = find('claim (external message)');
    // the claim that also carries the money to the worker's owner (the equivalent of COCOON's payout chain)
    const paying = find('claim (external, payout') ?? find('claim (external, earnings forwarded');
    const session = find('session: open + 10 claims + close + finalize') ?? find('session');
    const sessionFinal = find('session, closed by the final voucher');
    const lines = [
        'Measured in @ton/sandbox through the test kit (`bench/scenarios/job.ts`, the same scenarios as `npm run bench:gas`); the sandbox is deterministic, so one run is the median. "gas" sums the compute gas of every transaction of the chain except the sender\'s own wallet; "TON" is everything burned (gas, storage, forwarding). COCOON: its contracts measured in the same sandbox with the same fee config. Ratio = ours ÷ COCOON (below 1: cheaper).',
        '',
        '| Operation (ours) | txs | gas | TON burned | COCOON equivalent | COCOON gas / TON | gas ratio | TON ratio |',
        '|---|---:|---:|---:|---|---:|---:|---:|',
    ];
    const cmp = (r: GasRow | undefined, label: string, ref: { gas: number; ton: number } | null, refLabel: string) => {
        if (!r) return `| ${label} | – | – | – | ${refLabel} | – | – | – |`;
        return `| ${label} | ${r.transactions} | ${int(r.gas)} | ${fromNano(r.fees)} | ${refLabel} | ${ref ? `${int(ref.gas)} / ${ref.ton}` : '–'} | ${ref ? ratio(r.gas, ref.gas) : '–'} | ${ref ? ratio(Number(fromNano(r.fees)), ref.ton) : '–'} |`;
    };
    const both = { gas: COCOON.charge.gas + COCOON.payout.gas, ton: COCOON.charge.ton + COCOON.payout.ton };
    lines.push(cmp(paying, paying?.operation ?? 'claim with payout', both, 'client charge + worker payout (money reaches the worker)'));
    lines.push(cmp(claim, claim?.operation ?? 'claim (external message)', COCOON.charge, 'proxy-signed client charge'));
    lines.push(cmp(paying, paying?.operation ?? 'claim with payout', COCOON.payout, 'worker payout chain'));
    for (const name of ['open job (accepted)', 'payout on request', 'top up', 'close job', 'finalize job', 'cooperative settlement', 'final-voucher settlement']) {
        const r = find(name);
        if (r) lines.push(cmp(r, r.operation, null, ''));
    }
    lines.push('');
    lines.push('| One job\'s whole life | transactions | gas | TON burned |');
    lines.push('|---|---:|---:|---:|');
    if (session) {
        lines.push(`| ours: open + 10 claims + close + finalize | ${session.transactions} | ${int(session.gas)} | ${fromNano(session.fees)} |`);
        if (sessionFinal) lines.push(`| ours: open + 10 claims, the last voucher final (no close, no finalize) | ${sessionFinal.transactions} | ${int(sessionFinal.gas)} | ${fromNano(sessionFinal.fees)} |`);
        lines.push(`| COCOON: client deploy + 12 TON top-up + 10 charges + 10 payouts + close | ${COCOON.session.transactions} | ${int(COCOON.session.gas)} | ${COCOON.session.ton} |`);
        lines.push(`| ratio (ours ÷ COCOON) | ${ratio(session.transactions, COCOON.session.transactions)} | ${ratio(session.gas, COCOON.session.gas)} | ${ratio(ton(session), COCOON.session.ton)} |`);
        head.push({ figure: "One job's life: open, 10 claims, close, finalize (TON burned)", ours: `${fromNano(session.fees)} TON, ${int(session.gas)} gas, ${session.transactions} txs`, reference: `${COCOON.session.ton} TON, ${int(COCOON.session.gas)} gas, ${COCOON.session.transactions} txs`, ratio: ratio(ton(session), COCOON.session.ton), section: '#on-chain-cost' });
    }
    if (paying) head.push({ figure: 'One payment reaching the worker (TON burned)', ours: `${paying.operation}: ${fromNano(paying.fees)} TON`, reference: `charge + payout ${both.ton.toFixed(4)} TON`, ratio: ratio(ton(paying), both.ton), section: '#on-chain-cost' });
    lines.push('');
    lines.push('A claim settles any number of requests at once (the voucher is cumulative), so per-request on-chain cost falls with the claim interval; COCOON likewise batches charges (≥ 1 TON owed) and payouts (≥ 10 TON).');
    return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------- overhead

interface Level {
    streams: number;
    engine: PhaseResult[];
    relay: PhaseResult[];
    rss: Record<ActorName, number>;
}

const med = (rs: PhaseResult[], pick: (r: PhaseResult) => number) => median(rs.map(pick));

async function measureLevels(c: Cluster, levels: { streams: number; seconds: number; reps: number }[], o: { maxTokens: number; seed: number }): Promise<Level[]> {
    const out: Level[] = [];
    let errors = 0;
    for (const l of levels) {
        // a stream may wait long at 500 streams on a busy machine (500 ÷ throughput): only a hang is an error
        const load: LoadOptions = { concurrency: l.streams, seconds: l.seconds, maxRequests: 1_000_000, maxTokens: o.maxTokens, seed: o.seed, requestTimeoutMs: 300_000 };
        const engine: PhaseResult[] = [];
        const relay: PhaseResult[] = [];
        // warm-up: the relay opens a job per concurrent stream before anything is timed
        const w = await phase(c, c.relayTarget, { ...load, seconds: 900, maxRequests: l.streams, requestTimeoutMs: 900_000 });
        errors += w.load.errors;
        for (let i = 0; i < l.reps; i++) {
            engine.push(await phase(c, c.engineTarget, { ...load, seed: o.seed + i }));
            relay.push(await phase(c, c.relayTarget, { ...load, seed: o.seed + i }));
        }
        for (const r of [...engine, ...relay]) errors += r.load.errors;
        const lv = { streams: l.streams, engine, relay, rss: currentMemory(c) };
        out.push(lv);
        console.log(`  ${l.streams} streams: engine ${f(med(engine, (r) => r.requestsPerSecond))} req/s, relay ${f(med(relay, (r) => r.requestsPerSecond))} req/s, TTFT p50 ${f(med(engine, (r) => r.ttft.p50))} / ${f(med(relay, (r) => r.ttft.p50))} ms`);
    }
    if (errors > 0) {
        const samples = out.flatMap((l) => [...l.engine, ...l.relay].flatMap((r) => r.load.errorSamples)).slice(0, 5);
        console.error(`${errors} request(s) failed: ${samples.join(' | ')}`);
        process.exitCode = 1;
    }
    return out;
}

function levelTable(levels: Level[]): string[] {
    const lines = [
        '| Streams | Requests engine / via relay | TTFT p50 engine / via relay (ms) | TTFT p99 engine / via relay (ms) | End to end p50 / p99 engine (ms) | End to end p50 / p99 via relay (ms) | Chunk gap p50 / p99 engine (ms) | Chunk gap p50 / p99 via relay (ms) | Requests/s engine / via relay | Completion tokens/s engine / via relay | CPU ms per request via relay: relay / worker / engine / chain (engine alone) | RSS after: relay / worker / engine / chain |',
        '|---:|---|---|---|---|---|---|---|---|---|---|---|',
    ];
    for (const l of levels) {
        const e = l.engine;
        const r = l.relay;
        const sum = (rs: PhaseResult[]) => rs.reduce((a, x) => a + x.load.completed, 0);
        const errs = [...e, ...r].reduce((a, x) => a + x.load.errors, 0);
        lines.push(
            `| ${l.streams} | ${sum(e)} / ${sum(r)}${errs ? ` (**${errs} errors**)` : ''} | ${f(med(e, (x) => x.ttft.p50))} / ${f(med(r, (x) => x.ttft.p50))} | ${f(med(e, (x) => x.ttft.p99))} / ${f(med(r, (x) => x.ttft.p99))} | ${f(med(e, (x) => x.e2e.p50))} / ${f(med(e, (x) => x.e2e.p99))} | ${f(med(r, (x) => x.e2e.p50))} / ${f(med(r, (x) => x.e2e.p99))} | ${f(med(e, (x) => x.gap.p50), 2)} / ${f(med(e, (x) => x.gap.p99))} | ${f(med(r, (x) => x.gap.p50), 2)} / ${f(med(r, (x) => x.gap.p99))} | ${f(med(e, (x) => x.requestsPerSecond))} / ${f(med(r, (x) => x.requestsPerSecond))} | ${f(med(e, (x) => x.tokensPerSecond), 0)} / ${f(med(r, (x) => x.tokensPerSecond), 0)} | ${ACTORS.map((a) => f(med(r, (x) => x.cpuPerRequest[a]), 2)).join(' / ')} (${f(med(e, (x) => x.cpuPerRequest.engine), 2)}) | ${ACTORS.map((a) => mib(l.rss[a])).join(' / ')} |`,
        );
    }
    return lines;
}

async function overheadSection(quick: boolean, seed: number, head: Headline[]): Promise<{ text: string; actorsCpuPerRequest: number }> {
    const words = 32;
    const c = await startCluster({ engine: { kind: 'stub', answerWords: words, chunkDelayMs: 2 }, maxTokens: words + 16, maxConcurrency: 500 });
    try {
        const levels = await measureLevels(
            c,
            quick
                ? [
                      { streams: 1, seconds: 3, reps: 1 },
                      { streams: 50, seconds: 3, reps: 1 },
                      { streams: 500, seconds: 5, reps: 1 },
                  ]
                : [
                      { streams: 1, seconds: 5, reps: 3 },
                      { streams: 50, seconds: 5, reps: 3 },
                      { streams: 500, seconds: 15, reps: 2 },
                  ],
            { maxTokens: words + 16, seed },
        );
        const peak = peakMemory(c);
        const at = (n: number) => levels.find((l) => l.streams === n);
        const l50 = at(50);
        const l500 = at(500);
        if (l50) {
            const add = med(l50.relay, (x) => x.ttft.p50) - med(l50.engine, (x) => x.ttft.p50);
            head.push({ figure: 'Time to first token at 50 streams, p50 (relay + worker vs engine alone)', ours: `${f(med(l50.relay, (x) => x.ttft.p50))} ms (+${f(add)} ms)`, reference: `${f(med(l50.engine, (x) => x.ttft.p50))} ms`, ratio: ratio(med(l50.relay, (x) => x.ttft.p50), med(l50.engine, (x) => x.ttft.p50)), section: '#relay-and-worker-overhead' });
        }
        if (l500) {
            const n = l500.relay.reduce((a, x) => a + x.load.completed, 0);
            const errs = [...l500.engine, ...l500.relay].reduce((a, x) => a + x.load.errors, 0);
            head.push({ figure: '500 concurrent streams: requests/s (relay + worker vs engine alone)', ours: `${f(med(l500.relay, (x) => x.requestsPerSecond))} req/s (${n} streams, ${errs} errors)`, reference: `${f(med(l500.engine, (x) => x.requestsPerSecond))} req/s`, ratio: ratio(med(l500.relay, (x) => x.requestsPerSecond), med(l500.engine, (x) => x.requestsPerSecond)), section: '#relay-and-worker-overhead' });
        }
        const text = [
            `The fast vLLM-shaped stub engine (SSE with usage; ${words} content chunks 2 ms apart) alone, then the same load through relay + worker, each actor (relay, worker, engine, local chain server) in its own process on 127.0.0.1; the load client sends streaming chat requests over fetch and parses SSE. ${quick ? 'Quick mode: one short round per level.' : 'Medians of 3 rounds of 5 s at 1 and 50 streams, 2 rounds of 15 s at 500.'} Before the timed rounds the relay opens one job per concurrent stream (a job serves one request at a time). TTFT = first content chunk; "gap" = time between consecutive content chunks as the client sees them (0: several arrived in one read). CPU per request and memory from /proc of each actor's process (utime + stime, VmRSS, VmHWM). Every request of every round completed with usage and [DONE] (the run fails otherwise). The 60-s run with its own flags is \`npm run bench:load\`.`,
            '',
            ...levelTable(levels),
            '',
            `Peak RSS over the whole run, per actor: ${formatPerActor(peak, mib)}; load client ${mib(peak.client)}.`,
        ].join('\n');
        return { text, actorsCpuPerRequest: l50 ? med(l50.relay, (x) => x.cpuPerRequest.actors) : NaN };
    } finally {
        await c.stop();
    }
}

// ---------------------------------------------------------------------------------------------- engine path

async function engineSection(quick: boolean, seed: number, head: Headline[]): Promise<string> {
    // two jobs serve every request: 100 TON each so no top-up happens mid-run
    const c = await startCluster({ engine: { kind: 'tiny' }, maxTokens: 48, maxConcurrency: 2, depositTon: 100 });
    try {
        const levels = await measureLevels(c, quick ? [{ streams: 1, seconds: 3, reps: 1 }, { streams: 2, seconds: 3, reps: 1 }] : [{ streams: 1, seconds: 5, reps: 3 }, { streams: 2, seconds: 5, reps: 3 }], { maxTokens: 48, seed });
        const lines = [
            'The tiny real model (a generated 2-layer GGUF, node-llama-cpp on the CPU, two sequences: `devnet/engine`) alone, then through relay + worker. Completion tokens per second as counted by the usage the client received.',
            '',
            '| Streams | Tokens/s engine alone | Tokens/s through relay + worker | Ratio | TTFT p50 engine / via relay (ms) | Requests engine / via relay |',
            '|---:|---:|---:|---:|---|---|',
        ];
        for (const l of levels) {
            const te = med(l.engine, (x) => x.tokensPerSecond);
            const tr = med(l.relay, (x) => x.tokensPerSecond);
            lines.push(`| ${l.streams} | ${f(te, 0)} | ${f(tr, 0)} | ${ratio(tr, te)} | ${f(med(l.engine, (x) => x.ttft.p50))} / ${f(med(l.relay, (x) => x.ttft.p50))} | ${l.engine.reduce((a, x) => a + x.load.completed, 0)} / ${l.relay.reduce((a, x) => a + x.load.completed, 0)} |`);
        }
        const l2 = levels[levels.length - 1];
        head.push({ figure: `Tiny real model, ${l2.streams} streams: completion tokens/s through the full path vs engine alone`, ours: `${f(med(l2.relay, (x) => x.tokensPerSecond), 0)} tok/s`, reference: `${f(med(l2.engine, (x) => x.tokensPerSecond), 0)} tok/s`, ratio: ratio(med(l2.relay, (x) => x.tokensPerSecond), med(l2.engine, (x) => x.tokensPerSecond)), section: '#engine-path' });
        return lines.join('\n');
    } finally {
        await c.stop();
    }
}

// ---------------------------------------------------------------------------------------------- where

async function whereSection(quick: boolean, actorsCpuPerRequest: number): Promise<string> {
    const chunks = 32;
    const rows = await whereTheTimeGoes({ ms: quick ? 100 : 300, rounds: quick ? 1 : 3, chunks });
    const cpu = rows.filter((r) => r.kind === 'cpu').reduce((a, r) => a + r.perRequest * r.seconds, 0);
    const flush = rows.filter((r) => r.kind === 'flush').reduce((a, r) => a + r.perRequest * r.seconds, 0);
    const lines = [
        `Each step measured alone (median of ${quick ? 1 : 3} rounds) for one streamed request of ${chunks} content chunks. "× per request" is how often relay + worker do it per request (relay: the pending request, the accounting transaction, the voucher marked sent; worker: the voucher kept, the receipt issued); rows with 0 are comparisons: a write alone (what every request paid before group commit: a flush of ~ms on the event loop), and the chain read the worker caches for 2 s. "cpu" rows run on the event loop; "flush" rows are awaited commit time, shared by the requests committed together.`,
        '',
        '| Step | Where | Kind | µs each | × per request | µs per request |',
        '|---|---|---|---:|---:|---:|',
        ...rows.map((r) => `| ${r.step} | ${r.where} | ${r.kind} | ${f(r.seconds * 1e6)} | ${r.perRequest} | ${r.perRequest ? f(r.perRequest * r.seconds * 1e6) : '–'} |`),
        `| **sum per request** | | cpu / flush | | | **${f(cpu * 1e6)} / ${f(flush * 1e6)}** |`,
        '',
        Number.isFinite(actorsCpuPerRequest)
            ? `Against the measured CPU time of the relay, worker and chain processes per request at 50 streams (${f(actorsCpuPerRequest, 2)} ms together, above), the cpu steps are ${f((100 * cpu * 1000) / actorsCpuPerRequest)}%: the rest is HTTP and SSE on three hops (client→relay, relay→worker, worker→engine), JSON, cell (de)serialization, the chain reads and garbage collection.`
            : 'Run with the overhead part to compare these steps with the measured CPU per request.',
    ];
    return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------- document

function machine(load0: number[], load1: number[], quick: boolean, parts: Part[]): string {
    let commit = 'unknown';
    try {
        commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    } catch {
        /* not a git checkout */
    }
    return [
        '| | |',
        '|---|---|',
        `| CPU | ${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} cores |`,
        `| RAM | ${(totalmem() / 2 ** 30).toFixed(1)} GiB |`,
        `| Node | ${process.version} (${process.platform}-${process.arch}) |`,
        `| Load average (1, 5, 15 min) at start | ${load0.map((x) => x.toFixed(2)).join(', ')} |`,
        `| Load average at end | ${load1.map((x) => x.toFixed(2)).join(', ')} |`,
        `| Generated | ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, \`npm run bench${quick ? ' -- --quick' : ''}\`${parts.length < PARTS.length ? ` (--only ${parts.join(',')})` : ''} |`,
        '',
        'A shared machine: other processes ran during the run (see the load average). Compare the two columns of one row (measured in the same run, minutes apart), not absolute numbers across runs.',
    ].join('\n');
}

const ORDER = ['Machine', 'Headline', 'On-chain cost', 'Relay and worker overhead', 'Crypto and attestation', 'Engine path', 'Where the time goes'];

/** The `## ` sections of a document by title (text from the heading to the next one). */
function sectionsOf(doc: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const part of doc.split(/\n(?=## )/).slice(1)) out.set(part.slice(3, part.indexOf('\n')).trim(), part.trimEnd());
    return out;
}

function generated(title: string, body: string): string {
    return `## ${title}\n\n<!-- generated by npm run bench (bench/index.ts): edits inside this section are overwritten -->\n\n${body}`;
}

async function main(): Promise<void> {
    const o = new Command()
        .name('bench')
        .option('--only <parts>', `comma-separated parts: ${PARTS.join(',')}`)
        .option('--quick', 'short rounds, one each (to try it out; numbers are rougher)')
        .option('--seed <n>', 'seed of the load prompts', (v) => Number(v), 1)
        .parse()
        .opts<{ only?: string; quick?: boolean; seed: number }>();
    const parts = (o.only ? o.only.split(',').map((s) => s.trim()) : [...PARTS]) as Part[];
    for (const p of parts) if (!PARTS.includes(p)) throw new Error(`unknown part '${p}' (parts: ${PARTS.join(', ')})`);
    const quick = Boolean(o.quick);
    const load0 = loadavg();
    const failed = await buildAllContracts();
    if (failed.length > 0) throw new Error(`contracts did not compile: ${failed.join(', ')}`);

    const head: Headline[] = [];
    const sections: [string, string][] = [];
    let actorsCpu = NaN;
    if (parts.includes('chain')) {
        console.log('on-chain cost…');
        sections.push(['On-chain cost', await chainSection(head)]);
    }
    if (parts.includes('overhead')) {
        console.log('relay and worker overhead at 1, 50 and 500 streams…');
        const r = await overheadSection(quick, o.seed, head);
        actorsCpu = r.actorsCpuPerRequest;
        sections.push(['Relay and worker overhead', r.text]);
    }
    if (parts.includes('crypto')) {
        console.log('crypto and quote verification…');
        sections.push(['Crypto and attestation', `Generated by \`npm run bench\` (also \`npm run bench:crypto\`). Quote verification uses the real TDX quotes in \`tests/fixtures/tdx\` (COCOON's quote, Phala's collateral).\n\n${await cryptoTable()}`]);
    }
    if (parts.includes('engine')) {
        console.log('engine path with the tiny real model…');
        sections.push(['Engine path', await engineSection(quick, o.seed, head)]);
    }
    if (parts.includes('where')) {
        console.log('where the time goes…');
        sections.push(['Where the time goes', await whereSection(quick, actorsCpu)]);
    }
    const load1 = loadavg();

    // sections run now replace their old text; the others (--only) keep it; sections of other generators
    // (bench:worker's "Worker overhead") follow in their old order
    const old = sectionsOf(existsSync(DOC) ? readFileSync(DOC, 'utf8') : '');
    const fresh = new Map<string, string>(sections.map(([t, b]) => [t, generated(t, b)]));
    fresh.set('Machine', generated('Machine', machine(load0, load1, quick, parts)));
    // headline rows of the parts not run now are kept from the previous report
    const anchors: Record<Part, string> = { chain: '#on-chain-cost', overhead: '#relay-and-worker-overhead', crypto: '#crypto-and-attestation', engine: '#engine-path', where: '#where-the-time-goes' };
    const runAnchors = parts.map((p) => anchors[p]);
    const kept = (old.get('Headline') ?? '').split('\n').filter((l) => l.startsWith('| [') && !runAnchors.some((a) => l.includes(`](${a})`)));
    const rows = [...kept, ...head.map((h) => `| [${h.figure}](${h.section}) | ${h.ours} | ${h.reference} | ${h.ratio} |`)];
    rows.sort((a, b) => Object.values(anchors).findIndex((x) => a.includes(`](${x})`)) - Object.values(anchors).findIndex((x) => b.includes(`](${x})`)));
    if (rows.length > 0) fresh.set('Headline', generated('Headline', ['| Figure | cocoon-ton | Reference | Ratio |', '|---|---|---|---|', ...rows].join('\n')));
    const titles = [...ORDER, ...[...old.keys()].filter((t) => !ORDER.includes(t))];
    const body = titles.map((t) => fresh.get(t) ?? old.get(t)).filter((x): x is string => Boolean(x));
    const intro = '# Benchmarks\n\nGenerated by `npm run bench` (`-- --only ' + PARTS.join(',') + '` for parts, `-- --quick` to try it out); `npm run bench:load` is the 60-s, 500-stream load run. Every figure is measured in one run next to its reference; ratios are ours ÷ reference.';
    const doc = [intro, ...body].join('\n\n');
    writeFileSync(DOC, doc.trimEnd() + '\n');
    console.log(`\nwrote ${DOC}`);
    process.exit(process.exitCode ?? 0);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});

