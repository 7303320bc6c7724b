/**
 * Boot-time identity: fresh Ed25519 receipt and X25519 encryption keys (every boot makes new ones, inside
 * the TD), and a quote whose REPORTDATA binds both (docs/attestation.md §2). The quote hash is SHA-256 of the
 * quote's declared bytes (actors/tee parseQuote().declared), never of a file with trailing bytes.
 */
import { createHash } from 'crypto';
import { generateEd25519, generateX25519 } from '../../crypto/keys';
import { imageHash, parseQuote, reportDataFor, type QuoteProvider } from '../../tee';
import { BootError } from '../errors';

export interface BootKeys {
    receiptPublic: Buffer;
    /** 64 bytes: seed ‖ public (the form the payload codec signs with). */
    receiptSecret: Buffer;
    receiptSeed: Buffer;
    encPublic: Buffer;
    encPrivate: Buffer;
}

export function freshKeys(): BootKeys {
    const r = generateEd25519();
    const e = generateX25519();
    return {
        receiptPublic: r.publicKey,
        receiptSecret: Buffer.concat([r.privateKey, r.publicKey]),
        receiptSeed: r.privateKey,
        encPublic: e.publicKey,
        encPrivate: e.privateKey,
    };
}

export interface Attested {
    kind: 'tdx' | 'simulated';
    quote: Buffer;
    quoteHash: Buffer;
    imageHash: Buffer;
}

export function quoteFacts(quote: Buffer): { quoteHash: Buffer; imageHash: Buffer; reportData: Buffer } {
    const q = parseQuote(quote);
    if (q.tee !== 'tdx') throw new BootError('quote_failed', 'the quote is not a TDX quote');
    return { quoteHash: createHash('sha256').update(q.declared).digest(), imageHash: imageHash(q.td), reportData: q.td.reportData };
}

export async function attest(provider: QuoteProvider, keys: BootKeys): Promise<Attested> {
    const expected = reportDataFor({ receiptKey: keys.receiptPublic, encKey: keys.encPublic });
    let quote: Buffer;
    try {
        quote = await provider.getQuote(expected);
    } catch (e) {
        throw new BootError('quote_failed', `the ${provider.kind} quote provider failed: ${(e as Error).message}`);
    }
    let facts;
    try {
        facts = quoteFacts(quote);
    } catch (e) {
        throw new BootError('quote_failed', `the quote does not parse: ${(e as Error).message}`);
    }
    if (!facts.reportData.equals(expected)) throw new BootError('quote_failed', "the quote's REPORTDATA does not bind this boot's keys");
    return { kind: provider.kind, quote, quoteHash: facts.quoteHash, imageHash: facts.imageHash };
}
