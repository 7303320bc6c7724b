import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestBytes, modelHash, modelManifest } from '../../../actors/engine/modelHash';

describe('model hash', () => {
    let root: string;
    beforeAll(() => {
        root = mkdtempSync(join(tmpdir(), 'model-hash-'));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const writeModel = (dir: string, files: [string, string][]): void => {
        for (const [p, content] of files) {
            mkdirSync(join(dir, p, '..'), { recursive: true });
            writeFileSync(join(dir, p), content);
        }
    };
    const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

    it('is the SHA-256 of the sorted "<sha256> <size> <path>" manifest', async () => {
        const dir = join(root, 'a');
        writeModel(dir, [
            ['tokenizer.json', '{"v":1}'],
            ['weights/model-00002.safetensors', 'BBBB'],
            ['config.json', '{}'],
            ['weights/model-00001.safetensors', 'AAAA'],
        ]);
        const expected = [
            `${sha('{}')} 2 config.json\n`,
            `${sha('{"v":1}')} 7 tokenizer.json\n`,
            `${sha('AAAA')} 4 weights/model-00001.safetensors\n`,
            `${sha('BBBB')} 4 weights/model-00002.safetensors\n`,
        ].join('');
        expect(manifestBytes(await modelManifest(dir)).toString()).toBe(expected);
        expect((await modelHash(dir)).toString('hex')).toBe(sha(expected));
    });

    it('does not depend on the order files were written in', async () => {
        const files: [string, string][] = [
            ['x/1.bin', 'one'],
            ['a.bin', 'two'],
            ['x/0.bin', 'three'],
        ];
        writeModel(join(root, 'o1'), files);
        writeModel(join(root, 'o2'), [...files].reverse());
        expect(await modelHash(join(root, 'o1'))).toEqual(await modelHash(join(root, 'o2')));
    });

    it('changes when one byte, a file name or a file set changes', async () => {
        writeModel(join(root, 'c0'), [['w.bin', 'abcdef'], ['t.json', '{}']]);
        writeModel(join(root, 'c1'), [['w.bin', 'abcdeF'], ['t.json', '{}']]);
        writeModel(join(root, 'c2'), [['w2.bin', 'abcdef'], ['t.json', '{}']]);
        writeModel(join(root, 'c3'), [['w.bin', 'abcdef']]);
        const hashes = await Promise.all(['c0', 'c1', 'c2', 'c3'].map((d) => modelHash(join(root, d)).then((h) => h.toString('hex'))));
        expect(new Set(hashes).size).toBe(4);
    });

    it('hashes a single file as a one-line manifest named by its base name; the CLI prints the same', async () => {
        const f = join(root, 'single.gguf');
        writeFileSync(f, Buffer.from([0, 1, 2, 3]));
        const expected = sha(`${sha(Buffer.from([0, 1, 2, 3]))} 4 single.gguf\n`);
        expect((await modelHash(f)).toString('hex')).toBe(expected);
        const out = execFileSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(__dirname, '../../../actors/engine/cli/modelHash.ts'), f], { encoding: 'utf8' });
        expect(out.trim()).toBe(expected);
    });
});
