// LLM.int8(): the AVX2 and portable int8 paths equal the scalar reference bit
// for bit (integer sums are exact), the native layer equals an independent
// TypeScript implementation of the paper's decomposition exactly, outlier
// columns are counted, and the error against dense F32 stays within stated
// bounds — far better than plain vector-wise int8 when outliers are present.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineLinear } from '../../../electron/studio/engine/linear.js';
import { native } from '../../../electron/studio/native/addon.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { toF16, fromHalf } from '../../helpers/half.js';
import { llmInt8Reference } from '../../helpers/reference-llm-int8.js';
import { gaussian } from '../../helpers/tensors.js';

afterEach(() => native().setSimd(true));

/** Activations with a few "emergent feature" columns far above the threshold. */
function activations(T: number, K: number, seed: number, outlierCols: number[], scale = 20): Float32Array {
  const x = gaussian(T * K, seed);
  for (let t = 0; t < T; t++) for (const k of outlierCols) x[t * K + k] = (t % 2 ? -1 : 1) * scale * (1 + 0.1 * t);
  return x;
}

const relErr = (a: Float32Array, b: Float32Array) => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / den);
};

const SHAPES: [number, number, number][] = [[1, 1, 1], [1, 31, 9], [2, 32, 8], [3, 33, 5], [4, 97, 17], [7, 1023, 13], [9, 256, 40]];

describe('LLM.int8(): kernels', () => {
  for (const simd of [true, false])
    for (const [T, K, N] of SHAPES) {
      it(`${simd ? 'avx2' : 'portable'} T=${T} K=${K} N=${N}: equals the scalar reference and the TypeScript implementation`, async () => {
        native().setSimd(simd);
        const cols = K > 10 ? [2, K - 1] : [];
        const w = gaussian(N * K, K + N, 0.3), x = activations(T, K, T * 31 + K, cols), b = gaussian(N, 99);
        const weight = { dtype: 'F32', shape: [N, K], data: w }, bias = { dtype: 'F32', shape: [N], data: b };
        const fast = await EngineLinear.create(weight, { method: 'llm_int8', bias });
        const ref = await EngineLinear.create(weight, { method: 'llm_int8', bias, reference: true });
        const y = await fast.forward(x, T);
        expectSameArray(y, await ref.forward(x, T), 'native reference');
        const ts = llmInt8Reference(x, T, w, N, K, 6, b);
        expectSameArray(y, ts.y, 'TypeScript reference');
        expect(fast.stats()).toMatchObject({ calls: 1, tokens: T, outlierColumns: ts.outlierColumns.length, maxOutlierColumns: ts.outlierColumns.length });
      });
    }

  it('counts outlier columns per call and per input feature', async () => {
    const T = 5, K = 64, N = 8;
    const lin = await EngineLinear.create({ dtype: 'F32', shape: [N, K], data: gaussian(N * K, 1) }, { method: 'llm_int8' });
    await lin.forward(activations(T, K, 2, [3, 40, 41]), T);
    await lin.forward(activations(T, K, 3, [40]), T);
    await lin.forward(gaussian(T * K, 4, 0.5), T); // nothing near 6
    const s = lin.stats();
    expect(s).toMatchObject({ calls: 3, tokens: 15, outlierColumns: 4, maxOutlierColumns: 3 });
    expect(Array.from(s.columnHits).flatMap((h, k) => (h ? [[k, h]] : []))).toEqual([[3, 1], [40, 2], [41, 1]]);
    lin.resetStats();
    expect(lin.stats()).toMatchObject({ calls: 0, outlierColumns: 0 });
  });

  it('a value exactly at the threshold is an outlier (|x| ≥ threshold); threshold 0 turns the decomposition off', async () => {
    const K = 16, N = 4, x = gaussian(K, 5, 0.5);
    x[7] = -6;
    const w = { dtype: 'F32', shape: [N, K], data: gaussian(N * K, 6) };
    const at6 = await EngineLinear.create(w, { method: 'llm_int8', threshold: 6 });
    await at6.forward(x, 1);
    expect(at6.stats().outlierColumns).toBe(1);
    const off = await EngineLinear.create(w, { method: 'llm_int8', threshold: 0 });
    await off.forward(x, 1);
    expect(off.stats().outlierColumns).toBe(0);
  });

  it('F16 weights: outlier columns use the stored half values', async () => {
    const T = 3, K = 40, N = 6;
    const w16 = toF16(gaussian(N * K, 7, 0.3)), x = activations(T, K, 8, [5]);
    const y = await (await EngineLinear.create({ dtype: 'F16', shape: [N, K], data: w16 }, { method: 'llm_int8' })).forward(x, T);
    expectSameArray(y, llmInt8Reference(x, T, fromHalf(w16, 'F16'), N, K, 6).y, 'F16');
  });
});

describe('LLM.int8(): error against dense F32', () => {
  const T = 16, K = 512, N = 64;
  const w = gaussian(N * K, 11, 0.05);
  const weight = { dtype: 'F32', shape: [N, K], data: w };

  it('Gaussian activations: relative RMS error below 1.5% (two 8-bit roundings)', async () => {
    const x = gaussian(T * K, 12);
    const dense = await (await EngineLinear.create(weight)).forward(x, T);
    const int8 = await (await EngineLinear.create(weight, { method: 'llm_int8' })).forward(x, T);
    expect(relErr(int8, dense)).toBeLessThan(0.015);
  });

  it('with outlier features: the decomposition keeps the error below 0.5%, plain int8 is ten times worse', async () => {
    const x = activations(T, K, 13, [17, 200, 333], 60);
    const dense = await (await EngineLinear.create(weight)).forward(x, T);
    const mixed = await (await EngineLinear.create(weight, { method: 'llm_int8', threshold: 6 })).forward(x, T);
    const plain = await (await EngineLinear.create(weight, { method: 'llm_int8', threshold: 0 })).forward(x, T);
    const eMixed = relErr(mixed, dense), ePlain = relErr(plain, dense);
    expect(eMixed).toBeLessThan(0.005);
    expect(ePlain).toBeGreaterThan(10 * eMixed);
  });
});
