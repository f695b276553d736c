// GGUF reading: llama.cpp's own files (the f32 fixture, and from ../shared the
// k-quant mixes and vocab-only files), and every metadata value type.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openModel } from '../../../electron/studio/models/open-model.js';
import { openTensorData } from '../../../electron/studio/models/tensor-data.js';
import { readGgufFile } from '../../../electron/studio/models/gguf-reader.js';
import { dequantizeGguf } from '../../../electron/studio/quant/gguf.js';
import { writeGguf } from '../../../electron/studio/export/gguf-writer.js';
import { gguf } from '../../../electron/studio/models/gguf-values.js';
import { ggufBytes, tempDir } from './make-files.js';

const F32 = resolve('tests/fixtures/formats/stories260K-f32.gguf');
const SHARED = resolve('../shared/models');
const shared = (p: string) => join(SHARED, p);
const tmp = tempDir();
afterAll(tmp.cleanup);

describe('llama.cpp stories260K f32 (fixture)', () => {
  it('reads header, metadata with types, and 48 tensors', () => {
    const g = readGgufFile(F32);
    expect(g.version).toBe(3);
    expect(g.alignment).toBe(32);
    expect(g.dataStart % 32).toBe(0);
    expect(g.tensors).toHaveLength(48);
    expect(g.metadata['general.architecture']).toBe('llama');
    expect(g.types['llama.embedding_length']).toBe('u32');
    expect(g.types['llama.attention.layer_norm_rms_epsilon']).toBe('f32');
    expect(g.types['tokenizer.ggml.tokens']).toEqual({ array: 'string' });
    expect(g.types['tokenizer.ggml.scores']).toEqual({ array: 'f32' });
    expect(g.types['tokenizer.ggml.token_type']).toEqual({ array: 'i32' });
    const tokens = g.metadata['tokenizer.ggml.tokens'] as string[];
    expect(Array.isArray(tokens)).toBe(true);
    expect(tokens.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(g.metadata['tokenizer.ggml.seperator_token_id']).toBe(4294967295);
    const byName = new Map(g.tensors.map((t) => [t.name, t]));
    expect(byName.get('token_embd.weight')).toMatchObject({ dtype: 'F32', shape: [512, 64], ne: [64, 512], ggmlType: 0, offset: g.dataStart, byteLength: 131072 });
    expect(byName.get('blk.0.attn_k.weight')?.shape).toEqual([32, 64]);
    expect(byName.get('blk.4.ffn_down.weight')?.shape).toEqual([64, 172]);
    expect(byName.get('output_norm.weight')?.shape).toEqual([64]);
    const last = g.tensors[g.tensors.length - 1];
    expect(last.offset + last.byteLength).toBe(g.fileSize);
  });

  it('opens as a model with config, tokenizer and tensor data', async () => {
    const m = await openModel(F32);
    expect(m.format).toBe('gguf');
    expect(m.config).toMatchObject({
      architecture: 'llama', sourceArchitecture: 'llama', hiddenSize: 64, intermediateSize: 172, numLayers: 5, numHeads: 8,
      numKvHeads: 4, headDim: 8, vocabSize: 512, maxPositions: 128, ropeTheta: 10000, tieWordEmbeddings: false,
      bosTokenId: 1, eosTokenIds: [2], ropeLayout: 'gguf', hiddenAct: 'silu',
    });
    expect(m.config.normEps).toBeCloseTo(1e-5, 10);
    expect(m.tokenizer).toEqual({ kind: 'gguf', path: F32 });
    expect(m.quantization).toEqual({ format: 'none' });
    expect(m.files).toEqual([{ path: F32, bytes: 1185376 }]);
    const data = openTensorData(m);
    const raw = readFileSync(F32);
    const t = data.get('blk.2.attn_v.weight');
    expect(Buffer.compare(data.bytes('blk.2.attn_v.weight'), raw.subarray(t.offset, t.offset + t.byteLength))).toBe(0);
    data.close();
  });
});

describe.skipIf(!existsSync(SHARED))('llama.cpp files from ../shared', () => {
  it.each(['stories260K-Q6_K.gguf', 'stories260K-Q4_K_M.gguf'])('%s: mixed block types, dequantizing close to the f32 file', async (name) => {
    const m = await openModel(shared(`stories260K/gguf/${name}`));
    expect(m.quantization).toMatchObject({ format: 'gguf', details: { fileType: name.includes('Q6_K') ? 'MOSTLY_Q6_K' : 'MOSTLY_Q4_K_M' } });
    const types = new Set(m.tensors.map((t) => t.dtype));
    expect(types.has('Q8_0')).toBe(true);
    const ref = openTensorData(await openModel(F32));
    const data = openTensorData(m);
    for (const t of m.tensors.filter((x) => x.dtype === 'Q8_0' || x.dtype === 'Q5_0')) {
      const got = await dequantizeGguf(data.get(t), t.dtype as 'Q8_0', t.shape, { name: t.name });
      const want = new Float32Array(new Uint8Array(ref.bytes(t.name)).buffer);
      let err = 0, norm = 0;
      for (let i = 0; i < want.length; i++) { err += (got[i] - want[i]) ** 2; norm += want[i] ** 2; }
      expect(Math.sqrt(err / norm), t.name).toBeLessThan(t.dtype === 'Q8_0' ? 0.01 : 0.06);
    }
    data.close();
    ref.close();
  });

  it('vocab-only GPT-2: 50k tokens and merges as plain arrays', () => {
    const g = readGgufFile(shared('vocab-only/ggml-vocab-gpt-2.gguf'));
    expect(g.tensors).toEqual([]);
    const tokens = g.metadata['tokenizer.ggml.tokens'] as string[];
    const merges = g.metadata['tokenizer.ggml.merges'] as string[];
    expect(tokens.length).toBe(50257);
    expect(tokens[0]).toBe('!');
    expect(tokens[50256]).toBe('<|endoftext|>');
    expect(merges.length).toBe(50000);
    expect(merges[0]).toBe('Ġ t');
    expect((g.metadata['tokenizer.ggml.token_type'] as number[]).length).toBe(50257);
    expect(g.metadata['tokenizer.ggml.model']).toBe('gpt2');
  });

  it('vocab-only Llama SentencePiece', async () => {
    const m = await openModel(shared('vocab-only/ggml-vocab-llama-spm.gguf'));
    expect(m.tensors).toEqual([]);
    expect(m.tokenizer.kind).toBe('gguf');
    expect(m.config.vocabSize).toBe(32000);
    expect((m.metadata['tokenizer.ggml.scores'] as number[]).length).toBe(32000);
    expect(m.metadata['tokenizer.ggml.add_bos_token']).toBe(true);
  });
});

describe('every metadata value type', () => {
  it('reads scalars, 64-bit values, strings and nested arrays', () => {
    const p = join(tmp.dir, 'types.gguf');
    writeFileSync(p, ggufBytes({
      kv: [
        ['u8', (w) => w.u32(0).u8(200)],
        ['i8', (w) => w.u32(1).u8(0x80)],
        ['u16', (w) => w.u32(2).raw(Buffer.from([0x34, 0x12]))],
        ['i16', (w) => w.u32(3).raw(Buffer.from([0xfe, 0xff]))],
        ['u32', (w) => w.u32(4).u32(4000000000)],
        ['i32', (w) => w.u32(5).i32(-7)],
        ['f32', (w) => w.u32(6).f32(0.25)],
        ['bool', (w) => w.u32(7).u8(1)],
        ['str', (w) => w.u32(8).str('héllo ▁')],
        ['u64 small', (w) => w.u32(10).u64(12345)],
        ['u64 big', (w) => w.u32(10).u64(2n ** 63n + 1n)],
        ['i64', (w) => w.u32(11).u64(2n ** 64n - 5n)],
        ['f64', (w) => w.u32(12).raw(Buffer.from(new Float64Array([Math.PI]).buffer))],
        ['strs', (w) => w.u32(9).u32(8).u64(3).str('a').str('').str('ĠĠ')],
        ['i32s', (w) => w.u32(9).u32(5).u64(2).i32(-1).i32(2)],
        ['bools', (w) => w.u32(9).u32(7).u64(2).u8(0).u8(1)],
        ['nested', (w) => w.u32(9).u32(9).u64(2).u32(6).u64(1).f32(1.5).u32(6).u64(0)],
        ['empty', (w) => w.u32(9).u32(4).u64(0)],
      ],
    }));
    const g = readGgufFile(p);
    expect(g.metadata).toEqual({
      u8: 200, i8: -128, u16: 0x1234, i16: -2, u32: 4000000000, i32: -7, f32: 0.25, bool: true, str: 'héllo ▁',
      'u64 small': 12345, 'u64 big': 2n ** 63n + 1n, i64: -5, f64: Math.PI, strs: ['a', '', 'ĠĠ'], i32s: [-1, 2],
      bools: [false, true], nested: [[1.5], []], empty: [],
    });
    expect(g.types).toEqual({
      u8: 'u8', i8: 'i8', u16: 'u16', i16: 'i16', u32: 'u32', i32: 'i32', f32: 'f32', bool: 'bool', str: 'string',
      'u64 small': 'u64', 'u64 big': 'u64', i64: 'i64', f64: 'f64', strs: { array: 'string' }, i32s: { array: 'i32' },
      bools: { array: 'bool' }, nested: { array: { array: 'f32' } }, empty: { array: 'u32' },
    });
  });

  it('honours general.alignment and GGUF v2', () => {
    const p = join(tmp.dir, 'align.gguf');
    writeFileSync(p, ggufBytes({
      version: 2, alignment: 64,
      kv: [['general.architecture', (w) => w.u32(8).str('llama')], ['general.alignment', (w) => w.u32(4).u32(64)]],
      tensors: [{ name: 'a', ne: [3] }, { name: 'b', ne: [2, 2], offset: 64 }], dataBytes: 80,
    }));
    const g = readGgufFile(p);
    expect(g.version).toBe(2);
    expect(g.alignment).toBe(64);
    expect(g.dataStart % 64).toBe(0);
    expect(g.tensors.map((t) => [t.name, t.offset - g.dataStart, t.shape])).toEqual([['a', 0, [3]], ['b', 64, [2, 2]]]);
  });
});

describe('GGUF → ModelConfig for other architectures', () => {
  const f32 = (name: string, shape: number[]) => ({ name, type: 'F32' as const, shape, data: () => new Uint8Array(shape.reduce((a, b) => a * b, 1) * 4) });

  it('qwen2: q/k/v biases, NEOX rotary order, its own rope base', async () => {
    const p = join(tmp.dir, 'qwen2.gguf');
    await writeGguf(p, {
      metadata: {
        'general.architecture': gguf.string('qwen2'), 'qwen2.block_count': gguf.u32(1), 'qwen2.context_length': gguf.u32(32768),
        'qwen2.embedding_length': gguf.u32(64), 'qwen2.feed_forward_length': gguf.u32(128), 'qwen2.attention.head_count': gguf.u32(4),
        'qwen2.attention.head_count_kv': gguf.u32(2), 'qwen2.rope.freq_base': gguf.f32(1e6), 'qwen2.attention.layer_norm_rms_epsilon': gguf.f32(1e-6),
        'tokenizer.ggml.bos_token_id': gguf.u32(151643), 'tokenizer.ggml.eos_token_id': gguf.u32(151645),
      },
      tensors: [f32('token_embd.weight', [100, 64]), f32('blk.0.attn_q.weight', [64, 64]), f32('blk.0.attn_q.bias', [64])],
    });
    const m = await openModel(p);
    expect(m.config).toMatchObject({
      architecture: 'qwen2', hiddenSize: 64, intermediateSize: 128, numLayers: 1, numHeads: 4, numKvHeads: 2, headDim: 16, vocabSize: 100,
      maxPositions: 32768, ropeTheta: 1e6, tieWordEmbeddings: true, attentionBias: true, ropeLayout: 'hf', bosTokenId: 151643, eosTokenIds: [151645],
    });
    expect(m.tokenizer).toEqual({ kind: 'none' });
  });

  it('gpt2: layer-norm epsilon, learned positions, gelu', async () => {
    const p = join(tmp.dir, 'gpt2.gguf');
    await writeGguf(p, {
      metadata: {
        'general.architecture': gguf.string('gpt2'), 'gpt2.block_count': gguf.u32(2), 'gpt2.context_length': gguf.u32(1024),
        'gpt2.embedding_length': gguf.u32(32), 'gpt2.feed_forward_length': gguf.u32(128), 'gpt2.attention.head_count': gguf.u32(4),
        'gpt2.attention.layer_norm_epsilon': gguf.f32(1e-5), 'tokenizer.ggml.tokens': gguf.array('string', ['a', 'b', 'c']),
      },
      tensors: [f32('token_embd.weight', [3, 32]), f32('output.weight', [3, 32]), f32('blk.0.attn_qkv.bias', [96]), f32('blk.0.ffn_up.bias', [128])],
    });
    const m = await openModel(p);
    expect(m.config).toMatchObject({
      architecture: 'gpt2', numHeads: 4, numKvHeads: 4, headDim: 8, vocabSize: 3, ropeTheta: 0, hiddenAct: 'gelu_new',
      tieWordEmbeddings: false, attentionBias: true, mlpBias: true, ropeLayout: 'hf', eosTokenIds: [],
    });
    expect(m.config.normEps).toBeCloseTo(1e-5, 10);
    expect(m.tokenizer).toEqual({ kind: 'gguf', path: p });
  });
});
