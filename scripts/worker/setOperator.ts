/**
 * Authorises the operator wallet that may put a new boot's keys and attestation on-chain (operator_update through the
 * root) and nothing else: no withdrawal, unbonding, price change or stake movement. Owner only; `none` revokes.
 * npx blueprint run worker/setOperator --testnet --tonconnect -- --worker <address> --operator <address|none>
 */
import { NetworkProvider } from '@ton/blueprint';
import { Address, toNano } from '@ton/core';
import { setOperatorBody, Worker } from '../../wrappers/Worker';
import { deliver, ScriptArgs } from '../lib/cli';

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const worker = provider.open(Worker.createFromAddress(await args.address('worker', 'Worker account address')));
    const raw = await args.string('operator', 'Operator wallet address, or none to revoke');
    const operator = raw.trim().toLowerCase() === 'none' ? null : Address.parse(raw);
    await deliver(provider, args, { to: worker.address, amount: toNano('0.05'), body: { cell: setOperatorBody(operator) } });
}
