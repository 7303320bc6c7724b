/**
 * The job code as a public library: the librarian publishes it on the masterchain, jobs deployed with the
 * library cell run it, and the scripts produce exactly the cell the contracts expect.
 */
import { beginCell, Cell, toNano } from '@ton/core';
import { Blockchain } from '@ton/sandbox';
import '@ton/test-utils';
import { loadCode } from '../../wrappers/code';
import { JobState } from '../../wrappers/Constants';
import { Librarian, LIBRARIAN_CODE, libraryHashOf } from '../../wrappers/Librarian';
import { libraryCell } from '../../wrappers/library';
import { Root } from '../../wrappers/Root';
import { Ledger } from '../../wrappers/testkit';
import { gasConstant } from '../../wrappers/testkit/gas';
import { gasOf, txTo } from '../../wrappers/testkit/transactions';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';
import { SandboxNetworkProvider } from '../../wrappers/testkit/networkProvider';
import { run as deployRoot } from '../../scripts/root/deploy';
import { JOB_LIBRARY_BOC, run as publishJobCode } from '../../scripts/root/publishJobCode';
import { readFileSync } from 'fs';

describe('job code as a public library', () => {
    it('the librarian publishes the job code on the masterchain as a public library', async () => {
        const blockchain = await Blockchain.create();
        const ledger = new Ledger(blockchain);
        const governance = await blockchain.treasury('governance');
        ledger.track(governance.address);
        const jobCode = loadCode('Job');
        const librarian = blockchain.openContract(Librarian.createFor(jobCode));
        expect(librarian.address.workChain).toBe(-1);
        const e = await ledger.run(() => librarian.sendDeploy(governance.getSender(), toNano('10')));
        expect(e.result.transactions).toHaveTransaction({ to: librarian.address, deploy: true, success: true, actionResultCode: 0 });
        // Its transaction's gas, which the root adds to every rent payment (gas::librarian).
        expect(gasOf(txTo(e.result.transactions, librarian.address))).toBeLessThanOrEqual(gasConstant('gas::librarian'));
        expect(await librarian.getLibraryHash()).toEqual(jobCode.hash());
        const account = (await blockchain.getContract(librarian.address)).account.account;
        if (account?.storage.state.type !== 'active') throw new Error('librarian not active');
        const libs = account.storage.state.state.libraries;
        expect(libs?.get(BigInt('0x' + jobCode.hash().toString('hex')))?.public).toBe(true);
        expect(await librarian.getIsPublished()).toBe(true);
    });

    it('its address follows from the library hash alone, and only the code of that hash is published there', async () => {
        const blockchain = await Blockchain.create();
        const ledger = new Ledger(blockchain);
        const anyone = await blockchain.treasury('anyone');
        ledger.track(anyone.address);
        const jobCode = loadCode('Job');
        const byHash = blockchain.openContract(Librarian.forLibrary(libraryHashOf(libraryCell(jobCode))));
        expect(byHash.address).toEqualAddress(Librarian.createFor(jobCode).address);
        // Rent sent before the code: kept; a wrong code: ignored; the right code: published.
        await ledger.run(() => anyone.send({ to: byHash.address, value: toNano('1'), init: byHash.init, bounce: false }));
        expect(await byHash.getIsPublished()).toBe(false);
        await ledger.run(() => anyone.send({ to: byHash.address, value: toNano('1'), body: beginCell().storeRef(loadCode('Root')).endCell() }));
        expect(await byHash.getIsPublished()).toBe(false);
        await ledger.run(() => anyone.send({ to: byHash.address, value: toNano('1'), body: beginCell().storeRef(jobCode).endCell() }));
        expect(await byHash.getIsPublished()).toBe(true);
    });

    it('the pinned librarian code is what contracts/librarian.fc compiles to', () => {
        expect(LIBRARIAN_CODE.equals(loadCode('Librarian'))).toBe(true);
    });

    it('a job deployed with the library cell runs the published code, and carries 40 bytes of code instead of ~2 KB', async () => {
        const p = await deployForJobs();
        expect(p.codes.job.isExotic).toBe(true);
        expect(p.codes.job.equals(libraryCell(loadCode('Job')))).toBe(true);
        const j = await openJob(p);
        expect(await j.job.getState()).toBe(JobState.Active);
        expect(p.codes.job.toBoc().length).toBeLessThan(100);
        expect(loadCode('Job').toBoc().length).toBeGreaterThan(1500);
    });

    it('a root can still run jobs with the whole code inline (no library published)', async () => {
        const p = await deployForJobs({ jobCodeAsLibrary: false });
        expect(p.codes.job.isExotic).toBe(false);
        const j = await openJob(p);
        expect(await j.job.getState()).toBe(JobState.Active);
    });

    it('root/publishJobCode writes the library cell root/deploy puts in the root by default', async () => {
        const p = await deployForJobs();
        const deployer = await p.wallet('deployer');
        const publisher = new SandboxNetworkProvider(p.blockchain, deployer);
        await publishJobCode(publisher, ['--rent', '5', '--send']);
        const written = Cell.fromBoc(readFileSync(JOB_LIBRARY_BOC))[0];
        expect(written.equals(libraryCell(loadCode('Job')))).toBe(true);
        const provider = new SandboxNetworkProvider(p.blockchain, deployer);
        await deployRoot(provider, ['--send']);
        const line = provider.ui().output.find((l) => l.startsWith('Root registry deployed at '))!;
        const root = p.blockchain.openContract(Root.createFromAddress((await import('@ton/core')).Address.parse(line.split(' ')[4])));
        expect((await root.getChildCodes()).jobCode.equals(written)).toBe(true);
    });
});
