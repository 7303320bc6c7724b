/**
 * The HTTP implementation: the public TON HTTP API (toncenter v2 JSON-RPC) or the local chain server, through
 * @ton/ton's TonClient for account state, transactions and sends, and the same transport for the two reads
 * TonClient does not do faithfully (get-method stacks with typed tuple elements, config parameters).
 */
import { Address, Cell, Transaction, TupleItem } from '@ton/core';
import { TonClient } from '@ton/ton';
import { z } from 'zod';
import { ChainBackend, RawGetMethodResult } from '../backend';
import { ChainCore, ChainCoreOptions } from '../core';
import { asChainError } from '../errors';
import { AccountState, ChainError, FeeEstimate } from '../types';
import { stackArgsToJson, stackResultFromJson } from './stack';
import { JsonRpcTransport, TransportOptions } from './transport';

type HttpAdapter = NonNullable<NonNullable<ConstructorParameters<typeof TonClient>[0]>['httpAdapter']>;

const runResult = z.object({ exit_code: z.number(), stack: z.array(z.unknown()) });
const configInfo = z.object({ config: z.object({ bytes: z.string() }) });
const ZERO_ADDRESS = new Address(0, Buffer.alloc(32));

export class HttpBackend implements ChainBackend {
    readonly name: string;
    private readonly transport: JsonRpcTransport;
    private readonly client: TonClient;

    constructor(o: TransportOptions & { name?: string }) {
        this.name = o.name ?? `http:${o.endpoint}`;
        this.transport = new JsonRpcTransport(o);
        // TonClient speaks through our transport, so its failures are typed like ours.
        const adapter = (async (config) => {
            const data = await this.transport.post(String(config.data ?? ''), config.url ?? o.endpoint);
            return { data, status: 200, statusText: 'OK', headers: {}, config, request: {} };
        }) as HttpAdapter;
        this.client = new TonClient({ endpoint: o.endpoint, apiKey: o.apiKey, timeout: o.timeoutMs, httpAdapter: adapter });
    }

    /** TonClient throws plain Errors when a result does not match its schema: that is a bad response. */
    private async viaClient<T>(action: () => Promise<T>): Promise<T> {
        try {
            return await action();
        } catch (e) {
            throw asChainError(e, 'bad_response');
        }
    }

    async account(address: Address): Promise<AccountState> {
        const s = await this.viaClient(() => this.client.getContractState(address));
        const code = s.code ? Cell.fromBoc(s.code)[0] : null;
        const data = s.data ? Cell.fromBoc(s.data)[0] : null;
        const lastTransaction = s.lastTransaction ? { lt: BigInt(s.lastTransaction.lt), hash: Buffer.from(s.lastTransaction.hash, 'base64') } : null;
        const status: AccountState['status'] =
            s.state === 'active' ? 'active' : s.state === 'frozen' ? 'frozen' : s.balance === 0n && !lastTransaction ? 'nonexistent' : 'uninit';
        const active = status === 'active';
        return {
            address,
            status,
            balance: s.balance,
            codeHash: active && code ? code.hash() : null,
            dataHash: active && data ? data.hash() : null,
            code: active ? code : null,
            data: active ? data : null,
            lastTransaction,
        };
    }

    async runGetMethod(address: Address, method: string, args: TupleItem[]): Promise<RawGetMethodResult> {
        const r = await this.transport.call('runGetMethod', { address: address.toString(), method, stack: stackArgsToJson(args) }, runResult);
        // -13: the account has no code (liteservers' "account not initialized").
        if (r.exit_code === -13) throw new ChainError('not_found', `${address} has no code to run ${method}`);
        return { exitCode: r.exit_code, stack: stackResultFromJson(r.stack) };
    }

    async sendMessage(message: Cell): Promise<void> {
        await this.viaClient(() => this.client.sendFile(message.toBoc()));
    }

    async transactions(address: Address, opts: { lt?: bigint; hash?: Buffer; limit: number }): Promise<Transaction[]> {
        return this.viaClient(() =>
            this.client.getTransactions(address, {
                limit: opts.limit,
                ...(opts.lt !== undefined && opts.hash ? { lt: opts.lt.toString(), hash: opts.hash.toString('base64'), inclusive: true } : {}),
                archival: true,
            }),
        );
    }

    async configParam(id: number): Promise<Cell> {
        const r = await this.transport.call('getConfigParam', { config_id: id }, configInfo);
        try {
            return Cell.fromBase64(r.config.bytes);
        } catch (e) {
            throw new ChainError('bad_response', `ConfigParam ${id}: not a cell`, { cause: e });
        }
    }

    async estimateExternalFee(address: Address, body: Cell, init: { code: Cell; data: Cell } | undefined, ignoreSignature: boolean): Promise<FeeEstimate> {
        const r = await this.viaClient(() => this.client.estimateExternalMessageFee(address, { body, initCode: init?.code ?? null, initData: init?.data ?? null, ignoreSignature }));
        const f = r.source_fees;
        const fees = [f.in_fwd_fee, f.storage_fee, f.gas_fee, f.fwd_fee].map((x) => BigInt(x));
        const [inForwardFee, storageFee, gasFee, forwardFee] = fees;
        return { inForwardFee, storageFee, gasFee, forwardFee, total: fees.reduce((a, b) => a + b, 0n) };
    }

    async now(): Promise<number> {
        // The API has no clock call; every account answer carries the time of the block it was read from.
        const s = await this.viaClient(() => this.client.getContractState(ZERO_ADDRESS));
        return s.timestampt;
    }
}

export class HttpChain extends ChainCore {
    constructor(o: TransportOptions & { name?: string }, options: ChainCoreOptions = {}) {
        super(new HttpBackend(o), options);
    }
}
