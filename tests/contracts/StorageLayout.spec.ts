/**
 * Each contract's storage is what its `*_storage` constructor in contracts/protocol.tlb says: a deployed account's
 * data, decoded field by field in the order the TL-B writes them, is read to its last bit and ref, and every field
 * holds what the contract's getters report. A field missing from the TL-B, an extra one or two fields swapped
 * shifts every field after it, so the decoding no longer matches or leaves data over.
 */
import { Address, beginCell, Cell, Slice, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { readFileSync } from 'fs';
import path from 'path';
import { ast, Declaration } from '@ton-community/tlb-parser';
import '@ton/test-utils';
import { paramsCell, PauseFlags } from '../../wrappers/Root';
import { deployProtocol, Protocol } from '../../wrappers/testkit';
import { deployForJobs, openJob } from '../../wrappers/testkit/jobs';

const declarations: Declaration[] = ast(readFileSync(path.join(__dirname, '..', '..', 'contracts', 'protocol.tlb'), 'utf8')).declarations;

type Field = Address | bigint | boolean | Cell | null;

interface Expr {
    name?: string;
    args?: Expr[];
    expr?: Expr;
    constructor: { name: string };
}

/** Reads one field of a storage constructor: the TL-B types storage layouts use, nothing else. */
function readField(s: Slice, expr: Expr): Field {
    const kind = expr.constructor.name;
    if (kind === 'CellRefExpr') return s.loadRef();
    const name = expr.name ?? '';
    if (kind === 'CombinatorExpr' && name === 'HashmapE') return s.loadMaybeRef();
    if (kind === 'CombinatorExpr' && name === 'Maybe' && expr.args?.[0]?.constructor.name === 'CellRefExpr') return s.loadMaybeRef();
    if (kind !== 'NameExpr') throw new Error(`storage field type ${kind} ${name} not supported`);
    const sized = /^(u?int|bits)(\d+)$/.exec(name);
    if (sized) {
        const bits = Number(sized[2]);
        if (sized[1] === 'uint') return s.loadUintBig(bits);
        if (sized[1] === 'int') return s.loadIntBig(bits);
        return beginCell().storeBits(s.loadBits(bits)).endCell();
    }
    if (name === 'Coins') return s.loadCoins();
    if (name === 'Bool') return s.loadBit();
    if (name === 'MsgAddressInt') return s.loadAddress();
    if (name === 'MsgAddress') return s.loadMaybeAddress();
    throw new Error(`storage field type ${name} not supported`);
}

/** Decodes `data` with the TL-B constructor `constructorName`; fails unless it reads the cell exactly. */
function decodeStorage(data: Cell, constructorName: string): Record<string, Field> {
    const d = declarations.find((x) => x.constructorDef.name === constructorName);
    if (!d) throw new Error(`${constructorName} is not in protocol.tlb`);
    const s = data.beginParse();
    const out: Record<string, Field> = {};
    for (const f of d.fields as unknown as Array<{ name: string; expr: Expr }>) out[f.name] = readField(s, f.expr);
    expect({ constructorName, bitsLeft: s.remainingBits, refsLeft: s.remainingRefs }).toEqual({ constructorName, bitsLeft: 0, refsLeft: 0 });
    return out;
}

async function dataOf(p: Pick<Protocol, 'blockchain'>, address: Address): Promise<Cell> {
    const state = (await p.blockchain.getContract(address)).accountState;
    if (state?.type !== 'active' || !state.state.data) throw new Error(`${address} is not active`);
    return state.state.data;
}

describe('storage layouts match protocol.tlb', () => {
    it('root_storage: governance, the handover offer, the pause flags, the treasury, params, allowlists, codes', async () => {
        const p = await deployProtocol({ workers: 1 });
        const successor: SandboxContract<TreasuryContract> = await p.wallet('successor');
        // Every field away from its default, so a field read in the wrong place can't match by accident.
        await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'pause', flags: PauseFlags.jobOpenings }, toNano('0.05')));
        await p.run(() => p.root.sendGovernance(p.governance.getSender(), { kind: 'proposeGovernance', newGovernance: successor.address }, toNano('0.05')));

        const root = decodeStorage(await dataOf(p, p.root.address), 'root_storage');
        const governance = await p.root.getGovernance();
        expect(governance.expiresAt).toBeGreaterThan(0);
        expect((root.governance as Address).equals(governance.governance)).toBe(true);
        expect((root.pending_governance as Address).equals(successor.address)).toBe(true);
        expect(root.handover_expires_at).toBe(BigInt(governance.expiresAt));
        expect(root.paused).toBe(BigInt(await p.root.getPaused()));
        expect(root.paused).toBe(BigInt(PauseFlags.jobOpenings));
        expect(root.collected).toBe((await p.root.getTreasury()).collected);
        expect((root.params as Cell).equals(paramsCell(await p.root.getParams()))).toBe(true);
        expect(root.images).not.toBeNull();
        expect(root.models).not.toBeNull();
        expect((root.codes as Cell).refs[0].equals((await p.root.getChildCodes()).workerCode)).toBe(true);
    });

    it('worker_storage: counters, earnings, identity, status, stake and the four refs', async () => {
        const p = await deployProtocol({ workers: 1 });
        const { worker } = p.workers[0];
        const w = decodeStorage(await dataOf(p, worker.address), 'worker_storage');
        const state = await worker.getState();
        const earnings = await worker.getEarnings();
        const rep = await worker.getReputation();
        expect((w.root as Address).equals(state.root)).toBe(true);
        expect((w.owner as Address).equals(state.owner)).toBe(true);
        expect([w.index, w.status, w.stake, w.unbond_at]).toEqual([BigInt(state.index), BigInt(state.status), state.stake, BigInt(state.unbondAt)]);
        expect([w.earnings, w.payout_threshold]).toEqual([earnings.earnings, earnings.payoutThreshold]);
        expect([w.jobs, w.volume, w.tokens]).toEqual([BigInt(rep.jobs), rep.volume, rep.tokens]);
        expect((w.settings as Cell).equals(paramsCell((await worker.getSettings()).params))).toBe(true);
    });

    it('job_storage: balances, the voucher state, threshold, deadline, worker and the terms', async () => {
        const p = await deployForJobs();
        const j = await openJob(p, { value: toNano('5') });
        j.serve({ prompt: 200_000, cached: 0, completion: 80_000, reasoning: 0 });
        await p.run(() => j.job.sendExtClaim(j.voucher()));
        const job = decodeStorage(await dataOf(p, j.job.address), 'job_storage');
        const data = await j.job.getJobData();
        expect(data.paid).toBeGreaterThan(0n);
        expect([job.state, job.deposit, job.paid, job.held, job.tokens, job.head, job.threshold, job.deadline]).toEqual([
            BigInt(data.state),
            data.deposit,
            data.paid,
            data.held,
            data.tokens,
            BigInt('0x' + data.head.toString('hex')),
            data.threshold,
            BigInt(data.deadline),
        ]);
        expect((job.worker as Address).equals(data.worker)).toBe(true);
    });
});
