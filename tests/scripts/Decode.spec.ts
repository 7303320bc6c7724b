/**
 * `npm run decode`: a member checks a link from a chat, a raw body or a proposal on-chain before signing.
 */
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { spawnSync } from 'child_process';
import path from 'path';
import { createProposalBody, vetoProposalBody } from '../../wrappers/Council';
import { commentBody } from '../../wrappers/common';
import { rootGovernanceBody } from '../../wrappers/Root';
import { hashOf } from '../../wrappers/testkit';
import { deployCouncil, CouncilKit } from '../../wrappers/testkit/council';
import { SandboxNetworkProvider } from '../../wrappers/testkit/networkProvider';
import { classify, describeBody, describeLink, describeProposal } from '../../scripts/tools/decode';
import { run as propose } from '../../scripts/council/propose';

const repo = path.resolve(__dirname, '..', '..');
const hex = (v: Buffer) => v.toString('hex');

describe('decode', () => {
    let k: CouncilKit;
    beforeAll(async () => {
        k = await deployCouncil();
    });

    it('reads the link council/propose prints: actions, image hashes, supersession and grace in words', async () => {
        const img = hashOf('decoded image');
        const p = new SandboxNetworkProvider(k.blockchain, k.alice);
        await propose(p, ['--council', k.council.address.toString(), '--action', 'add-image', '--image', hex(img), '--label', 'worker v3 H100', '--supersedes', hex(k.imageHash), '--grace', '604800', '--description', 'worker v3', '--evidence', hex(hashOf('worker v3 notes')), '--link-only']);
        const link = p.ui().output.find((l) => l.includes('ton://transfer/'))!.replace(/^.*?(ton:\/\/\S+).*$/, '$1');
        expect(classify(link)).toBe('link');
        const text = describeLink(link, true).join('\n');
        expect(text).toContain(`to ${k.council.address.toString({ testOnly: true })}`);
        expect(text).toContain('creates a council proposal with 1 action(s)');
        expect(text).toContain('description: worker v3');
        expect(text).toContain(`image hash ${hex(img)}`);
        expect(text).toContain('label "worker v3 H100"');
        expect(text).toContain(`supersedes ${hex(k.imageHash)}, which stays accepted for 7 days after execution`);
        expect(text).toContain(`evidence ${hex(hashOf('worker v3 notes'))}`);
    });

    it('reads comments, governance bodies and refuses to bless unknown bytes', () => {
        expect(describeBody(commentBody('Yes'))[0]).toMatch(/votes YES/);
        expect(describeBody(commentBody('withdraw'))[0]).toMatch(/withdraws the stake/);
        expect(describeBody(null)[0]).toMatch(/plain transfer/);
        const gov = rootGovernanceBody({ kind: 'addModel', modelHash: hashOf('m'), name: 'org/m@1:2' });
        expect(describeBody(gov, toNano('0.05')).join('\n')).toContain(`model hash ${hex(hashOf('m'))}`);
        const boc = gov.toBoc().toString('base64');
        expect(classify(boc)).toBe('boc');
        expect(describeBody(commentBody('hello'))[0]).toMatch(/not a command/);
        expect(describeBody(commentBody('x').asBuilder().storeUint(1, 1).endCell())[0]).toMatch(/unreadable text comment/);
        expect(describeBody(commentBody('x').asBuilder().endCell().asSlice().skip(32).asCell().asBuilder().storeUint(0xdeadbeef, 32).endCell())[0]).toMatch(/unknown op|message/);
        const unknown = createProposalBody([], 'x').asSlice().skip(0).asCell();
        expect(describeBody(unknown)[0]).toMatch(/0 action/);
        expect(describeBody(unknown).join('\n')).toContain('evidence: none');
        expect(describeBody(vetoProposalBody(7))[0]).toMatch(/until it is executed/);
    });

    it('reads a proposal from the chain by its address', async () => {
        const { id, proposal } = await k.propose(k.bob, [{ kind: 'root', value: toNano('0.05'), action: { kind: 'retireImage', imageHash: k.imageHash } }], { description: 'retire old' });
        expect(classify(proposal.address.toString())).toBe('address');
        const lines = await describeProposal({ provider: (a) => k.blockchain.provider(a), chainTime: async () => k.blockchain.now! }, proposal.address, true);
        const text = lines.join('\n');
        expect(text).toContain(`proposal ${id} of council`);
        expect(text).toContain(`root: retire image 0x${hex(k.imageHash)}`);
        expect(text).toContain('timelock 2 days');
        expect(text).toContain('evidence: none');
        const evidence = hashOf('release notes v4');
        const withEvidence = await k.propose(k.bob, [{ kind: 'root', value: toNano('0.05'), action: { kind: 'addModel', modelHash: hashOf('m4'), name: 'org/m@4' } }], { description: 'add m4', evidence });
        const added = (await describeProposal({ provider: (a) => k.blockchain.provider(a), chainTime: async () => k.blockchain.now! }, withEvidence.proposal.address, true)).join('\n');
        expect(added).toContain(`evidence ${hex(evidence)}`);
    });

    it('npm run decode prints a base64 body in words', () => {
        const boc = commentBody('close').toBoc().toString('base64');
        const r = spawnSync('npx', ['ts-node', '--transpile-only', 'scripts/tools/decode.ts', boc], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
        expect(r.stdout).toMatch(/closes the job/);
    });
});
