// Checks shared by the quantized linear layer tests: a float64 product of the
// decoded weight (what "a dense F32 computation on the dequantized weights"
// gives, without rounding), and element-wise comparisons with a per-output
// tolerance so a failure names the token and output.
import { expect } from 'vitest';
import { EngineLinear } from '../../electron/studio/engine/linear.js';
import type { StoredLinear } from '../../electron/studio/engine/stored-linear.js';
import { native } from '../../electron/studio/native/addon.js';

/** y[t, n] = Σ_k w[n, k]·x[t, k] in float64 (then float32), and Σ|w||x| per output. */
export function denseProduct(w: Float32Array, x: Float32Array, T: number, N: number, K: number) {
  const y = new Float32Array(T * N), mag = new Float64Array(T * N);
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      let s = 0, m = 0;
      for (let k = 0; k < K; k++) {
        const p = w[n * K + k] * x[t * K + k];
        s += p;
        m += Math.abs(p);
      }
      y[t * N + n] = s;
      mag[t * N + n] = m;
    }
  return { y, mag };
}

/** |a − b| ≤ tol(t, n) for every element. */
export function expectWithin(a: Float32Array, b: Float32Array, T: number, N: number, tol: (t: number, n: number) => number, what: string) {
  expect(a.length, `${what} length`).toBe(b.length);
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      const d = Math.abs(a[t * N + n] - b[t * N + n]), lim = tol(t, n);
      if (!(d <= lim)) expect(d, `${what} [token ${t}, output ${n}]: ${a[t * N + n]} vs ${b[t * N + n]}`).toBeLessThanOrEqual(lim);
    }
}

export async function linearOf(s: StoredLinear, opts: { reference?: boolean; method?: string; bias?: Float32Array } = {}) {
  const bias = opts.bias ? { dtype: 'F32', shape: [opts.bias.length], data: opts.bias } : undefined;
  return EngineLinear.create(s.weight, { extra: s.extra, reference: opts.reference, method: opts.method, bias, name: 'test' });
}

/**
 * The fast path with SIMD on and off, at 1 thread and all, against itself:
 * bit-identical across thread counts and between a batch and its tokens one
 * at a time. Returns the SIMD and portable outputs of the batch.
 */
export async function fastPaths(lin: EngineLinear, x: Float32Array, T: number) {
  const K = lin.info().in, N = lin.info().out;
  const out: Record<'avx2' | 'portable', Float32Array> = { avx2: new Float32Array(), portable: new Float32Array() };
  try {
    for (const simd of [true, false] as const) {
      native().setSimd(simd);
      native().setThreads(0);
      const all = await lin.forward(x, T);
      native().setThreads(1);
      const one = await lin.forward(x, T);
      expectSame(one, all, `${simd ? 'avx2' : 'portable'}: 1 thread vs all`);
      native().setThreads(0);
      for (const t of new Set([0, T - 1])) {
        const alone = await lin.forward(x.subarray(t * K, (t + 1) * K), 1);
        expectSame(alone, all.subarray(t * N, (t + 1) * N), `${simd ? 'avx2' : 'portable'}: token ${t} alone vs in the batch`);
      }
      out[simd ? 'avx2' : 'portable'] = all;
    }
  } finally {
    native().setSimd(true);
    native().setThreads(0);
  }
  return out;
}

function expectSame(a: Float32Array, b: Float32Array, what: string) {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect(a[i], `${what} [${i}]`).toBe(b[i]);
}
