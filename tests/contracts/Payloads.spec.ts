/**
 * The signed-payload codec (wrappers/payloads.ts): layouts as in protocol.tlb, signatures over cell hashes,
 * the receipt hash chain, prices, and the message bodies that carry payloads. The on-chain side (FunC
 * verifying what TypeScript signed) is in Job.spec.ts and Slashing.spec.ts, through this same codec.
 */
import { Address, beginCell, Cell } from '@ton/core';
import { createHash } from 'crypto';
import { Op, Tags } from '../../wrappers/Constants';
import { inlineBodyRoom } from '../../wrappers/testkit/externals';
import {
    buildReceiptCell,
    buildSignedReceiptCell,
    buildVoucherCell,
    chainHead,
    chainHeadOf,
    claimBody,
    settleJobBody,
    voucherOfClaim,
    equivocationBody,
    equivocationEvidenceId,
    extClaimBody,
    GlobalId,
    parseClaimBody,
    parseReceiptCell,
    receiptChainHead,
    parseSignedReceiptCell,
    parseVoucherCell,
    PayloadError,
    Receipt,
    requestCost,
    Voucher,
    wrongModelBody,
    wrongModelEvidenceId,
    ZERO_HEAD,
} from '../../wrappers/payloads';
import { countersignVoucher, ed25519FromSeed, signReceipt, signVoucher, verifyReceipt, verifyVoucher } from '../../actors/crypto';

const sha = (s: string) => createHash('sha256').update(s).digest();
/** Addresses carry functions, so compare payloads with the address as a string. */
const norm = <T extends { job: Address }>(o: T) => ({ ...o, job: o.job.toRawString() });
const client = ed25519FromSeed(sha('client'));
const worker = ed25519FromSeed(sha('worker'));
const job = Address.parse('0:' + 'ab'.repeat(32));

const voucher: Voucher = { globalId: GlobalId.mainnet, job, nonce: 51_000_001n, amount: 123_456_789n, tokens: 42_000n, head: sha('head'), final: false };
const receipt: Receipt = {
    globalId: GlobalId.mainnet,
    job,
    nonce: 51_000_001n,
    seqno: 7,
    modelHash: sha('model'),
    tokens: { prompt: 1000, cached: 200, completion: 300, reasoning: 50 },
    cost: 1234n,
    cumulative: 99_999n,
    prevHead: sha('previous head'),
    requestHash: sha('request'),
    responseHash: sha('response'),
};

describe('Payloads', () => {
    describe('voucher', () => {
        it('round-trips through its cell with the "vchr" tag first', () => {
            const c = buildVoucherCell(voucher);
            expect(c.beginParse().loadUint(32)).toBe(Tags.voucher);
            expect(Buffer.from('vchr').readUInt32BE(0)).toBe(Tags.voucher);
            expect(norm(parseVoucherCell(c))).toEqual(norm(voucher));
            expect(c.refs.length).toBe(0);
            // 32 + 32 + 267 + Coins + 64 + 256 + 1: one cell, no refs, whatever the amount.
            expect(buildVoucherCell({ ...voucher, amount: (1n << 120n) - 1n }).bits.length).toBeLessThanOrEqual(1023);
        });

        it('signs the cell hash; verification fails for another key or any changed field', () => {
            const signed = signVoucher(voucher, client.secretKey);
            expect(verifyVoucher(signed, client.publicKey)).toBe(true);
            expect(verifyVoucher(signed, worker.publicKey)).toBe(false);
            for (const changed of [
                { ...voucher, amount: voucher.amount + 1n },
                { ...voucher, globalId: GlobalId.testnet },
                { ...voucher, job: Address.parse('0:' + 'cd'.repeat(32)) },
                { ...voucher, head: ZERO_HEAD },
                { ...voucher, final: true },
                { ...voucher, tokens: 0n },
                { ...voucher, nonce: voucher.nonce + 1n },
            ]) {
                expect(verifyVoucher({ cell: buildVoucherCell(changed), signature: signed.signature }, client.publicKey)).toBe(false);
            }
            // A different tag is a different message.
            expect(verifyVoucher({ cell: buildVoucherCell(voucher, { tag: Tags.receipt }), signature: signed.signature }, client.publicKey)).toBe(false);
        });

        it('should reject parsing a payload with another tag', () => {
            expect(() => parseVoucherCell(buildVoucherCell(voucher, { tag: Tags.receipt }))).toThrow(PayloadError);
            expect(() => parseVoucherCell(buildReceiptCell(receipt))).toThrow(PayloadError);
        });

        it('should reject a head that is not 32 bytes', () => {
            expect(() => buildVoucherCell({ ...voucher, head: Buffer.alloc(31) })).toThrow(PayloadError);
        });
    });

    describe('receipt', () => {
        it('round-trips through its cell ("rcpt" tag; counts, previous head and hashes in a ref) and fits the 931-bit bound', () => {
            const c = buildReceiptCell(receipt);
            expect(c.beginParse().loadUint(32)).toBe(Tags.receipt);
            expect(Buffer.from('rcpt').readUInt32BE(0)).toBe(Tags.receipt);
            expect(norm(parseReceiptCell(c))).toEqual(norm(receipt));
            expect(c.refs.length).toBe(1);
            expect(c.refs[0].bits.length).toBe(896);
            // The fields the worker account reads as evidence, in order, from the root cell.
            const s = c.beginParse().skip(64);
            expect(s.loadAddress().equals(job)).toBe(true);
            expect(s.loadUintBig(64)).toBe(receipt.nonce);
            expect(s.loadUint(32)).toBe(receipt.seqno);
            expect(s.loadBuffer(32).equals(receipt.modelHash)).toBe(true);
            expect(c.refs[0].beginParse().loadBuffer(32).equals(receipt.prevHead)).toBe(true);
            const big = buildReceiptCell({ ...receipt, nonce: (1n << 64n) - 1n, cost: (1n << 120n) - 1n, cumulative: (1n << 120n) - 1n });
            expect(big.bits.length).toBe(931);
        });

        it('binds the nonce and the previous head: changing either changes the signed hash', () => {
            const signed = signReceipt(receipt, worker.secretKey);
            for (const changed of [{ ...receipt, nonce: receipt.nonce + 1n }, { ...receipt, prevHead: ZERO_HEAD }]) {
                expect(verifyReceipt({ cell: buildReceiptCell(changed), signature: signed.signature }, worker.publicKey)).toBe(false);
            }
            expect(() => buildReceiptCell({ ...receipt, prevHead: Buffer.alloc(31) })).toThrow(PayloadError);
        });

        it('signs the cell hash and wraps into signed_receipt (signature, ^receipt)', () => {
            const signed = signReceipt(receipt, worker.secretKey);
            expect(verifyReceipt(signed, worker.publicKey)).toBe(true);
            expect(verifyReceipt(signed, client.publicKey)).toBe(false);
            const sc = buildSignedReceiptCell(signed);
            expect(sc.bits.length).toBe(512);
            expect(sc.refs[0].hash().equals(signed.cell.hash())).toBe(true);
            const back = parseSignedReceiptCell(sc);
            expect(norm(back.receipt)).toEqual(norm(receipt));
            expect(back.signature.equals(signed.signature)).toBe(true);
        });
    });

    describe('hash chain', () => {
        it('head_i = SHA-256(head_{i-1} || receipt_i cell hash), starting from 32 zero bytes', () => {
            const cells = [1, 2, 3].map((seqno) => buildReceiptCell({ ...receipt, seqno }));
            let h: Buffer = Buffer.alloc(32);
            for (const c of cells) h = createHash('sha256').update(Buffer.concat([h, c.hash()])).digest();
            expect(chainHeadOf(cells).equals(h)).toBe(true);
            expect(chainHead(chainHeadOf(cells.slice(0, 2)), cells[2]).equals(h)).toBe(true);
            expect(chainHeadOf([]).equals(ZERO_HEAD)).toBe(true);
            // Order matters: a different order is a different commitment.
            expect(chainHeadOf([cells[1], cells[0], cells[2]]).equals(h)).toBe(false);
        });

        it('a run of receipts verifies as a chain on its own (prevHead links, one job life, consecutive seqnos)', () => {
            const chain: { receipt: Receipt; cell: Cell }[] = [];
            let head: Buffer = ZERO_HEAD;
            for (const seqno of [1, 2, 3]) {
                const r = { ...receipt, seqno, prevHead: head };
                const cell = buildReceiptCell(r);
                chain.push({ receipt: r, cell });
                head = chainHead(head, cell);
            }
            expect(receiptChainHead(chain).equals(head)).toBe(true);
            expect(receiptChainHead(chain.slice(1), chain[1].receipt.prevHead).equals(head)).toBe(true);
            expect(receiptChainHead([]).equals(ZERO_HEAD)).toBe(true);
            const relink = (i: number, change: Partial<Receipt>) =>
                chain.map((x, k) => (k === i ? { receipt: { ...x.receipt, ...change }, cell: buildReceiptCell({ ...x.receipt, ...change }) } : x));
            expect(() => receiptChainHead(relink(2, { prevHead: chain[0].receipt.prevHead }))).toThrow(/does not name the head/);
            expect(() => receiptChainHead(relink(1, { nonce: receipt.nonce + 1n }))).toThrow(/another job or life/);
            expect(() => receiptChainHead(relink(2, { seqno: 4 }))).toThrow(/expected 3/);
            // A chain starting mid-way needs the head before it.
            expect(() => receiptChainHead(chain.slice(1))).toThrow(PayloadError);
        });
    });

    describe('pricing', () => {
        it('prices uncached prompt, cached prompt, plain completion and reasoning separately, per million tokens', () => {
            const prices = { prompt: 200n, cached: 50n, completion: 600n, reasoning: 900n };
            // (1000-200)*200 + 200*50 + (300-50)*600 + 50*900 = 160000 + 10000 + 150000 + 45000 = 365000 -> 0 (per million)
            expect(requestCost(receipt.tokens, prices)).toBe(0n);
            expect(requestCost(receipt.tokens, { prompt: 200_000_000n, cached: 50_000_000n, completion: 600_000_000n, reasoning: 900_000_000n })).toBe(365_000n);
            expect(() => requestCost({ prompt: 1, cached: 2, completion: 0, reasoning: 0 }, prices)).toThrow(PayloadError);
        });
    });

    describe('message bodies', () => {
        it('claim and ext_claim carry the signature and the fields the job does not know inline, the head in a ref', () => {
            const signed = signVoucher(voucher, client.secretKey);
            const internal = claimBody(signed);
            expect(internal.beginParse().loadUint(32)).toBe(Op.claim);
            expect(internal.refs).toHaveLength(1);
            expect(internal.refs[0].bits.length).toBe(256);
            const parsed = parseClaimBody(internal);
            expect(parsed.external).toBe(false);
            // The job rebuilds the signed voucher from what it knows: the same cell, the same hash.
            const rebuilt = buildVoucherCell(voucherOfClaim(parsed, { job, globalId: GlobalId.mainnet, nonce: voucher.nonce }));
            expect(rebuilt.hash().equals(signed.cell.hash())).toBe(true);
            const external = extClaimBody(signed);
            const back = parseClaimBody(external);
            expect(back.external).toBe(true);
            expect(back.signature.equals(signed.signature)).toBe(true);
            // Even at the largest amount the body fits inline in an external message (one cell and the head).
            const largest = extClaimBody(signVoucher({ ...voucher, amount: (1n << 120n) - 1n, tokens: (1n << 64n) - 1n }, client.secretKey));
            expect(largest.bits.length).toBeLessThanOrEqual(inlineBodyRoom(job));
        });

        it('a countersigned final voucher makes the settle_job body; a non-final one cannot be countersigned', () => {
            const final = signVoucher({ ...voucher, final: true }, client.secretKey);
            const cosignature = countersignVoucher(final, worker.secretKey);
            expect(verifyVoucher({ cell: final.cell, signature: cosignature }, worker.publicKey)).toBe(true);
            const body = settleJobBody(final, cosignature, 4n).beginParse();
            expect(body.loadUint(32)).toBe(Op.settleJob);
            expect(body.loadUintBig(64)).toBe(4n);
            expect(body.loadBuffer(64).equals(cosignature)).toBe(true);
            expect(body.loadRef().beginParse().loadBuffer(64).equals(final.signature)).toBe(true);
            expect(() => countersignVoucher(signVoucher(voucher, client.secretKey), worker.secretKey)).toThrow(PayloadError);
        });

        it('evidence bodies carry signed receipts in refs', () => {
            const a = signReceipt(receipt, worker.secretKey);
            const b = signReceipt({ ...receipt, cost: receipt.cost + 1n }, worker.secretKey);
            const eq = equivocationBody(a, b, 3n).beginParse();
            expect(eq.loadUint(32)).toBe(Op.reportEquivocation);
            expect(eq.loadUintBig(64)).toBe(3n);
            expect(norm(parseSignedReceiptCell(eq.loadRef()).receipt)).toEqual(norm(receipt));
            expect(parseSignedReceiptCell(eq.loadRef()).receipt.cost).toBe(receipt.cost + 1n);
            const wm = wrongModelBody(a).beginParse();
            expect(wm.loadUint(32)).toBe(Op.reportWrongModel);
            wm.loadUintBig(64);
            expect(parseSignedReceiptCell(wm.loadRef()).cell.hash().equals(a.cell.hash())).toBe(true);
        });

        it('evidence ids: the (job, nonce, seqno) cell hash for equivocation, the receipt hash for wrong model', () => {
            expect(equivocationEvidenceId(job, 5n, 7).equals(beginCell().storeAddress(job).storeUint(5n, 64).storeUint(7, 32).endCell().hash())).toBe(true);
            expect(equivocationEvidenceId(job, 5n, 7).equals(equivocationEvidenceId(job, 5n, 8))).toBe(false);
            expect(equivocationEvidenceId(job, 5n, 7).equals(equivocationEvidenceId(job, 6n, 7))).toBe(false);
            const c = buildReceiptCell(receipt);
            expect(wrongModelEvidenceId(c).equals(c.hash())).toBe(true);
        });
    });
});
