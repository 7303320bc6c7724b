/**
 * DAO council test kit: the protocol (wrappers/testkit deployProtocol) plus a council of three members of
 * different weights that governs the root after the two-step handover.
 *
 *     const c = await deployCouncil();
 *     const { proposal } = await c.propose(c.alice, [{ kind: 'root', value: toNano('0.05'), action: { kind: 'addImage', label: 'test image', imageHash } }]);
 *     await c.run(() => proposal.sendVote(c.bob.getSender(), true, toNano('0.05')));
 *
 * Weights: alice 4, bob 3, carol 2 (total 9), threshold 5: bob + carol is exactly the threshold,
 * alice alone is one vote short. Every action goes through `c.run` (the TON conservation ledger).
 */
import { createHash } from 'crypto';
import { Address, Cell, toNano } from '@ton/core';
import { internal, SandboxContract, SendMessageResult, TreasuryContract } from '@ton/sandbox';
import { loadCode } from '../code';
import { Council, CouncilAction, CouncilConfig, CouncilMember, needsEvidence } from '../Council';
import { Proposal, voteBody } from '../Proposal';
import { hashOf } from './keys';
import { deployProtocol, Protocol, ProtocolOptions } from './index';

export const WEIGHTS = { alice: 4, bob: 3, carol: 2 } as const;
export const THRESHOLD = 5n;
export const VOTING_PERIOD = 3 * 24 * 3600;
export const TIMELOCK = 2 * 24 * 3600;
export const EXECUTION_WINDOW = 7 * 24 * 3600;
export const GUARDIAN_TERM = 365 * 24 * 3600;
/** What tests attach to a vote, a cancel, a cleanup, a veto (the rest comes back as a change comment, e.g. "cocoon: vote change"). */
export const SMALL = toNano('0.05');
/** What tests attach to a root action. */
export const ROOT_ACTION_VALUE = toNano('0.05');

export interface CouncilKit extends Protocol {
    council: SandboxContract<Council>;
    proposalCode: Cell;
    alice: SandboxContract<TreasuryContract>;
    bob: SandboxContract<TreasuryContract>;
    carol: SandboxContract<TreasuryContract>;
    guardian: SandboxContract<TreasuryContract>;
    outsider: SandboxContract<TreasuryContract>;
    /** A proposal handle by id. */
    proposal(id: number): SandboxContract<Proposal>;
    /** `member` proposes `actions` with the council's fee (+ margin); returns the new id and its handle. */
    /**
     * `member` proposes `actions` with the council's fee (+ margin); returns the new id and its handle.
     * A proposal that adds an image or a model gets an evidence hash of its description unless one is given.
     */
    propose(
        member: SandboxContract<TreasuryContract>,
        actions: CouncilAction[] | Cell[],
        opts?: { description?: string | Cell; value?: bigint; evidence?: Uint8Array | null },
    ): Promise<{ id: number; proposal: SandboxContract<Proposal>; result: SendMessageResult }>;
    /** A vote from any address (members of a large synthetic council have no wallet): an injected message. */
    voteAs(member: Address, proposal: SandboxContract<Proposal>, yes: boolean, value?: bigint): Promise<SendMessageResult>;
    /** bob and carol vote yes (exactly the threshold): the proposal passes. */
    pass(proposal: SandboxContract<Proposal>): Promise<SendMessageResult>;
    /** Moves the clock past the timelock and executes with the proposal's own minimum value + margin. */
    execute(proposal: SandboxContract<Proposal>, executor?: SandboxContract<TreasuryContract>, margin?: bigint): Promise<SendMessageResult>;
    /** Propose, pass, wait, execute: the whole path. */
    enact(actions: CouncilAction[]): Promise<{ id: number; proposal: SandboxContract<Proposal>; result: SendMessageResult }>;
}

export interface CouncilOptions extends ProtocolOptions {
    /** Council fields to override (members default to alice, bob, carol). */
    council?: Partial<Omit<CouncilConfig, 'root' | 'proposalCode'>>;
    /** Skip the root handover (the root keeps its deployer wallet as governance). */
    noHandover?: boolean;
}

export async function deployCouncil(options: CouncilOptions = {}): Promise<CouncilKit> {
    const p = await deployProtocol(options);
    const alice = await p.wallet('alice');
    const bob = await p.wallet('bob');
    const carol = await p.wallet('carol');
    const guardian = await p.wallet('guardian');
    const outsider = await p.wallet('outsider');
    const proposalCode = loadCode('Proposal');
    const config: CouncilConfig = {
        root: p.root.address,
        members: [
            { address: alice.address, weight: WEIGHTS.alice },
            { address: bob.address, weight: WEIGHTS.bob },
            { address: carol.address, weight: WEIGHTS.carol },
        ],
        threshold: THRESHOLD,
        votingPeriod: VOTING_PERIOD,
        timelock: TIMELOCK,
        executionWindow: EXECUTION_WINDOW,
        guardian: guardian.address,
        guardianSunset: p.blockchain.now! + GUARDIAN_TERM,
        proposalCode,
        ...options.council,
    };
    const council = p.blockchain.openContract(Council.createFromConfig(config, loadCode('Council')));
    await p.run(() => council.sendDeploy(p.governance.getSender(), toNano('1')));

    if (!options.noHandover) {
        // Bootstrap: the deployer's wallet proposes the council, then a member has the council accept.
        await p.run(() =>
            p.root.sendGovernance(p.governance.getSender(), { kind: 'proposeGovernance', newGovernance: council.address }, toNano('0.05')),
        );
        await p.run(() => council.sendAcceptRoot(alice.getSender(), toNano('0.05')));
        const g = await p.root.getGovernance();
        if (!g.governance.equals(council.address)) throw new Error('root handover to the council failed');
    }

    const proposal = (id: number) => p.blockchain.openContract(Proposal.createFor(council.address, id, proposalCode));

    const propose: CouncilKit['propose'] = async (member, actions, opts = {}) => {
        const { nextId } = await council.getCouncilData();
        const value = opts.value ?? (await council.getProposalFee()) + toNano('0.1');
        const description = opts.description ?? `proposal ${nextId}`;
        const typed = actions.every((a): a is CouncilAction => !(a instanceof Cell)) ? (actions as CouncilAction[]) : [];
        const evidence =
            opts.evidence !== undefined
                ? opts.evidence
                : needsEvidence(typed)
                  ? hashOf(`evidence for ${typeof description === 'string' ? description : description.hash().toString('hex')}`)
                  : null;
        const entry = await p.run(() => council.sendCreateProposal(member.getSender(), { actions, description, value, evidence }));
        return { id: nextId, proposal: proposal(nextId), result: entry.result };
    };

    const voteAs: CouncilKit['voteAs'] = async (member, pr, yes, value = SMALL) =>
        (await p.run(() => p.blockchain.sendMessage(internal({ from: member, to: pr.address, value, body: voteBody(yes) })))).result;

    const pass = async (pr: SandboxContract<Proposal>) => {
        await p.run(() => pr.sendVote(bob.getSender(), true, SMALL));
        return (await p.run(() => pr.sendVote(carol.getSender(), true, SMALL))).result;
    };

    const execute = async (pr: SandboxContract<Proposal>, executor = outsider, margin = toNano('0.05')) => {
        const data = await pr.getProposalData();
        if (p.blockchain.now! < data.executeAt) p.blockchain.now = data.executeAt;
        const value = (await pr.getExecuteValue()) + margin;
        return (await p.run(() => pr.sendExecute(executor.getSender(), value))).result;
    };

    const enact = async (actions: CouncilAction[]) => {
        const { id, proposal: pr } = await propose(alice, actions);
        await pass(pr);
        const result = await execute(pr);
        return { id, proposal: pr, result };
    };

    return { ...p, council, proposalCode, alice, bob, carol, guardian, outsider, proposal, propose, voteAs, pass, execute, enact };
}

/**
 * The synthetic members of maxCouncil(): 254 basechain addresses without wallets (they vote with voteAs).
 * Evenly spaced keys (0x0101.. to 0xFEFE..): a balanced member map, every leaf at depth 8 or 9. Real addresses
 * are random hashes and sit deeper (RANDOM_MEMBERS); worst-case gas tests use those.
 */
export const SYNTHETIC_MEMBERS: Address[] = Array.from({ length: 254 }, (_, i) => new Address(0, Buffer.alloc(32, i + 1)));

/** `n` basechain addresses whose account ids are SHA-256 hashes of a seed and an index: random-looking, reproducible. */
export function seededAddresses(seed: string, n: number): Address[] {
    return Array.from({ length: n }, (_, i) => new Address(0, createHash('sha256').update(`${seed}:${i}`).digest()));
}

/** 254 members with random account ids, as real addresses are (fixed seed): the member map is as deep as in life. */
export const RANDOM_MEMBERS: Address[] = seededAddresses('cocoon council member', 254);

/**
 * Depth of each key in the Patricia trie a TVM dictionary of these 256-bit account ids builds (the number of
 * forks above its leaf): the cells a lookup, an update or a delete of that key walks and rewrites.
 */
export function trieDepths(ids: readonly Buffer[]): Map<string, number> {
    const out = new Map<string, number>();
    const bit = (k: Buffer, i: number) => (k[i >> 3] >> (7 - (i & 7))) & 1;
    const walk = (keys: Buffer[], from: number, depth: number) => {
        if (keys.length === 1) {
            out.set(keys[0].toString('hex'), depth);
            return;
        }
        let i = from;
        while (keys.every((k) => bit(k, i) === bit(keys[0], i))) {
            if (++i >= 256) throw new Error(`duplicate key ${keys[0].toString('hex')}`); // the common prefix (a label, no fork)
        }
        walk(keys.filter((k) => bit(k, i) === 0), i + 1, depth + 1);
        walk(keys.filter((k) => bit(k, i) === 1), i + 1, depth + 1);
    };
    if (ids.length) walk([...ids], 0, 0);
    return out;
}

/** The `n` deepest of `members` in the member map they form together with `others` (deepest first). */
export function deepestMembers(members: readonly Address[], n: number, others: readonly Address[] = []): Address[] {
    const depths = trieDepths([...members, ...others].map((a) => a.hash));
    return [...members].sort((a, b) => depths.get(b.hash.toString('hex'))! - depths.get(a.hash.toString('hex'))!).slice(0, n);
}
/** alice's weight and the threshold of maxCouncil(): alice passes alone; the threshold is above half the total. */
export const MAX_COUNCIL_ALICE_WEIGHT = 300;
export const MAX_COUNCIL_THRESHOLD = 290n;

/**
 * A council of the maximum size (255 members) for worst-case gas and fee tests: alice (the kit's wallet,
 * weight 300) and `others` (SYNTHETIC_MEMBERS unless given, at most 254) of weight 1; the threshold (290) lets
 * alice pass a proposal alone.
 */
export async function deployMaxCouncil(options: CouncilOptions & { others?: readonly Address[] } = {}): Promise<CouncilKit> {
    // treasury addresses are deterministic per name, so a throwaway sandbox tells alice's address
    const probe = await deployProtocol(options);
    const alice = (await probe.wallet('alice')).address;
    const others = options.others ?? SYNTHETIC_MEMBERS;
    const members: CouncilMember[] = [{ address: alice, weight: MAX_COUNCIL_ALICE_WEIGHT }, ...others.map((address) => ({ address, weight: 1 }))];
    return deployCouncil({ ...options, council: { members, threshold: MAX_COUNCIL_THRESHOLD, ...options.council } });
}

/** The account id (hex) of a basechain address, as member and voter maps key it. */
export function accountId(a: Address): string {
    return a.hash.toString('hex');
}
