/**
 * Relay configuration from flags and environment (commander + zod): every field checked, one clear error
 * line per bad value. The wallet mnemonic comes from RELAY_MNEMONIC or a file, never a flag (it would show in
 * the process list).
 */
import { readFileSync } from 'fs';
import { z } from 'zod';
import { Address, toNano } from '@ton/core';

const ton = z.string().regex(/^\d+(\.\d{1,9})?$/, 'an amount in TON, e.g. 5 or 0.25').transform((s) => toNano(s));

export const relayConfigSchema = z.object({
    /** Root contract address (any form); workers are discovered from it alone. */
    root: z.string().min(10),
    listen: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8090),
    dataDir: z.string().min(1).default('.relay'),
    /** 24 words. */
    mnemonic: z.string().refine((s) => s.trim().split(/\s+/).length === 24, 'the wallet mnemonic must be 24 words'),
    /** 64 hex: the voucher key seed (generated once and kept in dataDir when not given). */
    voucherSeed: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    deposit: ton.default(toNano('5')),
    maxPrices: z.object({ prompt: ton, cached: ton, completion: ton, reasoning: ton }),
    idleCloseMinutes: z.coerce.number().positive().default(60),
    maxBodyBytes: z.coerce.number().int().positive().default(1 << 20),
    maxTokens: z.coerce.number().int().positive().default(4096),
    requestTimeoutMs: z.coerce.number().int().positive().default(300_000),
    /** Largest non-streamed answer held for a client; a worker that streams past it is cut off (502). */
    maxAnswerBytes: z.coerce.number().int().positive().default(16 << 20),
    /** Time a client has to send its request body (a slow client gets 408). */
    bodyTimeoutMs: z.coerce.number().int().positive().default(30_000),
    /** Time a client has to send its request head; connections that never send one are closed after it (slowloris). */
    headersTimeoutMs: z.coerce.number().int().positive().default(30_000),
    /** How long an idle keep-alive connection stays open. */
    keepAliveTimeoutMs: z.coerce.number().int().positive().default(65_000),
    /** A streaming client that reads nothing for this long gets its stream ended (client_timeout) and the worker's answer cut. */
    slowReaderTimeoutMs: z.coerce.number().int().positive().default(30_000),
    /** What the relay buffers for one client before it stops reading from the worker (bytes). */
    streamBufferBytes: z.coerce.number().int().min(1024).default(64 * 1024),
    /** PEM of a simulated TDX root to trust (development only; every answer then says simulated). */
    trustSimulatedRoot: z.string().optional(),
    /** Accept quotes checked offline only (no collateral). */
    allowNoCollateral: z.boolean().default(false),
    /**
     * The relay's own Intel collateral for workers that staple none: dcap-qvl collateral JSON files (picked by the
     * quote's FMSPC) and/or a PCCS (or Intel PCS) base URL to fetch from. Stapled collateral is used when present.
     */
    collateralFiles: z.array(z.string().min(1)).default([]),
    pccsUrl: z.string().url().optional(),
    /** account=url overrides of the on-chain endpoint (e.g. a worker on 127.0.0.1). */
    workerUrls: z.record(z.string(), z.string().url()).default({}),
    refreshSeconds: z.coerce.number().int().positive().default(60),
    /** After the root refused an open_job for everyone (job openings paused, library unpaid), no open is sent for this long. */
    refusedOpenCooldownSeconds: z.coerce.number().int().positive().default(60),
});
export type RelayConfig = z.infer<typeof relayConfigSchema>;

export function mnemonicFrom(env: NodeJS.ProcessEnv, file?: string): string {
    if (env.RELAY_MNEMONIC) return env.RELAY_MNEMONIC;
    if (file) return readFileSync(file, 'utf8').trim();
    throw new Error('no wallet: set RELAY_MNEMONIC or pass --mnemonic-file');
}

export function parseConfig(input: unknown): RelayConfig {
    const r = relayConfigSchema.safeParse(input);
    if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('\n'));
    return r.data;
}

/** The `relay start` flags (commander's option values, strings) and the environment, as a checked config. */
export function configFromFlags(o: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): RelayConfig {
    const urls: Record<string, string> = {};
    for (const pair of String(o.workerUrl ?? '').split(',').filter(Boolean)) {
        const [a, u] = pair.split('=');
        urls[Address.parse(a).toRawString()] = u;
    }
    const prices = String(o.maxPrices ?? '1000,1000,1000,1000').split(',');
    return parseConfig({
        root: o.root ?? env.RELAY_ROOT,
        listen: o.listen,
        port: o.port,
        dataDir: o.dataDir,
        mnemonic: mnemonicFrom(env, o.mnemonicFile as string | undefined),
        deposit: o.deposit,
        maxPrices: { prompt: prices[0], cached: prices[1], completion: prices[2], reasoning: prices[3] },
        maxTokens: o.maxTokens,
        requestTimeoutMs: o.requestTimeoutMs,
        maxAnswerBytes: o.maxAnswerBytes,
        idleCloseMinutes: o.idleCloseMinutes,
        refreshSeconds: o.refreshSeconds,
        refusedOpenCooldownSeconds: o.refusedOpenCooldownSeconds,
        bodyTimeoutMs: o.bodyTimeoutMs,
        headersTimeoutMs: o.headersTimeoutMs,
        keepAliveTimeoutMs: o.keepAliveTimeoutMs,
        slowReaderTimeoutMs: o.slowReaderTimeoutMs,
        streamBufferBytes: o.streamBufferBytes,
        trustSimulatedRoot: o.trustSimulatedRoot,
        allowNoCollateral: Boolean(o.allowNoCollateral) || Boolean(o.trustSimulatedRoot),
        collateralFiles: String(o.collateral ?? '').split(',').filter(Boolean),
        pccsUrl: o.pccs,
        workerUrls: urls,
    });
}
