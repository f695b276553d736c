// HF ↔ llama.cpp names and layouts, checked against reality: mapping and
// permuting every tensor of the bundled sample reproduces llama.cpp's own
// conversion of the same weights (stories260K-f32.gguf) byte for byte.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openModel } from '../../../electron/studio/models/open-model.js';
import { openTensorData } from '../../../electron/studio/models/tensor-data.js';
import { ggufToHfName, hfToGgufName, type MappedName } from '../../../electron/studio/models/tensor-names.js';
import { permuteRows, qkGgufToHfOrder, qkHfToGgufOrder, transformTensor, transposeBytes } from '../../../electron/studio/models/qk-permute.js';
import type { ModelConfig } from '../../../electron/studio/models/types.js';
import { expectStudioError } from './expect-error.js';

const SAMPLE = resolve('resources/sample/stories260K');
const F32 = resolve('tests/fixtures/formats/stories260K-f32.gguf');
const llama = { architecture: 'llama', numHeads: 8, numKvHeads: 4 } as Pick<ModelConfig, 'architecture' | 'numHeads' | 'numKvHeads'>;

describe('stories260K: HF → llama.cpp reproduces llama.cpp’s GGUF', () => {
  it('every HF tensor maps, permutes and matches byte for byte; every GGUF tensor is covered', async () => {
    const hf = await openModel(SAMPLE);
    const gg = await openModel(F32);
    const hfData = openTensorData(hf), ggData = openTensorData(gg);
    const covered = new Set<string>();
    for (const t of hf.tensors) {
      const m = hfToGgufName(t.name, hf.config) as MappedName;
      expect(m, t.name).not.toBe('drop');
      const out = transformTensor(m.transform, hfData.bytes(t), t.shape, t.dtype);
      const g = ggData.entry(m.name);
      expect(out.shape, t.name).toEqual(g.shape);
      expect(Buffer.compare(Buffer.from(out.data), ggData.bytes(g)), `${t.name} → ${m.name}`).toBe(0);
      covered.add(m.name);
      if (/attn_[qk]\.weight$/.test(m.name)) expect(m.transform.kind).toBe('permute-qk');
    }
    // llama2.c's file carries the tied head as its own output.weight, equal to the embeddings.
    expect(Buffer.compare(ggData.bytes('output.weight'), ggData.bytes('token_embd.weight'))).toBe(0);
    expect(gg.tensors.map((t) => t.name).filter((n) => !covered.has(n))).toEqual(['output.weight']);
    hfData.close();
    ggData.close();
  });

  it('every GGUF tensor maps back to HF bytes', async () => {
    const hf = await openModel(SAMPLE);
    const gg = await openModel(F32);
    const hfData = openTensorData(hf), ggData = openTensorData(gg);
    for (const g of gg.tensors) {
      const m = ggufToHfName(g.name, { ...gg.config, architecture: 'llama' }) as MappedName;
      const back = transformTensor(m.transform, ggData.bytes(g), g.shape, g.dtype);
      const hfName = m.name === 'lm_head.weight' ? 'model.embed_tokens.weight' : m.name; // tied in the HF folder
      expect(Buffer.compare(Buffer.from(back.data), hfData.bytes(hfName)), `${g.name} → ${m.name}`).toBe(0);
    }
    hfData.close();
    ggData.close();
  });
});

describe('names', () => {
  it.each([
    ['model.embed_tokens.weight', 'token_embd.weight'], ['model.norm.weight', 'output_norm.weight'], ['lm_head.weight', 'output.weight'],
    ['model.layers.12.input_layernorm.weight', 'blk.12.attn_norm.weight'], ['model.layers.0.post_attention_layernorm.weight', 'blk.0.ffn_norm.weight'],
    ['model.layers.3.self_attn.v_proj.weight', 'blk.3.attn_v.weight'], ['model.layers.3.self_attn.o_proj.weight', 'blk.3.attn_output.weight'],
    ['model.layers.3.mlp.gate_proj.weight', 'blk.3.ffn_gate.weight'], ['model.layers.3.mlp.up_proj.weight', 'blk.3.ffn_up.weight'],
    ['model.layers.3.mlp.down_proj.weight', 'blk.3.ffn_down.weight'],
  ])('llama %s ↔ %s', (hf, gguf) => {
    expect(hfToGgufName(hf, llama)).toEqual({ name: gguf, transform: { kind: 'none' } });
    expect(ggufToHfName(gguf, llama)).toEqual({ name: hf, transform: { kind: 'none' } });
  });

  it('llama q/k weights and biases permute with their own head counts; qwen2 does not permute', () => {
    expect(hfToGgufName('model.layers.1.self_attn.q_proj.weight', llama)).toEqual({ name: 'blk.1.attn_q.weight', transform: { kind: 'permute-qk', heads: 8 } });
    expect(hfToGgufName('model.layers.1.self_attn.k_proj.bias', llama)).toEqual({ name: 'blk.1.attn_k.bias', transform: { kind: 'permute-qk', heads: 4 } });
    expect(ggufToHfName('blk.1.attn_k.weight', llama)).toEqual({ name: 'model.layers.1.self_attn.k_proj.weight', transform: { kind: 'unpermute-qk', heads: 4 } });
    expect(hfToGgufName('model.layers.1.self_attn.q_proj.weight', { ...llama, architecture: 'mistral' })).toMatchObject({ transform: { kind: 'permute-qk' } });
    const qwen = { ...llama, architecture: 'qwen2' as const };
    expect(hfToGgufName('model.layers.1.self_attn.q_proj.bias', qwen)).toEqual({ name: 'blk.1.attn_q.bias', transform: { kind: 'none' } });
  });

  it.each([
    ['wte.weight', 'token_embd.weight', 'none'], ['transformer.wpe.weight', 'position_embd.weight', 'none'], ['ln_f.bias', 'output_norm.bias', 'none'],
    ['h.0.ln_1.weight', 'blk.0.attn_norm.weight', 'none'], ['transformer.h.11.attn.c_attn.weight', 'blk.11.attn_qkv.weight', 'transpose'],
    ['h.2.attn.c_attn.bias', 'blk.2.attn_qkv.bias', 'none'], ['h.2.attn.c_proj.weight', 'blk.2.attn_output.weight', 'transpose'],
    ['h.2.ln_2.bias', 'blk.2.ffn_norm.bias', 'none'], ['h.2.mlp.c_fc.weight', 'blk.2.ffn_up.weight', 'transpose'], ['h.2.mlp.c_proj.weight', 'blk.2.ffn_down.weight', 'transpose'],
  ])('gpt2 %s → %s (%s)', (hf, gguf, kind) => {
    const gpt2 = { architecture: 'gpt2' as const, numHeads: 12, numKvHeads: 12 };
    expect(hfToGgufName(hf, gpt2)).toEqual({ name: gguf, transform: { kind } });
    const back = ggufToHfName(gguf, gpt2) as MappedName;
    expect(back.name.replace(/^transformer\./, '')).toBe(hf.replace(/^transformer\./, ''));
    expect(back.transform.kind).toBe(kind);
  });

  it('drops rotary caches and attention masks; refuses unknown tensors by name', async () => {
    expect(hfToGgufName('model.layers.0.self_attn.rotary_emb.inv_freq', llama)).toBe('drop');
    expect(hfToGgufName('h.3.attn.masked_bias', { architecture: 'gpt2', numHeads: 12, numKvHeads: 12 })).toBe('drop');
    expect(ggufToHfName('rope_freqs.weight', llama)).toBe('drop');
    await expectStudioError(() => hfToGgufName('model.layers.0.mlp.down_proj.weight_scale', llama), { code: 'UNSUPPORTED', tensor: 'model.layers.0.mlp.down_proj.weight_scale', problem: /has no llama.cpp name/ });
    await expectStudioError(() => ggufToHfName('blk.0.ssm_in.weight', llama), { code: 'UNSUPPORTED', tensor: 'blk.0.ssm_in.weight', problem: /has no llama.cpp name/ });
  });
});

describe('permutation and transpose', () => {
  it('matches the converter’s reshape/swapaxes on a small case', () => {
    // 2 heads of dim 4: HF rows [h0: a0 a1 b0 b1 | h1: …] → GGUF [a0 b0 a1 b1 | …]
    expect([...qkHfToGgufOrder(8, 2)]).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect([...qkHfToGgufOrder(12, 1)]).toEqual([0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
  });

  it.each([[8, 1], [8, 4], [24, 3], [128, 8], [6, 3]])('rows %i, heads %i: the inverse undoes it', (rows, heads) => {
    const data = new Uint8Array(rows * 3).map((_, i) => (i * 37) % 251);
    const there = permuteRows(data, qkHfToGgufOrder(rows, heads));
    expect(permuteRows(there, qkGgufToHfOrder(rows, heads))).toEqual(data);
  });

  it('refuses rows that are not whole heads of pairs', () => {
    expect(() => qkHfToGgufOrder(10, 4)).toThrow(/10 rows cannot be split into 4 heads/);
  });

  it('transposes any element size, and F32 through transformTensor', () => {
    const m = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect([...transposeBytes(m, 2, 3, 1)]).toEqual([1, 4, 2, 5, 3, 6]);
    const f = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = transformTensor({ kind: 'transpose' }, new Uint8Array(f.buffer), [3, 2], 'F32');
    expect(t.shape).toEqual([2, 3]);
    expect([...new Float32Array(t.data.buffer)]).toEqual([1, 3, 5, 2, 4, 6]);
    expect(() => transformTensor({ kind: 'transpose' }, new Uint8Array(34), [1, 32], 'Q8_0')).toThrow(/only 2-D tensors of plain dtypes/);
  });
});
