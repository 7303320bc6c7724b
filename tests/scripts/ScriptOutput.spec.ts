/**
 * What the scripts print, as the user's wallet would show it: addresses in the user-friendly form of the network
 * the script runs on (wallets non-bounceable, contracts bounceable), periods as durations, the chain's clock
 * rather than the local one, and no claim of success when only a link was printed.
 */
import { Address, Cell, toNano } from '@ton/core';
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Council, CouncilAction } from '../../wrappers/Council';
import { Root } from '../../wrappers/Root';
import { hashOf } from '../../wrappers/testkit';
import { CouncilKit, deployCouncil } from '../../wrappers/testkit/council';
import { deployForJobs } from '../../wrappers/testkit/jobs';
import { SandboxNetworkProvider, ScriptedUI } from '../../wrappers/testkit/networkProvider';
import { friendly } from '../../scripts/lib/cli';
import { wouldPromptWithoutTerminal } from '../../scripts/lib/catalog';
import { WalletlessNetworkProvider } from '../../scripts/lib/readonly';
import { describeProposal } from '../../scripts/tools/decode';
import { run as councilStatus } from '../../scripts/council/status';
import { run as councilDeploy } from '../../scripts/council/deploy';
import { run as propose } from '../../scripts/council/propose';
import { run as vote } from '../../scripts/council/vote';
import { run as execute } from '../../scripts/council/execute';
import { run as veto } from '../../scripts/council/veto';
import { run as handover } from '../../scripts/council/handover';
import { run as rootStatus } from '../../scripts/root/status';
import { run as rootDeploy } from '../../scripts/root/deploy';
import { run as publishJobCode } from '../../scripts/root/publishJobCode';

/** A mainnet user-friendly address (EQ…/UQ…): never printed by a script running on the testnet. */
const MAINNET_FORM = /\b[EU][Qf][A-Za-z0-9_-]{46}\b/;
/** The printed text without the links' base64url payloads (a state init or body), which can hold any 48 characters. */
const withoutPayloads = (out: string) => out.replace(/[?&](?:bin|init)=[A-Za-z0-9_-]+/g, '');
const RAW_FORM = /\b0:[0-9a-f]{64}\b/;
const wallet = (a: Address) => a.toString({ testOnly: true, bounceable: false });
const contract = (a: Address) => a.toString({ testOnly: true, bounceable: true });

function walletless(blockchain: Blockchain): WalletlessNetworkProvider<ScriptedUI> {
    return new WalletlessNetworkProvider(
        {
            provider: (a, init) => blockchain.provider(a, init?.code && init?.data ? { code: init.code, data: init.data } : undefined),
            chainTime: async () => blockchain.now!,
        },
        'testnet',
        new ScriptedUI(),
    );
}

/** Runs `f` with the local clock a year ahead of the chain's: any use of it shows in the output. */
async function withLocalClockAYearAhead<T>(blockchain: Blockchain, f: () => Promise<T>): Promise<T> {
    const realNow = Date.now;
    Date.now = () => (blockchain.now! + 365 * 86_400) * 1000;
    try {
        return await f();
    } finally {
        Date.now = realNow;
    }
}

describe('addresses of the right network and bounceability, periods as durations', () => {
    let k: CouncilKit;
    let id: number;
    let dave: SandboxContract<TreasuryContract>;

    beforeAll(async () => {
        k = await deployCouncil();
        dave = await k.wallet('dave');
        const params = await k.root.getParams();
        const actions: CouncilAction[] = [
            { kind: 'addMember', member: dave.address, weight: 1 },
            { kind: 'setGuardian', guardian: k.guardian.address, sunset: k.blockchain.now! + 86_400 },
            { kind: 'withdraw', amount: toNano('1'), to: k.outsider.address },
            { kind: 'setPeriods', votingPeriod: 90_061, timelock: 7 * 86_400, executionWindow: 2 * 86_400 + 3_600 },
            { kind: 'root', value: toNano('0.05'), action: { kind: 'setParams', params: { ...params, unbondingPeriod: 14 * 86_400 + 3_600 } } },
            { kind: 'setThreshold', threshold: 6n },
            { kind: 'root', value: toNano('0.05'), action: { kind: 'slashWorker', index: 0, owner: dave.address, amount: 0n, bps: 100, reason: hashOf('why') } },
            { kind: 'root', value: toNano('0.05'), action: { kind: 'proposeGovernance', newGovernance: k.council.address } },
        ];
        const made = await k.propose(k.alice, actions);
        id = made.id;
    });

    function expectWalletForms(out: string): void {
        expect(withoutPayloads(out)).not.toMatch(MAINNET_FORM);
        expect(out).not.toMatch(RAW_FORM);
        expect(out).toContain(`add member ${wallet(dave.address)}`);
        expect(out).toContain(`guardian to ${wallet(k.guardian.address)}`);
        expect(out).toContain(`to ${wallet(k.outsider.address)}`);
        expect(out).toContain(`of ${wallet(dave.address)}`);
        expect(out).toContain(`hand governance over to ${contract(k.council.address)}`);
        expect(out).toContain('voting period to 1 day 1 h, the timelock to 7 days and the execution window to 2 days 1 h');
        expect(out).toMatch(/set parameters: .*unbonding 14 days 1 h/);
        expect(out).not.toMatch(/unbondingPeriod|"\d+ s"|\b\d+ d\b/);
    }

    it('council/status prints every address in a proposal as the testnet wallet shows it, and periods as durations', async () => {
        const r = walletless(k.blockchain);
        await councilStatus(r, ['--council', k.council.address.toString(), '--id', String(id)]);
        expectWalletForms(r.ui().output.join('\n'));
    });

    it('decode prints a proposal read from the chain in the same forms', async () => {
        const lines = await describeProposal({ provider: (a) => k.blockchain.provider(a), chainTime: async () => k.blockchain.now! }, k.proposal(id).address, true);
        expectWalletForms(lines.join('\n'));
    });

    it('council/execute prints what the proposal does in the same forms, and claims no execution for a printed link', async () => {
        await k.pass(k.proposal(id));
        const p = new SandboxNetworkProvider(k.blockchain, k.outsider);
        await execute(p, ['--council', k.council.address.toString(), '--id', String(id), '--link-only']);
        const out = p.ui().output.join('\n');
        expectWalletForms(out);
        expect(out).not.toMatch(/^Executing/m);
        expect(out).toMatch(/link printed, nothing sent/);
    });

    it('council/propose prints the new action in the network’s forms, and a guardian sunset counted from chain time', async () => {
        const p = new SandboxNetworkProvider(k.blockchain, k.alice);
        await withLocalClockAYearAhead(k.blockchain, () =>
            propose(p, ['--council', k.council.address.toString(), '--action', 'set-guardian', '--guardian', k.guardian.address.toString(), '--sunset-days', '10', '--description', 'g', '--link-only']),
        );
        const out = p.ui().output.join('\n');
        expect(withoutPayloads(out)).not.toMatch(MAINNET_FORM);
        expect(out).toContain(`guardian to ${wallet(k.guardian.address)} until ${new Date((k.blockchain.now! + 10 * 86_400) * 1000).toISOString().replace('.000Z', 'Z')}`);
    });

    it('root/status prints the librarian in the testnet form, the runway minimum as a duration and the runway by chain time', async () => {
        const j = await deployForJobs();
        const r = walletless(j.blockchain);
        await withLocalClockAYearAhead(j.blockchain, () => rootStatus(r, ['--root', j.root.address.toString()]));
        const out = r.ui().output.join('\n');
        expect(withoutPayloads(out)).not.toMatch(MAINNET_FORM);
        const line = r.ui().output.find((l) => l.startsWith('job-code library '))!;
        expect(line).toMatch(/^job-code library k[Qf][A-Za-z0-9_-]{46}: /);
        expect(line).toMatch(/minimum \d+ days\)/);
        expect(line).not.toMatch(/BELOW THE MINIMUM/);
    });

    it('council/deploy counts the guardian sunset from chain time and prints the next step in the testnet form', async () => {
        const p = new SandboxNetworkProvider(k.blockchain, k.alice);
        const members = `${k.alice.address.toString()}:1,${k.bob.address.toString()}:1`;
        await withLocalClockAYearAhead(k.blockchain, () =>
            councilDeploy(p, ['--root', k.root.address.toString(), '--members', members, '--threshold', '2', '--guardian', k.guardian.address.toString(), '--sunset-days', '30', '--send']),
        );
        const out = p.ui().output.join('\n');
        expect(withoutPayloads(out)).not.toMatch(MAINNET_FORM);
        const deployed = Address.parse(/deployed at (\S+)/.exec(out)![1]);
        const data = await k.blockchain.openContract(Council.createFromAddress(deployed)).getCouncilData();
        expect(data.guardianSunset).toBe(k.blockchain.now! + 30 * 86_400);
    });
});

describe('no success claimed when only the link was printed', () => {
    let k: CouncilKit;
    let id: number;
    const linkOnly = /link printed, nothing sent/;

    beforeAll(async () => {
        k = await deployCouncil();
        id = (await k.propose(k.alice, [{ kind: 'setThreshold', threshold: 6n }])).id;
    });

    it('council/vote, veto and handover say nothing was sent under --link-only', async () => {
        const council = k.council.address.toString();
        const v = new SandboxNetworkProvider(k.blockchain, k.bob);
        await vote(v, ['--council', council, '--id', String(id), '--vote', 'yes', '--link-only']);
        expect(v.ui().output.join('\n')).toMatch(linkOnly);
        expect(v.ui().output.join('\n')).not.toMatch(/Voted yes/);

        const g = new SandboxNetworkProvider(k.blockchain, k.guardian);
        await veto(g, ['--council', council, '--id', String(id), '--link-only']);
        expect(g.ui().output.join('\n')).toMatch(linkOnly);
        expect(g.ui().output.join('\n')).not.toMatch(/Veto of proposal \d+ sent/);

        const governance = (await k.root.getGovernance()).governance;
        const h = new SandboxNetworkProvider(k.blockchain, k.alice);
        await handover(h, ['--root', k.root.address.toString(), '--council', council, '--step', 'accept', '--link-only']);
        expect(h.ui().output.join('\n')).toMatch(linkOnly);
        expect(h.ui().output.join('\n')).not.toMatch(/governance is now/);
        const h2 = new SandboxNetworkProvider(k.blockchain, k.alice);
        await handover(h2, ['--root', k.root.address.toString(), '--council', council, '--step', 'propose', '--link-only']);
        expect(h2.ui().output.join('\n')).toMatch(linkOnly);
        expect(h2.ui().output.join('\n')).not.toMatch(/^Proposed /m);
        expect((await k.root.getGovernance()).governance).toEqualAddress(governance);
    });

    it('root/deploy, council/deploy and root/publishJobCode print a link with the state init under --link-only and deploy nothing', async () => {
        const j = await deployForJobs();
        const w = await j.wallet('deployer');
        const cases: [string, (p: SandboxNetworkProvider) => Promise<void>][] = [
            ['root/deploy', (p) => rootDeploy(p, ['--job-code', 'inline', '--link-only'])],
            ['council/deploy', (p) => councilDeploy(p, ['--root', j.root.address.toString(), '--members', `${w.address.toString()}:1`, '--threshold', '1', '--link-only'])],
            ['root/publishJobCode', (p) => publishJobCode(p, ['--rent', '1', '--link-only'])],
        ];
        for (const [name, f] of cases) {
            const p = new SandboxNetworkProvider(j.blockchain, w);
            await f(p);
            const out = p.ui().output.join('\n');
            const link = p.ui().output.find((l) => l.includes('ton://transfer/'));
            expect([name, link !== undefined && /[?&]init=/.test(link)]).toEqual([name, true]);
            expect([name, linkOnly.test(out)]).toEqual([name, true]);
            const to = Address.parse(/ton:\/\/transfer\/([^?]+)/.exec(link!)![1]);
            expect([name, await p.isContractDeployed(to)]).toEqual([name, false]);
        }
        expect(Root).toBeDefined();
        expect(Cell).toBeDefined();
    });

    it('a run that names script, network and wallet but not --send/--link-only would stop at the question without a terminal', () => {
        const base = ['node', 'blueprint', 'run', 'council/vote', '--testnet', '--mnemonic', '--', '--council', 'EQx', '--id', '1', '--vote', 'yes'];
        expect(wouldPromptWithoutTerminal(base)).toBe(true);
        expect(wouldPromptWithoutTerminal([...base, '--send'])).toBe(false);
        expect(wouldPromptWithoutTerminal([...base, '--link-only'])).toBe(false);
        expect(wouldPromptWithoutTerminal(['node', 'blueprint', 'run', 'root/status', '--testnet', '--mnemonic', '--', '--root', 'EQx'])).toBe(false);
        expect(friendly).toBeDefined();
    });
});
