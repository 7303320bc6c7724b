/**
 * Registers a worker (one GPU) with the root: stake + the keys and measurements its TDX quote proved.
 * npx blueprint run worker/register --testnet --tonconnect -- --root <addr> --index 0 --receipt-key <hex> \
 *   --enc-key <hex> --image <hex> --model <hex> --quote-hash <hex> --endpoint https://… \
 *   --prices 0.2,0.05,0.6,0.6 --stake 10 [--payout-threshold 1]
 * The keys and hashes come from the worker's attestation (`npm run image-hash -- quote.dat` prints the image hash).
 */
import { NetworkProvider } from '@ton/blueprint';
import { fromNano, toNano } from '@ton/core';
import { Prices } from '../../wrappers/common';
import { Root, WorkerRegistration, workerRegistrationBody } from '../../wrappers/Root';
import { deliver, friendly, hasWallet, ScriptArgs } from '../lib/cli';

export function parsePrices(text: string): Prices {
    const parts = text.split(',').map((p) => toNano(p.trim()));
    if (parts.length !== 4) throw new Error('--prices: four TON amounts per million tokens: prompt,cached,completion,reasoning');
    return { prompt: parts[0], cached: parts[1], completion: parts[2], reasoning: parts[3] };
}

export async function readRegistration(args: ScriptArgs): Promise<WorkerRegistration> {
    return {
        index: await args.integer('index', 'Worker index (one per GPU of this owner)', 0),
        receiptKey: await args.hash('receipt-key', 'Ed25519 receipt public key (hex)'),
        encryptionKey: await args.hash('enc-key', 'X25519 encryption public key (hex)'),
        // Batching earnings saves a transfer per claim; 0 forwards every payout.
        payoutThreshold: await args.ton('payout-threshold', 'Forward job earnings to the owner once they reach (TON)', '1'),
        attestation: {
            imageHash: await args.hash('image', 'Image hash (hex)'),
            modelHash: await args.hash('model', 'Model hash (hex)'),
            quoteHash: await args.hash('quote-hash', 'SHA-256 of the full TDX quote (hex)'),
        },
        prices: parsePrices(await args.string('prices', 'Prices per million tokens in TON: prompt,cached,completion,reasoning')),
        endpoint: await args.string('endpoint', 'Public endpoint URL'),
    };
}

export async function run(provider: NetworkProvider, rawArgs: string[]): Promise<void> {
    const args = new ScriptArgs(provider, rawArgs);
    const root = provider.open(Root.createFromAddress(await args.address('root', 'Root registry address')));
    const registration = await readRegistration(args);
    const params = await root.getParams();
    const fees = await root.getFees();
    const stake = await args.ton('stake', `Stake in TON (minimum ${fromNano(params.minStake)})`, fromNano(params.minStake));
    const value = stake + fees.register;
    provider.ui().write(`Registering worker ${registration.index}: stake ${fromNano(stake)} TON + fees ${fromNano(fees.register)} TON`);
    await deliver(provider, args, { to: root.address, amount: value, body: { cell: workerRegistrationBody(registration) } });
    const owner = hasWallet(provider) ? provider.sender().address : undefined;
    if (owner) provider.ui().write(`Worker account: ${friendly(provider, await root.getWorkerAddress(owner, registration.index))}`);
}
