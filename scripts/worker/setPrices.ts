/**
 * Sets a worker's prices (TON per million tokens) and, optionally, its endpoint. Owner only.
 * npx blueprint run worker/setPrices --testnet --tonconnect -- --worker <address> --prices 0.2,0.05,0.6,0.6 [--endpoint https://…]
 */
import { NetworkProvider } from '@ton/blueprint';
import { toNano } from '@ton/core';
import { setPricesBody, Worker } from '../../wrappers/Worker';
import { deliver, ScriptArgs } from '../lib/cli';
import { parsePrices } from './register';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const worker = provider.open(Worker.createFromAddress(await args.address('worker', 'Worker account address')));
    const prices = parsePrices(await args.string('prices', 'Prices per million tokens in TON: prompt,cached,completion,reasoning'));
    const endpoint = await args.optionalString('endpoint');
    const value = toNano('0.05');
    await deliver(provider, args, { to: worker.address, amount: value, body: { cell: setPricesBody(prices, endpoint) } });
}
