/**
 * One relay instance per data directory and one wallet per data directory (actors/relay/store/instance.ts):
 * a second `npm run relay -- start` or `close-idle` on a directory a live relay holds exits at once with the
 * holder's pid, before it touches the chain or the store; a lock left by a dead process is taken over; a store
 * whose jobs were opened by one wallet refuses another.
 */
import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { claimStoreForWallet, InstanceConflict, lockDataDir } from '../../../actors/relay/store/instance';
import { RelayStore } from '../../../actors/relay/store/lmdb';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..', '..');
const MNEMONIC = Array.from({ length: 24 }, () => 'abandon').join(' ');
const ROOT_ADDRESS = '0:' + '11'.repeat(32);

/** Runs `npm run relay -- args` as its own process; resolves with its exit code and output. */
function relayCli(args: string[]): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(ROOT, 'actors/relay/main.ts'), ...args], {
            cwd: ROOT,
            // an endpoint nobody listens on: if the lock did not stop it first, it would fail differently
            env: { ...process.env, RELAY_MNEMONIC: MNEMONIC, TON_NETWORK: 'localnet', TON_ENDPOINT: 'http://127.0.0.1:9/jsonRPC' },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        child.stderr.on('data', (b: Buffer) => (out += b.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
        child.on('exit', (code) => {
            clearTimeout(timer);
            resolve({ code, out });
        });
    });
}

describe('relay instances: one per data directory, one wallet per store', () => {
    const dirs: string[] = [];
    const newDir = () => {
        const d = mkdtempSync(join(tmpdir(), 'relay-instance-'));
        dirs.push(d);
        return d;
    };
    afterAll(() => {
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('a second lock on one data directory is refused with the holder named; released, it can be taken again', () => {
        const dir = newDir();
        const a = lockDataDir(dir, 'relay start');
        try {
            expect(() => lockDataDir(dir, 'relay start')).toThrow(InstanceConflict);
            expect(() => lockDataDir(dir, 'relay start')).toThrow(new RegExp(`in use by relay process pid ${process.pid} .*relay start`));
        } finally {
            a.release();
        }
        expect(existsSync(a.path)).toBe(false);
        lockDataDir(dir, 'relay start').release();
    });

    it('a lock left by a process that is gone (kill -9, crash) is taken over', () => {
        const dir = newDir();
        const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
        const pid = Number(dead.stdout.toString());
        expect(pid).toBeGreaterThan(0);
        writeFileSync(join(dir, 'relay.lock'), JSON.stringify({ pid, host: require('os').hostname(), startedAt: new Date().toISOString(), command: 'relay start' }));
        const l = lockDataDir(dir, 'relay start');
        l.release();
    });

    it('`relay start` on a data directory another relay holds exits 1 with a clear error, before touching the chain', async () => {
        const dir = newDir();
        const held = lockDataDir(dir, 'relay start');
        try {
            const r = await relayCli(['start', '--root', ROOT_ADDRESS, '--data-dir', dir, '--port', '0', '--max-prices', '1,1,1,1']);
            expect(r.code).toBe(1);
            expect(r.out).toMatch(new RegExp(`relay: the data directory ${dir} is in use by relay process pid ${process.pid}`));
            expect(r.out).toMatch(/every relay instance needs its own --data-dir and wallet/);
            expect(existsSync(join(dir, 'state'))).toBe(false); // it never opened the store
        } finally {
            held.release();
        }
    });

    it('`relay close-idle` next to a live relay is refused the same way (it would send from the same wallet)', async () => {
        const dir = newDir();
        new RelayStore(join(dir, 'state')).close();
        const held = lockDataDir(dir, 'relay start');
        try {
            const r = await relayCli(['close-idle', '--root', ROOT_ADDRESS, '--data-dir', dir, '--idle-minutes', '0']);
            expect(r.code).toBe(1);
            expect(r.out).toMatch(/is in use by relay process pid/);
        } finally {
            held.release();
        }
    });

    it('a store belongs to the wallet that opened its jobs: another wallet is refused, the same one accepted', async () => {
        const dir = newDir();
        const s = new RelayStore(join(dir, 'state'));
        try {
            const a = '0:' + 'aa'.repeat(32);
            const b = '0:' + 'bb'.repeat(32);
            claimStoreForWallet(s, a);
            claimStoreForWallet(s, a);
            expect(() => claimStoreForWallet(s, b)).toThrow(/belongs to the relay wallet 0:aaaa.* not 0:bbbb/);
            expect(s.getOwner()).toBe(a);
        } finally {
            await s.close();
        }
    });
});
