// GGML block weights in the engine (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) with the
// activations quantized to Q8 blocks, as llama.cpp runs them:
//   reference = llama.cpp's numbers: bit for bit the TypeScript transcription of
//     ggml-cpu's x86 activation quantization and generic vec_dot formulas;
//   the portable path is the reference; AVX2 (ggml's 8-lane FMA order) is within
//     2e-5 · Σ|ŵ||x| of it, with the same bits at any thread count or batch split;
//   vs a dense F32 product on the dequantized weights: within the activation
//     rounding bound Σ_blocks amax_b·(1/254 + 1/2048)·Σ_b|ŵ| (+ 2e-5 · Σ|ŵ||x|).
import { describe, expect, it } from 'vitest';
import { storeLinear } from '../../../electron/studio/engine/stored-linear.js';
import type { GgufQuantType } from '../../../electron/studio/quant/gguf.js';
import { gaussian, withOutliers } from '../../helpers/tensors.js';
import { denseProduct, expectWithin, fastPaths, linearOf } from '../../helpers/linear-check.js';
import { llamaDot, quantizeQ8 } from '../../helpers/llamacpp-dot.js';
import { EngineLinear } from '../../../electron/studio/engine/linear.js';

type LegacyType = 'Q8_0' | 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1';
const TYPES: LegacyType[] = ['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1'];
const SHAPES: [number, number, number][] = [[1, 32, 7], [3, 96, 13], [5, 320, 33], [17, 64, 5], [1, 2048, 9]];
const BYTES: Record<LegacyType, number> = { Q8_0: 34, Q4_0: 18, Q4_1: 20, Q5_0: 22, Q5_1: 24 };

/** Σ_b amax_b·(1/254 + 1/2048)·Σ_{k∈b}|ŵ_k|: how far Q8 activations can move an output. */
function activationBound(w: Float32Array, x: Float32Array, T: number, N: number, K: number) {
  const out = new Float64Array(T * N);
  for (let t = 0; t < T; t++)
    for (let b = 0; b < K / 32; b++) {
      let amax = 0;
      for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[t * K + b * 32 + j]));
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let j = 0; j < 32; j++) s += Math.abs(w[n * K + b * 32 + j]);
        out[t * N + n] += amax * (1 / 254 + 1 / 2048) * s;
      }
    }
  return out;
}

describe('GGML blocks × Q8 activations', () => {
  for (const type of TYPES)
    for (const [T, K, N] of SHAPES)
      it(`${type} T=${T} K=${K} N=${N}`, async () => {
        const w = gaussian(N * K, K * 3 + N, 0.05), x = withOutliers(gaussian(T * K, T + K), 37, 8);
        const stored = await storeLinear(w, N, K, { kind: 'gguf', type });
        const lin = await linearOf(stored);
        expect(lin.info()).toMatchObject({ method: 'gguf', format: `${type} × ${type.endsWith('_1') ? 'Q8_1' : 'Q8_0'} activations`, bytes: (N * K / 32) * BYTES[type] });
        const ref = await (await linearOf(stored, { reference: true })).forward(x, T);

        // llama.cpp's numbers, bit for bit.
        const blocks = (stored.weight as unknown as { data: Uint8Array }).data, rowBytes = (K / 32) * BYTES[type];
        for (let t = 0; t < T; t++) {
          const a = quantizeQ8(x.subarray(t * K, (t + 1) * K));
          for (let n = 0; n < N; n++) {
            const want = llamaDot(type, blocks.subarray(n * rowBytes, (n + 1) * rowBytes), a);
            if (ref[t * N + n] !== want) expect(ref[t * N + n], `token ${t}, output ${n}`).toBe(want);
          }
        }

        const dense = denseProduct(stored.dequantized, x, T, N, K);
        const fast = await fastPaths(lin, x, T);
        expectWithin(fast.portable, ref, T, N, () => 0, 'portable vs reference');
        expectWithin(fast.avx2, ref, T, N, (t, n) => 2e-5 * dense.mag[t * N + n] + 1e-30, 'avx2 vs reference');
        const bound = activationBound(stored.dequantized, x, T, N, K);
        expectWithin(ref, dense.y, T, N, (t, n) => bound[t * N + n] + 2e-5 * dense.mag[t * N + n] + 1e-30, 'reference vs dense F32 on dequantized weights');
      });

  it('activation codes on a tie round to even, as llama.cpp\'s x86 path does', async () => {
    const K = 64, N = 4;
    const stored = await storeLinear(gaussian(N * K, 2, 0.05), N, K, { kind: 'gguf', type: 'Q8_0' });
    // amax 127 makes the multiplier 1: ±0.5, 1.5, 2.5 … are ties.
    const x = new Float32Array(K).map((_, i) => (i % 32 === 0 ? 127 : ((i % 7) - 3) + 0.5));
    const a = quantizeQ8(x);
    expect(Array.from(a.q.subarray(1, 8))).toEqual([-2, 0, 0, 2, 2, 4, -2]);
    const rowBytes = (K / 32) * 34, blocks = (stored.weight as unknown as { data: Uint8Array }).data;
    for (const reference of [true, false]) {
      const y = await (await linearOf(stored, { reference })).forward(x, 1);
      for (let n = 0; n < N; n++) expect(y[n]).toBeCloseTo(llamaDot('Q8_0', blocks.subarray(n * rowBytes, (n + 1) * rowBytes), a), 6);
      if (reference) for (let n = 0; n < N; n++) expect(y[n]).toBe(llamaDot('Q8_0', blocks.subarray(n * rowBytes, (n + 1) * rowBytes), a));
    }
  });

  it('zero and tiny activation blocks quantize to zero codes without NaN', async () => {
    const K = 64, N = 3, T = 2;
    const stored = await storeLinear(gaussian(N * K, 1, 0.05), N, K, { kind: 'gguf', type: 'Q4_0' });
    const x = new Float32Array(T * K);
    x.fill(1e-30, K, K + 32);
    for (const reference of [false, true]) {
      const y = await (await linearOf(stored, { reference })).forward(x, T);
      for (const v of y) expect(Number.isFinite(v)).toBe(true);
      expect(Array.from(y.subarray(0, N))).toEqual([0, 0, 0]);
    }
  });

  it('refuses a weight whose rows are not whole blocks, or companions a GGUF layer has none of', async () => {
    await expect(EngineLinear.create({ dtype: 'Q4_0', shape: [2, 40], data: new Uint8Array(2 * 18) }, { name: 'blk.1.ffn_up' })).rejects.toThrow(/not a multiple of the Q4_0 block/);
    const stored = await storeLinear(gaussian(64, 1), 2, 32, { kind: 'gguf', type: 'Q8_0' });
    await expect(EngineLinear.create(stored.weight, { extra: { weight_scale: { dtype: 'F32', shape: [2], data: new Float32Array(2) } }, name: 'blk.1.ffn_up' })).rejects.toThrow(/blk\.1\.ffn_up\.weight_scale' is not part of the GGUF block layout/);
  });
});
