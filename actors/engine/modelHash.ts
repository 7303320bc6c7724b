/**
 * The model hash a worker advertises and the DAO allowlists: SHA-256 of a canonical manifest of the model
 * files, so anyone holding the same files computes the same 32 bytes whatever the file system order.
 *
 * Manifest: one line per regular file, sorted by path (byte order of the UTF-8 path), each
 * `<sha256 hex of content> <size in bytes> <path>\n`, where path is relative to the given directory with `/`
 * separators (for a single file: its base name). Symlinks are followed; other special files are refused.
 * modelHash = SHA-256(manifest). (COCOON hashes a dm-verity image of a tar of the repository; this is the
 * testable analogue from the vLLM notes §4.)
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';

export interface ModelManifestEntry {
    path: string;
    size: number;
    sha256: string;
}

async function fileSha256(path: string): Promise<string> {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
    return h.digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (d: string): Promise<void> => {
        for (const e of await readdir(d, { withFileTypes: true })) {
            const p = join(d, e.name);
            const s = await stat(p); // follows symlinks (HF caches link blobs into snapshots)
            if (s.isDirectory()) await walk(p);
            else if (s.isFile()) out.push(p);
            else throw new Error(`not a regular file: ${p}`);
        }
    };
    await walk(dir);
    return out;
}

/** The sorted manifest of a model directory or a single model file. */
export async function modelManifest(target: string): Promise<ModelManifestEntry[]> {
    const s = await stat(target);
    const files = s.isDirectory() ? await listFiles(target) : [target];
    if (files.length === 0) throw new Error(`no files under ${target}`);
    const entries: ModelManifestEntry[] = [];
    for (const f of files) {
        const path = s.isDirectory() ? relative(target, f).split(sep).join('/') : basename(f);
        if (path.includes('\n')) throw new Error(`a file name contains a newline: ${JSON.stringify(path)}`);
        entries.push({ path, size: (await stat(f)).size, sha256: await fileSha256(f) });
    }
    return entries.sort((a, b) => Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')));
}

export function manifestBytes(entries: ModelManifestEntry[]): Buffer {
    return Buffer.from(entries.map((e) => `${e.sha256} ${e.size} ${e.path}\n`).join(''), 'utf8');
}

export function manifestHash(entries: ModelManifestEntry[]): Buffer {
    return createHash('sha256').update(manifestBytes(entries)).digest();
}

/** SHA-256 of the canonical manifest (32 bytes). */
export async function modelHash(target: string): Promise<Buffer> {
    return manifestHash(await modelManifest(target));
}
