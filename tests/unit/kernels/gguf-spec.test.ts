// GGUF blocks against the plain TypeScript reference written from the format
// definition (gguf-spec-reference.ts), byte for byte on random rows with the
// hard cases planted.
import { afterEach, describe, expect, it } from 'vitest';
import '../../../electron/studio/quant/gguf.js';
import { GGML_BLOCKS, type GgufQuantType } from '../../../electron/studio/quant/gguf.js';
import type { BlockDType } from '../../../electron/studio/models/types.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian, mulberry32 } from '../../helpers/tensors.js';
import { f32ToF16, refDequantizeBlock, refQuantizeBlock } from './gguf-spec-reference.js';

const addon = native();
afterEach(() => addon.setSimd(true));

const fr = Math.fround;

/** Rows of 256 with a different hard case in each block of 32. */
function hardRows(rows: number, seed: number): Float32Array {
  const x = gaussian(rows * 256, seed, 0.05);
  const rand = mulberry32(seed + 1);
  for (let b = 0; b < x.length / 32; b++) {
    const blk = x.subarray(32 * b, 32 * b + 32);
    switch (b % 12) {
      case 1: blk.fill(0); break;
      case 2: blk.fill(-0); break;
      case 3: blk.fill(0.3); break;
      case 4: blk[3] = 2; blk[20] = -2; break; // ±max tie, + first
      case 5: blk[3] = -2; blk[20] = 2; break;
      case 6: for (let j = 0; j < 32; j++) blk[j] = Math.round(blk[j] * 40) / 2; break; // exact halves
      case 7: for (let j = 0; j < 32; j++) blk[j] *= 1e37; break;
      case 8: for (let j = 0; j < 32; j++) blk[j] *= 1e-36; break; // inverse scale overflows
      case 9: for (let j = 0; j < 32; j++) blk[j] = j % 3 ? Math.abs(blk[j]) : j % 2 ? -0 : 0; break;
      case 10: for (let j = 0; j < 32; j++) blk[j] = (j % 2 ? 3e38 : -3e38) * (0.5 + rand() / 2); break;
      case 11: for (let j = 0; j < 32; j++) blk[j] = j % 3 ? -Math.abs(blk[j]) : j % 2 ? 0 : -0; break;
    }
  }
  return x;
}

const QUANT: GgufQuantType[] = ['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1'];

describe('GGUF quantizers equal the spec reference byte for byte', () => {
  for (const type of QUANT) {
    for (const simd of [true, false]) {
      it(`${type} ${simd ? 'simd' : 'portable'}`, async () => {
        addon.setSimd(simd);
        const rows = 48, x = hardRows(rows, QUANT.indexOf(type) + 3);
        const got = new Uint8Array(await addon.ggufQuantize({ dtype: 'F32', shape: [rows, 256], data: x }, type));
        const bytes = GGML_BLOCKS[type].bytes;
        expect(got.length).toBe((rows * 256 / 32) * bytes);
        for (let b = 0; b < rows * 8; b++) {
          const want = refQuantizeBlock(type, x.subarray(32 * b, 32 * b + 32));
          const have = got.subarray(b * bytes, (b + 1) * bytes);
          if (!Buffer.from(have).equals(Buffer.from(want))) expect({ block: b, have: [...have] }).toEqual({ block: b, have: [...want] });
        }
      });
    }
  }
});

describe('GGUF dequantizers equal the spec reference bit for bit', () => {
  const types = Object.keys(GGML_BLOCKS) as BlockDType[];
  for (const type of types) {
    it(`${type} on random blocks with finite scales`, async () => {
      const { elements, bytes } = GGML_BLOCKS[type];
      const nb = 24, rand = mulberry32(elements + bytes);
      const data = new Uint8Array(nb * bytes).map(() => Math.floor(rand() * 256));
      const dv = new DataView(data.buffer);
      // Scale fields: finite fp16 (exponent < 31) or, for Q8_K, a small f32.
      const halves: Record<string, number[]> = {
        Q4_0: [0], Q5_0: [0], Q8_0: [0], Q4_1: [0, 2], Q5_1: [0, 2], Q8_1: [0, 2],
        Q2_K: [80, 82], Q3_K: [108], Q4_K: [0, 2], Q5_K: [0, 2], Q6_K: [208], Q8_K: [], IQ4_NL: [0], IQ4_XS: [0],
      };
      for (let b = 0; b < nb; b++) {
        for (const at of halves[type]) data[b * bytes + at + 1] &= 0xbb; // exponent bit 14 and 12 cleared: finite
        if (type === 'Q8_K') dv.setFloat32(b * bytes, (rand() - 0.5) * 1e-3, true);
      }
      const want = new Float32Array(nb * elements);
      for (let b = 0; b < nb; b++) want.set(refDequantizeBlock(type, data.subarray(b * bytes, (b + 1) * bytes)), b * elements);
      const t = { dtype: type, shape: [nb, elements], data };
      for (const simd of [true, false]) {
        addon.setSimd(simd);
        const got = await addon.ggufDequantize(t);
        expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      }
    });
  }
});

describe('FP16 rounding of the scales', () => {
  it('the spec reference rounds like IEEE on edge cases', () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // halfway to the next binade rounds to inf
    expect(f32ToF16(2 ** -24)).toBe(1);
    expect(f32ToF16(2 ** -25)).toBe(0); // tie → even (0)
    expect(f32ToF16(3 * 2 ** -25)).toBe(2); // tie → even (2)
    expect(f32ToF16(-0)).toBe(0x8000);
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it('native Q8_0 scales are the spec FP16 of amax/127 over 30 binades', async () => {
    const rand = mulberry32(99), n = 4096;
    const x = new Float32Array(n * 32).map((_, i) => (i % 32 === 0 ? 1 : rand()) * 2 ** (Math.floor(i / 32 / 136) - 15));
    const got = new DataView(await addon.ggufQuantize({ dtype: 'F32', shape: [n, 32], data: x }, 'Q8_0'));
    for (let b = 0; b < n; b++) {
      let amax = 0;
      for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * b + j]));
      expect(got.getUint16(b * 34, true)).toBe(f32ToF16(fr(amax / 127)));
    }
  });
});
