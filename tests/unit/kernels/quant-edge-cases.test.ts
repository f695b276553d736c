// Shapes at the edges: empty tensors, rows longer than one conversion segment
// in BF16 (the kernels then stream the row in pieces), 1-D tensors.
import { afterEach, describe, expect, it } from 'vitest';
import { quantizeInt, type IntQuantOptions } from '../../../electron/studio/quant/int-quant.js';
import { quantizeBnb4 } from '../../../electron/studio/quant/bnb4.js';
import { pruneMagnitude } from '../../../electron/studio/prune/magnitude.js';
import { pruneNM } from '../../../electron/studio/prune/nm.js';
import { compressSparse24 } from '../../../electron/studio/prune/sparse-bitmask.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian, relClose, withOutliers } from '../../helpers/tensors.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { toBf16 } from '../../helpers/half.js';

const addon = native();
afterEach(() => addon.setSimd(true));

describe('empty tensors', () => {
  it('quantize, prune and compress to empty results', async () => {
    const t = { dtype: 'F32', shape: [0, 8], data: new Float32Array(0) };
    for (const granularity of ['tensor', 'channel', 'group'] as const) {
      const q = await quantizeInt(t, { bits: 4, granularity, groupSize: 4 });
      expect(q.codes.length).toBe(0);
      expect(q.metrics.count).toBe(0);
    }
    expect((await quantizeBnb4(t, { doubleQuant: true })).packed.length).toBe(0);
    expect((await pruneMagnitude(t, 0.5)).numel).toBe(0);
    expect((await pruneNM(t, { n: 2, m: 4 })).zeros).toBe(0);
    expect((await compressSparse24(t)).bitmask.length).toBe(0);
  });
});

describe('BF16 rows longer than a conversion segment (16384 values)', () => {
  const cols = 40_001;
  const x = withOutliers(gaussian(2 * cols, 8, 0.03), 101, 10);
  const t = { dtype: 'BF16', shape: [2, cols], data: toBf16(x) };
  const cases: IntQuantOptions[] = [
    { bits: 4 },
    { bits: 3, symmetric: false, range: 'percentile', percentile: 99.9 },
    { bits: 4, range: 'mse', mseGrid: 20 },
    { bits: 8, granularity: 'group', groupSize: cols },
  ];
  for (const simd of [true, false]) {
    it(`${simd ? 'avx2' : 'portable'}: per channel, min-max / percentile / MSE, equal to the reference`, async () => {
      addon.setSimd(simd);
      for (const opts of cases) {
        const [fast, ref] = await Promise.all([quantizeInt(t, opts), addon.quantizeInt(t, { ...opts, reference: true })]);
        expectSameArray(fast.codes, ref.codes, JSON.stringify(opts));
        expectSameArray(fast.scales, ref.scales, JSON.stringify(opts));
        expect(fast.metrics.clipped).toBe(ref.metrics.clipped);
        expect(relClose(fast.metrics.sumSquaredError, ref.metrics.sumSquaredError, 2e-6)).toBe(true);
      }
    });
  }
});
