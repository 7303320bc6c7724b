/**
 * A W5 (WalletContractV5R1) wallet from a mnemonic, signing on this chain's network global id as Blueprint
 * does (`walletId.networkGlobalId`, subwallet 0, workchain 0), so the same mnemonic gives the same address here
 * and in `blueprint run --mnemonic`.
 *
 * Seqno handling: sends are queued one after another; each reads the wallet's seqno on chain and, when its own
 * previous external has not been processed yet (seqno not above the one it used), waits for that first. Two
 * sends in a row therefore never sign the same seqno, within one process. Two processes sharing one wallet
 * still race: give each process its own wallet (or subwallet).
 *
 * Balance check: the wallet sends with IGNORE_ERRORS, so a transfer it cannot pay for is skipped while its own
 * transaction succeeds, and a caller waiting for the trace would see success and nothing delivered. Each send is
 * therefore priced first (estimateExternalFee, the node's own emulation) and refused with ChainError('rejected')
 * when the balance does not cover the values plus the fees.
 */
import { Cell, fromNano, internal, SendMode, SenderArguments } from '@ton/core';
import { KeyPair } from '@ton/crypto';
import { WalletContractV5R1 } from '@ton/ton';
import { sleep } from './retry';
import { Chain, ChainError, ChainSender, ChainWallet, InternalMessage, SendResult } from './types';

export function w5Contract(publicKey: Buffer, networkGlobalId: number, subwalletNumber = 0): WalletContractV5R1 {
    return WalletContractV5R1.create({
        publicKey,
        walletId: { networkGlobalId, context: { workchain: 0, subwalletNumber, walletVersion: 'v5r1' } },
    });
}

export class W5Wallet implements ChainWallet {
    private queue: Promise<unknown> = Promise.resolve();
    private lastSeqno: number | null = null;

    constructor(
        private readonly chain: Chain,
        private readonly contract: WalletContractV5R1,
        private readonly keys: KeyPair,
        /** How long a send waits for the previous one to be processed. */
        private readonly seqnoWaitMs = 60_000,
    ) {}

    get address() {
        return this.contract.address;
    }

    async balance(): Promise<bigint> {
        return (await this.chain.getAccount(this.address)).balance;
    }

    send(messages: InternalMessage[]): Promise<SendResult> {
        if (messages.length < 1 || messages.length > 4) throw new ChainError('rejected', 'a wallet send carries 1 to 4 messages');
        const run = this.queue.then(() => this.sendNow(messages));
        this.queue = run.catch(() => undefined);
        return run;
    }

    /** A @ton/core Sender over this wallet, so wrappers' send* methods can sign with it. */
    sender(): ChainSender {
        const sent: SendResult[] = [];
        return {
            address: this.address,
            sent,
            send: async (args: SenderArguments) => {
                const init = args.init?.code && args.init?.data ? { code: args.init.code, data: args.init.data } : undefined;
                sent.push(await this.send([{ to: args.to, value: args.value, body: args.body ?? undefined, bounce: args.bounce ?? true, init }]));
            },
        };
    }

    private async seqno(): Promise<{ seqno: number; active: boolean; balance: bigint }> {
        const account = await this.chain.getAccount(this.address);
        if (account.status !== 'active') return { seqno: 0, active: false, balance: account.balance };
        const r = await this.chain.runGetMethod(this.address, 'seqno');
        if (r.exitCode !== 0) throw new ChainError('bad_response', `seqno exited with ${r.exitCode}`);
        return { seqno: r.stack.readNumber(), active: true, balance: account.balance };
    }

    private async sendNow(messages: InternalMessage[]): Promise<SendResult> {
        let current = await this.seqno();
        const deadline = Date.now() + this.seqnoWaitMs;
        let delay = 200;
        while (this.lastSeqno !== null && current.seqno <= this.lastSeqno) {
            if (Date.now() > deadline) throw new ChainError('timeout', `wallet ${this.address} still at seqno ${current.seqno} after its send with ${this.lastSeqno}`);
            await sleep(delay);
            delay = Math.min(2_000, delay * 2);
            current = await this.seqno();
        }
        // valid_until from chain time, not the local clock (a local chain may run ahead or behind).
        const timeout = (await this.chain.now()) + 120;
        const body = this.contract.createTransfer({
            seqno: current.seqno,
            secretKey: this.keys.secretKey,
            timeout,
            sendMode: SendMode.PAY_GAS_SEPARATELY + SendMode.IGNORE_ERRORS,
            messages: messages.map((m) => internal({ to: m.to, value: m.value, body: m.body, bounce: m.bounce ?? true, init: m.init })),
        });
        const init = current.active ? undefined : { code: this.contract.init.code, data: this.contract.init.data };
        await this.requireFunds(body, init, messages, current.balance);
        const result = await this.chain.sendExternal(this.address, body, init);
        this.lastSeqno = current.seqno;
        return result;
    }

    /** Refuses a send the wallet could not pay for (see the balance check above). */
    private async requireFunds(body: Cell, init: { code: Cell; data: Cell } | undefined, messages: InternalMessage[], balance: bigint): Promise<void> {
        const fees = await this.chain.estimateExternalFee(this.address, body, { init });
        const values = messages.reduce((sum, m) => sum + m.value, 0n);
        const need = values + fees.total;
        // Every message sent costs at least the lump forwarding price: no forwarding fee means the action phase
        // skipped the transfer (what IGNORE_ERRORS hides), even when the balance looked sufficient.
        if (balance < need || fees.forwardFee === 0n) {
            throw new ChainError(
                'rejected',
                `wallet ${this.address} holds ${fromNano(balance)} TON; this send needs ${fromNano(need)} (${fromNano(values)} sent + ${fromNano(fees.total)} fees)${fees.forwardFee === 0n ? ', and the wallet would send nothing' : ''}`,
            );
        }
    }
}
