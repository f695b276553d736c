// Plain float64 building blocks for the reference forward passes: loops over
// arrays, nothing clever, so they are easy to check by eye.
export type Vec = Float64Array;

/** y = W·x for W [out, in] row-major (nn.Linear), plus an optional bias. */
export function linear(W: ArrayLike<number>, out: number, x: Vec, bias?: ArrayLike<number>): Vec {
  const n = x.length;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = bias ? bias[o] : 0;
    for (let i = 0; i < n; i++) s += W[o * n + i] * x[i];
    y[o] = s;
  }
  return y;
}

/** y = x·W for W [in, out] row-major (GPT-2's Conv1D), plus a bias. */
export function conv1d(W: ArrayLike<number>, out: number, x: Vec, bias: ArrayLike<number>): Vec {
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = bias[o];
    for (let i = 0; i < x.length; i++) s += x[i] * W[i * out + o];
    y[o] = s;
  }
  return y;
}

export function rmsNorm(x: Vec, w: ArrayLike<number>, eps: number): Vec {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * r * w[i]);
}

export function layerNorm(x: Vec, w: ArrayLike<number>, b: ArrayLike<number>, eps: number): Vec {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  variance /= x.length;
  const r = 1 / Math.sqrt(variance + eps);
  return x.map((v, i) => (v - mean) * r * w[i] + b[i]);
}

export function softmax(s: number[]): number[] {
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

export const silu = (x: number): number => x / (1 + Math.exp(-x));
export const geluTanh = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

export function addInto(x: Vec, y: Vec): void {
  for (let i = 0; i < x.length; i++) x[i] += y[i];
}

/**
 * Causal attention for all positions at once (no cache): q [T][heads·d],
 * k, v [T][kvHeads·d]; query head h reads key/value head floor(h / (heads / kvHeads)).
 */
/** `window`: each query sees itself and the window − 1 keys before it (sliding-window attention); 0 = all. */
export function causalAttention(q: Vec[], k: Vec[], v: Vec[], heads: number, kvHeads: number, d: number, window = 0): Vec[] {
  const T = q.length, group = heads / kvHeads;
  return q.map((qt, t) => {
    const out = new Float64Array(heads * d);
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / group);
      const scores: number[] = [];
      const first = window > 0 ? Math.max(0, t - window + 1) : 0;
      for (let j = first; j <= t && j < T; j++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += qt[h * d + i] * k[j][g * d + i];
        scores.push(s / Math.sqrt(d));
      }
      const p = softmax(scores);
      for (let j = 0; j < p.length; j++) for (let i = 0; i < d; i++) out[h * d + i] += p[j] * v[first + j][g * d + i];
    }
    return out;
  });
}
