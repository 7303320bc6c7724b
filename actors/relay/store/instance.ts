/**
 * One relay instance per data directory, and one wallet per data directory.
 *
 * LMDB itself lets several processes open one environment, so nothing stops two relays from sharing a state
 * directory — and then both would sign vouchers for the same jobs from diverging copies of the accounting
 * (a seqno used twice, a voucher below one already sent) and both would send from one wallet. The relay
 * refuses that instead: `start` and `close-idle` take an exclusive lock file in the data directory (a second
 * instance exits with the holder's pid), and the store remembers the wallet that opened its jobs, so starting
 * on it with another wallet (which could not close or finalize those jobs) is refused too. Read-only commands
 * and `keys add/revoke` do not take the lock: LMDB's own locking keeps them safe next to a running relay.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'fs';
import { hostname } from 'os';
import { join } from 'path';
import type { RelayStore } from './lmdb';

export class InstanceConflict extends Error {}

export interface InstanceLock {
    readonly path: string;
    release(): void;
}

interface LockRecord {
    pid: number;
    host: string;
    startedAt: string;
    command: string;
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        // EPERM: the process exists under another user
        return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
}

/**
 * Takes `<dataDir>/relay.lock`, or throws InstanceConflict naming the live holder. A lock left by a process
 * that is gone (killed, crashed) on this host is taken over.
 */
export function lockDataDir(dataDir: string, command: string): InstanceLock {
    const path = join(dataDir, 'relay.lock');
    const me: LockRecord = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
    for (let attempt = 0; attempt < 2; attempt++) {
        let fd: number;
        try {
            fd = openSync(path, 'wx', 0o600);
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
            let held: LockRecord | null = null;
            try {
                held = JSON.parse(readFileSync(path, 'utf8')) as LockRecord;
            } catch {
                held = null; // being written right now, or garbage: treat a garbled lock as held
            }
            if (held && held.host === me.host && !alive(held.pid)) {
                rmSync(path, { force: true });
                continue;
            }
            const who = held ? `relay process pid ${held.pid} on ${held.host} (\`${held.command}\` since ${held.startedAt})` : 'another relay process';
            throw new InstanceConflict(`the data directory ${dataDir} is in use by ${who}; every relay instance needs its own --data-dir and wallet (stop that one first, or remove ${path} if it is certainly not running)`);
        }
        writeSync(fd, JSON.stringify(me));
        closeSync(fd);
        let released = false;
        return {
            path,
            release: () => {
                if (released) return;
                released = true;
                try {
                    const held = JSON.parse(readFileSync(path, 'utf8')) as LockRecord;
                    if (held.pid === process.pid) rmSync(path, { force: true });
                } catch {
                    /* already gone */
                }
            },
        };
    }
    throw new InstanceConflict(`could not take the lock ${path}`);
}

/**
 * Binds the store to the wallet that opens its jobs: the first start records it, later starts must use the
 * same one (only that wallet can close and finalize the jobs and receives their refunds).
 */
export function claimStoreForWallet(store: RelayStore, wallet: string): void {
    const owner = store.getOwner();
    if (owner === undefined) {
        store.setOwner(wallet);
        return;
    }
    if (owner !== wallet) throw new InstanceConflict(`the state in this data directory belongs to the relay wallet ${owner}, not ${wallet}: its jobs can only be closed and refunded by that wallet (use the same mnemonic, or a new --data-dir for a new wallet)`);
}
