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
import { commentBody, readText } from './common';
import { CouncilAction, describeAction, loadActions, parseCouncilAction, readMembers } from './Council';

/** Proposal state as the get-methods report it (6 and 7 are never stored together: expired is derived). */
export enum ProposalState {
    Uninitialised = 0,
    Voting = 1,
    Passed = 2,
    Executed = 3,
    Vetoed = 4,
    Cancelled = 5,
    /** The council refused the execution (its epoch moved on): can never execute; cleanup refunds. */
    Failed = 6,
    /** Still "voting" in storage, but the deadline has passed without reaching the threshold. */
    Expired = 7,
}

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

    /** Anyone, once passed and the timelock is over; `value` >= getExecuteValue(). */
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
            readable: actions.map(describeAction),
            description: descriptionCell ? readText(descriptionCell) : '',
            members,
            voters,
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
