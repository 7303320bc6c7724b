/**
 * What a fresh local chain starts with: pre-funded W5 wallets (mnemonics printed for Blueprint's --mnemonic),
 * and, on request, the protocol: root (test-kit defaults, job code as a public library), its librarian, and a
 * DAO council of the first three wallets (weights 4, 3, 2; threshold 5) that governs the root.
 */
import { Address, toNano } from '@ton/core';
import { loadCode } from '../../../../wrappers/code';
import { Council } from '../../../../wrappers/Council';
import { Librarian } from '../../../../wrappers/Librarian';
import { deployProtocol, DEFAULT_IMAGE, DEFAULT_MODEL, DEFAULT_MODEL_NAME } from '../../../../wrappers/testkit';
import { EXECUTION_WINDOW, GUARDIAN_TERM, THRESHOLD, TIMELOCK, VOTING_PERIOD, WEIGHTS } from '../../../../wrappers/testkit/council';
import { Blockchain } from '@ton/sandbox';
import { requireSuccess } from '../../errors';
import { EmbeddedChain } from '../embedded';
import { FundedWallet, LocalChain, withGlobalId } from '../localChain';

export interface ProtocolAddresses {
    root: string;
    council: string;
    librarian: string;
    governanceWallet: string;
    imageHash: string;
    modelHash: string;
    modelName: string;
}

export interface Genesis {
    local: LocalChain;
    wallets: FundedWallet[];
    protocol: ProtocolAddresses | null;
}

export interface GenesisOptions {
    globalId: number;
    wallets: number;
    walletBalance: bigint;
    deploy: boolean;
    /** Mnemonics to reuse (same wallets across fresh starts); fresh ones otherwise. */
    mnemonics?: string[][];
}

export async function createGenesis(o: GenesisOptions): Promise<Genesis> {
    const now = Math.floor(Date.now() / 1000);
    let blockchain: Blockchain;
    let protocol: ProtocolAddresses | null = null;
    let deployed: Awaited<ReturnType<typeof deployProtocol>> | null = null;
    if (o.deploy) {
        deployed = await deployProtocol({ now });
        blockchain = deployed.blockchain;
    } else {
        blockchain = await Blockchain.create();
        blockchain.now = now;
    }
    blockchain.setConfig(withGlobalId(blockchain.config, o.globalId));
    const local = new LocalChain(blockchain, 'wall', 'localnet');
    const wallets: FundedWallet[] = [];
    for (let i = 0; i < o.wallets; i++) wallets.push(await local.fundedWallet(o.walletBalance, o.mnemonics?.[i]));

    if (deployed) {
        const p = deployed;
        const librarian = blockchain.openContract(Librarian.createFor(loadCode('Job')));
        await librarian.sendDeploy(p.governance.getSender(), toNano('10'));
        // The council: the first three printed wallets, so a newcomer can propose and vote from the terminal.
        const members = wallets.slice(0, 3);
        if (members.length < 3) throw new Error('--deploy needs at least 3 wallets (the council members)');
        const council = blockchain.openContract(
            Council.createFromConfig(
                {
                    root: p.root.address,
                    members: [
                        { address: members[0].address, weight: WEIGHTS.alice },
                        { address: members[1].address, weight: WEIGHTS.bob },
                        { address: members[2].address, weight: WEIGHTS.carol },
                    ],
                    threshold: THRESHOLD,
                    votingPeriod: VOTING_PERIOD,
                    timelock: TIMELOCK,
                    executionWindow: EXECUTION_WINDOW,
                    guardian: null,
                    guardianSunset: now + GUARDIAN_TERM,
                    proposalCode: loadCode('Proposal'),
                },
                loadCode('Council'),
            ),
        );
        await council.sendDeploy(p.governance.getSender(), toNano('1'));
        await p.root.sendGovernance(p.governance.getSender(), { kind: 'proposeGovernance', newGovernance: council.address }, toNano('0.05'));
        // The second step of the handover comes from a member: through the chain layer, as any client would.
        const chain = new EmbeddedChain(local);
        const member = await chain.openWallet(members[0].mnemonic);
        const sender = member.sender();
        await council.sendAcceptRoot(sender, toNano('0.05'));
        requireSuccess(await chain.waitForTrace(member.address, sender.sent[0]));
        const g = await p.root.getGovernance();
        if (!g.governance.equals(council.address)) throw new Error('root handover to the council failed');
        protocol = {
            root: friendly(p.root.address),
            council: friendly(council.address),
            librarian: friendly(librarian.address),
            governanceWallet: friendly(p.governance.address),
            imageHash: hex(DEFAULT_IMAGE),
            modelHash: hex(DEFAULT_MODEL),
            modelName: DEFAULT_MODEL_NAME,
        };
    }
    return { local, wallets, protocol };
}

/** Testnet-style friendly form: the local chain runs with the testnet global id by default. */
export function friendly(a: Address, bounceable = true): string {
    return a.toString({ testOnly: true, bounceable });
}

const hex = (v: Uint8Array) => Buffer.from(v).toString('hex');
