/**
 * The relay's wallet opens jobs through the root (actors/relay/chain/funding.ts). A refused open_job succeeds
 * on-chain (the root answers with a refusal comment and the deposit), so the relay must read the refusal, not take
 * it for a job that never appeared.
 */
import { randomBytes } from 'crypto';
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { ChainError } from '../../../../actors/chain';
import { EmbeddedChain } from '../../../../actors/chain/dev';
import { DEFAULT_FUNDING, JobRefusedByWorker, WalletJobFunding } from '../../../../actors/relay/chain/funding';
import { Errors } from '../../../../wrappers/Constants';
import { PauseFlags } from '../../../../wrappers/Root';
import { DEFAULT_PRICES, ed25519FromLabel } from '../../../../wrappers/testkit';
import { deployForJobs } from '../../../../wrappers/testkit/jobs';

describe('WalletJobFunding: a refused open_job', () => {
    it('rejects with refused_on_chain, the root’s reason and the named error; the deposit is back with the wallet', async () => {
        const p = await deployForJobs();
        const chain = EmbeddedChain.over(p.blockchain);
        const wallet = await chain.openWallet((await chain.local.fundedWallet(toNano('100'))).mnemonic);
        const funding = new WalletJobFunding(chain, wallet, p.root.address, { bytes: (n) => randomBytes(n) }, { ...DEFAULT_FUNDING, challenge: p.params.minChallenge });
        const worker = p.workers[0].worker.address;
        const clientKey = ed25519FromLabel('relay voucher key').publicKey;

        // opens while job openings are allowed
        const opened = await funding.open(worker, toNano('5'), clientKey, DEFAULT_PRICES);
        expect(opened.deposit).toBeGreaterThan(0n);

        await p.root.sendGovernance(p.governance.getSender(), { kind: 'pause', flags: PauseFlags.jobOpenings }, toNano('0.05'));
        const before = (await chain.getAccount(wallet.address)).balance;
        const error = await funding.open(worker, toNano('5'), clientKey, DEFAULT_PRICES).then(
            () => null,
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ChainError);
        expect((error as ChainError).code).toBe('refused_on_chain');
        expect((error as ChainError).details).toMatchObject({ exitCode: Errors.jobOpeningsPaused, errorName: 'jobOpeningsPaused' });
        expect((error as ChainError).message).toMatch(/job openings are paused/);
        // only fees were spent: the deposit came back with the refusal
        expect(before - (await chain.getAccount(wallet.address)).balance).toBeLessThan(toNano('0.05'));
    });

    it('a worker account that refuses the offer: rejects with JobRefusedByWorker and the reason of the job’s refund (inactive); the deposit is back', async () => {
        const p = await deployForJobs();
        const chain = EmbeddedChain.over(p.blockchain);
        const wallet = await chain.openWallet((await chain.local.fundedWallet(toNano('100'))).mnemonic);
        const funding = new WalletJobFunding(chain, wallet, p.root.address, { bytes: (n) => randomBytes(n) }, { ...DEFAULT_FUNDING, challenge: p.params.minChallenge });
        const w = p.workers[0];
        await p.run(() => w.worker.sendRequestUnbond(w.owner.getSender(), toNano('0.1')) as never);
        const before = (await chain.getAccount(wallet.address)).balance;
        const error = await funding.open(w.worker.address, toNano('5'), ed25519FromLabel('relay voucher key').publicKey, DEFAULT_PRICES).then(
            () => null,
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(JobRefusedByWorker);
        expect((error as JobRefusedByWorker).reason).toBe('inactive');
        expect((await chain.getAccount((error as JobRefusedByWorker).job)).status).not.toBe('active');
        expect(before - (await chain.getAccount(wallet.address)).balance).toBeLessThan(toNano('0.1'));
    });
});
