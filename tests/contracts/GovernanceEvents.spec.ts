/**
 * Governance events for indexers: the council, each proposal and the root's governance operations emit external-out
 * log messages (protocol.tlb "events"), decoded by wrappers/governanceEvents.ts, so a wallet, an explorer or the
 * relay follows governance without walking ids.
 */
import { Address } from '@ton/core';
import { Blockchain, BlockchainSnapshot, SendMessageResult } from '@ton/sandbox';
import '@ton/test-utils';
import { CouncilAction } from '../../wrappers/Council';
import { EmittedGovernanceEvent, GovernanceEvent, governanceEventsOf } from '../../wrappers/governanceEvents';
import { PauseFlags } from '../../wrappers/Root';
import { DEFAULT_IMAGE, DEFAULT_MODEL, DEFAULT_PARAMS, hashOf } from '../../wrappers/testkit';
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
