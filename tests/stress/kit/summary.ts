/**
 * The catalogue's results for `npm run stress:input`: each spec writes its rows and memory samples to a JSON
 * file in STRESS_SUMMARY_DIR (the runner prints them as tables). Without the variable nothing is written.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Row } from './catalogue';
import type { MemorySample } from './memory';

export interface ActorSummary {
    actor: string;
    rows: Row[];
    memory: { before: MemorySample; after: MemorySample } | null;
    idle: { sockets: number; closedByServer: number; servedMeanwhile: boolean } | null;
}

export function writeSummary(s: ActorSummary): void {
    const dir = process.env.STRESS_SUMMARY_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${s.actor}.json`), JSON.stringify(s, null, 2));
}
