/**
 * Governance events for indexers: the council, each proposal and the root's governance operations emit external-out
 * log messages (protocol.tlb "events"), decoded by wrappers/events.ts (the one event codec), so a wallet, an explorer or the
 * relay follows governance without walking ids.
 */
import { Address, beginCell } from '@ton/core';
import { Blockchain, BlockchainSnapshot, SendMessageResult } from '@ton/sandbox';
import '@ton/test-utils';
import { CouncilAction } from '../../wrappers/Council';
import { EmittedGovernanceEvent, eventsOf as allEventsOf, GovernanceEvent, governanceEventsOf, parseEvent, parseGovernanceEvent, parseRootEvent, rootEventCell } from '../../wrappers/events';
import { PauseFlags } from '../../wrappers/Root';
import { DEFAULT_IMAGE, DEFAULT_MODEL, DEFAULT_PARAMS, hashOf } from '../../wrappers/testkit';
import { ProposalState } from '../../wrappers/Proposal';
import { GovernanceEventTag } from '../../wrappers/Constants';
import { CouncilKit, deployCouncil, EXECUTION_WINDOW, ROOT_ACTION_VALUE, SMALL, TIMELOCK, VOTING_PERIOD, WEIGHTS } from '../../wrappers/testkit/council';

const eventsOf = (r: SendMessageResult): EmittedGovernanceEvent[] => governanceEventsOf(r.transactions.flatMap((t) => t.outMessages.values()));
/** Addresses compared by their raw form (Address objects carry functions that deep equality trips on). */
const plain = (v: unknown): unknown =>
    v instanceof Address ? v.toRawString() : Array.isArray(v) ? v.map(plain) : v && typeof v === 'object' && !Buffer.isBuffer(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
const kinds = (r: SendMessageResult) => eventsOf(r).map((e) => e.event.kind);
const plainEvents = (events: GovernanceEvent[]) => plain(events);
const plainEvent = (event: GovernanceEvent) => plain(event);
const from = (r: SendMessageResult, source: Address): unknown[] => <unknown[]>plain(eventsOf(r).filter((e) => e.source.equals(source)).map((e) => e.event));

describe('Governance events', () => {
    let c: CouncilKit;
    let base: BlockchainSnapshot;
    let blockchain: Blockchain;

    beforeAll(async () => {
        c = await deployCouncil();
        blockchain = c.blockchain;
        base = blockchain.snapshot();
    });

    beforeEach(async () => {
        await blockchain.loadFrom(base);
    });

    it('a proposal from creation to the root: created, voted, passed, executed, image_added', async () => {
        const image = hashOf('image: evented');
        const evidence = hashOf('release notes: evented');
        const action: CouncilAction = { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addImage', label: 'test image', imageHash: image, supersedes: DEFAULT_IMAGE, grace: 3600 } };
        const { id, proposal, result } = await c.propose(c.alice, [action], { evidence });
        const now = blockchain.now!;
        expect(from(result, c.council.address)).toEqual(plainEvents([
            { kind: 'proposalCreated', id, proposer: c.alice.address, epoch: 0, deadline: now + VOTING_PERIOD, evidence },
        ]));

        const bob = await c.run(() => proposal.sendVote(c.bob.getSender(), true, SMALL));
        expect(from(bob.result, proposal.address)).toEqual(plainEvents([
            { kind: 'proposalVoted', id, voter: c.bob.address, yes: true, weight: WEIGHTS.bob, yesTotal: 3n, noTotal: 0n },
        ]));
        const carol = await c.run(() => proposal.sendComment(c.carol.getSender(), 'yes', SMALL));
        expect(kinds(carol.result)).toEqual(['proposalVoted', 'proposalPassed']);
        expect(from(carol.result, proposal.address)[1]).toEqual(plainEvent({
            kind: 'proposalPassed',
            id,
            executeAt: now + TIMELOCK,
            expiresAt: now + TIMELOCK + EXECUTION_WINDOW,
        }));

        const executed = await c.execute(proposal);
        expect(from(executed, c.root.address)).toEqual(plainEvents([
            { kind: 'imageAdded', imageHash: image, supersedes: DEFAULT_IMAGE, supersedesRetireAt: blockchain.now! + 3600 },
        ]));
        expect(from(executed, proposal.address)).toEqual(plainEvents([{ kind: 'proposalExecuted', id }]));
    });

    it('vetoed, cancelled (by the proposer and by a council vote), rejected, expired at cleanup', async () => {
        const veto = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 6n }]);
        await c.pass(veto.proposal);
        const v = await c.run(() => c.council.sendVeto(c.guardian.getSender(), veto.id, SMALL));
        expect(from(v.result, veto.proposal.address)).toEqual([{ kind: 'proposalVetoed', id: veto.id }]);

        const own = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 6n }]);
        const oc = await c.run(() => own.proposal.sendComment(c.alice.getSender(), 'cancel', SMALL));
        expect(from(oc.result, own.proposal.address)).toEqual([{ kind: 'proposalCancelled', id: own.id, byCouncil: false }]);

        const queued = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 7n }]);
        await c.pass(queued.proposal);
        const { proposal: canceller } = await c.propose(c.bob, [{ kind: 'cancelProposal', id: queued.id }]);
        await c.pass(canceller);
        const cc = await c.execute(canceller);
        expect(from(cc, queued.proposal.address)).toEqual([{ kind: 'proposalCancelled', id: queued.id, byCouncil: true }]);

        const rejected = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 6n }]);
        await c.run(() => rejected.proposal.sendVote(c.alice.getSender(), false, SMALL));
        const r = await c.run(() => rejected.proposal.sendVote(c.bob.getSender(), false, SMALL));
        expect(kinds(r.result)).toEqual(['proposalVoted', 'proposalRejected']);

        const stale = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 6n }]);
        c.advance(VOTING_PERIOD);
        const cl = await c.run(() => stale.proposal.sendCleanup(c.outsider.getSender(), SMALL));
        expect(from(cl.result, stale.proposal.address)).toEqual([{ kind: 'proposalExpired', id: stale.id }]);
    });

    it('failed: a proposal the council refuses (a stale epoch) emits proposal_failed, never proposal_executed', async () => {
        const stale = await c.propose(c.alice, [{ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addImage', label: 'stale', imageHash: hashOf('image: stale') } }]);
        await c.pass(stale.proposal);
        await c.enact([{ kind: 'setThreshold', threshold: 6n }]); // the epoch moves on: the first proposal can no longer run
        const r = await c.execute(stale.proposal);
        expect(from(r, stale.proposal.address)).toEqual([{ kind: 'proposalFailed', id: stale.id }]);
        expect(kinds(r)).not.toContain('proposalExecuted');
        expect(from(r, c.root.address)).toEqual([]);
        expect(await stale.proposal.getState()).toBe(ProposalState.Failed);
    });

    it('expiry is derived from proposal_passed: at expires_at the proposal reads expired with no event; proposal_expired only at cleanup', async () => {
        const { id, proposal } = await c.propose(c.alice, [{ kind: 'setThreshold', threshold: 6n }]);
        const passing = await c.pass(proposal);
        const passed = eventsOf(passing).find((e) => e.event.kind === 'proposalPassed')!.event as Extract<GovernanceEvent, { kind: 'proposalPassed' }>;
        blockchain.now = passed.expiresAt - 1;
        expect(await proposal.getState()).toBe(ProposalState.Passed);
        blockchain.now = passed.expiresAt;
        expect(await proposal.getState()).toBe(ProposalState.Expired);
        const cl = await c.run(() => proposal.sendCleanup(c.outsider.getSender(), SMALL));
        expect(from(cl.result, proposal.address)).toEqual([{ kind: 'proposalExpired', id }]);
    });

    it('one decoder for every event: worker and governance events share the tag space and the entry point', () => {
        const worker = rootEventCell({ kind: 'workerRegistered', worker: c.alice.address, index: 3, receiptKey: hashOf('receipt key') });
        expect(parseEvent(worker)).toMatchObject({ kind: 'workerRegistered', index: 3 });
        expect(parseGovernanceEvent(worker)).toBeNull();
        const expired = beginCell().storeUint(GovernanceEventTag.proposalExpired, 32).storeUint(7, 32).endCell();
        expect(parseEvent(expired)).toEqual({ kind: 'proposalExpired', id: 7 });
        expect(parseRootEvent(expired)).toBeNull();
        // a truncated body is not an event, for either family
        expect(parseEvent(beginCell().storeUint(GovernanceEventTag.proposalPassed, 32).storeUint(1, 8).endCell())).toBeNull();
    });

    it('root events of an execution decode through eventsOf like the governance ones', async () => {
        const model = hashOf('model: one decoder');
        const { result } = await c.enact([{ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addModel', modelHash: model, name: 'm' } }]);
        const all = allEventsOf(result.transactions.flatMap((t) => t.outMessages.values())).map((e) => e.event.kind);
        expect(all).toEqual(eventsOf(result).map((e) => e.event.kind));
        expect(all).toEqual(expect.arrayContaining(['modelAdded', 'proposalExecuted']));
    });

    it('root allowlist, parameter, pause and governance changes', async () => {
        const model = hashOf('model: evented');
        const e1 = await c.enact([
            { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'retireImage', imageHash: DEFAULT_IMAGE } },
            { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'addModel', modelHash: model, name: 'm' } },
            { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'removeModel', modelHash: DEFAULT_MODEL } },
            { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'setParams', params: { ...DEFAULT_PARAMS, protocolFeeBps: 7 } } },
            { kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'pause', flags: PauseFlags.registrations } },
        ]);
        const version = (await c.root.getParams()).version;
        expect(from(e1.result, c.root.address)).toEqual(plainEvents([
            { kind: 'imageRetired', imageHash: DEFAULT_IMAGE, retireAt: blockchain.now! },
            { kind: 'modelAdded', modelHash: model },
            { kind: 'modelRemoved', modelHash: DEFAULT_MODEL },
            { kind: 'paramsChanged', version },
            { kind: 'pauseChanged', paused: PauseFlags.registrations },
        ]));

        const next = await c.wallet('next governance');
        const offer = await c.enact([{ kind: 'root', value: ROOT_ACTION_VALUE, action: { kind: 'proposeGovernance', newGovernance: next.address } }]);
        const [offered] = from(offer.result, c.root.address);
        expect(offered).toEqual(plainEvent({ kind: 'governanceOffered', pending: next.address, expiresAt: blockchain.now! + 14 * 24 * 3600 }));
        const accept = await c.run(() => c.root.sendGovernance(next.getSender(), { kind: 'acceptGovernance' }, SMALL));
        expect(from(accept.result, c.root.address)).toEqual(plainEvents([{ kind: 'governanceChanged', governance: next.address }]));
    });
});
