/**
 * A tiny deterministic random-weight llama model in GGUF v3, written by our own code so that tests and the demo
 * run a real inference engine without downloading weights. Dev only: nothing under actors/ imports this.
 *
 * Shape: llama architecture, 2 layers, n_embd 64, 4 heads (4 KV heads), FFN 128, context 512; an SPM vocabulary
 * of 308 tokens (<unk> <s> </s>, 256 <0xNN> byte tokens, <|im_start|>, <|im_end|> = EOS, 47 word pieces) and a
 * ChatML chat template. Weights come from a seeded PRNG, so the file is byte-identical on every regeneration
 * (its sha256 is pinned in tests/devnet/engine/tinyModel.spec.ts). The output rows of byte and control tokens
 * are zeroed (EOS excepted) so greedy decoding emits word pieces and sometimes EOS, never raw bytes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

export const TINY_MODEL = {
    layers: 2,
    embd: 64,
    heads: 4,
    kvHeads: 4,
    ffn: 128,
    contextLength: 512,
    seed: 0x0c0c0a,
} as const;

export const TINY_CHAT_TEMPLATE =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The word pieces (SPM marks a leading space with U+2581). 47 of them, so the vocabulary has 308 tokens. */
const WORD_PIECES = (
    'the a an and of to in is it on for with as at by from that this be are was not or but if ' +
    'ton coin chain block node key proof quote sealed worker relay model token answer prompt price ' +
    'fast safe small yes no maybe'
)
    .split(' ')
    .map((w) => '\u2581' + w);

/** llama.cpp token types. */
const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export interface TinyVocab {
    tokens: string[];
    scores: number[];
    types: number[];
    bos: number;
    eos: number;
    unk: number;
}

export function tinyVocab(): TinyVocab {
    const tokens: string[] = ['<unk>', '<s>', '</s>'];
    const types: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control];
    for (let b = 0; b < 256; b++) {
        tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
        types.push(TOKEN_TYPE.byte);
    }
    tokens.push('<|im_start|>', '<|im_end|>');
    types.push(TOKEN_TYPE.control, TOKEN_TYPE.control);
    for (const w of WORD_PIECES) {
        tokens.push(w);
        types.push(TOKEN_TYPE.normal);
    }
    if (tokens.length !== 308 || new Set(tokens).size !== tokens.length) throw new Error(`tiny vocabulary has ${tokens.length} tokens, expected 308`);
    // SPM scores: longer pieces win merges; special and byte tokens score 0.
    const scores = tokens.map((t, i) => (types[i] === TOKEN_TYPE.normal ? -1 / t.length : 0));
    return { tokens, scores, types, bos: 1, eos: tokens.indexOf('<|im_end|>'), unk: 0 };
}

/** mulberry32: a small seeded PRNG, enough for reproducible random weights. */
function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

// GGUF value types.
const GGUF_TYPE = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;
const GGML_TYPE_F32 = 0;
const ALIGNMENT = 32;

/** Little-endian byte writer for the GGUF header. */
class Writer {
    private parts: Buffer[] = [];
    length = 0;
    push(b: Buffer): void {
        this.parts.push(b);
        this.length += b.length;
    }
    u32(v: number): void {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(v);
        this.push(b);
    }
    i32(v: number): void {
        const b = Buffer.alloc(4);
        b.writeInt32LE(v);
        this.push(b);
    }
    u64(v: number): void {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(BigInt(v));
        this.push(b);
    }
    f32(v: number): void {
        const b = Buffer.alloc(4);
        b.writeFloatLE(v);
        this.push(b);
    }
    str(s: string): void {
        const b = Buffer.from(s, 'utf8');
        this.u64(b.length);
        this.push(b);
    }
    pad(alignment: number): void {
        const rem = this.length % alignment;
        if (rem !== 0) this.push(Buffer.alloc(alignment - rem));
    }
    bytes(): Buffer {
        return Buffer.concat(this.parts);
    }
}

type KvValue =
    | { t: 'u32'; v: number }
    | { t: 'f32'; v: number }
    | { t: 'bool'; v: boolean }
    | { t: 'string'; v: string }
    | { t: 'strings'; v: string[] }
    | { t: 'f32s'; v: number[] }
    | { t: 'i32s'; v: number[] };

function writeKv(w: Writer, key: string, value: KvValue): void {
    w.str(key);
    switch (value.t) {
        case 'u32':
            w.u32(GGUF_TYPE.u32);
            w.u32(value.v);
            return;
        case 'f32':
            w.u32(GGUF_TYPE.f32);
            w.f32(value.v);
            return;
        case 'bool':
            w.u32(GGUF_TYPE.bool);
            w.push(Buffer.from([value.v ? 1 : 0]));
            return;
        case 'string':
            w.u32(GGUF_TYPE.string);
            w.str(value.v);
            return;
        case 'strings':
            w.u32(GGUF_TYPE.array);
            w.u32(GGUF_TYPE.string);
            w.u64(value.v.length);
            for (const s of value.v) w.str(s);
            return;
        case 'f32s':
            w.u32(GGUF_TYPE.array);
            w.u32(GGUF_TYPE.f32);
            w.u64(value.v.length);
            for (const x of value.v) w.f32(x);
            return;
        case 'i32s':
            w.u32(GGUF_TYPE.array);
            w.u32(GGUF_TYPE.i32);
            w.u64(value.v.length);
            for (const x of value.v) w.i32(x);
            return;
    }
}

interface Tensor {
    name: string;
    /** GGUF order: dims[0] is the innermost (row length). */
    dims: number[];
    data: Float32Array;
}

/** Builds the model file in memory. Pure: the same bytes every time. */
export function buildTinyModel(): Buffer {
    const m = TINY_MODEL;
    const vocab = tinyVocab();
    const nVocab = vocab.tokens.length;
    const rand = prng(m.seed);
    const uniform = (n: number, scale: number): Float32Array => {
        const a = new Float32Array(n);
        for (let i = 0; i < n; i++) a[i] = (rand() * 2 - 1) * scale;
        return a;
    };
    const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
    const matScale = 1 / Math.sqrt(m.embd);

    const tensors: Tensor[] = [];
    tensors.push({ name: 'token_embd.weight', dims: [m.embd, nVocab], data: uniform(m.embd * nVocab, 1) });
    const kvDim = (m.embd / m.heads) * m.kvHeads;
    for (let l = 0; l < m.layers; l++) {
        const p = `blk.${l}.`;
        tensors.push({ name: p + 'attn_norm.weight', dims: [m.embd], data: ones(m.embd) });
        tensors.push({ name: p + 'attn_q.weight', dims: [m.embd, m.embd], data: uniform(m.embd * m.embd, matScale) });
        tensors.push({ name: p + 'attn_k.weight', dims: [m.embd, kvDim], data: uniform(m.embd * kvDim, matScale) });
        tensors.push({ name: p + 'attn_v.weight', dims: [m.embd, kvDim], data: uniform(m.embd * kvDim, matScale) });
        tensors.push({ name: p + 'attn_output.weight', dims: [m.embd, m.embd], data: uniform(m.embd * m.embd, matScale) });
        tensors.push({ name: p + 'ffn_norm.weight', dims: [m.embd], data: ones(m.embd) });
        tensors.push({ name: p + 'ffn_gate.weight', dims: [m.embd, m.ffn], data: uniform(m.embd * m.ffn, matScale) });
        tensors.push({ name: p + 'ffn_down.weight', dims: [m.ffn, m.embd], data: uniform(m.ffn * m.embd, 1 / Math.sqrt(m.ffn)) });
        tensors.push({ name: p + 'ffn_up.weight', dims: [m.embd, m.ffn], data: uniform(m.embd * m.ffn, matScale) });
    }
    tensors.push({ name: 'output_norm.weight', dims: [m.embd], data: ones(m.embd) });
    const output = uniform(m.embd * nVocab, 1);
    for (let t = 0; t < nVocab; t++) {
        const type = vocab.types[t];
        if (t !== vocab.eos && type !== TOKEN_TYPE.normal) output.fill(0, t * m.embd, (t + 1) * m.embd);
    }
    tensors.push({ name: 'output.weight', dims: [m.embd, nVocab], data: output });

    const kvs: [string, KvValue][] = [
        ['general.architecture', { t: 'string', v: 'llama' }],
        ['general.name', { t: 'string', v: 'cocoon-tiny' }],
        ['general.alignment', { t: 'u32', v: ALIGNMENT }],
        ['llama.context_length', { t: 'u32', v: m.contextLength }],
        ['llama.embedding_length', { t: 'u32', v: m.embd }],
        ['llama.block_count', { t: 'u32', v: m.layers }],
        ['llama.feed_forward_length', { t: 'u32', v: m.ffn }],
        ['llama.rope.dimension_count', { t: 'u32', v: m.embd / m.heads }],
        ['llama.attention.head_count', { t: 'u32', v: m.heads }],
        ['llama.attention.head_count_kv', { t: 'u32', v: m.kvHeads }],
        ['llama.attention.layer_norm_rms_epsilon', { t: 'f32', v: 1e-5 }],
        ['llama.vocab_size', { t: 'u32', v: nVocab }],
        ['tokenizer.ggml.model', { t: 'string', v: 'llama' }],
        ['tokenizer.ggml.tokens', { t: 'strings', v: vocab.tokens }],
        ['tokenizer.ggml.scores', { t: 'f32s', v: vocab.scores }],
        ['tokenizer.ggml.token_type', { t: 'i32s', v: vocab.types }],
        ['tokenizer.ggml.bos_token_id', { t: 'u32', v: vocab.bos }],
        ['tokenizer.ggml.eos_token_id', { t: 'u32', v: vocab.eos }],
        ['tokenizer.ggml.unknown_token_id', { t: 'u32', v: vocab.unk }],
        // ChatML needs no BOS; the harness tokenizes the rendered template as is.
        ['tokenizer.ggml.add_bos_token', { t: 'bool', v: false }],
        ['tokenizer.ggml.add_eos_token', { t: 'bool', v: false }],
        ['tokenizer.chat_template', { t: 'string', v: TINY_CHAT_TEMPLATE }],
    ];

    const w = new Writer();
    w.push(Buffer.from('GGUF', 'ascii'));
    w.u32(3);
    w.u64(tensors.length);
    w.u64(kvs.length);
    for (const [k, v] of kvs) writeKv(w, k, v);
    let offset = 0;
    for (const t of tensors) {
        w.str(t.name);
        w.u32(t.dims.length);
        for (const d of t.dims) w.u64(d);
        w.u32(GGML_TYPE_F32);
        w.u64(offset);
        offset += Math.ceil((t.data.length * 4) / ALIGNMENT) * ALIGNMENT;
    }
    w.pad(ALIGNMENT);
    for (const t of tensors) {
        w.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        w.pad(ALIGNMENT);
    }
    return w.bytes();
}

/**
 * Writes the tiny model to `path` unless a file with the expected content is already there; returns the path.
 * Tests call it with a temp dir; the CLI with the gitignored .cache/ dir.
 */
export function writeTinyModel(path: string): string {
    const bytes = buildTinyModel();
    if (existsSync(path)) {
        const existing = readFileSync(path);
        if (existing.equals(bytes)) return path;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return path;
}

export function sha256Hex(b: Buffer): string {
    return createHash('sha256').update(b).digest('hex');
}
