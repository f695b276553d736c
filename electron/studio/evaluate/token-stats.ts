// Per-position statistics of next-token distributions, in float64, and the
// summaries llama.cpp's perplexity tool prints (tools/perplexity: mean with its
// uncertainty, linearly interpolated percentiles, the median of an even count
// as the mean of the middle two).

/** log-softmax of one row of logits, in float64. */
export function logSoftmax(logits: ArrayLike<number>, offset = 0, n = logits.length - offset): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (logits[offset + i] > m) m = logits[offset + i];
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(logits[offset + i] - m);
  const lz = m + Math.log(z);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = logits[offset + i] - lz;
  return out;
}

/** log p(id) of one row of logits, without building the whole distribution. */
export function logProbOf(logits: ArrayLike<number>, offset: number, n: number, id: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (logits[offset + i] > m) m = logits[offset + i];
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(logits[offset + i] - m);
  return logits[offset + id] - m - Math.log(z);
}

/** Index of the largest value (the first among ties). */
export function argmaxOf(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** KL(P‖Q) = Σ p·(log p − log q) from log-probabilities; terms with p = 0 add nothing. */
export function klDivergence(logP: Float64Array, logQ: Float64Array): number {
  let s = 0;
  for (let i = 0; i < logP.length; i++) {
    const p = Math.exp(logP[i]);
    if (p > 0) s += p * (logP[i] - logQ[i]);
  }
  return Math.max(0, s);
}

/** Running sums of a quantity and its square. */
export class Moments {
  sum = 0;
  sum2 = 0;
  count = 0;
  add(v: number): void {
    this.sum += v;
    this.sum2 += v * v;
    this.count++;
  }
  /** Mean and its standard error, √((E[v²] − E[v]²)/(n − 1)), as llama.cpp computes it. */
  meanAndError(): { mean: number; error: number } {
    if (this.count < 1) return { mean: NaN, error: NaN };
    const mean = this.sum / this.count;
    const v = this.sum2 / this.count - mean * mean;
    return { mean, error: v > 0 && this.count > 1 ? Math.sqrt(v / (this.count - 1)) : 0 };
  }
}

/** Covariance of the means of two paired quantities (llama.cpp's `covariance`). */
export function meanCovariance(a: Moments, b: Moments, sumAB: number): number {
  const n = a.count;
  if (n < 2) return 0;
  return (sumAB / n - (a.sum / n) * (b.sum / n)) / (n - 1);
}

/** Percentile of sorted values with linear interpolation, fraction in [0, 1]. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return NaN;
  if (fraction <= 0) return sorted[0];
  if (fraction >= 1) return sorted[sorted.length - 1];
  const p = fraction * (sorted.length - 1);
  const i = Math.floor(p), f = p - i;
  return (1 - f) * sorted[i] + f * sorted[Math.min(i + 1, sorted.length - 1)];
}

export function median(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 0 ? 0.5 * (sorted[n / 2] + sorted[n / 2 - 1]) : sorted[(n - 1) / 2];
}

export function sortedCopy(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x).sort();
}
