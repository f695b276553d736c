import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressModel, ggufExportRecipe } from '../../../electron/studio/compress/index.js';
import { openModel } from '../../../electron/studio/models/index.js';
import { readGgufFile } from '../../../electron/studio/models/gguf-reader.js';
import { parseRecipe } from '../../../electron/studio/recipes/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

const LLAMACPP_F32 = 'tests/fixtures/formats/stories260K-f32.gguf';
const work = tempDir('gguf');
const model = await openModel('resources/sample/stories260K');

const bytesOf = (path: string, t: { offset: number; byteLength: number }) => readFileSync(path).subarray(t.offset, t.offset + t.byteLength);

describe('GGUF export', () => {
  it('F32: every tensor byte-identical to llama.cpp\'s own conversion of the same weights', async () => {
    const out = join(work, 'f32.gguf');
    await compressModel(model, ggufExportRecipe('f32'), out);
    const ours = readGgufFile(out), theirs = readGgufFile(LLAMACPP_F32);
    const theirsByName = new Map(theirs.tensors.map((t) => [t.name, t]));
    // llama2.c's converter also wrote output.weight (a copy of token_embd); a tied HF model has none.
    expect(ours.tensors.map((t) => t.name).sort()).toEqual(theirs.tensors.map((t) => t.name).filter((n) => n !== 'output.weight').sort());
    for (const t of ours.tensors) {
      const ref = theirsByName.get(t.name)!;
      expect(t.dtype, t.name).toBe(ref.dtype);
      expect(t.shape, t.name).toEqual(ref.shape);
      expect(bytesOf(out, t).equals(bytesOf(LLAMACPP_F32, ref)), t.name).toBe(true);
    }
    for (const key of ['general.architecture', 'llama.embedding_length', 'llama.feed_forward_length', 'llama.block_count', 'llama.attention.head_count',
      'llama.attention.head_count_kv', 'llama.rope.dimension_count', 'llama.attention.layer_norm_rms_epsilon', 'tokenizer.ggml.model',
      'tokenizer.ggml.tokens', 'tokenizer.ggml.token_type', 'tokenizer.ggml.bos_token_id', 'tokenizer.ggml.eos_token_id', 'tokenizer.ggml.unknown_token_id']) {
      expect(ours.metadata[key], key).toEqual(theirs.metadata[key]);
    }
    expect(ours.metadata['general.file_type']).toBe(0);
  });

  it('Q8_0: blocks equal llama.cpp\'s for the tensors it quantized to Q8_0; 172-wide rows fall back to F16', async () => {
    const out = join(work, 'q8.gguf');
    const report = await compressModel(model, ggufExportRecipe('q8_0'), out);
    const g = readGgufFile(out);
    const fixture = JSON.parse(readFileSync('tests/fixtures/gguf-blocks/stories260K-llamacpp.json', 'utf8')) as { tensors: { tensor: string; type: string; offset: number; byteLength: number }[] };
    const blob = readFileSync('tests/fixtures/gguf-blocks/stories260K-llamacpp.bin');
    const q8 = fixture.tensors.filter((t) => t.type === 'Q8_0');
    expect(q8.length).toBeGreaterThan(0);
    for (const ref of q8) {
      const t = g.tensors.find((x) => x.name === ref.tensor);
      if (!t) continue; // output.weight exists only in llama.cpp's file
      expect(t.dtype).toBe('Q8_0');
      expect(bytesOf(out, t).equals(blob.subarray(ref.offset, ref.offset + ref.byteLength)), ref.tensor).toBe(true);
    }
    const down = g.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')!;
    expect(down.dtype).toBe('F16');
    expect(report.tensors.find((t) => t.outputName === 'blk.0.ffn_down.weight')!.note).toBe('blk.0.ffn_down.weight: 172 columns not a multiple of 32 → F16');
    expect(g.metadata['general.file_type']).toBe(7);
    expect(g.metadata['general.quantization_version']).toBe(2);
    expect(g.tensors.find((t) => t.name === 'blk.0.attn_norm.weight')!.dtype).toBe('F32');
  });

  it('re-opens as a model with the same configuration', async () => {
    for (const type of ['q4_0', 'q4_1', 'q5_0', 'q5_1', 'f16'] as const) {
      const out = join(work, `${type}.gguf`);
      const report = await compressModel(model, ggufExportRecipe(type), out);
      const back = await openModel(out);
      expect(back.format).toBe('gguf');
      const { ropeLayout: _a, sourceArchitecture: _b, maxPositions: _c, ...cfg } = back.config;
      const { ropeLayout: _d, sourceArchitecture: _e, maxPositions: _f, ...orig } = model.config;
      expect(cfg).toMatchObject({ ...orig, normEps: Math.fround(orig.normEps), tieWordEmbeddings: true }); // GGUF stores eps as f32
      const q = report.tensors.find((t) => t.outputName === 'blk.1.attn_q.weight')!;
      expect(q.action).toBe(type.toUpperCase());
      expect(q.metrics!.snrDb).toBeGreaterThan(type === 'f16' ? 60 : 15);
    }
  });

  it('GGUF → GGUF: a Q8_0 file re-quantized to Q4_0 keeps names and metadata', async () => {
    const q8 = join(work, 'q8.gguf');
    const src = await openModel(q8);
    const out = join(work, 'q8-to-q4.gguf');
    await compressModel(src, ggufExportRecipe('q4_0'), out);
    const g = readGgufFile(out);
    expect(g.tensors.find((t) => t.name === 'blk.0.attn_q.weight')!.dtype).toBe('Q4_0');
    expect(g.metadata['tokenizer.ggml.tokens']).toEqual(readGgufFile(q8).metadata['tokenizer.ggml.tokens']);
    expect(g.metadata['general.file_type']).toBe(2);
  });

  it('a recipe can mix GGUF types per tensor', async () => {
    const recipe = parseRecipe({ quantize: { method: 'gguf', type: 'q4_0' }, rules: [{ match: 'v_proj', quantize: { method: 'gguf', type: 'q8_0' } }] });
    const out = join(work, 'mixed.gguf');
    await compressModel(model, recipe, out);
    const g = readGgufFile(out);
    expect(g.tensors.find((t) => t.name === 'blk.2.attn_v.weight')!.dtype).toBe('Q8_0');
    expect(g.tensors.find((t) => t.name === 'blk.2.attn_k.weight')!.dtype).toBe('Q4_0');
    expect(g.tensors.find((t) => t.name === 'token_embd.weight')!.dtype).toBe('F32'); // not a target of this recipe
  });

  it('cancel leaves no file', async () => {
    const controller = new AbortController();
    const out = join(work, 'cancelled.gguf');
    let n = 0;
    const p = compressModel(model, ggufExportRecipe('q4_0'), out, { signal: controller.signal, onProgress: (e) => { if (e.stage === 'compress' && ++n === 4) controller.abort(); } });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('cancelled'))).toEqual([]);
  });
});
