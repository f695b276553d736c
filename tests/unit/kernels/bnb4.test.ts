import { afterEach, describe, expect, it } from 'vitest';
import { dequantizeBnb4, quantizeBnb4, type Bnb4Type } from '../../../electron/studio/quant/bnb4.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian, relClose, withOutliers } from '../../helpers/tensors.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { FP4, NF4, refQuantizeBnb4 } from '../../helpers/bnb4-ref.js';
import { sampleTensor } from '../../helpers/sample-model.js';

const addon = native();
// The AVX2 quantizer sums squares in float32 within a block before widening (~6 digits).
const SUM_RTOL = 2e-6;
afterEach(() => addon.setSimd(true));
const f32 = (shape: number[], data: Float32Array) => ({ dtype: 'F32', shape, data });
const weights = (n: number, seed: number) => withOutliers(gaussian(n, seed, 0.02), 53, 9);
const TYPES: Bnb4Type[] = ['nf4', 'fp4'];

describe('quantizeBnb4 matches bitsandbytes’ CUDA kernels transcribed to TypeScript', () => {
  for (const simd of [true, false]) {
    for (const cols of [1, 3, 7, 33, 172, 1023]) {
      it(`${simd ? 'avx2' : 'portable'} · 5×${cols} · nf4/fp4 · blocks 32/64/256`, async () => {
        addon.setSimd(simd);
        const x = weights(5 * cols, cols + 100);
        for (const type of TYPES) {
          for (const blocksize of [32, 64, 256]) {
            const q = await quantizeBnb4(f32([5, cols], x), { type, blocksize });
            const ref = refQuantizeBnb4(x, type, blocksize);
            expectSameArray(q.packed, ref.packed, `${type} ${blocksize}`);
            expectSameArray(q.absmax!, ref.absmax, `${type} ${blocksize}`);
            expectSameArray(q.codeMap, type === 'nf4' ? NF4 : FP4);
            const back = await dequantizeBnb4(q, x.length, { type, blocksize });
            let sse = 0;
            for (let i = 0; i < x.length; i++) sse += Math.fround(x[i] - back[i]) ** 2;
            expect(relClose(q.metrics.sumSquaredError, sse, SUM_RTOL, 1e-30)).toBe(true);
          }
        }
      });
    }
  }
});

describe('quantizeBnb4: fast paths agree with the scalar reference', () => {
  for (const simd of [true, false]) {
    for (const doubleQuant of [false, true]) {
      it(`${simd ? 'avx2' : 'portable'} ${doubleQuant ? 'with' : 'without'} double quantization`, async () => {
        addon.setSimd(simd);
        for (const [shape, blocksize] of [[[257, 1023], 64], [[3, 7], 32], [[11008 / 43, 172], 128], [[1], 64]] as const) {
          const n = shape[0] * (shape[1] ?? 1);
          const x = weights(n, n);
          for (const type of TYPES) {
            const opts = { type, blocksize, doubleQuant };
            const t = f32([...shape], x);
            const [fast, ref] = await Promise.all([quantizeBnb4(t, opts), addon.quantizeBnb4(t, { ...opts, reference: true })]);
            expectSameArray(fast.packed, ref.packed);
            if (doubleQuant) {
              expectSameArray(fast.absmaxCodes!, ref.absmaxCodes!);
              expectSameArray(fast.nestedAbsmax!, ref.nestedAbsmax!);
              expect(fast.offset).toBe(ref.offset);
            } else expectSameArray(fast.absmax!, ref.absmax!);
            expect(relClose(fast.metrics.sumSquaredError, ref.metrics.sumSquaredError, SUM_RTOL)).toBe(true);
            expect(fast.metrics.maxAbsError).toBe(ref.metrics.maxAbsError);
            const [d, dr] = await Promise.all([
              dequantizeBnb4(fast, n, opts),
              addon.dequantizeBnb4(fast, { ...opts, numel: n, reference: true }),
            ]);
            expectSameArray(d, dr);
          }
        }
      });
    }
  }
});

describe('quantizeBnb4: values derived by hand', () => {
  it('NF4: ±absmax map to codes 0 and 15, 0 to 7; nibbles high-first; an odd tail pads with the code of 0', async () => {
    const q = await quantizeBnb4(f32([5], new Float32Array([2, -2, 0, 1, 0.16])), { type: 'nf4' });
    // 1/2 = 0.5 lies below the midpoint 0.50166 of 0.4407 (code 12) and 0.5626 (code 13) → 12;
    // 0.16/2 = 0.08 → nearest value 0.0796 → code 8
    expect(Array.from(q.packed)).toEqual([(15 << 4) | 0, (7 << 4) | 12, (8 << 4) | 7]);
    expect(Array.from(q.absmax!)).toEqual([2]);
  });
  it('FP4: sign bit 8, magnitudes 0, 1/192, 1/6, 1/4, 1/3, 1/2, 2/3, 1 in the bit patterns of bitsandbytes', async () => {
    const x = new Float32Array([1, -1, 2 / 3, 0.5, 1 / 3, 0.25, 1 / 6, 0.0052, -0.001, 0]);
    const q = await quantizeBnb4(f32([10], x), { type: 'fp4', blocksize: 32 });
    const codes = Array.from(q.packed).flatMap((b) => [b >> 4, b & 15]);
    expect(codes).toEqual([0b0011, 0b1011, 0b0010, 0b0101, 0b0100, 0b0111, 0b0110, 0b0001, 0b1000, 0b0000]);
  });
  it('an all-zero block stays zero (bitsandbytes clamps absmax to 1e−38)', async () => {
    const q = await quantizeBnb4(f32([64], new Float32Array(64)), { type: 'nf4' });
    expect(q.packed.every((b) => b === 0x77)).toBe(true);
    expect(q.metrics.sumSquaredError).toBe(0);
    expect(q.metrics.snrDb).toBe(Infinity);
  });
});

describe('double quantization of the absmax values', () => {
  it('offset = mean(absmax); per 256 blocks the absmax of (absmax − offset); decoded absmax close to exact', async () => {
    const x = weights(64 * 700, 77); // 700 blocks → 3 nested blocks
    const plain = await quantizeBnb4(f32([64, 700], x), { type: 'nf4' });
    const dq = await quantizeBnb4(f32([64, 700], x), { type: 'nf4', doubleQuant: true });
    expectSameArray(dq.packed, plain.packed); // codes use the exact absmax
    const a = plain.absmax!;
    const mean = Math.fround(a.reduce((s, v) => s + v, 0) / a.length);
    expect(dq.offset).toBe(mean);
    expect(dq.nestedAbsmax!.length).toBe(3);
    for (let nb = 0; nb < 3; nb++) {
      const part = a.subarray(nb * 256, (nb + 1) * 256);
      expect(dq.nestedAbsmax![nb]).toBe(Math.max(...Array.from(part, (v) => Math.abs(Math.fround(v - mean)))));
    }
    const map = dq.nestedCodeMap!;
    expect(map.length).toBe(256);
    expect(map[0]).toBeCloseTo(-0.99297, 4);
    expect(map[255]).toBe(1);
    expect(Array.from(map).includes(0)).toBe(true);
    for (let i = 1; i < 256; i++) expect(map[i]).toBeGreaterThanOrEqual(map[i - 1]);
    for (let b = 0; b < a.length; b++) {
      const decoded = Math.fround(Math.fround(map[dq.absmaxCodes![b]] * dq.nestedAbsmax![Math.floor(b / 256)]) + mean);
      expect(Math.abs(decoded - a[b])).toBeLessThan(0.02 * dq.nestedAbsmax![Math.floor(b / 256)]);
    }
    // The metrics describe the weights as reconstructed from the double-quantized absmax.
    const back = await dequantizeBnb4(dq, x.length, { type: 'nf4' });
    let sse = 0;
    for (let i = 0; i < x.length; i++) sse += Math.fround(x[i] - back[i]) ** 2;
    expect(relClose(dq.metrics.sumSquaredError, sse, SUM_RTOL)).toBe(true);
    expect(dq.metrics.sumSquaredError).not.toBe(plain.metrics.sumSquaredError);
  });
});

describe('quantizeBnb4 on real weights and bad input', () => {
  it('q_proj of the sample model from the mapped file: NF4 beats FP4 on Gaussian-like weights', async () => {
    const { mapped, file } = sampleTensor('model.layers.1.self_attn.q_proj.weight');
    const [nf4, fp4] = await Promise.all([quantizeBnb4(mapped, { type: 'nf4' }), quantizeBnb4(mapped, { type: 'fp4' })]);
    file.close();
    expect(nf4.metrics.snrDb).toBeGreaterThan(fp4.metrics.snrDb);
    expect(nf4.metrics.snrDb).toBeGreaterThan(15);
  });
  it('refuses bad block sizes, NaN and mismatched arrays', async () => {
    await expect(quantizeBnb4(f32([4], new Float32Array(4)), { blocksize: 48 })).rejects.toThrow(/block size must be 32, 64/);
    await expect(quantizeBnb4(f32([2], new Float32Array([1, Infinity])), {})).rejects.toThrow(/NaN or infinite/);
    await expect(dequantizeBnb4({ packed: new Uint8Array(3), absmax: new Float32Array(1) }, 8, {})).rejects.toThrow(
      /packed must hold/,
    );
    await expect(dequantizeBnb4({ packed: new Uint8Array(64), absmax: new Float32Array(1) }, 128, {})).rejects.toThrow(
      /absmax must have 2 elements/,
    );
  });
});
