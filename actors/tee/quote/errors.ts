/**
 * A malformed quote fails with one of these codes and the byte offset where parsing stopped, so an
 * operator can tell "truncated at the PCK chain" from "wrong TEE type" without reading a stack trace.
 */
export type QuoteFormatCode =
    | 'TRUNCATED'
    | 'UNSUPPORTED_VERSION'
    | 'UNSUPPORTED_ATT_KEY_TYPE'
    | 'UNSUPPORTED_TEE_TYPE'
    | 'UNKNOWN_QE_VENDOR'
    | 'UNSUPPORTED_BODY_TYPE'
    | 'BAD_BODY_SIZE'
    | 'BAD_CERTIFICATION_TYPE'
    | 'BAD_LENGTH'
    | 'TRAILING_BYTES'
    | 'BAD_PCK_CHAIN';

export class QuoteFormatError extends Error {
    readonly code: QuoteFormatCode;
    readonly offset: number;

    constructor(code: QuoteFormatCode, offset: number, detail: string) {
        super(`${code} at byte ${offset}: ${detail}`);
        this.name = 'QuoteFormatError';
        this.code = code;
        this.offset = offset;
    }
}
