/**
 * One rule per cell type, applied wherever the value enters: a malformed Prices, Params, Text or Attestation
 * cell is refused at every entry point (registration, attestation update, an operator's update, set_prices,
 * open_job's max_prices, set_params, add_model, and the council's check of a root action that carries one), each
 * with a named error. A truncated cell fails
 * with cell underflow (exit code 9); extra bits or refs fail with the type's own error.
 */
import { beginCell, Builder, Cell, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { Errors, Op } from '../../wrappers/Constants';
import { attestationCell, pricesCell, textCell, uint256ToBuffer } from '../../wrappers/common';
import { jobAddress, openJobBody } from '../../wrappers/Job';
import { operatorUpdateBody, paramsCell, workerRegistrationBody } from '../../wrappers/Root';
import { CouncilAction } from '../../wrappers/Council';
import { DEFAULT_PARAMS, DEFAULT_PRICES, deployProtocol, Ledger, Protocol, RegisteredWorker, REGISTRATION_FEES, refusalFrom } from '../../wrappers/testkit';
import { CouncilKit, deployCouncil, ROOT_ACTION_VALUE } from '../../wrappers/testkit/council';

const GOV_VALUE = toNano('0.05');
const OP_VALUE = toNano('0.05');
const UPDATE_VALUE = toNano('1');

/** A copy of `cell` with extra data after it: `bits` more zero bits, or one more (empty) ref. */
const padded = (cell: Cell, extra: 'bit' | 'ref'): Cell => {
    const b: Builder = beginCell().storeSlice(cell.beginParse());
    return (extra === 'bit' ? b.storeBit(0) : b.storeRef(Cell.EMPTY)).endCell();
};
const bits = (n: number): Cell => beginCell().storeUint(0, n).endCell();

const goodPrices = pricesCell(DEFAULT_PRICES);
const badPrices: Array<[string, Cell, number]> = [
    ['3 bits', bits(3), Errors.cellUnderflow],
    ['one more bit', padded(goodPrices, 'bit'), Errors.badPrices],
    ['a ref', padded(goodPrices, 'ref'), Errors.badPrices],
];
const goodAttestation = attestationCell({ imageHash: uint256ToBuffer(1n), modelHash: uint256ToBuffer(2n), quoteHash: uint256ToBuffer(3n) });
const badAttestations: Array<[string, Cell]> = [
    ['767 bits', bits(767)],
    ['769 bits', padded(goodAttestation, 'bit')],
    ['a ref', padded(goodAttestation, 'ref')],
];
const badTexts: Array<[string, Cell]> = [
    ['a partial byte', beginCell().storeBuffer(Buffer.from('abc')).storeUint(1, 3).endCell()],
    ['a ref', padded(textCell('abc'), 'ref')],
];
const goodParams = paramsCell(DEFAULT_PARAMS);
const badParams: Array<[string, Cell, number]> = [
    ['one more bit', padded(goodParams, 'bit'), Errors.badParams],
    ['a ref', padded(goodParams, 'ref'), Errors.badParams],
    ['truncated', bits(32), Errors.cellUnderflow],
    ['zero minimum stake', paramsCell({ ...DEFAULT_PARAMS, minStake: 0n }), Errors.stakeTooSmall],
    ['fee above 10000 bps', paramsCell({ ...DEFAULT_PARAMS, protocolFeeBps: 10_001 }), Errors.bpsOutOfRange],
    ['min challenge above max', paramsCell({ ...DEFAULT_PARAMS, minChallenge: 10, maxChallenge: 9 }), Errors.minAboveMax],
];

/** A registration (or update) body with the ref at `index` (0 attestation, 1 prices, 2 endpoint) replaced. */
function withRef(body: Cell, index: number, replacement: Cell): Cell {
    const s = body.beginParse();
    const head = s.loadBits(s.remainingBits);
    const refs = [s.loadRef(), s.loadRef(), s.loadRef()];
    refs[index] = replacement;
    return beginCell().storeBits(head).storeRef(refs[0]).storeRef(refs[1]).storeRef(refs[2]).endCell();
}

describe('Cell validation at every entry point', () => {
    let p: Protocol;
    let w: RegisteredWorker;
    let owner: SandboxContract<TreasuryContract>;

    beforeAll(async () => {
        p = await deployProtocol({ workers: 1 });
        w = p.workers[0];
        owner = await p.wallet('new owner');
    });

    const expectRootRefuses = async (body: Cell, from: SandboxContract<TreasuryContract>, value: bigint, exitCode: number) => {
        const e = await p.run(() => p.root.sendRaw(from.getSender(), body, value));
        expect(e.result.transactions).toHaveTransaction({ from: from.address, to: p.root.address, success: false, exitCode });
        // nothing went on to a worker account
        expect(e.result.transactions).not.toHaveTransaction({ from: p.root.address, op: Op.workerAttest });
    };

    describe.each([
        ['registration', false],
        ['attestation update', true],
    ])('%s', (_, update) => {
        const send = (index: number, replacement: Cell, exitCode: number) => {
            const from = update ? w.owner : owner;
            const { registration } = update ? { registration: w.registration } : p.registrationFor('fresh', 3);
            const body = withRef(workerRegistrationBody(registration, update), index, replacement);
            return expectRootRefuses(body, from, update ? UPDATE_VALUE : DEFAULT_PARAMS.minStake + REGISTRATION_FEES, exitCode);
        };
        it.each(badPrices)('refuses Prices with %s', (__, cell, exitCode) => send(1, cell, exitCode));
        it.each(badAttestations)('refuses an Attestation of %s', (__, cell) => send(0, cell, Errors.badAttestation));
        it.each(badTexts)('refuses an endpoint Text with %s', (__, cell) => send(2, cell, Errors.textTooLong));
    });

    describe("an operator's update", () => {
        it.each(badAttestations)('refuses an Attestation of %s, and nothing reaches the worker account', async (_, cell) => {
            const operator = await p.wallet('operator');
            const body = operatorUpdateBody({
                owner: w.owner.address,
                index: w.index,
                receiptKey: uint256ToBuffer(5n),
                encryptionKey: uint256ToBuffer(6n),
                attestation: { imageHash: uint256ToBuffer(1n), modelHash: uint256ToBuffer(2n), quoteHash: uint256ToBuffer(3n) },
            });
            const s = body.beginParse();
            const withBadAttestation = beginCell().storeBits(s.loadBits(s.remainingBits)).storeRef(cell).endCell();
            const e = await p.run(() => p.root.sendRaw(operator.getSender(), withBadAttestation, UPDATE_VALUE));
            expect(e.result.transactions).toHaveTransaction({ from: operator.address, to: p.root.address, success: false, exitCode: Errors.badAttestation });
            expect(e.result.transactions).not.toHaveTransaction({ from: p.root.address, to: w.worker.address });
        });
    });

    describe('open_job', () => {
        // A Prices cell the worker account could not read would make every offer bounce (a malformed one) or be
        // read as other prices (a padded one): the root refuses it, so the deposit never reaches a job.
        it.each(badPrices)('refuses max_prices with %s: no job is deployed and the deposit comes back to the client with a refusal comment', async (_, cell, exitCode) => {
            const client = await p.wallet('client');
            const deposit = toNano('5');
            const request = { worker: w.worker.address, jobId: 1n, clientKey: uint256ToBuffer(9n), challenge: DEFAULT_PARAMS.minChallenge, maxPrices: DEFAULT_PRICES };
            const s = openJobBody(request).beginParse();
            const body = beginCell().storeBits(s.loadBits(s.remainingBits)).storeRef(cell).endCell();
            const e = await p.run(() => p.root.sendRaw(client.getSender(), body, deposit));
            expect(refusalFrom(e.result, p.root.address)).toBe(exitCode);
            const job = jobAddress({ root: p.root.address, client: client.address, worker: w.worker.address, jobId: 1n });
            expect(e.result.transactions).not.toHaveTransaction({ to: job });
            expect((await p.blockchain.getContract(job)).accountState?.type ?? 'uninit').not.toBe('active');
            // Only the root's gas and the forwarding fees are spent: the deposit is back with the client.
            expect(-Ledger.flow(e, client.address)).toBeLessThan(toNano('0.05'));
        });
    });

    describe('set_prices', () => {
        const setPrices = (prices: Cell, endpoint: Cell | null) =>
            beginCell().storeUint(Op.setPrices, 32).storeUint(0, 64).storeRef(prices).storeMaybeRef(endpoint).endCell();
        it.each(badPrices)('refuses Prices with %s', async (_, cell, exitCode) => {
            const e = await p.run(() => w.worker.sendRaw(w.owner.getSender(), setPrices(cell, null), OP_VALUE));
            expect(refusalFrom(e.result, w.worker.address)).toBe(exitCode);
            expect((await w.worker.getProfile()).prices).toEqual(DEFAULT_PRICES);
        });
        it.each(badTexts)('refuses an endpoint Text with %s', async (_, cell) => {
            const e = await p.run(() => w.worker.sendRaw(w.owner.getSender(), setPrices(goodPrices, cell), OP_VALUE));
            expect(refusalFrom(e.result, w.worker.address)).toBe(Errors.textTooLong);
        });
    });

    describe('root governance', () => {
        it.each(badParams)('set_params refuses Params with %s', async (_, cell, exitCode) => {
            const body = beginCell().storeUint(Op.setParams, 32).storeUint(0, 64).storeRef(cell).endCell();
            await expectRootRefuses(body, p.governance, GOV_VALUE, exitCode);
            expect(await p.root.getParams()).toEqual(DEFAULT_PARAMS);
        });
        it.each(badTexts)('add_model refuses a name Text with %s', async (_, cell) => {
            const body = beginCell().storeUint(Op.addModel, 32).storeUint(0, 64).storeUint(77n, 256).storeRef(cell).endCell();
            await expectRootRefuses(body, p.governance, GOV_VALUE, Errors.textTooLong);
            expect(await p.root.getIsModelAllowed(uint256ToBuffer(77n))).toBe(false);
        });
    });

    describe('council actions', () => {
        let c: CouncilKit;
        beforeAll(async () => {
            c = await deployCouncil();
        });
        // the council checks root actions by the root's own rules (contracts/governance.fc): the root's named error,
        // bad_root_action where the root would fail with a cell underflow
        const propose = async (body: Cell, rootError: number) => {
            const actions: CouncilAction[] = [{ kind: 'rootRaw', value: ROOT_ACTION_VALUE, body }];
            const { result } = await c.run(() =>
                c.council.sendCreateProposal(c.alice.getSender(), { actions, description: 'bad', value: toNano('1'), evidence: Buffer.alloc(32, 1) }),
            );
            const exitCode = rootError === Errors.cellUnderflow ? Errors.badRootAction : rootError;
            expect(refusalFrom(result, c.council.address)).toBe(exitCode);
            expect((await c.council.getCouncilData()).nextId).toBe(0);
        };
        it.each(badParams)('refuses set_params with Params with %s', (_, cell, error) =>
            propose(beginCell().storeUint(Op.setParams, 32).storeUint(0, 64).storeRef(cell).endCell(), error));
        it.each(badTexts)('refuses add_model with a name Text with %s', (_, cell) =>
            propose(beginCell().storeUint(Op.addModel, 32).storeUint(0, 64).storeUint(77n, 256).storeRef(cell).endCell(), Errors.textTooLong));
    });
});
