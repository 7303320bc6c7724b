/**
 * The DAO council's Blueprint scripts, run against the sandbox through the same NetworkProvider interface
 * Blueprint gives them with --tonconnect, --deeplink or --mnemonic: deploy, hand the root over, propose,
 * vote by comment, execute, veto, cancel, cleanup and status.
 */
import { Address, toNano } from '@ton/core';
import { SandboxContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Council } from '../../wrappers/Council';
import { Proposal, ProposalState } from '../../wrappers/Proposal';
import { hashOf } from '../../wrappers/testkit';
import { deployCouncil, CouncilKit, TIMELOCK } from '../../wrappers/testkit/council';
import { SandboxNetworkProvider } from '../../wrappers/testkit/networkProvider';
import { run as deploy } from '../../scripts/council/deploy';
import { run as handover } from '../../scripts/council/handover';
import { run as propose } from '../../scripts/council/propose';
import { run as vote } from '../../scripts/council/vote';
import { run as execute } from '../../scripts/council/execute';
import { run as veto } from '../../scripts/council/veto';
import { run as cancel } from '../../scripts/council/cancel';
import { run as cleanup } from '../../scripts/council/cleanup';
import { run as status } from '../../scripts/council/status';

const hex = (v: Buffer) => v.toString('hex');

describe('council scripts', () => {
    let k: CouncilKit;
    let council: SandboxContract<Council>;

    beforeAll(async () => {
        // the kit gives the wallets and a root governed by its deployer wallet; the council comes from the script
        k = await deployCouncil({ noHandover: true });
    });

    const as = (w: { address: Address } & object, answers: string[] = []) =>
        new SandboxNetworkProvider(k.blockchain, w as never, answers);

    it('deploy, hand over, propose, vote by comment, execute: the image is allowed', async () => {
        const p1 = as(k.governance);
        await deploy(p1, [
            '--root', k.root.address.toString(),
            '--members', `${k.alice.address}:4,${k.bob.address}:3,${k.carol.address}:2`,
            '--threshold', '5',
            '--voting-days', '3',
            '--timelock-days', '2',
            '--guardian', k.guardian.address.toString(),
            '--sunset-days', '365',
            '--send',
        ]);
        const line = p1.ui().output.find((l) => l.startsWith('DAO council deployed at '))!;
        council = k.blockchain.openContract(Council.createFromAddress(Address.parse(line.split(' ')[4])));
        expect((await council.getCouncilData()).threshold).toBe(5n);

        await handover(as(k.governance), ['--root', k.root.address.toString(), '--council', council.address.toString(), '--step', 'propose', '--send']);
        await handover(as(k.bob), ['--root', k.root.address.toString(), '--council', council.address.toString(), '--step', 'accept', '--send']);
        expect((await k.root.getGovernance()).governance).toEqualAddress(council.address);

        const img = hashOf('script image');
        const pp = as(k.alice);
        await propose(pp, [
            '--council', council.address.toString(),
            '--action', 'add-image', '--image', hex(img), '--label', 'council image', '--supersedes', hex(k.imageHash), '--grace', '604800',
            '--description', 'worker v2',
            '--evidence', hex(hashOf('worker v2 release notes')),
            '--send',
        ]);
        expect(pp.ui().output.some((l) => l.includes('ton://transfer/'))).toBe(true);
        const proposal = k.blockchain.openContract(Proposal.createFromAddress(await council.getProposalAddress(0)));
        expect((await proposal.getProposalData()).readable[0]).toContain('superseding');

        const pv = as(k.bob);
        await vote(pv, ['--council', council.address.toString(), '--id', '0', '--vote', 'yes', '--send']);
        expect(pv.ui().output.some((l) => l.includes('text=yes'))).toBe(true);
        await vote(as(k.carol), ['--council', council.address.toString(), '--id', '0', '--vote', 'yes', '--send']);
        expect(await proposal.getState()).toBe(ProposalState.Passed);

        const ps = as(k.carol);
        await status(ps, ['--council', council.address.toString(), '--id', '0']);
        expect(ps.ui().output.join('\n')).toMatch(/voted yes/);
        expect(ps.ui().output.join('\n')).toContain(`evidence: ${hashOf('worker v2 release notes').toString('hex')}`);
        expect(ps.ui().output.join('\n')).toContain('"council image"');

        k.advance(TIMELOCK);
        await execute(as(k.outsider), ['--council', council.address.toString(), '--id', '0', '--send']);
        expect(await proposal.getState()).toBe(ProposalState.Executed);
        expect(await k.root.getIsImageAllowed(img)).toBe(true);

        await cleanup(as(k.outsider), ['--council', council.address.toString(), '--id', '0', '--send']);
        expect((await k.blockchain.getContract(proposal.address)).accountState).toBeUndefined();
    });

    it('propose a council change interactively (answers to prompts), cancel it; veto another', async () => {
        // action, member, weight, description asked through the UI
        await propose(as(k.alice, ['set-weight', k.carol.address.toString(), '1', 'carol steps back']), ['--council', council.address.toString(), '--send']);
        const { nextId } = await council.getCouncilData();
        const p = k.blockchain.openContract(Proposal.createFromAddress(await council.getProposalAddress(nextId - 1)));
        expect((await p.getProposalData()).actions[0]).toMatchObject({ kind: 'setWeight', weight: 1 });
        await cancel(as(k.alice), ['--council', council.address.toString(), '--id', String(nextId - 1), '--send']);
        expect(await p.getState()).toBe(ProposalState.Cancelled);

        await propose(as(k.alice), ['--council', council.address.toString(), '--action', 'set-threshold', '--threshold', '6', '--description', 't', '--send']);
        const id = nextId;
        await vote(as(k.alice), ['--council', council.address.toString(), '--id', String(id), '--vote', 'yes', '--send']);
        await vote(as(k.bob), ['--council', council.address.toString(), '--id', String(id), '--vote', 'yes', '--send']);
        await veto(as(k.guardian), ['--council', council.address.toString(), '--id', String(id), '--send']);
        const pv = k.blockchain.openContract(Proposal.createFromAddress(await council.getProposalAddress(id)));
        expect(await pv.getState()).toBe(ProposalState.Vetoed);

        const ps = as(k.alice);
        await status(ps, ['--council', council.address.toString(), '--send']);
        expect(ps.ui().output.join('\n')).toMatch(/threshold 5 of total weight 9/);
        expect(toNano('1')).toBeGreaterThan(0n);
    });
});
