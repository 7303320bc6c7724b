/**
 * The fixed stub every child of the root is deployed with (contracts/stub.fc), and the pinned constants the
 * contracts derive addresses from: they must never drift from the sources, or every child address would move.
 */
import { readFileSync } from 'fs';
import path from 'path';
import '@ton/test-utils';
import { loadCode } from '../../wrappers/code';
import { jobAddress } from '../../wrappers/Job';
import { LIBRARIAN_CODE } from '../../wrappers/Librarian';
import { STUB_CODE } from '../../wrappers/stub';
import { workerAddress } from '../../wrappers/Worker';
import { gasConstant } from '../../wrappers/testkit/gas';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';
import { treeSize } from '../../wrappers/testkit/sizes';

const contracts = path.join(__dirname, '..', '..', 'contracts');
const addresses = readFileSync(path.join(contracts, 'addresses.fc'), 'utf8');
// addresses.fc pins hex values (hashes), which gas.fc never holds: its own reader, for this file alone.
const constant = (text: string, name: string) => BigInt(new RegExp(`const int ${name} = (0x[0-9a-f]+|\\d+);`).exec(text)![1]);

describe('stub and pinned code', () => {
    it('contracts/stub.fc compiles to the pinned stub, and addresses.fc holds the same bytes, hash and depth', () => {
        expect(loadCode('Stub').equals(STUB_CODE)).toBe(true);
        const boc = /B\{([0-9a-f]+)\} B>boc PUSHREF/.exec(addresses)![1];
        expect(boc).toBe(STUB_CODE.toBoc().toString('hex'));
        expect(constant(addresses, 'stub::hash')).toBe(BigInt('0x' + STUB_CODE.hash().toString('hex')));
        expect(constant(addresses, 'stub::depth')).toBe(BigInt(STUB_CODE.depth()));
    });

    it('the librarian hash and depth the root derives librarian addresses from are the compiled librarian', () => {
        expect(loadCode('Librarian').equals(LIBRARIAN_CODE)).toBe(true);
        expect(constant(addresses, 'librarian::hash')).toBe(BigInt('0x' + LIBRARIAN_CODE.hash().toString('hex')));
        expect(constant(addresses, 'librarian::depth')).toBe(BigInt(LIBRARIAN_CODE.depth()));
    });

    it('the root and the TypeScript wrappers derive the same child addresses', async () => {
        const p = await deployForJobs();
        const w = p.workers[0];
        expect(await p.root.getWorkerAddress(w.owner.address, 0)).toEqualAddress(workerAddress(p.root.address, w.owner.address, 0));
        expect(w.worker.address).toEqualAddress(workerAddress(p.root.address, w.owner.address, 0));
        const j = await openJob(p);
        expect(j.address).toEqualAddress(jobAddress(j.id));
    });

    it('what the librarian keeps on the masterchain fits the size the root pays rent for', () => {
        // The published job code, plus the librarian's own code and data (hash, the code ref).
        const size = treeSize([loadCode('Job'), LIBRARIAN_CODE]);
        const kept = { bits: size.bits + 257, cells: size.cells + 1 };
        expect(kept.bits).toBeLessThanOrEqual(gasConstant('max_size::job_code_bits'));
        expect(kept.cells).toBeLessThanOrEqual(gasConstant('max_size::job_code_cells'));
        console.log(`library kept on the masterchain: ${kept.bits} bits, ${kept.cells} cells`);
    });
});
