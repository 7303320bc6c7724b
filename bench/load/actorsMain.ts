/**
 * The actors of the load benchmark in one process: the protocol on the embedded chain (actors/chain/dev),
 * one worker and the relay, each on its own HTTP server on 127.0.0.1, in front of an engine given by URL.
 * `ts-node bench/load/actorsMain.ts '<json ActorsOptions>'`; prints the relay URL and API key.
 */
import { toNano } from '@ton/core';
import { startNetwork, API_KEY } from '../../tests/actors/relay/kit/network';
import { DEFAULT_JOB_FRESHNESS_MS } from '../../actors/worker/chain/jobs';
import { announceReady } from './child';

export interface ActorsOptions {
    engineUrl: string;
    model: string;
    maxModelLen: number;
    /** Deposit of each job, TON. */
    depositTon: string;
    /** The relay wallet's TON (one job per concurrent stream). */
    relayBalanceTon: string;
    maxTokens: number;
}

async function main(): Promise<void> {
    const o = JSON.parse(process.argv[2]) as ActorsOptions;
    const net = await startNetwork({
        engine: { url: o.engineUrl, model: o.model, maxModelLen: o.maxModelLen },
        deposit: toNano(o.depositTon),
        relayBalance: toNano(o.relayBalanceTon),
        limits: { maxTokens: o.maxTokens, requestTimeoutMs: 60_000 },
        workerMaxTokens: o.maxTokens,
        jobFreshnessMs: DEFAULT_JOB_FRESHNESS_MS,
    });
    announceReady({ relayUrl: net.relayUrl, workerUrl: net.workers[0].url, apiKey: API_KEY }, async () => {
        const jobs = net.relayStore.jobs().length;
        console.error(JSON.stringify({ jobsOpened: jobs }));
        await net.stop();
    });
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
