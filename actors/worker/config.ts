/**
 * Worker configuration from a JSON file, the environment and command-line flags (flags win over the
 * environment, the environment over the file). Every field is documented here and in
 * docs/run-a-worker.md; a bad value fails with one line naming the field and what it expects.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'fs';
import { z } from 'zod';
import { Address, toNano } from '@ton/core';
import type { Prices } from '../../wrappers/common';
import { DEFAULT_MAX_REQUEST_BYTES } from '../wire';
import { BootError } from './errors';

const tonAmount = z
    .string()
    .regex(/^\d+(\.\d{1,9})?$/, 'a TON amount like 0.2')
    .transform((s) => toNano(s));
const address = z.string().transform((s, ctx) => {
    try {
        return Address.parse(s);
    } catch {
        ctx.addIssue({ code: 'custom', message: 'a TON address (raw 0:… or user-friendly)' });
        return z.NEVER;
    }
});
/** An address, or `none` (set-operator: revoke the operator). */
const addressOrNone = z.string().transform((s, ctx): Address | null => {
    if (s.trim().toLowerCase() === 'none') return null;
    try {
        return Address.parse(s);
    } catch {
        ctx.addIssue({ code: 'custom', message: 'a TON address (raw 0:… or user-friendly), or none' });
        return z.NEVER;
    }
});
const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** One row per field: its flag, environment variable, schema and meaning. */
export const FIELDS = {
    network: { flag: 'network', env: 'TON_NETWORK', schema: z.enum(['mainnet', 'testnet', 'localnet']).default('testnet'), doc: 'mainnet, testnet or localnet (the local chain server, npm run localnet)' },
    chainEndpoint: { flag: 'chain-endpoint', env: 'TON_ENDPOINT', schema: z.string().url().optional(), doc: "toncenter v2 JSON-RPC URL overriding the network's preset (e.g. http://127.0.0.1:8081/jsonRPC)" },
    chainApiKey: { flag: 'chain-api-key', env: 'TON_API_KEY', schema: z.string().optional(), doc: 'API key for the chain endpoint (optional)' },
    root: { flag: 'root', env: 'WORKER_ROOT', schema: address, doc: 'Address of the cocoon-ton root contract' },
    owner: { flag: 'owner', env: 'WORKER_OWNER', schema: address.optional(), doc: "Owner wallet address (needed when no mnemonic is configured): the worker account is (root, owner, index)" },
    walletMnemonicFile: { flag: 'wallet-mnemonic-file', env: 'WORKER_WALLET_MNEMONIC_FILE', schema: z.string().optional(), doc: "File with the owner wallet's 24 words (optional; WORKER_WALLET_MNEMONIC also works). Without it claims go by external message and owner operations print links" },
    walletMnemonic: { flag: 'wallet-mnemonic', env: 'WORKER_WALLET_MNEMONIC', schema: z.string().optional(), doc: 'The owner wallet 24 words (prefer the file or the environment over the flag: flags show in ps)' },
    operatorMnemonicFile: {
        flag: 'operator-mnemonic-file',
        env: 'WORKER_OPERATOR_MNEMONIC_FILE',
        schema: z.string().optional(),
        doc: "File with the operator wallet's 24 words (WORKER_OPERATOR_MNEMONIC also works): the hot wallet the owner authorised with set-operator. It can only put a new boot's keys on-chain, never touch the stake, so a GPU host can restart unattended. Needs --owner when no owner mnemonic is configured",
    },
    operatorMnemonic: { flag: 'operator-mnemonic', env: 'WORKER_OPERATOR_MNEMONIC', schema: z.string().optional(), doc: 'The operator wallet 24 words (prefer the file or the environment over the flag: flags show in ps)' },
    operator: {
        flag: 'operator',
        env: 'WORKER_OPERATOR',
        schema: addressOrNone.optional(),
        doc: 'set-operator: the operator wallet address to authorise, or none to revoke (default: the address of the configured operator mnemonic)',
    },
    index: { flag: 'index', env: 'WORKER_INDEX', schema: intFrom(0, 0xffffffff).default(0), doc: 'Worker index of this GPU under the owner (one worker account per owner and index)' },
    engineUrl: { flag: 'engine-url', env: 'WORKER_ENGINE_URL', schema: z.string().url().default('http://127.0.0.1:8000'), doc: "vLLM's OpenAI-compatible server, without /v1" },
    engineApiKey: { flag: 'engine-api-key', env: 'WORKER_ENGINE_API_KEY', schema: z.string().optional(), doc: "vLLM's --api-key, if set" },
    modelId: { flag: 'model-id', env: 'WORKER_MODEL_ID', schema: z.string().min(1).max(127), doc: "Model id: vLLM's --served-model-name, and the name the DAO listed (org/model@revision:hash)" },
    modelPath: { flag: 'model-path', env: 'WORKER_MODEL_PATH', schema: z.string().min(1), doc: 'Directory or file of the model weights: its model hash must be allowlisted on-chain' },
    prices: {
        flag: 'prices',
        env: 'WORKER_PRICES',
        schema: z
            .string()
            .regex(/^\s*\d+(\.\d{1,9})?(\s*,\s*\d+(\.\d{1,9})?){3}\s*$/, 'four TON amounts per million tokens: prompt,cached,completion,reasoning')
            .transform((s): Prices => {
                const [prompt, cached, completion, reasoning] = s.split(',').map((p) => toNano(p.trim()));
                return { prompt, cached, completion, reasoning };
            }),
        doc: 'Prices in TON per million tokens: prompt,cached,completion,reasoning (registered on-chain; a job is billed at the prices it accepted)',
    },
    creditLimit: { flag: 'credit-limit', env: 'WORKER_CREDIT_LIMIT', schema: tonAmount.default(toNano('0.1')), doc: 'Most TON served per job ahead of the best voucher held' },
    claimThreshold: { flag: 'claim-threshold', env: 'WORKER_CLAIM_THRESHOLD', schema: tonAmount.default(toNano('1')), doc: 'Claim a job once its unclaimed vouchers reach this (TON); closing jobs, final vouchers and shutdown claim any amount' },
    claimVia: { flag: 'claim-via', env: 'WORKER_CLAIM_VIA', schema: z.enum(['external', 'wallet']).default('external'), doc: 'external: gasless ext_claim, fees from the payout; wallet: internal claim through the owner wallet' },
    maxTokens: { flag: 'max-tokens', env: 'WORKER_MAX_TOKENS', schema: intFrom(1, 1_000_000).default(4096), doc: 'Hard cap on max_tokens per request' },
    maxRequestBytes: { flag: 'max-request-bytes', env: 'WORKER_MAX_REQUEST_BYTES', schema: intFrom(1024, 64 << 20).default(DEFAULT_MAX_REQUEST_BYTES), doc: 'Largest request envelope accepted, bytes' },
    bodyTimeoutMs: { flag: 'body-timeout-ms', env: 'WORKER_BODY_TIMEOUT_MS', schema: intFrom(100, 600_000).default(10_000), doc: 'Time a client has to send its request body' },
    headersTimeoutMs: { flag: 'headers-timeout-ms', env: 'WORKER_HEADERS_TIMEOUT_MS', schema: intFrom(100, 600_000).default(30_000), doc: 'Time a client has to send its request head; connections that send nothing are closed after it too (slowloris)' },
    keepAliveTimeoutMs: { flag: 'keep-alive-timeout-ms', env: 'WORKER_KEEP_ALIVE_TIMEOUT_MS', schema: intFrom(1_000, 600_000).default(65_000), doc: 'How long an idle keep-alive connection stays open' },
    jobFreshnessMs: { flag: 'job-freshness-ms', env: 'WORKER_JOB_FRESHNESS_MS', schema: intFrom(0, 60_000).default(2_000), doc: 'How long a job read from the chain is reused' },
    listen: { flag: 'listen', env: 'WORKER_LISTEN', schema: z.string().regex(/^[^:]+:\d{1,5}$/, 'host:port').default('127.0.0.1:8080'), doc: 'Listen address (loopback by default; put a TLS proxy in front for the public endpoint)' },
    endpoint: { flag: 'endpoint', env: 'WORKER_ENDPOINT', schema: z.string().max(127).optional(), doc: 'Public URL registered on-chain (used by register/update/set-prices)' },
    dataDir: { flag: 'data-dir', env: 'WORKER_DATA_DIR', schema: z.string().min(1).default('./worker-data'), doc: 'Directory of the state database (receipts, vouchers, claims)' },
    quoteProvider: { flag: 'quote-provider', env: 'WORKER_QUOTE_PROVIDER', schema: z.enum(['tdx', 'simulated']), doc: 'tdx (configfs-tsm inside a TD) or simulated (development only, marked in every answer); no default' },
    stake: { flag: 'stake', env: 'WORKER_STAKE', schema: tonAmount.optional(), doc: 'Stake sent with register (TON); default the minimum stake' },
    payoutThreshold: { flag: 'payout-threshold', env: 'WORKER_PAYOUT_THRESHOLD', schema: tonAmount.default(toNano('1')), doc: 'Registration: forward job earnings to the owner once they reach this (TON)' },
    waitForKeysMs: { flag: 'wait-for-keys-ms', env: 'WORKER_WAIT_FOR_KEYS_MS', schema: intFrom(0, 86_400_000).default(600_000), doc: 'How long start waits for the registration/update of its keys on-chain' },
    logLevel: { flag: 'log-level', env: 'WORKER_LOG_LEVEL', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), doc: 'Log level (pino)' },
} as const;

type Fields = typeof FIELDS;
export type WorkerConfig = { [K in keyof Fields]: z.output<Fields[K]['schema']> };
export type ConfigKey = keyof Fields;

/** Adds every field as a `--flag <value>` option (plus --config <file>) to a command. */
export function addConfigOptions(cmd: Command): Command {
    cmd.addOption(new Option('--config <file>', 'JSON file with any of the fields below (camelCase keys)').env('WORKER_CONFIG'));
    for (const f of Object.values(FIELDS)) cmd.addOption(new Option(`--${f.flag} <value>`, `${f.doc} [env ${f.env}]`));
    return cmd;
}

/**
 * Resolves the configuration. `required` names the fields the command needs (others may stay unset).
 * Throws BootError('bad_config') with one line per problem.
 */
export function resolveConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv, required: ConfigKey[] = []): WorkerConfig {
    const file: Record<string, unknown> = {};
    const path = (flags.config as string | undefined) ?? env.WORKER_CONFIG;
    if (path) {
        try {
            Object.assign(file, JSON.parse(readFileSync(path, 'utf8')));
        } catch (e) {
            throw new BootError('bad_config', `--config ${path}: ${(e as Error).message}`);
        }
    }
    const out: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [key, f] of Object.entries(FIELDS) as [ConfigKey, Fields[ConfigKey]][]) {
        const camelFlag = f.flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
        const raw = flags[camelFlag] ?? env[f.env] ?? file[key];
        // An empty variable counts as unset (WORKER_X= in a unit file).
        const value = raw === undefined || raw === null || raw === '' ? undefined : String(raw);
        if (value === undefined && required.includes(key)) {
            problems.push(`--${f.flag} (or ${f.env}) is required: ${f.doc}`);
            continue;
        }
        const r = (f.schema as z.ZodType).safeParse(value);
        if (!r.success) {
            if (value === undefined && !required.includes(key)) continue;
            problems.push(`--${f.flag} (or ${f.env}) = ${JSON.stringify(value)}: ${r.error.issues.map((i) => i.message).join('; ')}`);
            continue;
        }
        out[key] = r.data;
    }
    if (problems.length) throw new BootError('bad_config', problems.join('\n'));
    return out as WorkerConfig;
}

/** 24 words from the value or the file named by `fileFlag`; null when neither is set. */
function mnemonicFrom(words: string | undefined, file: string | undefined, fileFlag: string, what: string): string[] | null {
    if (!words && file) {
        try {
            words = readFileSync(file, 'utf8');
        } catch (e) {
            throw new BootError('bad_config', `--${fileFlag}: ${(e as Error).message}`);
        }
    }
    if (!words) return null;
    const list = words.trim().split(/\s+/);
    if (list.length !== 24) throw new BootError('bad_config', `the ${what} mnemonic must have 24 words, got ${list.length}`);
    return list;
}

/** The owner mnemonic, from the file or the variable; null when none is configured. */
export function walletMnemonic(c: WorkerConfig): string[] | null {
    return mnemonicFrom(c.walletMnemonic, c.walletMnemonicFile, 'wallet-mnemonic-file', 'wallet');
}

/** The operator mnemonic (the hot wallet that may only re-attest), from the file or the variable; null when none. */
export function operatorMnemonic(c: WorkerConfig): string[] | null {
    return mnemonicFrom(c.operatorMnemonic, c.operatorMnemonicFile, 'operator-mnemonic-file', 'operator');
}

export function parseListen(listen: string): { host: string; port: number } {
    const i = listen.lastIndexOf(':');
    return { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) };
}
