// llama.cpp's generic arithmetic for a k-quant / IQ4_XS weight row times Q8_K
// activations (ggml-cpu's ggml_vec_dot_<type>_q8_K `#else` branch, and
// quantize_row_q8_K_ref), written out in TypeScript with float32 rounding at
// every step (Math.fround; double then round is exact for one +, −, ×, ÷).
import { fromHalf } from './half.js';

const fr = Math.fround;
const f16At = (b: Uint8Array, o: number) => fromHalf(Uint16Array.of(b[o] | (b[o + 1] << 8)), 'F16')[0];
const i8 = (v: number) => (v << 24) >> 24;
const IQ4 = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

/** ggml's nearest_int: round half to even through x + 1.5·2^23 in float32. */
const nearestInt = (x: number) => fr(x + 12582912) - 12582912;

export interface Q8KRow {
  d: Float32Array;
  q: Int8Array;
  bsums: Int16Array;
}

export function quantizeQ8K(x: Float32Array): Q8KRow {
  const nb = x.length / 256, d = new Float32Array(nb), q = new Int8Array(x.length), bsums = new Int16Array(nb * 16);
  for (let i = 0; i < nb; i++) {
    let max = 0, amax = 0;
    for (let j = 0; j < 256; j++) if (Math.abs(x[256 * i + j]) > amax) (amax = Math.abs(x[256 * i + j])), (max = x[256 * i + j]);
    if (!amax) continue;
    const iscale = fr(-127 / max);
    for (let j = 0; j < 256; j++) q[256 * i + j] = Math.min(127, nearestInt(fr(iscale * x[256 * i + j])));
    for (let j = 0; j < 16; j++) {
      let s = 0;
      for (let l = 0; l < 16; l++) s += q[256 * i + 16 * j + l];
      bsums[16 * i + j] = s;
    }
    d[i] = fr(1 / iscale);
  }
  return { d, q, bsums };
}

const BYTES: Record<string, number> = { Q2_K: 84, Q3_K: 110, Q4_K: 144, Q5_K: 176, Q6_K: 210, IQ4_XS: 136 };

/** Q4_K/Q5_K 6-bit scale and min j. */
function scaleMin(b: Uint8Array, o: number, j: number): [number, number] {
  const q = (k: number) => b[o + 4 + k];
  return j < 4 ? [q(j) & 63, q(j + 4) & 63] : [(q(j + 4) & 15) | ((q(j - 4) >> 6) << 4), (q(j + 4) >> 4) | ((q(j) >> 6) << 4)];
}

/** Signed codes (element order) and the scale of each element of super-block `o`. */
function codes(type: string, b: Uint8Array, o: number): { a: number[]; scale: (e: number) => number } {
  const a: number[] = [];
  if (type === 'Q3_K') {
    for (let e = 0; e < 256; e++) {
      const half = e >> 7, k = (e >> 5) & 3, l = e & 31;
      a.push(((b[o + 32 + 32 * half + l] >> (2 * k)) & 3) - ((b[o + l] >> (4 * half + k)) & 1 ? 0 : 4));
    }
    const sc = (s: number) => ((s < 8 ? b[o + 96 + s] & 15 : b[o + 96 + s - 8] >> 4) | (((b[o + 104 + (s % 4)] >> (2 * (s >> 2))) & 3) << 4)) - 32;
    return { a, scale: (e) => sc(e >> 4) };
  }
  if (type === 'Q4_K' || type === 'Q5_K') {
    const five = type === 'Q5_K', qs = o + (five ? 48 : 16);
    for (let e = 0; e < 256; e++) {
      const g = e >> 6, up = (e >> 5) & 1, l = e & 31;
      a.push(((b[qs + 32 * g + l] >> (4 * up)) & 15) + (five && (b[o + 16 + l] >> (2 * g + up)) & 1 ? 16 : 0));
    }
    return { a, scale: (e) => scaleMin(b, o, e >> 5)[0] };
  }
  if (type === 'Q6_K') {
    for (let e = 0; e < 256; e++) {
      const half = e >> 7, k = (e >> 5) & 3, l = e & 31;
      const lo = (b[o + 64 * half + 32 * (k & 1) + l] >> (4 * (k >> 1))) & 15, hi = (b[o + 128 + 32 * half + l] >> (2 * k)) & 3;
      a.push((lo | (hi << 4)) - 32);
    }
    return { a, scale: (e) => i8(b[o + 192 + (e >> 4)]) };
  }
  throw new Error(type);
}

/** One output: weight row `w` (super-blocks of `type`) · Q8_K activations `y`. */
export function llamaKDot(type: string, w: Uint8Array, y: Q8KRow): number {
  const size = BYTES[type], nb = y.d.length;
  let sumf = 0;
  const sums = new Float32Array(8);
  for (let i = 0; i < nb; i++) {
    const o = i * size, q8 = y.q.subarray(256 * i, 256 * i + 256), bs = y.bsums.subarray(16 * i, 16 * i + 16), yd = y.d[i];
    if (type === 'Q2_K') {
      let summs = 0, isum = 0;
      for (let j = 0; j < 16; j++) summs += bs[j] * (w[o + j] >> 4);
      for (let e = 0; e < 256; e += 16) {
        const q2 = o + 16 + 32 * (e >> 7) + (e % 32), shift = 2 * ((e >> 5) & 3);
        let isuml = 0;
        for (let l = 0; l < 16; l++) isuml += q8[e + l] * ((w[q2 + l] >> shift) & 3);
        isum += (w[o + (e >> 4)] & 15) * isuml;
      }
      const dall = fr(yd * f16At(w, o + 80)), dmin = fr(yd * f16At(w, o + 82));
      sumf = fr(sumf + fr(fr(dall * isum) - fr(dmin * summs)));
    } else if (type === 'IQ4_XS') {
      const d4d8 = fr(f16At(w, o) * yd), sh = w[o + 2] | (w[o + 3] << 8);
      for (let ib = 0; ib < 8; ib++) {
        const ls = ((w[o + 4 + (ib >> 1)] >> (4 * (ib & 1))) & 15) | (((sh >> (2 * ib)) & 3) << 4);
        let sumi = 0;
        for (let j = 0; j < 16; j++) {
          const byte = w[o + 8 + 16 * ib + j];
          sumi += q8[32 * ib + j] * IQ4[byte & 15] + q8[32 * ib + 16 + j] * IQ4[byte >> 4];
        }
        sumf = fr(sumf + fr(fr(d4d8 * (ls - 32)) * sumi));
      }
    } else {
      const { a, scale } = codes(type, w, o);
      const aux32 = new Int32Array(8);
      for (let e = 0; e < 256; e++) aux32[e % 8] += scale(e) * q8[e] * a[e];
      const d = fr(f16At(w, o + (type === 'Q3_K' ? 108 : type === 'Q6_K' ? 208 : 0)) * yd);
      for (let l = 0; l < 8; l++) sums[l] = fr(sums[l] + fr(d * aux32[l]));
      if (type === 'Q4_K' || type === 'Q5_K') {
        let sumi = 0;
        for (let j = 0; j < 16; j++) sumi += bs[j] * scaleMin(w, o, j >> 1)[1];
        sumf = fr(sumf - fr(fr(f16At(w, o + 2) * yd) * sumi));
      }
    }
  }
  if (type !== 'Q2_K' && type !== 'IQ4_XS') for (let l = 0; l < 8; l++) sumf = fr(sumf + sums[l]);
  return sumf;
}
