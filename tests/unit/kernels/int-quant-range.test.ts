// Range setting: percentile clipping (exact order statistics) and the
// MSE-optimal clip ratio, checked against the scalar reference and against
// plain TypeScript (sorting, an explicit grid search).
import { afterEach, describe, expect, it } from 'vitest';
import { quantizeInt, type Granularity, type IntQuantOptions } from '../../../electron/studio/quant/int-quant.js';
import { native } from '../../../electron/studio/native/addon.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { gaussian, relClose, withOutliers } from '../../helpers/tensors.js';
import { refCode, refDequant, refQParams } from '../../helpers/int-quant-ref.js';

const addon = native();
// The AVX2 quantizer sums squares in float32 runs of 128 before widening (~6 digits).
const SUM_RTOL = 2e-6;
afterEach(() => addon.setSimd(true));
const f32 = (shape: number[], data: Float32Array) => ({ dtype: 'F32', shape, data });
const weights = (n: number, seed: number) => withOutliers(gaussian(n, seed, 0.05), 61, 15);

/** numpy.quantile(v, q) with the default linear interpolation. */
function npQuantile(v: Float32Array | number[], q: number): number {
  const s = Float64Array.from(v).sort();
  const h = q * (s.length - 1), k = Math.floor(h), frac = h - k;
  return k + 1 < s.length ? s[k] + frac * (s[k + 1] - s[k]) : s[k];
}

function groupError(x: Float32Array, lo: number, hi: number, bits: number, symmetric: boolean): number {
  const p = refQParams(lo, hi, bits, symmetric);
  let sse = 0;
  for (const v of x) {
    const e = Math.fround(v - refDequant(refCode(v, p, bits), p));
    sse += e * e;
  }
  return sse;
}

describe('range setting: fast paths agree with the scalar reference', () => {
  const cases: { shape: number[]; granularity: Granularity; groupSize?: number }[] = [
    { shape: [7, 33], granularity: 'channel' },
    { shape: [12, 172], granularity: 'group', groupSize: 43 },
    { shape: [5, 1023], granularity: 'group', groupSize: 1023 },
    { shape: [3, 1], granularity: 'channel' },
    { shape: [300, 301], granularity: 'tensor' }, // > 64K elements: radix selection
    { shape: [2, 70001], granularity: 'channel' }, // a row > 64K elements: radix selection per row
  ];
  const ranges: IntQuantOptions[] = [
    { bits: 4, range: 'percentile', percentile: 99 },
    { bits: 3, range: 'percentile', percentile: 99.99 },
    { bits: 4, range: 'percentile', percentile: 90 }, // far from the tails: selection by nth_element
    { bits: 2, range: 'mse', mseGrid: 40 },
    { bits: 4, range: 'mse' },
  ];
  for (const simd of [true, false]) {
    for (const c of cases) {
      it(`${simd ? 'avx2' : 'portable'} ${c.shape.join('×')} ${c.granularity}`, async () => {
        addon.setSimd(simd);
        const n = c.shape.reduce((a, b) => a * b, 1);
        const x = weights(n, n);
        for (const r of ranges) {
          if (r.range === 'mse' && n > 100000 && r.mseGrid === undefined) continue; // keeps the reference quick
          for (const symmetric of [true, false]) {
            const opts = { ...r, symmetric, granularity: c.granularity, groupSize: c.groupSize };
            const t = f32(c.shape, x);
            const [fast, ref] = await Promise.all([quantizeInt(t, opts), addon.quantizeInt(t, { ...opts, reference: true })]);
            const what = JSON.stringify(opts);
            expectSameArray(fast.scales, ref.scales, what);
            expectSameArray(fast.zeroPoints, ref.zeroPoints, what);
            expectSameArray(fast.codes, ref.codes, what);
            expect(fast.metrics.clipped, what).toBe(ref.metrics.clipped);
            expect(relClose(fast.metrics.sumSquaredError, ref.metrics.sumSquaredError, SUM_RTOL), what).toBe(true);
          }
        }
      });
    }
  }
});

describe('percentile clipping against numpy-style quantiles', () => {
  it('per channel, symmetric: scale = quantile(|w|, p) / 7.5; clipped = weights beyond it', async () => {
    const rows = 4, cols = 1023;
    const x = weights(rows * cols, 3);
    for (const pct of [99.5, 95, 60]) {
      const q = await quantizeInt(f32([rows, cols], x), { bits: 4, range: 'percentile', percentile: pct });
      let clipped = 0;
      for (let r = 0; r < rows; r++) {
        const row = x.subarray(r * cols, (r + 1) * cols);
        const t = Math.fround(npQuantile(Array.from(row, Math.abs), pct / 100));
        expect(q.scales[r]).toBe(Math.fround(t / 7.5));
        clipped += row.filter((v) => Math.abs(v) > t).length;
      }
      expect(q.metrics.clipped).toBe(clipped);
      expect(q.metrics.clippedShare).toBeCloseTo(clipped / (rows * cols), 12);
    }
  });

  it('per tensor, affine, 200K elements (radix selection): the 0.1th and 99.9th percentiles', async () => {
    const x = weights(200_000, 9);
    const q = await quantizeInt(f32([400, 500], x), { bits: 8, symmetric: false, granularity: 'tensor', range: 'percentile', percentile: 99.9 });
    const lo = Math.fround(npQuantile(x, 0.001)), hi = Math.fround(npQuantile(x, 0.999));
    const p = refQParams(lo, hi, 8, false);
    expect(q.scales[0]).toBe(p.scale);
    expect(q.zeroPoints[0]).toBe(p.zero);
    expect(q.metrics.clipped).toBe(x.filter((v) => v < lo || v > hi).length);
    expect(q.metrics.clippedShare).toBeGreaterThan(0.0015);
    expect(q.metrics.clippedShare).toBeLessThan(0.0025);
  });
});

describe('MSE-optimal clipping', () => {
  it('picks the grid ratio a plain search picks, and never does worse than min-max', async () => {
    const rows = 6, cols = 172, g = 43;
    const x = weights(rows * cols, 21);
    for (const symmetric of [true, false]) {
      const opts = { bits: 3, symmetric, granularity: 'group' as const, groupSize: g };
      const mse = await quantizeInt(f32([rows, cols], x), { ...opts, range: 'mse', mseGrid: 100, mseMinRatio: 0.5 });
      const mm = await quantizeInt(f32([rows, cols], x), opts);
      for (let u = 0; u < (rows * cols) / g; u++) {
        const grp = x.subarray(u * g, (u + 1) * g);
        const lo = Math.min(...grp), hi = Math.max(...grp);
        let best = Infinity, bestP = 1;
        for (let i = 0; i < 100; i++) {
          const p = Math.fround(1 - (i * 0.5) / 99);
          const e = groupError(grp, Math.fround(p * lo), Math.fround(p * hi), 3, symmetric);
          if (e < best) [best, bestP] = [e, p];
        }
        expect(mse.scales[u]).toBe(refQParams(Math.fround(bestP * lo), Math.fround(bestP * hi), 3, symmetric).scale);
      }
      expect(mse.metrics.sumSquaredError).toBeLessThanOrEqual(mm.metrics.sumSquaredError);
      expect(mse.metrics.clipped).toBeGreaterThan(0); // the planted outliers get clipped at 3 bits
    }
  });

  it('per tensor: one ratio for the whole tensor, at least as good as min-max', async () => {
    const x = weights(64 * 1023, 5);
    const opts = { bits: 4, granularity: 'tensor' as const };
    const [mse, mm] = await Promise.all([
      quantizeInt(f32([64, 1023], x), { ...opts, range: 'mse' }),
      quantizeInt(f32([64, 1023], x), opts),
    ]);
    expect(mse.metrics.sumSquaredError).toBeLessThan(mm.metrics.sumSquaredError);
    expect(mse.scales[0]).toBeLessThan(mm.scales[0]);
  });

  it('refuses a bad grid or percentile', async () => {
    const t = f32([4], new Float32Array(4));
    await expect(quantizeInt(t, { bits: 4, range: 'mse', mseGrid: 0 })).rejects.toThrow(/MSE grid/);
    await expect(quantizeInt(t, { bits: 4, range: 'percentile', percentile: 0 })).rejects.toThrow(/percentile must be in/);
  });
});
