/**
 * The Blueprint scripts an operator or a wallet user runs, executed against the sandbox through the same
 * NetworkProvider interface Blueprint gives them on a real network.
 */
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { WorkerStatus } from '../../wrappers/Constants';
import { LIBRARY_MIN_RUNWAY, LIBRARY_TARGET_RUNWAY, Root } from '../../wrappers/Root';
import { Worker } from '../../wrappers/Worker';
import { DEFAULT_PARAMS, deployProtocol, hashOf, Protocol } from '../../wrappers/testkit';
import { SandboxNetworkProvider } from '../../wrappers/testkit/networkProvider';
import { run as deployRoot } from '../../scripts/root/deploy';
import { run as governance } from '../../scripts/root/governance';
import { run as rootStatus } from '../../scripts/root/status';
import { run as sync } from '../../scripts/root/sync';
import { run as fundLibrary } from '../../scripts/root/fundLibrary';
import { run as register } from '../../scripts/worker/register';
import { run as update } from '../../scripts/worker/update';
import { run as unbond } from '../../scripts/worker/unbond';
import { run as cancelUnbond } from '../../scripts/worker/cancelUnbond';
import { run as withdraw } from '../../scripts/worker/withdraw';
import { run as addStake } from '../../scripts/worker/addStake';
import { run as setPrices } from '../../scripts/worker/setPrices';
import { run as status } from '../../scripts/worker/status';

const hex = (v: Buffer) => v.toString('hex');

describe('registry and worker scripts', () => {
    let p: Protocol;

    beforeEach(async () => {
        p = await deployProtocol();
    });

    const registrationArgs = (label: string) => {
        const { registration } = p.registrationFor(label);
        return [
            '--root', p.root.address.toString(),
            '--index', '0',
            '--receipt-key', hex(registration.receiptKey),
            '--enc-key', hex(registration.encryptionKey),
            '--image', hex(registration.attestation.imageHash),
            '--model', hex(registration.attestation.modelHash),
            '--quote-hash', hex(registration.attestation.quoteHash),
            '--prices', '0.2,0.05,0.6,0.6',
            '--endpoint', 'https://gpu1.example:8443',
        ];
    };

    it('root/deploy deploys a root governed by the sender, with the parameters given', async () => {
        const deployer = await p.wallet('deployer');
        const provider = new SandboxNetworkProvider(p.blockchain, deployer);
        await deployRoot(provider, ['--min-stake', '25', '--fee-bps', '150', '--send']);
        const line = provider.ui().output.find((l) => l.startsWith('Root registry deployed at '))!;
        const root = p.blockchain.openContract(Root.createFromAddress(
            (await import('@ton/core')).Address.parse(line.split(' ')[4]),
        ));
        expect((await root.getGovernance()).governance).toEqualAddress(deployer.address);
        expect(await root.getParams()).toEqual({ ...DEFAULT_PARAMS, minStake: toNano('25'), protocolFeeBps: 150 });
    });

    it('worker/register registers from arguments, printing the wallet link; worker/status reads it back', async () => {
        const owner = await p.wallet('script owner');
        const provider = new SandboxNetworkProvider(p.blockchain, owner);
        await register(provider, [...registrationArgs('script'), '--stake', '12', '--send']);
        const worker = p.blockchain.openContract(Worker.createFor(p.root.address, owner.address, 0));
        const state = await worker.getState();
        expect(state.status).toBe(WorkerStatus.Active);
        expect(state.stake).toBeGreaterThanOrEqual(toNano('12'));
        expect(provider.ui().output.some((l) => l.includes('ton://transfer/') && l.includes('bin='))).toBe(true);

        const reader = new SandboxNetworkProvider(p.blockchain, owner);
        await status(reader, ['--worker', worker.address.toString()]);
        expect(reader.ui().output[0]).toMatch(/^status: Active, stake 12\.\d+ TON$/);
        expect(reader.ui().output).toContain('endpoint https://gpu1.example:8443');
    });

    it('asks for what is missing (interactive use)', async () => {
        const owner = await p.wallet('interactive');
        const { registration } = p.registrationFor('interactive');
        // prompts in order (the index defaults to 0): root, keys, hashes, prices, endpoint, stake
        const provider = new SandboxNetworkProvider(p.blockchain, owner, [
            p.root.address.toString(),
            hex(registration.receiptKey),
            hex(registration.encryptionKey),
            hex(registration.attestation.imageHash),
            hex(registration.attestation.modelHash),
            hex(registration.attestation.quoteHash),
            '0.2,0.05,0.6,0.6',
            'https://interactive.example',
            '10',
        ]);
        await register(provider, ['--send']);
        const worker = p.blockchain.openContract(Worker.createFor(p.root.address, owner.address, 0));
        expect((await worker.getState()).status).toBe(WorkerStatus.Active);
    });

    it('owner actions by script send the same text comments a plain wallet would', async () => {
        const w = await p.registerWorker(await p.wallet('owner actions'));
        const provider = new SandboxNetworkProvider(p.blockchain, w.owner);
        const workerArg = ['--worker', w.worker.address.toString()];
        await unbond(provider, [...workerArg, '--send']);
        expect((await w.worker.getState()).status).toBe(WorkerStatus.Unbonding);
        expect(provider.ui().output.some((l) => l.includes('text=unbond'))).toBe(true);
        await cancelUnbond(provider, [...workerArg, '--send']);
        expect((await w.worker.getState()).status).toBe(WorkerStatus.Active);
        expect(provider.ui().output.some((l) => l.includes('text=cancel%20unbond'))).toBe(true);
        const before = (await w.worker.getState()).stake;
        await addStake(provider, [...workerArg, '--amount', '3', '--send']);
        expect((await w.worker.getState()).stake - before).toBeGreaterThan(toNano('2.99'));
        await setPrices(provider, [...workerArg, '--prices', '1,1,1,1', '--endpoint', 'https://moved.example', '--send']);
        expect((await w.worker.getProfile()).prices.completion).toBe(toNano('1'));
        expect((await w.worker.getProfile()).endpoint).toBe('https://moved.example');
        await unbond(provider, [...workerArg, '--send']);
        p.advance(DEFAULT_PARAMS.unbondingPeriod);
        await withdraw(provider, [...workerArg, '--send']);
        expect((await p.blockchain.getContract(w.worker.address)).accountState?.type ?? 'uninit').not.toBe('active');
    });

    it('worker/update rotates the receipt key; root/sync pushes new parameters', async () => {
        const owner = await p.wallet('updater');
        const provider = new SandboxNetworkProvider(p.blockchain, owner);
        await register(provider, [...registrationArgs('updater'), '--stake', '10', '--send']);
        const args = registrationArgs('updater');
        args[args.indexOf('--receipt-key') + 1] = hex(hashOf('rotated key'));
        await update(provider, [...args, '--send']);
        const worker = p.blockchain.openContract(Worker.createFor(p.root.address, owner.address, 0));
        expect((await worker.getKeys()).receiptKey).toEqual(hashOf('rotated key'));

        const gov = new SandboxNetworkProvider(p.blockchain, p.governance);
        await governance(gov, ['--root', p.root.address.toString(), '--action', 'add-model', '--model', hex(hashOf('m')), '--name', 'org/m@1:2', '--send']);
        expect(await p.root.getIsModelAllowed(hashOf('m'))).toBe(true);
        await sync(provider, ['--root', p.root.address.toString(), '--owner', owner.address.toString(), '--index', '0', '--send']);
        expect((await worker.getSettings()).params.version).toBe(1);
    });

    it('root/governance supersedes an image with a grace window; root/status shows it', async () => {
        const gov = new SandboxNetworkProvider(p.blockchain, p.governance);
        const next = hashOf('image v2');
        await governance(gov, ['--root', p.root.address.toString(), '--action', 'add-image', '--image', hex(next), '--label', 'image v2 (H100)', '--supersedes', hex(p.imageHash), '--grace', '86400', '--send']);
        expect(await p.root.getIsImageAllowed(next)).toBe(true);
        expect((await p.root.getImages()).get(p.imageHash)!.retireAt).toBe(p.blockchain.now! + 86_400);
        const reader = new SandboxNetworkProvider(p.blockchain, p.governance);
        await rootStatus(reader, ['--root', p.root.address.toString()]);
        expect(reader.ui().output.some((l) => l.startsWith(`image ${hex(p.imageHash)}`) && l.includes('retires'))).toBe(true);
        expect(reader.ui().output.some((l) => l.startsWith(`image ${hex(next)} "image v2 (H100)"`))).toBe(true);
        expect((await p.root.getImages()).get(next)!.label).toBe('image v2 (H100)');
        expect(reader.ui().output[0]).toMatch(/^parameters v1: min stake 10 TON/);
    });
});

describe('root/fundLibrary and root/status: the job-code library runway', () => {
    it('pays the rent from the treasury up to the target runway and shows it', async () => {
        const p = await deployProtocol({ workers: 0 });
        p.advance(LIBRARY_TARGET_RUNWAY - LIBRARY_MIN_RUNWAY);
        const keeper = await p.wallet('keeper');
        // two years of rent at the size bound (gas.fc max_size::job_code_*) is about 71 TON
        await p.run(() => p.root.sendTreasuryDeposit(keeper.getSender(), toNano('80')));
        const provider = new SandboxNetworkProvider(p.blockchain, keeper);
        await fundLibrary(provider, ['--root', p.root.address.toString(), '--send']);
        expect(provider.ui().output.some((l) => l.startsWith('before: job-code library '))).toBe(true);
        expect((await p.root.getLibraryFunding()).paidUntil).toBe(p.blockchain.now! + LIBRARY_TARGET_RUNWAY);
        expect(provider.ui().output.some((l) => l.startsWith('after: job-code library '))).toBe(true);
        const reader = new SandboxNetworkProvider(p.blockchain, p.governance);
        await rootStatus(reader, ['--root', p.root.address.toString()]);
        expect(reader.ui().output.some((l) => l.startsWith('job-code library ') && l.includes('TON a year'))).toBe(true);
    });
});

