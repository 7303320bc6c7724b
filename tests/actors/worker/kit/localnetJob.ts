/**
 * A client's side on the local chain, for tests that run the worker as a process: open a job for a worker
 * account through the root (the sandbox under the local chain plays the client's wallet), and sign its vouchers.
 */
import { Address, Cell, toNano } from '@ton/core';
import { keyPairFromSeed, type KeyPair } from '@ton/crypto';
import type { SandboxContract } from '@ton/sandbox';
import type { Localnet } from '../../../../actors/chain/dev/localnet/localnet';
import { signVoucher } from '../../../../actors/crypto/payloads';
import { Job } from '../../../../wrappers/Job';
import { Root } from '../../../../wrappers/Root';
import { chainHead, ZERO_HEAD } from '../../../../wrappers/payloads';
import type { SignedReceipt } from '../../../../wrappers/payloads';
import { JobState } from '../../../../wrappers/Constants';

export interface LocalnetJob {
    job: SandboxContract<Job>;
    keys: KeyPair;
    /** The voucher that pays everything up to `receipt` (the first receipt of the job: its head follows the genesis). */
    voucherFor(receipt: { receipt: SignedReceipt['receipt']; cell: Cell }, o?: { final?: boolean }): Promise<{ cell: Cell; signature: Buffer }>;
}

export async function openLocalnetJob(net: Localnet, workerAccount: Address, jobId: bigint, label = 'client'): Promise<LocalnetJob> {
    const bc = net.chain.blockchain;
    const root = bc.openContract(Root.createFromAddress(Address.parse(net.protocol!.root)));
    const clientWallet = await bc.treasury(`${label} ${jobId}`);
    const keys = keyPairFromSeed(Buffer.alloc(32, Number(jobId)));
    const job = bc.openContract(Job.createForJob({ root: root.address, client: clientWallet.address, worker: workerAccount, jobId }));
    const params = await root.getParams();
    const max = toNano('5000');
    await root.sendOpenJob(clientWallet.getSender(), toNano('50'), { worker: workerAccount, jobId, clientKey: keys.publicKey, challenge: params.minChallenge, maxPrices: { prompt: max, cached: max, completion: max, reasoning: max } });
    if ((await job.getState()) !== JobState.Active) throw new Error(`job ${jobId} did not open`);
    return {
        job,
        keys,
        voucherFor: async (r, o = {}) =>
            signVoucher(
                {
                    globalId: r.receipt.globalId,
                    job: job.address,
                    nonce: await job.getNonce(),
                    amount: r.receipt.cumulative,
                    tokens: BigInt(r.receipt.tokens.prompt + r.receipt.tokens.completion),
                    head: chainHead(ZERO_HEAD, r.cell),
                    final: o.final ?? false,
                },
                keys.secretKey,
            ),
    };
}
