import { afterEach, describe, expect, it } from 'vitest';
import '../../../electron/studio/inspect/tensor-stats.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian, relClose, withOutliers } from '../../helpers/tensors.js';

const addon = native();

function f16Bytes(x: Float32Array): Uint16Array {
  // Round-trip through Float16 conversion done by hand (Node 20 has no Float16Array).
  const out = new Uint16Array(x.length);
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (let i = 0; i < x.length; i++) {
    f[0] = x[i];
    const b = u[0], sign = (b >>> 16) & 0x8000, exp = ((b >>> 23) & 0xff) - 127 + 15;
    const mant = b & 0x7fffff;
    if (exp <= 0) out[i] = sign; // tiny values flush to zero: fine for these tests
    else if (exp >= 31) out[i] = sign | 0x7c00;
    else out[i] = sign | (exp << 10) | (mant >>> 13);
  }
  return out;
}

afterEach(() => {
  addon.setSimd(true);
  addon.setThreads(0);
});

describe('tensorStats: fast paths agree with the scalar reference', () => {
  const shapes: number[][] = [[1], [3], [7, 1], [5, 33], [64, 172], [17, 1023], [3, 40000]];
  for (const simd of [true, false]) {
    for (const shape of shapes) {
      it(`${simd ? 'simd' : 'portable'} F32 ${shape.join('x')}`, async () => {
        addon.setSimd(simd);
        const n = shape.reduce((a, b) => a * b, 1);
        const x = withOutliers(gaussian(n, n + 11, 0.02), 97, 40);
        const t = { dtype: 'F32', shape, data: x };
        const [fast, ref] = await Promise.all([addon.tensorStats(t), addon.tensorStats(t, { reference: true })]);
        expect(fast.count).toBe(n);
        expect(fast.min).toBe(ref.min);
        expect(fast.max).toBe(ref.max);
        expect(fast.absmax).toBe(ref.absmax);
        expect(relClose(fast.mean, ref.mean, 1e-9, 1e-12)).toBe(true);
        expect(relClose(fast.std, ref.std, 1e-9)).toBe(true);
        expect(relClose(fast.kurtosis, ref.kurtosis, 1e-6)).toBe(true);
        expect(Array.from(fast.histogram)).toEqual(Array.from(ref.histogram));
        expect(Array.from(fast.channelAbsmax)).toEqual(Array.from(ref.channelAbsmax));
        expect(Math.abs(fast.outlierShare - ref.outlierShare) * n).toBeLessThanOrEqual(1);
      });
    }
  }

  it('gives the same bits whatever the thread count (segments combined in order)', async () => {
    const x = withOutliers(gaussian(64 * 40000, 5, 0.02), 1013, 30);
    const t = { dtype: 'F32', shape: [64, 40000], data: x };
    const runs = [];
    for (const threads of [1, 2, 3, 7]) {
      addon.setThreads(threads);
      runs.push(await addon.tensorStats(t));
    }
    for (const r of runs.slice(1)) {
      expect([r.mean, r.std, r.kurtosis, r.outlierShare]).toEqual([runs[0].mean, runs[0].std, runs[0].kurtosis, runs[0].outlierShare]);
      expect(Array.from(r.histogram)).toEqual(Array.from(runs[0].histogram));
    }
  });

  it('F16 input matches the reference conversion', async () => {
    const x = gaussian(4096 + 5, 3, 0.5);
    const t = { dtype: 'F16', shape: [4101], data: f16Bytes(x) };
    const [fast, ref] = await Promise.all([addon.tensorStats(t), addon.tensorStats(t, { reference: true })]);
    expect(fast.min).toBe(ref.min);
    expect(relClose(fast.std, ref.std, 1e-9)).toBe(true);
    expect(Array.from(fast.histogram)).toEqual(Array.from(ref.histogram));
  });
});

describe('tensorStats: values a peer would compute', () => {
  it('matches textbook formulas on a known vector', async () => {
    const x = new Float32Array([1, 2, 3, 4, 0, 0, -2, 8]);
    const s = await addon.tensorStats({ dtype: 'F32', shape: [2, 4], data: x }, { bins: 4 });
    const mean = 2, varPop = x.reduce((a, v) => a + (v - mean) ** 2, 0) / 8;
    const m4 = x.reduce((a, v) => a + (v - mean) ** 4, 0) / 8;
    expect(s.mean).toBeCloseTo(mean, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(varPop), 12);
    expect(s.kurtosis).toBeCloseTo(m4 / varPop ** 2, 10);
    expect(s.zeros).toBe(2);
    expect(Array.from(s.channelAbsmax)).toEqual([4, 8]);
    // bins of width 2.5 over [-2, 8]: [-2,0.5) [0.5,3) [3,5.5) [5.5,8]
    expect(Array.from(s.histogram)).toEqual([3, 2, 2, 1]);
  });

  it('Gaussian data has kurtosis near 3 and almost no 6-sigma outliers', async () => {
    const s = await addon.tensorStats({ dtype: 'F32', shape: [512, 512], data: gaussian(512 * 512, 7) });
    expect(s.kurtosis).toBeGreaterThan(2.9);
    expect(s.kurtosis).toBeLessThan(3.1);
    expect(s.outlierShare).toBeLessThan(1e-5);
  });

  it('counts NaN and inf apart and keeps them out of the moments', async () => {
    const x = new Float32Array([1, NaN, 3, Infinity, -Infinity, 5, 7, 9, 11, 13]);
    for (const reference of [false, true]) {
      const s = await addon.tensorStats({ dtype: 'F32', shape: [10], data: x }, { reference });
      expect(s.nonfinite).toBe(3);
      expect(s.count).toBe(7);
      expect(s.mean).toBeCloseTo(7, 12);
    }
  });
});

describe('tensorStats: bad input is refused with a message', () => {
  it('rejects a shape that does not match the bytes', () => {
    expect(() => addon.tensorStats({ dtype: 'F32', shape: [4, 4], data: new Float32Array(15) })).toThrow(/needs 64 bytes/);
  });
  it('rejects an unknown dtype', () => {
    expect(() => addon.tensorStats({ dtype: 'F12', shape: [1], data: new Float32Array(1) })).toThrow(/unknown dtype 'F12'/);
  });
  it('rejects a file range outside the file', () => {
    const f = new addon.MappedFile('resources/sample/stories260K/config.json');
    expect(() => addon.tensorStats({ dtype: 'F32', shape: [1000], file: f, offset: 0, byteLength: 4000 })).toThrow(
      /config\.json.*only \d+ bytes/,
    );
    f.close();
  });
});

describe('tensorStats: fixed histogram range', () => {
  it('bins two tensors over the same range, edges clamped, both paths alike', async () => {
    const x = new Float32Array([-3, -1, -0.5, 0, 0.25, 0.5, 0.99, 1, 2, 5]);
    for (const reference of [false, true]) {
      const s = await addon.tensorStats({ dtype: 'F32', shape: [10], data: x }, { bins: 4, histRange: [-1, 1], reference });
      expect([s.histLo, s.histHi]).toEqual([-1, 1]);
      // [-1,-0.5) [-0.5,0) [0,0.5) [0.5,1]; -3 clamps into the first bin, 2 and 5 into the last.
      expect(Array.from(s.histogram)).toEqual([2, 1, 2, 5]);
      expect(s.min).toBe(-3);
    }
    await expect(addon.tensorStats({ dtype: 'F32', shape: [10], data: x }, { histRange: [1, 1] })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/low < high/),
    });
  });
});
