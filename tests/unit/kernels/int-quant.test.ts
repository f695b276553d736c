import { afterEach, describe, expect, it } from 'vitest';
import { dequantizeInt, fittingGroupSizes, quantizeInt, type Granularity } from '../../../electron/studio/quant/int-quant.js';
import { quantError } from '../../../electron/studio/quant/metrics.js';
import { native } from '../../../electron/studio/native/addon.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { gaussian, relClose, withOutliers } from '../../helpers/tensors.js';
import { refDequant, refQuantize } from '../../helpers/int-quant-ref.js';
import { sampleTensor } from '../../helpers/sample-model.js';

const addon = native();
// The AVX2 quantizer sums squares in float32 runs of 128 before widening (~6 digits).
const SUM_RTOL = 2e-6;
afterEach(() => addon.setSimd(true));

const COLS = [1, 3, 7, 33, 172, 1023];
const f32 = (shape: number[], data: Float32Array) => ({ dtype: 'F32', shape, data });

function weights(rows: number, cols: number, seed: number): Float32Array {
  return withOutliers(gaussian(rows * cols, seed, 0.05), 89, 12);
}

function groupFor(cols: number): number {
  return [32, 43, 11, 3, 1].find((g) => cols % g === 0)!;
}

describe('quantizeInt matches a TypeScript transcription of compressed-tensors', () => {
  for (const simd of [true, false]) {
    for (const cols of COLS) {
      it(`${simd ? 'avx2' : 'portable'} · ${cols} columns · bits 2–8 · sym/asym · tensor/channel/group`, async () => {
        addon.setSimd(simd);
        const rows = 5;
        const x = weights(rows, cols, cols * 7 + 1);
        for (const bits of [2, 3, 4, 5, 6, 7, 8]) {
          for (const symmetric of [true, false]) {
            for (const granularity of ['tensor', 'channel', 'group'] as Granularity[]) {
              const groupSize = groupFor(cols);
              const q = await quantizeInt(f32([rows, cols], x), { bits, symmetric, granularity, groupSize });
              const ref = refQuantize(x, cols, bits, symmetric, granularity, groupSize);
              const what = `bits ${bits} ${symmetric ? 'sym' : 'asym'} ${granularity}`;
              expectSameArray(q.scales, ref.scales, what);
              expectSameArray(q.zeroPoints, ref.zeroPoints, what);
              expectSameArray(q.codes, ref.codes, what);
              expect(relClose(q.metrics.sumSquaredError, ref.sse, SUM_RTOL, 1e-30), what).toBe(true);
              expect(q.metrics.maxAbsError).toBe(ref.maxAbsError);
              expect(q.metrics.clipped).toBe(0); // min-max ranges never saturate
            }
          }
        }
      });
    }
  }
});

describe('quantizeInt: fast paths agree with the scalar reference', () => {
  const cases: { shape: number[]; granularity: Granularity; groupSize?: number }[] = [
    { shape: [1], granularity: 'tensor' },
    { shape: [3, 7], granularity: 'channel' },
    { shape: [9, 1023], granularity: 'group', groupSize: 341 },
    { shape: [64, 172], granularity: 'group', groupSize: 43 },
    { shape: [40, 4096], granularity: 'group', groupSize: 128 },
    { shape: [2, 40000], granularity: 'channel' },
    { shape: [3, 33, 64], granularity: 'tensor' },
  ];
  for (const simd of [true, false]) {
    for (const c of cases) {
      it(`${simd ? 'avx2' : 'portable'} ${c.shape.join('×')} ${c.granularity}`, async () => {
        addon.setSimd(simd);
        const n = c.shape.reduce((a, b) => a * b, 1);
        const x = weights(1, n, n + 3);
        for (const symmetric of [true, false]) {
          const opts = { bits: 4, symmetric, granularity: c.granularity, groupSize: c.groupSize };
          const t = f32(c.shape, x);
          const [fast, ref] = await Promise.all([quantizeInt(t, opts), addon.quantizeInt(t, { ...opts, reference: true })]);
          expectSameArray(fast.codes, ref.codes);
          expectSameArray(fast.scales, ref.scales);
          expectSameArray(fast.zeroPoints, ref.zeroPoints);
          expect(relClose(fast.metrics.sumSquaredError, ref.metrics.sumSquaredError, SUM_RTOL)).toBe(true);
          expect(relClose(fast.metrics.sumSquares, ref.metrics.sumSquares, SUM_RTOL)).toBe(true);
          expect(fast.metrics.maxAbsError).toBe(ref.metrics.maxAbsError);
          expect(fast.metrics.count).toBe(n);
        }
      });
    }
  }

  it('F16 and BF16 weights quantize like their exact float32 values', async () => {
    const x = weights(6, 172, 5);
    const bf16 = new Uint16Array(x.length), widened = new Float32Array(x.length);
    const u32 = new Uint32Array(widened.buffer);
    for (let i = 0; i < x.length; i++) {
      bf16[i] = new Uint32Array(new Float32Array([x[i]]).buffer)[0] >>> 16; // truncation: any bf16 value will do
      u32[i] = bf16[i] << 16;
    }
    for (const simd of [true, false]) {
      addon.setSimd(simd);
      const a = await quantizeInt({ dtype: 'BF16', shape: [6, 172], data: bf16 }, { bits: 4, granularity: 'group', groupSize: 43 });
      const b = await quantizeInt(f32([6, 172], widened), { bits: 4, granularity: 'group', groupSize: 43 });
      expectSameArray(a.codes, b.codes);
      expectSameArray(a.scales, b.scales);
    }
  });
});

describe('quantizeInt reads tensors straight from a mapped model file', () => {
  it('down_proj of the sample model (64×172, groups of 43): same result as from a buffer, with progress', async () => {
    const { mapped, buffer, file } = sampleTensor('model.layers.0.mlp.down_proj.weight');
    const ticks: number[] = [];
    const opts = { bits: 4, granularity: 'group' as const, groupSize: 43, range: 'mse' as const };
    const a = await quantizeInt(mapped, { ...opts, onProgress: (done, total) => ticks.push(done / total) });
    const b = await quantizeInt(buffer, opts);
    file.close();
    await new Promise((r) => setImmediate(r)); // progress arrives through the event loop
    expectSameArray(a.codes, b.codes);
    expectSameArray(a.scales, b.scales);
    expect(a.paramShape).toEqual([64, 4]);
    expect(a.metrics.snrDb).toBeGreaterThan(15);
    expect(ticks.at(-1)).toBe(1);
  });
});

describe('quantizeInt: values derived by hand', () => {
  it('4-bit symmetric per channel: scale = absmax / 7.5, the extremes use −8 and 7', async () => {
    const x = new Float32Array([0.1, -0.5, 0.3, 1.0, 2, -3, 0.25, 0]);
    const q = await quantizeInt(f32([2, 4], x), { bits: 4 });
    expect(Array.from(q.scales)).toEqual([Math.fround(1 / 7.5), Math.fround(3 / 7.5)]);
    // 1.0 / (1/7.5) = 7.5 → clamped to 7; −3 / 0.4 = −7.5 → −8 (half to even)
    expect(Array.from(q.codes)).toEqual([1, -4, 2, 7, 5, -8, 1, 0]);
    expect(Array.from(q.zeroPoints)).toEqual([0, 0]);
    expect(q.paramShape).toEqual([2, 1]);
  });

  it('8-bit affine per tensor over [−1, 3]: scale 4/255, zero point round(−128 + 63.75) = −64', async () => {
    const x = new Float32Array([-1, 3, 0, 1]);
    const q = await quantizeInt(f32([4], x), { bits: 8, symmetric: false, granularity: 'tensor' });
    expect(q.scales[0]).toBe(Math.fround(4 / 255));
    expect(q.zeroPoints[0]).toBe(-64);
    expect(Array.from(q.codes)).toEqual([-128, 127, -64, Math.round(1 / Math.fround(4 / 255)) - 64]);
    expect(q.paramShape).toEqual([1]);
  });

  it('an all-zero group gets scale FLT_EPSILON and exact zeros', async () => {
    const q = await quantizeInt(f32([2, 4], new Float32Array([0, 0, 0, 0, 1, 2, 3, 4])), { bits: 4, symmetric: false });
    expect(q.scales[0]).toBe(2 ** -23);
    const d = await dequantizeInt(q, [2, 4], { granularity: 'channel' });
    expect(Array.from(d.slice(0, 4))).toEqual([0, 0, 0, 0]);
  });

  it('metrics follow their definitions (MSE, SNR in dB, max error)', async () => {
    const x = weights(8, 33, 11);
    const q = await quantizeInt(f32([8, 33], x), { bits: 3, granularity: 'group', groupSize: 11, symmetric: false });
    const d = await dequantizeInt(q, [8, 33], { granularity: 'group', groupSize: 11 });
    let sse = 0, ss = 0, maxe = 0;
    for (let i = 0; i < x.length; i++) {
      const e = Math.fround(x[i] - d[i]);
      sse += e * e;
      ss += x[i] * x[i];
      maxe = Math.max(maxe, Math.abs(e));
    }
    expect(relClose(q.metrics.mse, sse / x.length, SUM_RTOL)).toBe(true);
    expect(relClose(q.metrics.snrDb, 10 * Math.log10(ss / sse), SUM_RTOL)).toBe(true);
    expect(q.metrics.maxAbsError).toBe(maxe);
    const m = await quantError(f32([8, 33], x), f32([8, 33], d));
    expect(relClose(m.sumSquaredError, sse, 1e-9)).toBe(true);
    expect(m.maxAbsError).toBe(maxe);
  });
});

describe('dequantizeInt', () => {
  for (const simd of [true, false]) {
    it(`${simd ? 'avx2' : 'portable'}: (q − zp)·scale for every granularity, equal to the reference`, async () => {
      addon.setSimd(simd);
      for (const [cols, granularity, groupSize] of [[1023, 'group', 33], [7, 'channel', 0], [172, 'tensor', 0]] as const) {
        const x = weights(3, cols, cols);
        const spec = { granularity: granularity as Granularity, groupSize };
        const q = await quantizeInt(f32([3, cols], x), { bits: 5, symmetric: false, ...spec });
        const [d, r] = await Promise.all([
          dequantizeInt(q, [3, cols], spec),
          addon.dequantizeInt(q, { shape: [3, cols], ...spec, reference: true }),
        ]);
        expectSameArray(d, r);
        const g = granularity === 'tensor' ? x.length : granularity === 'channel' ? cols : groupSize;
        for (let i = 0; i < x.length; i += 17) {
          const u = granularity === 'tensor' ? 0 : Math.floor(i / g);
          expect(d[i]).toBe(refDequant(q.codes[i], { scale: q.scales[u], zero: q.zeroPoints[u] }));
        }
      }
    });
  }
});

describe('quantizeInt: refuses bad input with a message', () => {
  it('a group size that does not divide the row suggests sizes that fit', async () => {
    const t = { ...f32([4, 172], new Float32Array(688)), name: 'model.layers.0.mlp.down_proj.weight' };
    await expect(quantizeInt(t, { bits: 4, granularity: 'group', groupSize: 128 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/down_proj.*group size 128 does not divide the row length 172.*4, 43, 86, 172/),
    });
    expect(fittingGroupSizes(172, 128)).toEqual([4, 43, 86, 172]);
  });
  it('bits outside 2..8, unknown options and NaN weights', async () => {
    const t = f32([2, 2], new Float32Array([1, 2, 3, NaN]));
    await expect(quantizeInt(f32([2], new Float32Array(2)), { bits: 9 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(quantizeInt(f32([2], new Float32Array(2)), { bits: 4, range: 'p99' as 'mse' })).rejects.toThrow(/range must be one of/);
    for (const reference of [false, true])
      await expect(addon.quantizeInt(t, { bits: 4, reference })).rejects.toThrow(/element 1 of row 1 is NaN or infinite/);
    await expect(quantizeInt({ dtype: 'I32', shape: [1], data: new Int32Array(1) }, { bits: 4 })).rejects.toThrow(/F32, F16 or BF16/);
  });
  it('dequantizeInt checks the sizes of what it is given', async () => {
    const q = await quantizeInt(f32([2, 4], new Float32Array(8).fill(1)), { bits: 4 });
    await expect(dequantizeInt(q, [2, 5], { granularity: 'channel' })).rejects.toThrow(/shape does not match the 8 codes/);
    await expect(dequantizeInt(q, [2, 4], { granularity: 'group', groupSize: 2 })).rejects.toThrow(/scales must have 4 elements/);
  });
  it('cancels', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(quantizeInt(f32([64, 64], new Float32Array(4096)), { bits: 4, signal: ac.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });
});
