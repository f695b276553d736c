import { afterEach, describe, expect, it } from 'vitest';
import { castTensor } from '../../../electron/studio/convert/cast.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian } from '../../helpers/tensors.js';

const addon = native();
afterEach(() => addon.setSimd(true));

// Independent references written from IEEE 754: round-to-nearest-even by exact integer arithmetic.
function f16Ref(x: number): number {
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000, exp = (u >>> 23) & 0xff, mant = u & 0x7fffff;
  if (exp === 0xff) return mant ? sign | 0x7e00 | (mant >>> 13) : sign | 0x7c00;
  const e = exp - 127;
  if (e > 15) return sign | 0x7c00;
  // value = m · 2^(e−23) with the hidden bit; express in units of the f16 step at this exponent.
  const m = exp === 0 ? mant : mant | 0x800000;
  const unitShift = e < -14 ? 13 + (-14 - e) : 13; // bits dropped from m
  if (unitShift > 24) return sign;
  const kept = Math.floor(m / 2 ** unitShift), rem = m - kept * 2 ** unitShift, half = 2 ** (unitShift - 1);
  const q = kept + (rem > half || (rem === half && kept % 2 === 1) ? 1 : 0);
  if (e < -14) return sign | q; // subnormal (q may carry into the smallest normal: same bits)
  const bits = ((e + 15) << 10) + (q - 0x400); // q carries into the exponent naturally
  return bits >= 0x7c00 ? sign | 0x7c00 : sign | bits;
}

function bf16Ref(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0];
  if ((u & 0x7fffffff) > 0x7f800000) return ((u | 0x400000) >>> 16) & 0xffff;
  const lo = u & 0xffff, hi = u >>> 16;
  return (lo > 0x8000 || (lo === 0x8000 && (hi & 1)) ? hi + 1 : hi) & 0xffff;
}

function specials(): Float32Array {
  const u = new Uint32Array([
    0x7fc00000, 0xffc00001, 0x7f800001, 0x7fa12345, // NaNs with payloads
    0x7f800000, 0xff800000, 0, 0x80000000, 1, 0x00400000, // inf, zeros, f32 subnormals
    0x33000000, 0x33000001, 0x387fc000, 0x38800000, 0x477fe000, 0x477ff000, 0x477fefff, // f16 edges and ties
    0x3f801000, 0x3f803000, 0x3f808000, 0x3f818000, // ties at 1.0 for f16 and bf16
  ]);
  return new Float32Array(u.buffer);
}

describe('castTensor', () => {
  const inputs: [string, Float32Array][] = [
    ['specials', specials()],
    ['gaussian', gaussian(1031, 5, 3)],
    ['wide range', gaussian(517, 9, 1).map((v, i) => v * 2 ** ((i % 60) - 30))],
  ];
  for (const [label, x] of inputs) {
    for (const simd of [true, false]) {
      it(`${label} → F16 and BF16 bit-exact (${simd ? 'simd' : 'portable'}), fast = reference`, async () => {
        addon.setSimd(simd);
        const t = { dtype: 'F32', shape: [x.length], data: x };
        const f16 = new Uint16Array((await castTensor(t, 'F16')).buffer);
        const bf16 = new Uint16Array((await castTensor(t, 'BF16')).buffer);
        expect(Array.from(f16)).toEqual(Array.from(x, f16Ref));
        expect(Array.from(bf16)).toEqual(Array.from(x, bf16Ref));
        const ref = new Uint16Array(await addon.castTensor(t, 'F16', { reference: true }));
        expect(Array.from(ref)).toEqual(Array.from(f16));
      });
    }
  }

  it('F16 → F32 → F16 is the identity on every finite half value', async () => {
    const all = new Uint16Array(0x7c00 * 2);
    for (let i = 0; i < 0x7c00; i++) { all[i] = i; all[0x7c00 + i] = 0x8000 | i; }
    const f32 = new Float32Array((await castTensor({ dtype: 'F16', shape: [all.length], data: all }, 'F32')).buffer);
    const back = new Uint16Array((await castTensor({ dtype: 'F32', shape: [f32.length], data: f32 }, 'F16')).buffer);
    expect(Buffer.from(back.buffer).equals(Buffer.from(all.buffer))).toBe(true);
  });

  it('refuses other targets by name', () => {
    expect(() => addon.castTensor({ dtype: 'F32', shape: [1], data: new Float32Array(1) }, 'I8' as never)).toThrow(/F32, F16 or BF16, got 'I8'/);
  });
});
