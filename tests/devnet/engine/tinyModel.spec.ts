import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyModel, sha256Hex, tinyVocab, writeTinyModel } from '../../../devnet/engine/tinyModel';

/** Pinned: any change to the generator (format, vocabulary, PRNG, weights) must show up here. */
const TINY_MODEL_SHA256 = '8f5d71ef4f2cf8d299425e471d69683ea971053307e9d833650708618addacbe';

describe('tiny GGUF model generator', () => {
    it('is byte-identical on regeneration and matches the pinned sha256', () => {
        const a = buildTinyModel();
        const b = buildTinyModel();
        expect(a.equals(b)).toBe(true);
        expect(sha256Hex(a)).toBe(TINY_MODEL_SHA256);
        expect(a.length).toBe(495_840);
    });

    it('writes a GGUF v3 file with the llama header, 22 metadata keys and 21 tensors', () => {
        const b = buildTinyModel();
        expect(b.subarray(0, 4).toString('ascii')).toBe('GGUF');
        expect(b.readUInt32LE(4)).toBe(3);
        expect(b.readBigUInt64LE(8)).toBe(21n);
        expect(b.readBigUInt64LE(16)).toBe(22n);
        expect(b.includes(Buffer.from('general.architecture'))).toBe(true);
    });

    it('has an SPM vocabulary of 308 tokens with 256 byte tokens and <|im_end|> as EOS', () => {
        const v = tinyVocab();
        expect(v.tokens).toHaveLength(308);
        expect(v.tokens.filter((t) => /^<0x[0-9A-F]{2}>$/.test(t))).toHaveLength(256);
        expect(v.tokens[v.eos]).toBe('<|im_end|>');
        expect(new Set(v.tokens).size).toBe(308);
    });

    it('writeTinyModel writes the same bytes into a directory and leaves an identical file alone', () => {
        const dir = mkdtempSync(join(tmpdir(), 'tiny-model-'));
        try {
            const p = writeTinyModel(join(dir, 'm', 'tiny.gguf'));
            expect(sha256Hex(readFileSync(p))).toBe(TINY_MODEL_SHA256);
            const mtime = statSync(p).mtimeMs;
            writeTinyModel(p);
            expect(statSync(p).mtimeMs).toBe(mtime);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
