import { afterEach, describe, expect, it } from 'vitest';
import { nmFits, parseNmPattern, pruneNM } from '../../../electron/studio/prune/nm.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian } from '../../helpers/tensors.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { fromHalf, toBf16, toF16 } from '../../helpers/half.js';
import { sampleTensor } from '../../helpers/sample-model.js';

const addon = native();
afterEach(() => addon.setSimd(true));

describe('N:M pruning', () => {
  for (const simd of [true, false]) {
    it(`${simd ? 'avx2' : 'portable'}: equals the reference; in each group the n largest |w| stay`, async () => {
      addon.setSimd(simd);
      for (const [n, m] of [[2, 4], [4, 8], [1, 4], [3, 8]]) {
        for (const cols of [8, 64, 1024, 4 * 43]) {
          if (cols % m) continue;
          for (const dtype of ['F32', 'F16', 'BF16'] as const) {
            const x = gaussian(7 * cols, cols + m, 1);
            for (let i = 5; i < x.length; i += 11) x[i] = x[i - 1]; // ties
            const data = dtype === 'F32' ? x : dtype === 'F16' ? toF16(x) : toBf16(x);
            const t = { dtype, shape: [7, cols], data };
            const [fast, ref] = await Promise.all([pruneNM(t, { n, m }), addon.pruneNM(t, { n, m, reference: true })]);
            const what = `${n}:${m} ${dtype} ${cols}`;
            expectSameArray(fast.tensor.data, ref.tensor.data, what);
            expect(fast.zeros, what).toBe(ref.zeros);
            expect(fast.pruned).toBe((7 * cols * (m - n)) / m);
            const before = dtype === 'F32' ? x : fromHalf(data as Uint16Array, dtype);
            const after = dtype === 'F32' ? (fast.tensor.data as Float32Array) : fromHalf(fast.tensor.data as Uint16Array, dtype);
            for (let g = 0; g < x.length; g += m) {
              const kept: number[] = [], dropped: number[] = [];
              for (let j = g; j < g + m; j++) (after[j] === 0 && before[j] !== 0 ? dropped : kept).push(Math.abs(before[j]));
              expect(kept.length, what).toBeGreaterThanOrEqual(n);
              expect(Math.min(...kept)).toBeGreaterThanOrEqual(Math.max(0, ...dropped));
            }
          }
        }
      }
    });
  }

  it('2:4 by hand: ties keep the earlier weight', async () => {
    const x = new Float32Array([1, -1, 1, 0.5, 0, 0, 3, -4]);
    const r = await pruneNM({ dtype: 'F32', shape: [1, 8], data: x }, { n: 2, m: 4 });
    expect(Array.from(r.tensor.data)).toEqual([1, -1, 0, 0, 0, 0, 3, -4]);
    expect([r.pruned, r.zeros, r.sparsity]).toEqual([4, 4, 0.5]);
  });

  it('real weights: the sample model’s down_proj (172 columns) takes 2:4 but not 4:8', async () => {
    const { mapped, file } = sampleTensor('model.layers.0.mlp.down_proj.weight');
    const r = await pruneNM(mapped, { n: 2, m: 4 });
    expect(r.sparsity).toBe(0.5);
    await expect(pruneNM(mapped, { n: 4, m: 8 })).rejects.toThrow(
      /down_proj.*4:8 sparsity groups 8 consecutive input columns, but the row length 172 is not a multiple of 8/,
    );
    file.close();
    expect(nmFits(172, { n: 4, m: 8 })).toBe(false);
    expect(parseNmPattern('2:4')).toEqual({ n: 2, m: 4 });
    expect(parseNmPattern('5:4')).toBeUndefined();
  });
});
