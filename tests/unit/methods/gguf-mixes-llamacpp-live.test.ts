// End to end against the real llama-quantize, when a llama.cpp build is on this
// machine ($LLAMA_CPP_BUILD, default /work/llama.cpp-build; skipped otherwise):
// a small random Llama written by our GGUF writer and an imatrix written by our
// imatrix writer go through llama-quantize; every tensor it wrote must equal,
// byte for byte, what our mix rules, quantizers and imatrix reading give, and
// its metadata the file type and quantization version we would write.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeGguf } from '../../../electron/studio/export/gguf-writer.js';
import { readGgufFile } from '../../../electron/studio/models/gguf-reader.js';
import { gguf } from '../../../electron/studio/models/gguf-values.js';
import { GGUF_IMPORTANCE_TYPES, quantizeGguf, type GgufQuantType } from '../../../electron/studio/quant/gguf.js';
import { GGML_QUANTIZATION_VERSION, planGgufMix, type LlamaFileType } from '../../../electron/studio/quant/gguf-mixes.js';
import { imatrixEntry, matchImatrix, readImatrixFile, writeImatrixFile } from '../../../electron/studio/quant/imatrix-file.js';
import { gaussian } from '../../helpers/tensors.js';

const BUILD = process.env.LLAMA_CPP_BUILD ?? '/work/llama.cpp-build';
const QUANTIZE = join(BUILD, 'bin', 'llama-quantize');
const live = existsSync(QUANTIZE);

describe.skipIf(!live)(`llama-quantize (${QUANTIZE})`, () => {
  const dir = live ? mkdtempSync(join(tmpdir(), 'mcs-llamacpp-')) : '';
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));
  const L = 4, H = 256, F = 512, V = 256, heads = 4, kv = 2, hd = H / heads;
  const tensors: { name: string; shape: number[]; data: Float32Array }[] = [];
  const add = (name: string, shape: number[], std = 0.02) => tensors.push({ name, shape, data: gaussian(shape.reduce((a, b) => a * b, 1), tensors.length + 7, std) });
  add('token_embd.weight', [V, H]);
  add('output_norm.weight', [H], 1);
  add('output.weight', [V, H]);
  for (let l = 0; l < L; l++) {
    const p = `blk.${l}.`;
    add(`${p}attn_norm.weight`, [H], 1);
    add(`${p}attn_q.weight`, [H, H]);
    add(`${p}attn_k.weight`, [kv * hd, H]);
    add(`${p}attn_v.weight`, [kv * hd, H]);
    add(`${p}attn_output.weight`, [H, H]);
    add(`${p}ffn_norm.weight`, [H], 1);
    add(`${p}ffn_gate.weight`, [F, H]);
    add(`${p}ffn_up.weight`, [F, H]);
    add(`${p}ffn_down.weight`, [H, F]);
  }
  const src = join(dir, 'model-f32.gguf'), imatrixPath = join(dir, 'imatrix.dat');

  async function prepare() {
    if (existsSync(src)) return;
    await writeGguf(src, {
      metadata: {
        'general.architecture': gguf.string('llama'), 'llama.block_count': gguf.u32(L), 'llama.context_length': gguf.u32(256),
        'llama.embedding_length': gguf.u32(H), 'llama.feed_forward_length': gguf.u32(F), 'llama.attention.head_count': gguf.u32(heads),
        'llama.attention.head_count_kv': gguf.u32(kv), 'llama.rope.dimension_count': gguf.u32(hd),
        'llama.attention.layer_norm_rms_epsilon': gguf.f32(1e-5), 'llama.vocab_size': gguf.u32(V),
      },
      tensors: tensors.map((t) => ({ name: t.name, type: 'F32', shape: t.shape, data: () => new Uint8Array(t.data.buffer) })),
    });
    // Σx² over 3 calls of 20 tokens: values (Σ/count)·ncall with a wide spread, as real activations have.
    const entries = tensors.filter((t) => t.name.startsWith('blk.') && t.shape.length === 2).map((t, i) => {
      const cols = t.shape[1], g = gaussian(cols, 100 + i, 1);
      return imatrixEntry(t.name, Array.from(g, (v) => 60 * Math.exp(2 * v)), new Array(cols).fill(60), 3);
    });
    await writeImatrixFile(imatrixPath, { entries, chunks: 3, dataset: 'synthetic' });
  }

  for (const [fileType, withImatrix] of [['Q4_K_M', false], ['Q3_K_M', true], ['Q2_K', true], ['IQ4_XS', true], ['Q5_K_S', false], ['Q6_K', true]] as [LlamaFileType, boolean][])
    it(`${fileType}${withImatrix ? ' with an imatrix' : ''}: the same bytes for every tensor`, async () => {
      await prepare();
      const out = join(dir, `out-${fileType}-${withImatrix}.gguf`);
      execFileSync(QUANTIZE, [...(withImatrix ? ['--imatrix', imatrixPath] : []), src, out, fileType, '2'], { stdio: 'pipe' });
      const g = readGgufFile(out);
      const plan = planGgufMix({ architecture: 'llama', layers: L, heads, kvHeads: kv, tensors: tensors.map((t) => ({ ...t, dtype: 'F32' })) }, { fileType, hasImatrix: withImatrix });
      expect(g.metadata['general.file_type']).toBe(plan.fileTypeId);
      expect(g.metadata['general.quantization_version']).toBe(GGML_QUANTIZATION_VERSION);
      const weights = withImatrix ? matchImatrix(await readImatrixFile(imatrixPath), tensors, imatrixPath).weights : new Map<string, Float32Array>();
      if (withImatrix) expect(g.metadata['quantize.imatrix.entries_count']).toBe(weights.size);
      expect(g.tensors.map((t) => t.name)).toEqual(plan.tensors.map((t) => t.name));
      const bytes = readFileSync(out);
      for (const [i, c] of plan.tensors.entries()) {
        const info = g.tensors[i], src32 = tensors.find((t) => t.name === c.name)!;
        expect(info.dtype, c.name).toBe(c.type);
        const got = bytes.subarray(info.offset, info.offset + info.byteLength);
        const want = c.type === 'F32' ? Buffer.from(src32.data.buffer)
          : await quantizeGguf({ dtype: 'F32', shape: src32.shape, data: src32.data, name: c.name }, c.type as GgufQuantType,
            { importance: GGUF_IMPORTANCE_TYPES.has(c.type as GgufQuantType) ? weights.get(c.name) : undefined });
        if (!Buffer.from(got).equals(want)) expect(`${c.name} (${c.type}) differs from llama-quantize`).toBe('');
      }
    }, 60_000);
});
