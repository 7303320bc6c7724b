/**
 * Publishes the job escrow's code as a public masterchain library through a librarian contract, and writes the
 * library cell that stands for it to build/job-library.boc. Jobs deployed with that cell carry 40 bytes of code
 * instead of ~2 KB (docs/protocol.md §9.8). Run it before root/deploy (whose default is the library form), or
 * before a council `set-code --job-boc build/job-library.boc` proposal.
 * npx blueprint run root/publishJobCode --mainnet --tonconnect -- [--rent 10] [--send | --link-only]
 * The rent (TON) keeps the library alive on the masterchain until the root takes over: the root pays it from the
 * treasury (root/fundLibrary, anyone may send it), and jobs open only while it is paid 60 days ahead.
 */
import { compile, NetworkProvider } from '@ton/blueprint';
import { mkdirSync, writeFileSync } from 'fs';
import path from 'path';
import { Librarian, librarianDeployBody } from '../../wrappers/Librarian';
import { libraryCell } from '../../wrappers/library';
import { deliver, friendly, linkOnlyDone, ScriptArgs } from '../lib/cli';

export const JOB_LIBRARY_BOC = path.join(__dirname, '..', '..', 'build', 'job-library.boc');

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const jobCode = await compile('Job');
    const librarian = provider.open(Librarian.createFor(jobCode));
    const rent = await args.ton('rent', 'Masterchain storage rent to deposit, TON', '10');
    // The library cell depends on the code only: written either way, for root/deploy and set-code proposals.
    mkdirSync(path.dirname(JOB_LIBRARY_BOC), { recursive: true });
    writeFileSync(JOB_LIBRARY_BOC, libraryCell(jobCode).toBoc());
    provider.ui().write(`Library cell written to ${JOB_LIBRARY_BOC}`);
    const what = `Job code ${jobCode.hash().toString('hex')} published by the librarian ${friendly(provider, librarian.address)}`;
    const sent = await deliver(provider, args, { to: librarian.address, amount: rent, body: { cell: librarianDeployBody(jobCode) }, init: librarian.init });
    if (!sent) return linkOnlyDone(provider, what);
    await provider.waitForDeploy(librarian.address);
    provider.ui().write(what);
}
