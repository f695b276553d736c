// A plain TypeScript reference of the GGUF block formats, written from the
// format definition (GGUF spec block layouts + ggml's reference quantizer
// rules), for the tests. Float32 arithmetic is Math.fround after every
// operation (exact for +, −, ×, ÷ of floats).
import { GGML_BLOCKS, type GgufQuantType } from '../../../electron/studio/quant/gguf.js';
import type { BlockDType } from '../../../electron/studio/models/types.js';

const fr = Math.fround;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of a float, round to nearest even; NaN → quiet NaN 0x7e00 with the sign. */
export function f32ToF16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000, exp = (b >>> 23) & 0xff;
  if (exp === 0xff) return sign | 0x7c00 | ((b & 0x7fffff) !== 0 ? 0x200 : 0);
  const a = Math.abs(f32[0]);
  const e = Math.max(exp - 127, -14); // result exponent, subnormals share -14
  const v = a / 2 ** (e - 10); // exact: the value in units of the result's last place
  const fl = Math.floor(v), rem = v - fl;
  const m = rem > 0.5 || (rem === 0.5 && fl % 2 === 1) ? fl + 1 : fl;
  if (exp - 127 < -14) return sign | m; // subnormal (m = 1024 is the smallest normal)
  const he = e + 15 + (m === 2048 ? 1 : 0);
  if (he >= 31) return sign | 0x7c00;
  return sign | (he << 10) | ((m === 2048 ? 1024 : m) - 1024);
}

export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  if (e === 31) return m ? NaN : s * Infinity;
  return e === 0 ? s * m * 2 ** -24 : s * (1024 + m) * 2 ** (e - 25);
}

// Float → int as an x86 cvttss2si: truncation, INT32_MIN for NaN and out of range;
// ggml's C casts to (u)int8 keep the low byte.
const truncI32 = (v: number) => (v > -2147483904 && v < 2147483648 ? Math.trunc(v) : -2147483648);
const toI8 = (v: number) => (truncI32(v) << 24) >> 24;
const toU8 = (v: number) => truncI32(v) & 0xff;
const roundAway = (v: number) => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);

/** Largest magnitude with its sign, first on ties, +0 for an all-zero block. */
function signedAbsmax(x: Float32Array): number {
  let amax = 0, max = 0;
  for (const v of x) if (amax < Math.abs(v)) (amax = Math.abs(v)), (max = v);
  return max;
}
function minMax(x: Float32Array): [number, number] {
  let min = 3.4028234663852886e38, max = -3.4028234663852886e38;
  for (const v of x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** One block of 32 floats in `type`, as the format defines it. */
export function refQuantizeBlock(type: GgufQuantType, x: Float32Array): Uint8Array {
  const out = new Uint8Array(GGML_BLOCKS[type].bytes);
  const dv = new DataView(out.buffer);
  const codes = new Array<number>(32);
  let qsAt = 2;
  if (type === 'Q8_0') {
    let amax = 0;
    for (const v of x) amax = Math.max(amax, Math.abs(v));
    const d = fr(amax / 127), id = d ? fr(1 / d) : 0;
    dv.setUint16(0, f32ToF16(d), true);
    for (let j = 0; j < 32; j++) dv.setInt8(2 + j, toI8(roundAway(fr(x[j] * id))));
    return out;
  }
  if (type === 'Q4_0' || type === 'Q5_0') {
    const mid = type === 'Q4_0' ? 8 : 16;
    const d = fr(signedAbsmax(x) / -mid), id = d ? fr(1 / d) : 0;
    dv.setUint16(0, f32ToF16(d), true);
    for (let j = 0; j < 32; j++) codes[j] = Math.min(2 * mid - 1, toI8(fr(fr(x[j] * id) + mid + 0.5))) & 0xff;
  } else {
    const [min, max] = minMax(x);
    const levels = type === 'Q4_1' ? 15 : 31;
    const d = fr(fr(max - min) / levels), id = d ? fr(1 / d) : 0;
    dv.setUint16(0, f32ToF16(d), true);
    dv.setUint16(2, f32ToF16(min), true);
    qsAt = 4;
    for (let j = 0; j < 32; j++) {
      const v = fr(fr(fr(x[j] - min) * id) + 0.5);
      codes[j] = type === 'Q4_1' ? Math.min(15, toI8(v)) & 0xff : toU8(v);
    }
  }
  if (type === 'Q5_0' || type === 'Q5_1') {
    let qh = 0;
    for (let j = 0; j < 32; j++) qh |= ((codes[j] >> 4) & 1) << j;
    dv.setUint32(qsAt, qh >>> 0, true);
    qsAt += 4;
  }
  for (let j = 0; j < 16; j++) out[qsAt + j] = ((codes[j] & 0x0f) | (codes[j + 16] << 4)) & 0xff;
  return out;
}

/** Floats of one block, as the format defines them. */
export function refDequantizeBlock(type: BlockDType, b: Uint8Array): Float32Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const h = (at: number) => f16ToF32(dv.getUint16(at, true));
  const y = new Float32Array(GGML_BLOCKS[type].elements);
  const nib = (qs: number, j: number) => (j < 16 ? b[qs + j] & 15 : b[qs + j - 16] >> 4);
  switch (type) {
    case 'Q8_0': case 'Q8_1': {
      const d = h(0), at = type === 'Q8_0' ? 2 : 4;
      for (let j = 0; j < 32; j++) y[j] = dv.getInt8(at + j) * d;
      return y;
    }
    case 'Q4_0': for (let j = 0; j < 32; j++) y[j] = (nib(2, j) - 8) * h(0); return y;
    case 'Q4_1': for (let j = 0; j < 32; j++) y[j] = fr(nib(4, j) * h(0)) + h(2); return y;
    case 'Q5_0': case 'Q5_1': {
      const one = type === 'Q5_1', qh = dv.getUint32(one ? 4 : 2, true), qs = one ? 8 : 6;
      for (let j = 0; j < 32; j++) {
        const q = nib(qs, j) | (((qh >>> j) & 1) << 4);
        y[j] = one ? fr(q * h(0)) + h(2) : (q - 16) * h(0);
      }
      return y;
    }
    case 'Q8_K': {
      const d = dv.getFloat32(0, true);
      for (let j = 0; j < 256; j++) y[j] = d * dv.getInt8(4 + j);
      return y;
    }
    case 'Q6_K': { // ql[128] qh[64] scales[16] d
      const d = h(208);
      for (let i = 0; i < 256; i++) {
        const half = i >> 7, k = (i >> 5) & 3, l = i & 31;
        const lo = (b[64 * half + 32 * (k & 1) + l] >> (4 * (k >> 1))) & 15;
        const hi = (b[128 + 32 * half + l] >> (2 * k)) & 3;
        y[i] = fr(d * dv.getInt8(192 + (i >> 4))) * ((lo | (hi << 4)) - 32);
      }
      return y;
    }
    case 'Q2_K': { // scales[16] qs[64] d dmin
      const d = h(80), dmin = h(82);
      for (let i = 0; i < 256; i++) {
        const half = i >> 7, k = (i >> 5) & 3, l = i & 31, sc = b[i >> 4];
        const q = (b[16 + 32 * half + l] >> (2 * k)) & 3;
        y[i] = fr(fr(d * (sc & 15)) * q) - fr(dmin * (sc >> 4));
      }
      return y;
    }
    case 'Q3_K': { // hmask[32] qs[64] scales[12] d
      const d = h(108);
      for (let i = 0; i < 256; i++) {
        const half = i >> 7, k = (i >> 5) & 3, l = i & 31, s = i >> 4;
        const low4 = s < 8 ? b[96 + s] & 15 : b[96 + s - 8] >> 4;
        const sc = (low4 | (((b[104 + (s % 4)] >> (2 * (s >> 2))) & 3) << 4)) - 32;
        const q = ((b[32 + 32 * half + l] >> (2 * k)) & 3) - ((b[l] >> (4 * half + k)) & 1 ? 0 : 4);
        y[i] = fr(d * sc) * q;
      }
      return y;
    }
    case 'Q4_K': case 'Q5_K': { // d dmin scales[12] (qh[32]) qs[128]
      const five = type === 'Q5_K', d = h(0), dmin = h(2), qs = five ? 48 : 16;
      const sm = (j: number): [number, number] =>
        j < 4 ? [b[4 + j] & 63, b[8 + j] & 63]
          : [(b[8 + j] & 15) | ((b[j] >> 6) << 4), (b[8 + j] >> 4) | ((b[4 + j] >> 6) << 4)];
      for (let i = 0; i < 256; i++) {
        const g = i >> 6, upper = (i >> 5) & 1, l = i & 31, [sc, m] = sm(2 * g + upper);
        const q = ((b[qs + 32 * g + l] >> (4 * upper)) & 15) + (five && (b[16 + l] >> (2 * g + upper)) & 1 ? 16 : 0);
        y[i] = fr(fr(d * sc) * q) - fr(dmin * m);
      }
      return y;
    }
    case 'IQ4_NL': case 'IQ4_XS': { // IQ4_NL: d qs[16]; IQ4_XS: d scales_h(u16) scales_l[4] qs[128]
      const xs = type === 'IQ4_XS', d = h(0), qs = xs ? 8 : 2;
      for (let i = 0; i < y.length; i++) {
        const s = i >> 5, j = i & 31;
        const ls = xs ? ((b[4 + (s >> 1)] >> (4 * (s & 1))) & 15) | (((dv.getUint16(2, true) >> (2 * s)) & 3) << 4) : 32;
        const code = (b[qs + 16 * s + (j & 15)] >> (j < 16 ? 0 : 4)) & 15;
        y[i] = fr((xs ? fr(d * (ls - 32)) : d) * IQ4_LEVELS[code]);
      }
      return y;
    }
  }
}

/** IQ4_NL / IQ4_XS levels (ggml's kvalues_iq4nl). */
export const IQ4_LEVELS = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

