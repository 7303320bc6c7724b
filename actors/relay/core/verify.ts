/**
 * Worker verification, pure: given what the worker said (attestation document and the freshness answer to
 * our nonce) and what the chain says (WorkerOnChain), decide whether the worker may be used, and say exactly
 * why not. Nothing the worker says is trusted on its word: the quote chains to a configured trust anchor,
 * REPORTDATA binds the advertised keys, those keys are the keys in the worker account, the image and model are
 * allowed on-chain now, the account is active with at least the minimum stake, and the nonce is signed by the
 * attested receipt key over this quote.
 */
import { reportDataFor, verifyNonce, verifyQuote, type TrustAnchor, type VerdictStatus } from '../../tee';
import type { AttestationDoc, FreshnessProof } from '../../wire';
import type { WorkerOnChain } from '../types';

export interface TrustSettings {
    /** Trust anchors for quotes: Intel's root in production; a simulated root only when named explicitly. */
    trustedRoots: TrustAnchor[];
    /** TCB statuses accepted (NoCollateral when the relay runs offline-only checks). */
    allowedStatuses: VerdictStatus[];
    globalId: number;
    /** Raw address of the root the relay follows. */
    root: string;
}

export interface VerifiedWorker {
    account: string;
    url: string;
    simulated: boolean;
    receiptKey: Buffer;
    encKey: Buffer;
    modelId: string;
    modelHash: Buffer;
    quoteHash: Buffer;
    onChain: WorkerOnChain;
    creditLimit: bigint;
}

export type VerifyOutcome = { ok: true; worker: VerifiedWorker } | { ok: false; reasons: string[] };

export interface VerifyInput {
    url: string;
    doc: AttestationDoc;
    nonce: Buffer;
    freshness: FreshnessProof;
    onChain: WorkerOnChain;
    trust: TrustSettings;
    at: Date;
}

const hex = (b: Buffer) => b.toString('hex');

export function verifyWorker(i: VerifyInput): VerifyOutcome {
    const { doc, onChain, trust } = i;
    const reasons: string[] = [];
    const receiptKey = Buffer.from(doc.receiptKey, 'hex');
    const encKey = Buffer.from(doc.encKey, 'hex');
    const quoteHash = Buffer.from(doc.quoteHash, 'hex');

    const verdict = verifyQuote(Buffer.from(doc.quote, 'base64'), {
        at: i.at,
        trustedRoots: trust.trustedRoots,
        collateral: doc.collateral ?? undefined,
        policy: { allowedStatuses: trust.allowedStatuses },
    });
    if (!verdict.ok) reasons.push(`quote refused: ${verdict.reasons.map((r) => `${r.code} (${r.detail})`).join('; ') || verdict.status}`);
    if (verdict.simulated !== doc.simulated) reasons.push(`the document says simulated=${doc.simulated} but the quote chain says ${verdict.simulated}`);
    if (verdict.quoteHash !== doc.quoteHash) reasons.push('the quote hash in the document is not the hash of the quote');
    const rd = reportDataFor({ receiptKey, encKey });
    if (verdict.measurements && verdict.measurements.reportData !== hex(rd)) reasons.push('REPORTDATA does not bind the advertised receipt and encryption keys');
    if (verdict.imageHash && verdict.imageHash !== doc.imageHash) reasons.push('the image hash in the document is not the quote image hash');

    if (doc.globalId !== trust.globalId) reasons.push(`worker is on network ${doc.globalId}, the relay on ${trust.globalId}`);
    if (doc.root !== trust.root) reasons.push(`worker belongs to root ${doc.root}, not ${trust.root}`);
    if (doc.workerAccount !== onChain.account.toRawString()) reasons.push('the document names another worker account');
    if (!onChain.active) reasons.push('the worker account is not active');
    if (onChain.stake < onChain.minStake) reasons.push(`stake ${onChain.stake} is below the minimum ${onChain.minStake}`);
    if (!onChain.receiptKey.equals(receiptKey)) reasons.push('the receipt key is not the one in the worker account (keys changed and not updated on-chain)');
    if (!onChain.encKey.equals(encKey)) reasons.push('the encryption key is not the one in the worker account');
    if (!onChain.quoteHash.equals(quoteHash)) reasons.push('the quote hash is not the one registered in the worker account');
    if (verdict.imageHash && !onChain.imageHash.equals(Buffer.from(verdict.imageHash, 'hex'))) reasons.push('the quote image hash is not the registered one');
    if (!onChain.imageAllowed) reasons.push(`image ${hex(onChain.imageHash)} is not allowed on-chain now`);
    if (!onChain.modelAllowed) reasons.push(`model ${hex(onChain.modelHash)} is not allowed on-chain now`);
    if (doc.model.hash !== hex(onChain.modelHash)) reasons.push('the model hash in the document is not the registered one');

    if (i.freshness.nonce !== hex(i.nonce)) reasons.push('the freshness answer is for another nonce');
    else if (!verifyNonce(receiptKey, i.nonce, quoteHash, Buffer.from(i.freshness.signature, 'hex'))) reasons.push('the freshness signature is not by the attested receipt key');

    if (reasons.length > 0) return { ok: false, reasons };
    return {
        ok: true,
        worker: {
            account: onChain.account.toRawString(),
            url: i.url,
            simulated: verdict.simulated,
            receiptKey,
            encKey,
            modelId: doc.model.id,
            modelHash: onChain.modelHash,
            quoteHash,
            onChain,
            creditLimit: BigInt(doc.creditLimit),
        },
    };
}

/**
 * The chain's side of the check again, for a worker verified earlier: the allowlists and the account can
 * change under a running relay (the council retires an image, a superseded image's grace ends, the worker is
 * slashed or unbonds, its keys are rotated). Empty when the worker may still be used for new requests.
 */
export function chainProblems(w: VerifiedWorker, onChain: WorkerOnChain): string[] {
    const reasons: string[] = [];
    if (!onChain.active) reasons.push('the worker account is not active');
    if (onChain.stake < onChain.minStake) reasons.push(`stake ${onChain.stake} is below the minimum ${onChain.minStake}`);
    if (!onChain.receiptKey.equals(w.receiptKey)) reasons.push('the receipt key in the worker account changed since verification');
    if (!onChain.encKey.equals(w.encKey)) reasons.push('the encryption key in the worker account changed since verification');
    if (!onChain.quoteHash.equals(w.quoteHash)) reasons.push('the quote hash in the worker account changed since verification');
    if (!onChain.modelHash.equals(w.modelHash)) reasons.push('the registered model changed since verification');
    if (!onChain.imageAllowed) reasons.push(`image ${hex(onChain.imageHash)} is not allowed on-chain now`);
    if (!onChain.modelAllowed) reasons.push(`model ${hex(onChain.modelHash)} is not allowed on-chain now`);
    return reasons;
}
