// llama.cpp's arithmetic for a GGML block weight row times float activations,
// written out in TypeScript with float32 rounding at every step (Math.fround):
// the activations quantized per 32-block as ggml-cpu's x86 quantize_row_q8_0 /
// q8_1 do (amax, d = amax/127, q = round-half-even(x·127/amax), d and
// s = d·Σq stored as F16), then ggml's generic ggml_vec_dot_<type>_q8_<0|1>.
import { fromHalf, toF16 } from './half.js';

const fr = Math.fround;
const half = (x: number) => fromHalf(toF16(Float32Array.of(x)), 'F16')[0];
const f16At = (b: Uint8Array, o: number) => fromHalf(Uint16Array.of(b[o] | (b[o + 1] << 8)), 'F16')[0];

/** Round half to even (what _mm256_round_ps(…, NEAREST) does). */
function rint(v: number): number {
  const f = Math.floor(v), r = v - f;
  if (r > 0.5) return f + 1;
  if (r < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export interface Q8Row {
  q: Int8Array;
  d: Float32Array;
  s: Float32Array;
}

export function quantizeQ8(x: Float32Array): Q8Row {
  const nb = x.length / 32, q = new Int8Array(x.length), d = new Float32Array(nb), s = new Float32Array(nb);
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
    const db = fr(amax / 127), id = amax !== 0 ? fr(127 / amax) : 0;
    let sum = 0;
    for (let j = 0; j < 32; j++) {
      q[b * 32 + j] = rint(fr(x[b * 32 + j] * id));
      sum += q[b * 32 + j];
    }
    d[b] = half(db);
    s[b] = half(fr(db * sum));
  }
  return { q, d, s };
}

const BLOCK: Record<string, number> = { Q8_0: 34, Q4_0: 18, Q4_1: 20, Q5_0: 22, Q5_1: 24 };

/** One output: weight row `w` (blocks of `type`) · activations `a`. */
export function llamaDot(type: string, w: Uint8Array, a: Q8Row): number {
  const size = BLOCK[type], nb = a.d.length;
  let sumf = 0;
  for (let ib = 0; ib < nb; ib++) {
    const o = ib * size, y = a.q.subarray(ib * 32, ib * 32 + 32);
    const dx = f16At(w, o), dy = a.d[ib];
    let sumi = 0;
    if (type === 'Q8_0') {
      for (let j = 0; j < 32; j++) sumi += ((w[o + 2 + j] << 24) >> 24) * y[j];
      sumf = fr(sumf + fr(sumi * fr(dx * dy)));
      continue;
    }
    const withMin = type === 'Q4_1' || type === 'Q5_1';
    const five = type === 'Q5_0' || type === 'Q5_1';
    const qhAt = o + (withMin ? 4 : 2), qsAt = qhAt + (five ? 4 : 0);
    const qh = five ? (w[qhAt] | (w[qhAt + 1] << 8) | (w[qhAt + 2] << 16) | (w[qhAt + 3] << 24)) >>> 0 : 0;
    const bias = withMin ? 0 : five ? 16 : 8;
    for (let j = 0; j < 16; j++) {
      const lo = (w[qsAt + j] & 15) | (five ? ((qh >>> j) & 1) << 4 : 0);
      const hi = (w[qsAt + j] >> 4) | (five ? ((qh >>> (j + 16)) & 1) << 4 : 0);
      sumi += (lo - bias) * y[j] + (hi - bias) * y[j + 16];
    }
    if (type === 'Q4_0') sumf = fr(sumf + fr(fr(sumi * dx) * dy));
    else if (type === 'Q5_0') sumf = fr(sumf + fr(fr(dx * dy) * sumi));
    else sumf = fr(sumf + fr(fr(fr(dx * dy) * sumi) + fr(f16At(w, o + 2) * a.s[ib])));
  }
  return sumf;
}
