/**
 * council/propose tells the member the id of the proposal they created, read from the chain, also when the wallet
 * sends the printed link (--link-only, --deeplink, the no-wallet runner): never the next free id read before, which
 * another member's proposal may take first. council/status --proposer finds a member's proposals later.
 *
 * The scripts wait between reads through the provider's `sleep`; here each run's `sleep` is a gate the test opens
 * once the wallets have sent the links, so nothing waits on a real clock and the order of events is fixed.
 */
import { Address } from '@ton/core';
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { ProposalState } from '../../wrappers/Proposal';
import { CouncilKit, deployCouncil } from '../../wrappers/testkit/council';
import { SandboxNetworkProvider, sandboxTransactions, ScriptedUI } from '../../wrappers/testkit/networkProvider';
import { friendly } from '../../scripts/lib/cli';
import { WalletlessNetworkProvider } from '../../scripts/lib/readonly';
import { parseTonLink } from '../../scripts/tools/decode';
import { run as propose } from '../../scripts/council/propose';
import { run as councilStatus } from '../../scripts/council/status';

type Wallet = SandboxContract<TreasuryContract>;
type ScriptProvider = SandboxNetworkProvider | WalletlessNetworkProvider<ScriptedUI>;

/** A promise and the function that settles it. */
function gate(): { promise: Promise<void>; open: () => void } {
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    return { promise, open };
}

/**
 * A run of the script whose waits stop at a gate: `waiting` settles at its first wait (it has printed its link and
 * read the chain once), and its waits return once `release()` is called. `slept` adds up the waits it asked for.
 */
interface GatedRun<P extends ScriptProvider> {
    provider: P;
    waiting: Promise<void>;
    release: () => void;
    slept: () => number;
    sleeps: () => number;
}

function gated<P extends ScriptProvider>(provider: P): GatedRun<P> {
    const first = gate();
    const go = gate();
    let total = 0;
    let count = 0;
    (provider as unknown as { sleep: (ms: number) => Promise<void> }).sleep = async (ms: number) => {
        total += ms;
        count++;
        first.open();
        await go.promise;
    };
    return { provider, waiting: first.promise, release: go.open, slept: () => total, sleeps: () => count };
}

/** blueprint --deeplink: a wallet with no known address (Blueprint's DeeplinkProvider); it must never send here. */
function deeplinkLike(blockchain: Blockchain, wallet: Wallet, answers: string[] = []): SandboxNetworkProvider {
    const p = new SandboxNetworkProvider(blockchain, wallet, answers);
    p.sender = () => ({
        address: undefined,
        send: async () => {
            throw new Error('--link-only sent a transfer');
        },
    });
    return p;
}

/** `npm run read -- council/propose …`: no wallet at all, over the sandbox chain. */
function walletless(blockchain: Blockchain): WalletlessNetworkProvider<ScriptedUI> {
    const w = new WalletlessNetworkProvider(
        {
            provider: (a, init) => blockchain.provider(a, init?.code && init?.data ? { code: init.code, data: init.data } : undefined),
            chainTime: async () => blockchain.now!,
            transactions: (a, limit) => sandboxTransactions(blockchain, a, limit),
        },
        'testnet',
        new ScriptedUI(),
    );
    return w;
}

/** The one ton:// link a run printed. */
function linkOf(p: ScriptProvider): string {
    const links = p.ui().output.flatMap((l) => l.match(/ton:\/\/transfer\/\S+/g) ?? []);
    expect(links).toHaveLength(1);
    return links[0];
}

/** Sends exactly what the link says, as a wallet app does. */
async function sendLink(wallet: Wallet, link: string): Promise<void> {
    const t = parseTonLink(link);
    await wallet.send({ to: t.to, value: t.amount, bounce: t.bounceable, body: t.body ?? undefined, init: t.init ?? undefined });
}

/** The ids of the deployed proposals whose proposer is `who`, among ids from..next_id-1. */
async function idsProposedBy(k: CouncilKit, who: Address, from: number): Promise<number[]> {
    const { nextId } = await k.council.getCouncilData();
    const out: number[] = [];
    for (let id = from; id < nextId; id++) {
        const d = await k.proposal(id).getProposalData();
        if (d.proposer?.equals(who)) out.push(id);
    }
    return out;
}

describe('council/propose reads the id of the proposal the wallet created from the chain', () => {
    let k: CouncilKit;
    const council = () => k.council.address.toString();
    // the same action and description for everyone: only who sent it (and the run's own link) tells them apart
    const same = () => ['--council', council(), '--action', 'set-threshold', '--threshold', '6', '--description', 'raise the threshold'];
    const reported = (p: ScriptProvider) => p.ui().output.filter((l) => /^Proposal \d+ at /.test(l));
    const line = async (p: ScriptProvider, id: number) => `Proposal ${id} at ${friendly(p, await k.council.getProposalAddress(id))}`;

    beforeAll(async () => {
        k = await deployCouncil();
    });

    it('two members propose the same thing at once through links: each --link-only --proposer run prints its own id', async () => {
        const { nextId } = await k.council.getCouncilData();
        const alice = gated(deeplinkLike(k.blockchain, k.alice));
        const bob = gated(walletless(k.blockchain));
        const runs = [
            propose(alice.provider, [...same(), '--link-only', '--proposer', k.alice.address.toString()]),
            propose(bob.provider, [...same(), '--link-only', '--proposer', k.bob.address.toString()]),
        ];
        await Promise.all([alice.waiting, bob.waiting]);
        // both read the same next id before sending; bob's wallet sends first, so alice's proposal gets the next one
        await sendLink(k.bob, linkOf(bob.provider));
        await sendLink(k.alice, linkOf(alice.provider));
        alice.release();
        bob.release();
        await Promise.all(runs);
        const [aliceId] = await idsProposedBy(k, k.alice.address, nextId);
        const [bobId] = await idsProposedBy(k, k.bob.address, nextId);
        expect([bobId, aliceId]).toEqual([nextId, nextId + 1]);
        expect(reported(alice.provider)).toEqual([await line(alice.provider, aliceId)]);
        expect(reported(bob.provider)).toEqual([await line(bob.provider, bobId)]);
        for (const p of [alice.provider, bob.provider]) expect(p.ui().output.join('\n')).not.toMatch(/next free id/);
    });

    it('one member opens two identical proposals at once: each run reports the proposal its own link created', async () => {
        const { nextId } = await k.council.getCouncilData();
        const first = gated(deeplinkLike(k.blockchain, k.carol));
        const second = gated(deeplinkLike(k.blockchain, k.carol));
        const args = [...same(), '--link-only', '--proposer', k.carol.address.toString()];
        const runs = [propose(first.provider, args), propose(second.provider, args)];
        await Promise.all([first.waiting, second.waiting]);
        // same proposer, same actions and description: only each link's own body (its random query id) differs
        expect(linkOf(first.provider)).not.toBe(linkOf(second.provider));
        await sendLink(k.carol, linkOf(second.provider));
        await sendLink(k.carol, linkOf(first.provider));
        first.release();
        second.release();
        await Promise.all(runs);
        expect(await idsProposedBy(k, k.carol.address, nextId)).toEqual([nextId, nextId + 1]);
        expect(reported(second.provider)).toEqual([await line(second.provider, nextId)]);
        expect(reported(first.provider)).toEqual([await line(first.provider, nextId + 1)]);
    });

    it('a connected wallet that only prints the link (--link-only) waits for its own address, bounded by --wait', async () => {
        const never = gated(new SandboxNetworkProvider(k.blockchain, k.alice));
        never.release();
        await propose(never.provider, [...same(), '--link-only', '--wait', '2']);
        const out = never.provider.ui().output.join('\n');
        // waited two minutes of polls, then says how to find it, never an id
        expect(never.slept()).toBe(120_000);
        expect(reported(never.provider)).toEqual([]);
        expect(out).toContain(`council/status --council ${friendly(never.provider, k.council.address)} --proposer ${friendly(never.provider, k.alice.address, 'wallet')}`);
        expect(out).not.toMatch(/next free id/);
    });

    it('--no-wait prints how to find the proposal later and no guessed id', async () => {
        const { nextId } = await k.council.getCouncilData();
        const p = gated(deeplinkLike(k.blockchain, k.alice));
        await propose(p.provider, [...same(), '--link-only', '--proposer', k.alice.address.toString(), '--no-wait']);
        const out = p.provider.ui().output.join('\n');
        expect(p.sleeps()).toBe(0);
        expect(out).not.toMatch(/next free id/);
        expect(out).not.toMatch(new RegExp(`\\bid (is )?${nextId}\\b|Proposal ${nextId}\\b`));
        expect(out).toContain(`council/status --council ${friendly(p.provider, k.council.address)} --proposer ${friendly(p.provider, k.alice.address, 'wallet')}`);
    });

    it('--deeplink without --proposer in a terminal asks for the wallet address, then reads the id back', async () => {
        const { nextId } = await k.council.getCouncilData();
        const asked = deeplinkLike(k.blockchain, k.bob, [k.bob.address.toString()]);
        asked.interactive = true;
        const p = gated(asked);
        const run = propose(p.provider, [...same(), '--link-only']);
        await p.waiting;
        await sendLink(k.bob, linkOf(p.provider));
        p.release();
        await run;
        expect(reported(p.provider)).toEqual([await line(p.provider, nextId)]);
        expect((await k.proposal(nextId).getProposalData()).proposer).toEqualAddress(k.bob.address);
    });

    it('without --proposer and no terminal to ask in, says how to find it and does not wait', async () => {
        const p = gated(walletless(k.blockchain));
        await propose(p.provider, [...same(), '--link-only']);
        const out = p.provider.ui().output.join('\n');
        expect(p.sleeps()).toBe(0);
        expect(out).not.toMatch(/next free id/);
        expect(out).toMatch(/council\/status --council \S+ --proposer <your wallet address>/);
    });

    it('a link the council refuses (sent by a non-member) is reported as refused, with the reason', async () => {
        const p = gated(walletless(k.blockchain));
        const run = propose(p.provider, [...same(), '--link-only', '--proposer', k.outsider.address.toString()]);
        await p.waiting;
        await sendLink(k.outsider, linkOf(p.provider));
        p.release();
        await expect(run).rejects.toThrow(/refused.*notMember/);
        expect(reported(p.provider)).toEqual([]);
    });

    it('council/status --proposer lists that member’s proposals with ids, states and what they do', async () => {
        const { nextId } = await k.council.getCouncilData();
        await k.propose(k.bob, [{ kind: 'setThreshold', threshold: 7n }], { description: 'bob again' });
        const bobIds = await idsProposedBy(k, k.bob.address, 0);
        const aliceIds = await idsProposedBy(k, k.alice.address, 0);
        expect(bobIds).toContain(nextId);
        await k.proposal(nextId).sendCancel(k.bob.getSender(), 50_000_000n);
        const r = walletless(k.blockchain);
        await councilStatus(r, ['--council', council(), '--proposer', k.bob.address.toString()]);
        const out = r.ui().output;
        for (const id of bobIds) {
            const head = `proposal ${id} (${friendly(r, await k.council.getProposalAddress(id))}): `;
            const at = out.findIndex((l) => l.startsWith(head));
            expect(at).toBeGreaterThanOrEqual(0);
            const state = ProposalState[(await k.proposal(id).getProposalData()).state];
            expect(out[at]).toContain(state);
        }
        expect(out.find((l) => l.startsWith(`proposal ${nextId} `))).toMatch(/Cancelled.*bob again/);
        expect(out.join('\n')).toContain('council: set the threshold to 7');
        for (const id of aliceIds) expect(out.some((l) => l.startsWith(`proposal ${id} `))).toBe(false);
    });
});
