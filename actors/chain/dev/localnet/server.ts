/**
 * The local chain server: one embedded sandbox chain served over the subset of the toncenter v2 API that
 * @ton/ton's TonClient, the chain layer's HTTP implementation and Blueprint use, on 127.0.0.1 only.
 *
 *   POST /jsonRPC, POST /api/v2/jsonRPC    {"jsonrpc":"2.0","id":1,"method":"…","params":{…}}
 *   GET  /api/v2/<method>?<params>         the same methods, GET style
 *   GET  /v2/…                             the few TonAPI routes the chain layer's index reads (./tonapi.ts)
 *   POST /dev/advance {"seconds":N}        dev extension: move chain time forward
 *   GET  /dev/info                         dev extension: wallets, protocol addresses, chain time
 *   POST /dev/save                         dev extension: write the snapshot now (with --state)
 *
 * Answers use toncenter's envelope: {"ok":true,"result":…} or {"ok":false,"error":"…","code":N} with the
 * same HTTP status. A rejected external is answered as toncenter does (500, "cannot apply external message").
 */
import { Address, beginCell, Cell, loadMessage, storeMessage, Transaction } from '@ton/core';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { z } from 'zod';
import { toChainTransaction } from '../../transactions';
import { ChainError } from '../../types';
import { stackArgsFromJson, stackResultToJson } from '../../http/stack';
import { LocalChain } from '../localChain';
import { LocalTonApi, TonApiError, tonApiJson } from './tonapi';

class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

const MAX_BODY = 2 * 1024 * 1024;
const b64 = (b: Buffer) => b.toString('base64');
const ZERO_HASH = b64(Buffer.alloc(32));

function parseAddress(v: unknown, name = 'address'): Address {
    if (typeof v !== 'string') throw new HttpError(400, `${name}: expected an address`);
    try {
        return Address.parse(v);
    } catch {
        throw new HttpError(400, `${name}: "${v}" is not an address`);
    }
}

function parseHash(v: unknown): Buffer | undefined {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new HttpError(400, 'hash: expected a string');
    const b = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length !== 32) throw new HttpError(400, 'hash: expected 32 bytes, hex or base64');
    return b;
}

function parseCell(v: unknown, name: string): Cell {
    if (typeof v !== 'string' || v === '') throw new HttpError(400, `${name}: expected a base64 BOC`);
    try {
        return Cell.fromBase64(v);
    } catch {
        throw new HttpError(400, `${name}: not a valid BOC`);
    }
}

const intParam = (v: unknown, fallback: number) => {
    if (v === undefined || v === null || v === '') return fallback;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new HttpError(400, `expected a non-negative integer, got ${JSON.stringify(v)}`);
    return n;
};

export interface LocalnetInfo {
    wallets: { mnemonic: string; address: string; balance: string }[];
    protocol: Record<string, string> | null;
    globalId: number;
}

export class LocalnetServer {
    private server: Server | null = null;
    private seqno = 1;
    private readonly tonapi: LocalTonApi;

    constructor(
        readonly chain: LocalChain,
        private readonly info: () => LocalnetInfo,
        private readonly onSave?: () => void,
        /** Called after anything changed the chain (a message, a time advance). */
        private readonly onChange?: () => void,
    ) {
        this.tonapi = new LocalTonApi(chain);
    }

    async listen(port = 0, host = '127.0.0.1'): Promise<number> {
        if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') throw new Error('the local chain server listens on loopback only');
        const server = createServer((req, res) => void this.handle(req, res));
        this.server = server;
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(port, host, () => resolve());
        });
        return (server.address() as AddressInfo).port;
    }

    async close(): Promise<void> {
        const s = this.server;
        this.server = null;
        if (!s) return;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        let id: unknown = 1;
        try {
            const url = new URL(req.url ?? '/', 'http://127.0.0.1');
            const path = url.pathname.replace(/\/+$/, '');
            if (req.method === 'POST' && (path === '/jsonRPC' || path === '/api/v2/jsonRPC')) {
                const body = await readJson(req);
                const rpc = z.object({ method: z.string(), params: z.record(z.string(), z.unknown()).optional(), id: z.unknown().optional() }).safeParse(body);
                if (!rpc.success) throw new HttpError(400, 'expected {"method": string, "params": object}');
                id = rpc.data.id ?? 1;
                return send(res, 200, { ok: true, result: await this.call(rpc.data.method, rpc.data.params ?? {}), id, jsonrpc: '2.0' });
            }
            if (req.method === 'GET' && path.startsWith('/api/v2/')) {
                const params = Object.fromEntries(url.searchParams.entries());
                return send(res, 200, { ok: true, result: await this.call(path.slice('/api/v2/'.length), params) });
            }
            if (req.method === 'POST' && path === '/api/v2/sendBoc') {
                const body = await readJson(req);
                return send(res, 200, { ok: true, result: await this.call('sendBoc', (body ?? {}) as Record<string, unknown>) });
            }
            if (req.method === 'GET' && path.startsWith('/v2/')) return await this.tonApi(res, path, url.searchParams);
            if (req.method === 'POST' && path === '/dev/advance') {
                const body = z.object({ seconds: z.number().int().nonnegative().max(10 * 365 * 24 * 3600) }).safeParse(await readJson(req));
                if (!body.success) throw new HttpError(400, 'expected {"seconds": non-negative integer}');
                const now = this.chain.advance(body.data.seconds);
                this.onChange?.();
                return send(res, 200, { ok: true, result: { now } });
            }
            if (req.method === 'GET' && path === '/dev/info') {
                return send(res, 200, { ok: true, result: { ...this.info(), now: this.chain.tick() } });
            }
            if (req.method === 'POST' && path === '/dev/save') {
                if (!this.onSave) throw new HttpError(400, 'the server was started without --state');
                this.onSave();
                return send(res, 200, { ok: true, result: { saved: true } });
            }
            throw new HttpError(404, `no endpoint ${req.method} ${path}`);
        } catch (e) {
            if (e instanceof HttpError) return send(res, e.status, { ok: false, error: e.message, code: e.status, id });
            if (e instanceof ChainError && e.code === 'rejected') {
                // toncenter's wording, so clients that know the public API recognise it.
                return send(res, 500, { ok: false, error: `LITE_SERVER_UNKNOWN: cannot apply external message to current state : ${e.message}`, code: 500, id });
            }
            if (e instanceof ChainError && e.code === 'not_found') return send(res, 404, { ok: false, error: e.message, code: 404, id });
            return send(res, 500, { ok: false, error: e instanceof Error ? e.message : String(e), code: 500, id });
        }
    }

    /** The TonAPI-shaped routes: TonAPI's own JSON and error shape, not toncenter's envelope. */
    private async tonApi(res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
        const reply = (status: number, body: unknown) => {
            const text = tonApiJson(body);
            res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
            res.end(text);
        };
        try {
            const body = await this.tonapi.route(path, query);
            if (body === undefined) return reply(404, { error: `no TonAPI route ${path} on the local chain` });
            return reply(200, body);
        } catch (e) {
            if (e instanceof TonApiError) return reply(e.status, { error: e.message });
            return reply(500, { error: e instanceof Error ? e.message : String(e) });
        }
    }

    /** One v2 method. */
    async call(method: string, p: Record<string, unknown>): Promise<unknown> {
        switch (method) {
            case 'getAddressInformation':
                return this.addressInformation(parseAddress(p.address));
            case 'getExtendedAddressInformation':
                return this.extendedAddressInformation(parseAddress(p.address));
            case 'getWalletInformation':
                return this.walletInformation(parseAddress(p.address));
            case 'getAddressBalance':
                return (await this.chain.account(parseAddress(p.address))).balance.toString();
            case 'getAddressState':
                return stateName((await this.chain.account(parseAddress(p.address))).status);
            case 'runGetMethod':
                return this.runGetMethod(p);
            case 'sendBoc':
                await this.sendBoc(p);
                return { '@type': 'ok', '@extra': `${Date.now()}` };
            case 'sendBocReturnHash': {
                const hash = await this.sendBoc(p);
                return { '@type': 'raw.extMessageInfo', hash: b64(hash), hash_norm: b64(hash) };
            }
            case 'getTransactions':
                return this.getTransactions(p);
            case 'tryLocateResultTx':
                return this.tryLocate(p);
            case 'getMasterchainInfo':
                return this.masterchainInfo();
            case 'estimateFee':
                return this.estimateFee(p);
            case 'getConfigParam': {
                const cell = await this.chain.configParam(intParam(p.config_id, -1));
                return { '@type': 'configInfo', config: { '@type': 'tvm.cell', bytes: b64(cell.toBoc()) } };
            }
            default:
                throw new HttpError(404, `method ${method} is not served by the local chain`);
        }
    }

    private blockId() {
        return { '@type': 'ton.blockIdExt', workchain: -1, shard: '-9223372036854775808', seqno: this.seqno, root_hash: ZERO_HASH, file_hash: ZERO_HASH };
    }

    private async addressInformation(address: Address) {
        const a = await this.chain.account(address);
        return {
            '@type': 'raw.fullAccountState',
            balance: a.balance.toString(),
            extra_currencies: [],
            code: a.code ? b64(a.code.toBoc()) : '',
            data: a.data ? b64(a.data.toBoc()) : '',
            last_transaction_id: {
                '@type': 'internal.transactionId',
                lt: (a.lastTransaction?.lt ?? 0n).toString(),
                hash: a.lastTransaction ? b64(a.lastTransaction.hash) : ZERO_HASH,
            },
            block_id: this.blockId(),
            frozen_hash: '',
            sync_utime: this.chain.tick(),
            state: stateName(a.status),
        };
    }

    private async extendedAddressInformation(address: Address) {
        const info = await this.addressInformation(address);
        return {
            '@type': 'fullAccountState',
            address: { '@type': 'accountAddress', account_address: address.toString({ testOnly: true }) },
            balance: info.balance,
            extra_currencies: [],
            last_transaction_id: info.last_transaction_id,
            block_id: info.block_id,
            sync_utime: info.sync_utime,
            account_state: info.state === 'uninitialized' ? { '@type': 'uninited.accountState', frozen_hash: '' } : { '@type': 'raw.accountState', code: info.code, data: info.data, frozen_hash: '' },
            revision: 0,
        };
    }

    private async walletInformation(address: Address) {
        const info = await this.addressInformation(address);
        let seqno: number | undefined;
        if (info.state === 'active') {
            try {
                const r = await this.chain.runGetMethod(address, 'seqno', []);
                const top = r.stack[0];
                if (r.exitCode === 0 && top?.type === 'int') seqno = Number(top.value);
            } catch {
                seqno = undefined;
            }
        }
        return {
            '@type': 'ton.walletInformation',
            wallet: seqno !== undefined,
            balance: info.balance,
            account_state: info.state,
            ...(seqno !== undefined ? { seqno } : {}),
            last_transaction_id: info.last_transaction_id,
        };
    }

    private async runGetMethod(p: Record<string, unknown>) {
        const address = parseAddress(p.address);
        const method = p.method;
        if (typeof method !== 'string' && typeof method !== 'number') throw new HttpError(400, 'method: expected a name');
        let args;
        try {
            args = stackArgsFromJson(typeof p.stack === 'string' ? JSON.parse(p.stack) : (p.stack ?? []));
        } catch (e) {
            throw new HttpError(400, `stack: ${e instanceof Error ? e.message : String(e)}`);
        }
        try {
            const r = await this.chain.runGetMethod(address, String(method), args);
            return { '@type': 'smc.runResult', gas_used: 0, stack: stackResultToJson(r.stack), exit_code: r.exitCode, block_id: this.blockId() };
        } catch (e) {
            // What liteservers answer for an account with no code: exit code -13 ("account not initialized").
            if (e instanceof ChainError && e.code === 'not_found') return { '@type': 'smc.runResult', gas_used: 0, stack: [], exit_code: -13, block_id: this.blockId() };
            throw e;
        }
    }

    /** toncenter's estimateFee: the fees of an external body to `address`, emulated on the current state. */
    private async estimateFee(p: Record<string, unknown>) {
        const address = parseAddress(p.address);
        const body = parseCell(p.body, 'body');
        const code = p.init_code ? parseCell(p.init_code, 'init_code') : undefined;
        const data = p.init_data ? parseCell(p.init_data, 'init_data') : undefined;
        if (!code !== !data) throw new HttpError(400, 'init_code and init_data go together');
        const ignore = p.ignore_chksig === true || p.ignore_chksig === 'true';
        const f = await this.chain.estimateExternalFee(address, body, code && data ? { code, data } : undefined, ignore);
        // Numbers, as toncenter answers (fees stay far below 2^53 nanoton).
        return {
            '@type': 'query.fees',
            source_fees: { '@type': 'fees', in_fwd_fee: Number(f.inForwardFee), storage_fee: Number(f.storageFee), gas_fee: Number(f.gasFee), fwd_fee: Number(f.forwardFee) },
            destination_fees: [],
        };
    }

    private async sendBoc(p: Record<string, unknown>): Promise<Buffer> {
        const cell = parseCell(p.boc, 'boc');
        try {
            const m = loadMessage(cell.beginParse());
            if (m.info.type !== 'external-in') throw new Error('not an external-in message');
        } catch (e) {
            throw new HttpError(400, `boc: ${e instanceof Error ? e.message : String(e)}`);
        }
        try {
            await this.chain.sendMessage(cell);
        } finally {
            this.seqno++;
            this.onChange?.();
        }
        return cell.hash();
    }

    private async getTransactions(p: Record<string, unknown>) {
        const address = parseAddress(p.address);
        const limit = Math.min(intParam(p.limit, 10), 256);
        const lt = p.lt === undefined || p.lt === null || p.lt === '' ? undefined : BigInt(String(p.lt));
        const hash = parseHash(p.hash);
        const toLt = p.to_lt === undefined || p.to_lt === '' ? 0n : BigInt(String(p.to_lt));
        let txs: Transaction[];
        try {
            txs = await this.chain.transactions(address, { lt, hash, limit });
        } catch (e) {
            if (e instanceof ChainError && e.code === 'not_found') throw new HttpError(404, e.message);
            throw e;
        }
        return txs.filter((t) => t.lt > toLt).map((t) => transactionJson(address, t));
    }

    private async tryLocate(p: Record<string, unknown>) {
        const source = parseAddress(p.source, 'source');
        const destination = parseAddress(p.destination, 'destination');
        const createdLt = BigInt(String(p.created_lt ?? '0'));
        const txs = await this.chain.transactions(destination, { limit: 1_000_000 });
        const found = txs.find((t) => {
            const info = t.inMessage?.info;
            return info?.type === 'internal' && info.src.equals(source) && info.createdLt === createdLt;
        });
        if (!found) throw new HttpError(404, 'transaction not found');
        return transactionJson(destination, found);
    }

    private masterchainInfo() {
        const last = this.blockId();
        return { '@type': 'blocks.masterchainInfo', last, state_root_hash: ZERO_HASH, init: { ...last, seqno: 0 } };
    }
}

function stateName(status: string): 'active' | 'uninitialized' | 'frozen' {
    return status === 'active' ? 'active' : status === 'frozen' ? 'frozen' : 'uninitialized';
}

function messageJson(m: ReturnType<typeof toChainTransaction>['outMessages'][number], raw: Cell, fwdFee: bigint, createdLt: bigint) {
    const addr = (a: Address | null) => (a ? a.toString({ testOnly: true, bounceable: m.bounce }) : '');
    return {
        '@type': 'raw.message',
        hash: b64(m.hash),
        source: addr(m.source),
        destination: addr(m.destination),
        value: m.value.toString(),
        extra_currencies: [],
        fwd_fee: fwdFee.toString(),
        ihr_fee: '0',
        created_lt: createdLt.toString(),
        body_hash: b64(m.body.hash()),
        msg_data: { '@type': 'msg.dataRaw', body: b64(m.body.toBoc()), init_state: '' },
        message: b64(raw.toBoc()),
    };
}

function transactionJson(address: Address, t: Transaction) {
    const c = toChainTransaction(t, address.workChain);
    const msgJson = (i: number | 'in') => {
        const msg = i === 'in' ? t.inMessage! : t.outMessages.get(i)!;
        const cm = i === 'in' ? c.inMessage! : c.outMessages[[...t.outMessages.keys()].sort((a, b) => a - b).indexOf(i)];
        const info = msg.info;
        const fwd = info.type === 'internal' ? info.forwardFee : 0n;
        const lt = info.type === 'external-in' ? 0n : info.createdLt;
        return messageJson(cm, beginCell().store(storeMessage(msg)).endCell(), fwd, lt);
    };
    const storageFee = t.description.type === 'generic' ? (t.description.storagePhase?.storageFeesCollected ?? 0n) : 0n;
    return {
        '@type': 'raw.transaction',
        address: { '@type': 'accountAddress', account_address: address.toString({ testOnly: true }) },
        utime: t.now,
        data: b64(t.raw.toBoc()),
        transaction_id: { '@type': 'internal.transactionId', lt: t.lt.toString(), hash: b64(t.hash()) },
        fee: t.totalFees.coins.toString(),
        storage_fee: storageFee.toString(),
        other_fee: (t.totalFees.coins - storageFee).toString(),
        ...(t.inMessage ? { in_msg: msgJson('in') } : {}),
        out_msgs: [...t.outMessages.keys()].sort((a, b) => a - b).map((k) => msgJson(k)),
    };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
        chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return {};
    try {
        return JSON.parse(text);
    } catch {
        throw new HttpError(400, 'request body is not JSON');
    }
}

function send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
}
