// Dense linear layers: the fast paths (AVX2 and portable) against the scalar
// reference (double sums) on odd sizes, F32/F16/BF16 weights, Conv1D [in, out]
// weights, biases, GGML block weights through the per-tile fallback, and
// results that do not depend on the number of threads.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineLinear } from '../../../electron/studio/engine/linear.js';
import { native } from '../../../electron/studio/native/addon.js';
import { quantizeGguf, dequantizeGguf } from '../../../electron/studio/quant/gguf.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { toBf16, toF16 } from '../../helpers/half.js';
import { gaussian } from '../../helpers/tensors.js';

afterEach(() => {
  native().setSimd(true);
  native().setThreads(0);
});

/** |fast − ref| ≤ 1e-5 · Σ|x||w| per output: float32 sums of K products. */
function expectNear(fast: Float32Array, ref: Float32Array, x: Float32Array, w: Float32Array, T: number, N: number, K: number, what: string) {
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      let mag = 0;
      for (let k = 0; k < K; k++) mag += Math.abs(x[t * K + k] * w[n * K + k]);
      const d = Math.abs(fast[t * N + n] - ref[t * N + n]);
      if (!(d <= 1e-5 * mag + 1e-30)) expect(d, `${what} [${t}, ${n}]`).toBeLessThanOrEqual(1e-5 * mag);
    }
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [1, 7, 3], [2, 33, 5], [3, 64, 17], [5, 1023, 9], [13, 100, 40], [40, 257, 12]];

describe('dense linear: fast paths vs the scalar reference', () => {
  for (const simd of [true, false])
    for (const dtype of ['F32', 'F16', 'BF16'] as const)
      for (const [T, K, N] of SHAPES) {
        it(`${simd ? 'avx2' : 'portable'} ${dtype} T=${T} K=${K} N=${N}`, async () => {
          native().setSimd(simd);
          const w32 = gaussian(N * K, K * 7 + N, 0.5), x = gaussian(T * K, T + 3);
          const bits = dtype === 'F16' ? toF16(w32) : dtype === 'BF16' ? toBf16(w32) : undefined;
          const weight = { dtype, shape: [N, K], data: bits ?? w32 };
          const fast = await (await EngineLinear.create(weight)).forward(x, T);
          const ref = await (await EngineLinear.create(weight, { reference: true })).forward(x, T);
          expectNear(fast, ref, x, w32, T, N, K, `${dtype}`);
        });
      }

  it('Conv1D [in, out] weights and a bias', async () => {
    const T = 4, K = 19, N = 11;
    const w = gaussian(K * N, 5), x = gaussian(T * K, 6), b = gaussian(N, 7);
    const wt = new Float32Array(N * K);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) wt[n * K + k] = w[k * N + n];
    const inOut = await (await EngineLinear.create({ dtype: 'F32', shape: [K, N], data: w }, { inOut: true, bias: { dtype: 'F32', shape: [N], data: b } })).forward(x, T);
    const outIn = await (await EngineLinear.create({ dtype: 'F32', shape: [N, K], data: wt })).forward(x, T);
    for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) outIn[t * N + n] += b[n];
    expectNear(inOut, outIn, x, wt, T, N, K, 'conv1d');
  });

  it('a token gives the same bits alone or in a batch, with 1 thread or all', async () => {
    const T = 11, K = 300, N = 70;
    const w = gaussian(N * K, 8), x = gaussian(T * K, 9);
    const lin = await EngineLinear.create({ dtype: 'F16', shape: [N, K], data: toF16(w) });
    const batch = await lin.forward(x, T);
    native().setThreads(1);
    expectSameArray(await lin.forward(x, T), batch, 'one thread');
    native().setThreads(0);
    for (const t of [0, 5, 10]) expectSameArray(await lin.forward(x.subarray(t * K, (t + 1) * K), 1), batch.subarray(t * N, (t + 1) * N), `token ${t}`);
  });

  it('GGML block weights (Q8_0) run per tile and equal the F32 product of their dequantized values', async () => {
    const T = 6, K = 96, N = 13;
    const w = gaussian(N * K, 10), x = gaussian(T * K, 11);
    const q = await quantizeGguf({ dtype: 'F32', shape: [N, K], data: w }, 'Q8_0');
    const deq = await dequantizeGguf(q, 'Q8_0', [N, K]);
    // Named: by default Q8_0 now runs in the gguf kernel with Q8 activations (linear-gguf.test.ts).
    const lin = await EngineLinear.create({ dtype: 'Q8_0', shape: [N, K], data: q }, { method: 'dense' });
    expect(lin.info()).toMatchObject({ method: 'dense', format: 'Q8_0', in: K, out: N });
    const viaBlocks = await lin.forward(x, T);
    const viaF32 = await (await EngineLinear.create({ dtype: 'F32', shape: [N, K], data: deq })).forward(x, T);
    expectSameArray(viaBlocks, viaF32, 'Q8_0 vs dequantized F32');
  });
});
