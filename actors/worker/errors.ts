/**
 * Worker errors. Request-path refusals are the wire's WireError (one code table shared with the relay);
 * boot checks fail with a BootError: one line for the operator and a non-zero exit code.
 */
export { WireError, type WireErrorCode, statusOf } from '../wire/errors';

export type BootErrorCode =
    | 'bad_config'
    | 'quote_failed'
    | 'model_hash_failed'
    | 'chain_unreachable'
    | 'image_not_allowed'
    | 'model_not_allowed'
    | 'worker_account_missing'
    | 'worker_not_active'
    | 'keys_not_registered'
    | 'operator_not_authorised'
    | 'engine_unreachable'
    | 'refused_on_chain'
    | 'store_failed';

export class BootError extends Error {
    constructor(
        readonly code: BootErrorCode,
        message: string,
    ) {
        super(message);
        this.name = 'BootError';
    }
}

/** Exit codes of `npm run worker` (documented in docs/run-a-worker.md). */
export const ExitCode = { ok: 0, bootCheck: 1, usage: 2 } as const;
