import { promises as fsp } from 'fs';
import { join } from 'path';
import { randomBytes } from 'crypto';
import { checkReportData, QuoteProvider } from './types';

/**
 * The few filesystem calls configfs-tsm needs. Production uses node:fs; tests substitute a fake that
 * emulates the kernel on a temporary folder (attribute files appear on mkdir, outblob depends on inblob).
 */
export interface TsmFs {
    mkdir(path: string): Promise<void>;
    rmdir(path: string): Promise<void>;
    readFile(path: string): Promise<Buffer>;
    writeFile(path: string, data: Buffer): Promise<void>;
}

export const nodeTsmFs: TsmFs = {
    mkdir: async (p) => {
        await fsp.mkdir(p);
    },
    rmdir: (p) => fsp.rmdir(p),
    readFile: (p) => fsp.readFile(p),
    writeFile: (p, d) => fsp.writeFile(p, d),
};

export interface ConfigfsTsmOptions {
    /** Default /sys/kernel/config/tsm/report (Linux 6.7+, CONFIG_TSM_REPORTS). */
    root?: string;
    fs?: TsmFs;
    /** Retries when another writer raced us (generation changed). Default 3. */
    maxAttempts?: number;
}

export class TsmError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'TsmError';
    }
}

/**
 * Real TDX quotes through configfs-tsm: mkdir an entry, write the 64-byte REPORTDATA to `inblob`, read
 * `generation`, read `outblob` (the host's QGS signs while we block), read `generation` again; if it
 * moved, someone else wrote `inblob` in between and the quote may not carry our REPORTDATA, so retry.
 */
export class ConfigfsTsmProvider implements QuoteProvider {
    readonly kind = 'tdx' as const;
    private readonly root: string;
    private readonly fs: TsmFs;
    private readonly maxAttempts: number;

    constructor(options: ConfigfsTsmOptions = {}) {
        this.root = options.root ?? '/sys/kernel/config/tsm/report';
        this.fs = options.fs ?? nodeTsmFs;
        this.maxAttempts = options.maxAttempts ?? 3;
    }

    async getQuote(reportData: Uint8Array): Promise<Buffer> {
        checkReportData(reportData);
        const entry = join(this.root, `cocoon-${process.pid}-${randomBytes(4).toString('hex')}`);
        try {
            await this.fs.mkdir(entry);
        } catch (e) {
            throw new TsmError(`cannot create ${entry} (is configfs-tsm available and are we root?): ${(e as Error).message}`);
        }
        try {
            const provider = await this.readText(join(entry, 'provider')).catch(() => undefined);
            if (provider !== undefined && provider !== 'tdx_guest') throw new TsmError(`TSM provider is "${provider}", not tdx_guest`);
            for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
                await this.fs.writeFile(join(entry, 'inblob'), Buffer.from(reportData));
                const before = await this.readGeneration(entry);
                const quote = await this.fs.readFile(join(entry, 'outblob'));
                const after = await this.readGeneration(entry);
                if (before === after) {
                    if (quote.length === 0) throw new TsmError('outblob is empty');
                    return quote;
                }
            }
            throw new TsmError(`generation kept changing over ${this.maxAttempts} attempts (concurrent writer)`);
        } finally {
            await this.fs.rmdir(entry).catch(() => undefined);
        }
    }

    private async readText(path: string): Promise<string> {
        return (await this.fs.readFile(path)).toString('utf8').trim();
    }

    private async readGeneration(entry: string): Promise<number> {
        const text = await this.readText(join(entry, 'generation'));
        const n = Number(text);
        if (!Number.isInteger(n)) throw new TsmError(`unreadable generation "${text}"`);
        return n;
    }
}
