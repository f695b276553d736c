// Deterministic test tensors: a small PRNG so every run sees the same numbers.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box–Muller) from a fixed seed. */
export function gaussian(n: number, seed: number, std = 1): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-12), v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Gaussian weights with a few large outliers planted, like real LLM layers. */
export function withOutliers(x: Float32Array, every: number, scale: number): Float32Array {
  const y = x.slice();
  for (let i = 0; i < y.length; i += every) y[i] *= scale;
  return y;
}

export function relClose(a: number, b: number, rtol: number, atol = 0): boolean {
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}
