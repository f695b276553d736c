// LLM.int8() written from the paper (Dettmers et al. 2022, §3.2) with
// bitsandbytes' conventions, in plain TypeScript that rounds every float32
// operation as the native code does (Math.fround), so results match exactly:
//  - outlier columns: input features with |x| ≥ threshold in any token;
//  - per token, absmax over values below the threshold; codes round(x·127/absmax)
//    (half to even), outlier columns zeroed;
//  - per output channel, absmax of the weight row; codes round(w·127/absmax);
//  - y = float(Σ xq·wq) · (absmax_x·absmax_w/127²) + Σ_outliers x·w (in column order) + b.
const f = Math.fround;

/** Round half to even, like nearbyint / torch.round. */
export function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function codes(row: Float32Array, absmax: number, skip?: (k: number) => boolean): Int8Array {
  const inv = absmax > 0 ? f(127 / absmax) : 0;
  return Int8Array.from(row, (v, k) => (skip?.(k) ? 0 : Math.max(-127, Math.min(127, roundEven(f(v * inv))))));
}

export interface Int8Result {
  y: Float32Array;
  outlierColumns: number[];
}

/** x [T, K], W [N, K] (already F32), bias [N] or undefined. */
export function llmInt8Reference(x: Float32Array, T: number, W: Float32Array, N: number, K: number, threshold: number, bias?: Float32Array): Int8Result {
  const outlier = new Array<boolean>(K).fill(false);
  if (threshold > 0) for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) if (Math.abs(x[t * K + k]) >= threshold) outlier[k] = true;
  const cols = outlier.flatMap((o, k) => (o ? [k] : []));
  const sw = new Float32Array(N), wq: Int8Array[] = [];
  for (let n = 0; n < N; n++) {
    const row = W.subarray(n * K, (n + 1) * K);
    sw[n] = row.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    wq.push(codes(row, sw[n]));
  }
  const y = new Float32Array(T * N);
  const kInv = f(1 / f(127 * 127));
  for (let t = 0; t < T; t++) {
    const row = x.subarray(t * K, (t + 1) * K);
    let sx = 0;
    for (const v of row) if (threshold <= 0 || Math.abs(v) < threshold) sx = Math.max(sx, Math.abs(v));
    const xq = codes(row, sx, (k) => outlier[k]);
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += xq[k] * wq[n][k];
      y[t * N + n] = f(f(acc) * f(f(sx * sw[n]) * kInv));
    }
  }
  if (cols.length > 0) {
    for (let n = 0; n < N; n++)
      for (let t = 0; t < T; t++) {
        let s = 0;
        for (const k of cols) s = f(s + f(x[t * K + k] * W[n * K + k]));
        y[t * N + n] = f(y[t * N + n] + s);
      }
  }
  if (bias) for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) y[t * N + n] = f(y[t * N + n] + bias[n]);
  return { y, outlierColumns: cols };
}
