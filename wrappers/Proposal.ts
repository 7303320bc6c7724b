/**
 * One DAO proposal (contracts/proposal.fc, protocol.tlb, DAO council section): its address, its messages
 * (also as the text comments a plain wallet sends) and every get-method a voter needs, decoded.
 */
import {
    Address,
    beginCell,
    Cell,
    Contract,
    contractAddress,
    ContractProvider,
    Dictionary,
    Sender,
    SendMode,
    TupleBuilder,
} from '@ton/core';
import { Op } from './Constants';
import { Bytes32, commentBody, readText, uint256ToBuffer } from './common';
import { CouncilAction, describeAction, loadActions, parseCouncilAction, readMembers } from './Council';

/** Proposal state as the get-methods report it (expired is derived from the clock, never stored). */
export enum ProposalState {
    Uninitialised = 0,
    Voting = 1,
    /** Queued: the timelock runs, then the execution window; vetoable and cancellable by the council until executed. */
    Passed = 2,
    /** The council acknowledged the execution. */
    Executed = 3,
    Vetoed = 4,
    /** By the proposer while voting, or by a council vote (act_cancel_proposal) while voting or queued. */
    Cancelled = 5,
    /** The council refused the execution (its epoch moved on): can never execute; cleanup refunds. */
    Failed = 6,
    /** Voting past the deadline, queued past the execution window, or executing with no answer past both. */
    Expired = 7,
    /** Sent to the council, waiting for its answer; a run that fails comes back to Passed and can be retried. */
    Executing = 8,
    /** The "no" weight made the threshold unreachable. */
    Rejected = 9,
}

/** contracts/council-common.fc period::proposal_answer_timeout: an execution still unanswered after this may be retried. */
export const ANSWER_TIMEOUT = 3600;

/** The text comments a plain wallet sends to a proposal. */
export const ProposalComment = { yes: 'yes', no: 'no', execute: 'execute', cancel: 'cancel', cleanup: 'cleanup' } as const;

// proposal_init$_ council:MsgAddressInt id:uint32 = ProposalInitData;
export function proposalInitData(council: Address, id: number): Cell {
    return beginCell().storeAddress(council).storeUint(id, 32).endCell();
}

/** Where proposal `id` of `council` lives (the council derives it the same way). */
export function proposalAddress(council: Address, id: number, proposalCode: Cell): Address {
    return contractAddress(0, { code: proposalCode, data: proposalInitData(council, id) });
}

// vote#46153def query_id:uint64 yes:Bool = ProposalMsg;
export function voteBody(yes: boolean, queryId = 0n): Cell {
    return beginCell().storeUint(Op.vote, 32).storeUint(queryId, 64).storeBit(yes).endCell();
}

// execute_proposal / cancel_proposal / cleanup_proposal  query_id:uint64
export function executeBody(queryId = 0n): Cell {
    return beginCell().storeUint(Op.executeProposal, 32).storeUint(queryId, 64).endCell();
}
export function cancelBody(queryId = 0n): Cell {
    return beginCell().storeUint(Op.cancelProposal, 32).storeUint(queryId, 64).endCell();
}
export function cleanupBody(queryId = 0n): Cell {
    return beginCell().storeUint(Op.cleanupProposal, 32).storeUint(queryId, 64).endCell();
}

// proposal_answer#_ query_id:uint64 executed:Bool = ProposalMsg;  (council -> proposal; tests forge it)
export function proposalAnswerBody(executed: boolean, queryId = 0n): Cell {
    return beginCell().storeUint(Op.proposalAnswer, 32).storeUint(queryId, 64).storeBit(executed).endCell();
}

// council_cancel#_ query_id:uint64 = ProposalMsg;  (council -> proposal)
export function councilCancelBody(queryId = 0n): Cell {
    return beginCell().storeUint(Op.councilCancel, 32).storeUint(queryId, 64).endCell();
}

export interface ProposalData {
    state: ProposalState;
    council: Address;
    id: number;
    epoch: number;
    threshold: bigint;
    yes: bigint;
    no: bigint;
    /** Votes are accepted while now < deadline (unix seconds). */
    deadline: number;
    timelock: number;
    /** 0 until passed. */
    passedAt: number;
    /** passedAt + timelock, 0 until passed: execution is possible from then on. */
    executeAt: number;
    proposer: Address | null;
    executor: Address | null;
    /** Sum of the TON the root actions carry. */
    actionsValue: bigint;
    actionCount: number;
    actions: CouncilAction[];
    /** One readable line per action. */
    readable: string[];
    description: string;
    /** Snapshot: account id (hex) -> weight. */
    members: Map<string, number>;
    /** Account id (hex) -> true for yes, false for no. */
    voters: Map<string, boolean>;
    /** Total weight of the snapshot: the proposal is rejected once no > totalWeight - threshold. */
    totalWeight: bigint;
    executionWindow: number;
    /** executeAt + executionWindow (0 until passed): from then on the proposal is expired. */
    expiresAt: number;
    /** SHA-256 of the document the proposal rests on (null: none); required when it adds an image or a model. */
    evidence: Bytes32 | null;
    /** When the last execution was sent to the council (0: never). */
    attemptAt: number;
}

export class Proposal implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: { code: Cell; data: Cell },
    ) {}

    static createFromAddress(address: Address) {
        return new Proposal(address);
    }

    static createFor(council: Address, id: number, proposalCode: Cell) {
        return new Proposal(proposalAddress(council, id, proposalCode));
    }

    private async send(provider: ContractProvider, via: Sender, body: Cell, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    async sendVote(provider: ContractProvider, via: Sender, yes: boolean, value: bigint, queryId = 0n) {
        await this.send(provider, via, voteBody(yes, queryId), value);
    }

    /** What a plain wallet sends: a comment "yes", "no", "execute", "cancel" or "cleanup". */
    async sendComment(provider: ContractProvider, via: Sender, text: string, value: bigint) {
        await this.send(provider, via, commentBody(text), value);
    }

    /**
     * Anyone, once passed, the timelock over and the execution window open; `value` >= getExecuteValue().
     * Also a retry of an execution left unanswered for ANSWER_TIMEOUT seconds.
     */
    async sendExecute(provider: ContractProvider, via: Sender, value: bigint, queryId = 0n) {
        await this.send(provider, via, executeBody(queryId), value);
    }

    async sendCancel(provider: ContractProvider, via: Sender, value: bigint, queryId = 0n) {
        await this.send(provider, via, cancelBody(queryId), value);
    }

    async sendCleanup(provider: ContractProvider, via: Sender, value: bigint, queryId = 0n) {
        await this.send(provider, via, cleanupBody(queryId), value);
    }

    async sendRaw(provider: ContractProvider, via: Sender, body: Cell, value: bigint) {
        await this.send(provider, via, body, value);
    }

    async getState(provider: ContractProvider): Promise<ProposalState> {
        return (await provider.get('get_state', [])).stack.readNumber();
    }

    async getProposalData(provider: ContractProvider): Promise<ProposalData> {
        const s = (await provider.get('get_proposal_data', [])).stack;
        const state = s.readNumber();
        const council = s.readAddress();
        const id = s.readNumber();
        const epoch = s.readNumber();
        const threshold = s.readBigNumber();
        const yes = s.readBigNumber();
        const no = s.readBigNumber();
        const deadline = s.readNumber();
        const timelock = s.readNumber();
        const passedAt = s.readNumber();
        const executeAt = s.readNumber();
        const proposer = s.readAddressOpt();
        const executor = s.readAddressOpt();
        const actionsValue = s.readBigNumber();
        const actionCount = s.readNumber();
        const actions = loadActions(s.readCellOpt()).map(parseCouncilAction);
        const descriptionCell = s.readCellOpt();
        const members = readMembers(s.readCellOpt());
        const votersCell = s.readCellOpt();
        const voters = new Map<string, boolean>();
        if (votersCell) {
            const d = Dictionary.loadDirect(Dictionary.Keys.BigUint(256), Dictionary.Values.Bool(), votersCell);
            for (const k of d.keys()) voters.set(k.toString(16).padStart(64, '0'), d.get(k)!);
        }
        const totalWeight = s.readBigNumber();
        const executionWindow = s.readNumber();
        const expiresAt = s.readNumber();
        const evidenceValue = s.readBigNumber();
        const evidence = evidenceValue === 0n ? null : uint256ToBuffer(evidenceValue);
        const attemptAt = s.readNumber();
        return {
            state,
            council,
            id,
            epoch,
            threshold,
            yes,
            no,
            deadline,
            timelock,
            passedAt,
            executeAt,
            proposer,
            executor,
            actionsValue,
            actionCount,
            actions,
            readable: actions.map((a) => describeAction(a)),
            description: descriptionCell ? readText(descriptionCell) : '',
            members,
            voters,
            totalWeight,
            executionWindow,
            expiresAt,
            evidence,
            attemptAt,
        };
    }

    /** Whether `voter` has voted, and how (yes = true). */
    async getHasVoted(provider: ContractProvider, voter: Address): Promise<{ voted: boolean; yes: boolean }> {
        const t = new TupleBuilder();
        t.writeAddress(voter);
        const s = (await provider.get('has_voted', t.build())).stack;
        return { voted: s.readBoolean(), yes: s.readBoolean() };
    }

    /** The least value execute must carry: the actions' values plus every fee up to the root. */
    async getExecuteValue(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_execute_value', [])).stack.readBigNumber();
    }

    async getBalance(provider: ContractProvider): Promise<bigint> {
        return (await provider.getState()).balance;
    }
}
