// k-quant and IQ4 weights through their own kernels ("gguf_k"): the AVX2 path
// equals llama.cpp's x86 CPU backend bit for bit (fixture from ggml-cpu), the
// reference equals a TypeScript transcription of ggml's generic formulas bit
// for bit, both stay within the activation rounding of a dense product of the
// dequantized weights, and results do not depend on threads or batching.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineLinear } from '../../../electron/studio/engine/linear.js';
import { storeLinear } from '../../../electron/studio/engine/stored-linear.js';
import { native } from '../../../electron/studio/native/addon.js';
import { GGML_BLOCKS, type GgufQuantType } from '../../../electron/studio/quant/gguf.js';
import { gaussian, withOutliers } from '../../helpers/tensors.js';
import { denseProduct, expectWithin, fastPaths, linearOf } from '../../helpers/linear-check.js';
import { llamaKDot, quantizeQ8K } from '../../helpers/llamacpp-kdot.js';

afterEach(() => {
  native().setSimd(true);
  native().setThreads(0);
});

const K_TYPES: GgufQuantType[] = ['Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'IQ4_XS'];

describe('llama.cpp x86 results (fixture from ggml-cpu)', () => {
  const m = JSON.parse(readFileSync('tests/fixtures/gguf-blocks/ggml-kquant-dots.json', 'utf8'));
  const blob = readFileSync(`tests/fixtures/gguf-blocks/${m.blocks}`);
  const N: number = m.rows, T: number = m.tokens;
  for (const c of m.cases as { type: GgufQuantType; K: number; weights: number; weightBytes: number; activations: number; outputs: number }[])
    it(`${c.type} K=${c.K}: the same floats, in a batch and token by token`, async () => {
      const w = new Uint8Array(blob.subarray(c.weights, c.weights + c.weightBytes));
      const x = new Float32Array(blob.buffer.slice(blob.byteOffset + c.activations, blob.byteOffset + c.activations + T * c.K * 4));
      const want = new Float32Array(blob.buffer.slice(blob.byteOffset + c.outputs, blob.byteOffset + c.outputs + T * N * 4));
      const lin = await EngineLinear.create({ dtype: c.type, shape: [N, c.K], data: w }, { name: 'fixture' });
      expect(lin.info().method).toBe('gguf_k');
      expect(Array.from(await lin.forward(x, T))).toEqual(Array.from(want));
      for (let t = 0; t < T; t++)
        expect(Array.from(await lin.forward(x.subarray(t * c.K, (t + 1) * c.K), 1))).toEqual(Array.from(want.subarray(t * N, (t + 1) * N)));
    });
});

/** Σ_b amax_b·(1/254 + 1/2048)·Σ|ŵ| per activation block of `blk`: how far 8-bit activations move an output. */
function activationBound(w: Float32Array, x: Float32Array, T: number, N: number, K: number, blk: number) {
  const out = new Float64Array(T * N);
  for (let t = 0; t < T; t++)
    for (let b = 0; b < K / blk; b++) {
      let amax = 0;
      for (let j = 0; j < blk; j++) amax = Math.max(amax, Math.abs(x[t * K + b * blk + j]));
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let j = 0; j < blk; j++) s += Math.abs(w[n * K + b * blk + j]);
        out[t * N + n] += amax * (1 / 254 + 1 / 2048) * s;
      }
    }
  return out;
}

describe('k-quant × Q8_K activations', () => {
  const SHAPES: [number, number, number][] = [[1, 256, 7], [3, 512, 13], [5, 768, 6], [17, 256, 5]];
  for (const type of [...K_TYPES, 'IQ4_NL' as GgufQuantType])
    for (const [T, K, N] of SHAPES)
      it(`${type} T=${T} K=${K} N=${N}`, async () => {
        const w = gaussian(N * K, K * 5 + N, 0.05), x = withOutliers(gaussian(T * K, T + K), 37, 8);
        const stored = await storeLinear(w, N, K, { kind: 'gguf', type });
        const lin = await linearOf(stored);
        const act = type === 'IQ4_NL' ? 'Q8_0' : 'Q8_K';
        expect(lin.info()).toMatchObject({ method: 'gguf_k', format: `${type} × ${act} activations`, bytes: (N * K / GGML_BLOCKS[type].elements) * GGML_BLOCKS[type].bytes });
        const ref = await (await linearOf(stored, { reference: true })).forward(x, T);

        if (type !== 'IQ4_NL') {
          // ggml's generic formulas, bit for bit.
          const blocks = (stored.weight as unknown as { data: Uint8Array }).data, rowBytes = (K / 256) * GGML_BLOCKS[type].bytes;
          for (let t = 0; t < T; t++) {
            const a = quantizeQ8K(x.subarray(t * K, (t + 1) * K));
            for (let n = 0; n < N; n++) {
              const want = llamaKDot(type, blocks.subarray(n * rowBytes, (n + 1) * rowBytes), a);
              if (ref[t * N + n] !== want) expect(ref[t * N + n], `token ${t}, output ${n}`).toBe(want);
            }
          }
        }

        const dense = denseProduct(stored.dequantized, x, T, N, K);
        const fast = await fastPaths(lin, x, T);
        expectWithin(fast.portable, ref, T, N, () => 0, 'portable vs reference');
        expectWithin(fast.avx2, ref, T, N, (t, n) => 2e-5 * dense.mag[t * N + n] + 1e-30, 'avx2 vs reference');
        const bound = activationBound(stored.dequantized, x, T, N, K, type === 'IQ4_NL' ? 32 : 256);
        expectWithin(ref, dense.y, T, N, (t, n) => bound[t * N + n] + 2e-5 * dense.mag[t * N + n] + 1e-30, 'reference vs dense F32 on dequantized weights');
      });

  it('"auto" picks gguf_k for every k-quant and IQ4 type, never the dense fallback', async () => {
    for (const type of [...K_TYPES, 'IQ4_NL' as GgufQuantType]) {
      const stored = await storeLinear(gaussian(4 * 256, 3, 0.05), 4, 256, { kind: 'gguf', type });
      expect((await linearOf(stored)).info().method, type).toBe('gguf_k');
    }
  });

  it('refuses rows that are not whole super-blocks', async () => {
    await expect(EngineLinear.create({ dtype: 'Q4_K', shape: [2, 128], data: new Uint8Array(144) }, { name: 'blk.0.ffn_down' }))
      .rejects.toThrow(/128 elements are not a multiple of the Q4_K block of 256/);
  });
});
