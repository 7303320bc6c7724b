/**
 * docs/protocol.md §10 is what a wallet user reads: each row's comments must be the command words that
 * contracts/comments.fc knows, and sending any of them from a stranger's plain wallet must do what the table says
 * (a deposit word adds value; any other command is refused with a readable reason, never kept as a deposit).
 */
import { readFileSync } from 'fs';
import path from 'path';
import { Address, toNano } from '@ton/core';
import '@ton/test-utils';
import { commentBody } from '../../wrappers/common';
import { Errors } from '../../wrappers/Constants';
import { deployCouncil } from '../../wrappers/testkit/council';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';
import { refusalTo } from '../../wrappers/testkit/replies';
import { hashOf } from '../../wrappers/testkit';

const ROOT = path.join(__dirname, '..', '..');

type Target = 'worker account' | 'job' | 'proposal';

interface Row {
    comments: string[];
    target: Target;
}

/** The rows of the §10 table whose target takes commands, with the backticked comments of their first column. */
function tableRows(): Row[] {
    const doc = readFileSync(path.join(ROOT, 'docs', 'protocol.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## 10. Plain-wallet comments'), doc.indexOf('\n## 11.'));
    const rows: Row[] = [];
    for (const line of section.split('\n')) {
        const cells = line.split('|').map((c) => c.trim());
        const target = cells[2] as Target;
        if (!['worker account', 'job', 'proposal'].includes(target)) continue;
        const comments = [...cells[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
        rows.push({ comments: cells[1].startsWith('(none), empty') ? ['', ...comments] : comments, target });
    }
    return rows;
}

/** The command words comments.fc defines ("..."u constants), the language every contract shares. */
function contractWords(): string[] {
    const fc = readFileSync(path.join(ROOT, 'contracts', 'comments.fc'), 'utf8');
    return [...fc.matchAll(/const int word::\w+ = "([^"]+)"u;/g)].map((m) => m[1]);
}

const DEPOSIT_WORDS = new Set(['', 'deposit', 'stake', 'top up', 'topup']);

describe('docs/protocol.md §10 and the contracts agree', () => {
    const rows = tableRows();
    const documented = new Set(rows.flatMap((r) => r.comments).filter((c) => c !== ''));

    it('the table has rows for the worker account, the job and the proposal', () => {
        expect(new Set(rows.map((r) => r.target))).toEqual(new Set(['worker account', 'job', 'proposal']));
    });

    it('every comment in the table is a command word of comments.fc, and every command word is in the table', () => {
        const words = new Set(contractWords());
        for (const c of documented) expect(words).toContain(c);
        for (const w of words) expect(documented).toContain(w);
    });

    it('from a stranger, a deposit word adds value and every other documented command is refused with a reason', async () => {
        const p = await deployForJobs();
        const j = await openJob(p);
        const worker = p.workers[0].worker;
        const stranger = await p.wallet('stranger');
        const k = await deployCouncil();
        const { proposal } = await k.propose(k.alice, [{ kind: 'root', value: toNano('0.05'), action: { kind: 'retireImage', imageHash: hashOf('x') } }]);

        const balanceOf = async (target: Target): Promise<bigint> =>
            target === 'job' ? j.job.getDeposit() : target === 'worker account' ? (await worker.getState()).stake : proposal.getBalance();
        const address = (target: Target): Address => (target === 'job' ? j.job.address : target === 'worker account' ? worker.address : proposal.address);

        for (const { comments, target } of rows) {
            for (const text of comments) {
                // A proposal takes no deposits, and `yes`/`no`/`execute` from an outsider are refused as "not a member"/"not passed".
                const sender = target === 'proposal' ? k.outsider : stranger;
                const before = await balanceOf(target);
                const result = await sender.send({ to: address(target), value: toNano('1'), body: commentBody(text) });
                const refusal = refusalTo(result, sender.address);
                if (DEPOSIT_WORDS.has(text) && target !== 'proposal') {
                    expect({ target, text, refusal }).toEqual({ target, text, refusal: undefined });
                    expect(await balanceOf(target)).toBeGreaterThan(before);
                } else {
                    expect({ target, text, refused: refusal !== undefined }).toEqual({ target, text, refused: true });
                    expect(refusal!.reason.length).toBeGreaterThan(0);
                    expect(Object.values(Errors)).toContain(refusal!.error);
                    // Nothing of the refused value stays as a deposit (a proposal's balance may grow by the storage reserve it keeps).
                    if (target !== 'proposal') expect(await balanceOf(target)).toBe(before);
                }
            }
        }
    });
});
