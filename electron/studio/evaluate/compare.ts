// Two models on the same tokens: the statistics llama.cpp's perplexity tool
// prints with --kl-divergence (A is the base, B the compressed model) and
// where in the network B's hidden states drift from A's.
import { StudioError } from '../../common/errors.js';
import type { JobOptions } from '../native/job.js';
import { assertSameVocab, type EngineModel } from '../engine/model.js';
import { WindowRunner, defaultContext } from './perplexity.js';
import { layerErrorAccumulator, type LayerError } from './layer-error.js';
import { Moments, argmaxOf, klDivergence, logSoftmax, meanCovariance, median, percentile, sortedCopy } from './token-stats.js';
import { scoringWindows, type PerplexityMethod, type ScoringWindow } from './windows.js';

export interface CompareOptions extends JobOptions {
  ctx?: number;
  method?: PerplexityMethod;
  maxChunks?: number;
  bosId?: number;
  /** Also compare hidden states layer by layer (default true). */
  layers?: boolean;
}

export interface ModelScore {
  label: string;
  method: string;
  ppl: number;
  pplError: number;
  tokensPerSecond: number;
  sizeBytes: number;
  bytesPerToken: number;
}

export interface CompareResult {
  ctx: number;
  method: PerplexityMethod;
  chunks: number;
  scored: number;
  a: ModelScore;
  b: ModelScore;
  /** PPL(B)/PPL(A) and ln of it, with llama.cpp's uncertainties (paired). */
  pplRatio: number;
  pplRatioError: number;
  lnPplRatio: number;
  lnPplRatioError: number;
  /** KL(P_A ‖ P_B) over scored positions. */
  kl: { mean: number; meanError: number; median: number; p90: number; p95: number; p99: number; p999: number; max: number; min: number };
  /** Share of positions where A and B rank the same token first. */
  sameTop: number;
  sameTopError: number;
  /** p_B − p_A of the token that actually follows (llama.cpp's Δp). */
  deltaP: { mean: number; meanError: number; rms: number; rmsError: number; max: number; min: number };
  /** RMS of p_B − p_A for A's most likely token. */
  deltaPTopRms: number;
  /** Per block: the residual stream of B against A's. */
  layers: LayerError[];
  /** B's LLM.int8() outlier columns per block during this comparison (empty for other methods). */
  outliers: OutlierStats[];
}

export interface OutlierStats {
  layer: number;
  /** Linear-layer calls in the block, and outlier columns summed over them. */
  calls: number;
  outlierColumns: number;
  /** Most outlier columns in one call. */
  maxColumns: number;
  /** Per linear layer; distinct = input features that were outliers at least once. */
  linears: { name: string; calls: number; outlierColumns: number; distinctColumns: number }[];
}

/** Per-block LLM.int8() outlier counts from the model's linear statistics. */
/** Index of the first generated token where the two differ; -1 when they are the same. */
export function firstDifference(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

export function outlierStatsOf(model: EngineModel): OutlierStats[] {
  const int8 = new Set(model.info().linears.filter((l) => l.method === 'llm_int8').map((l) => l.name));
  const byLayer = new Map<number, OutlierStats>();
  for (const s of model.linearStats()) {
    const m = /^blk\.(\d+)\./.exec(s.name);
    if (!m || !int8.has(s.name)) continue;
    const layer = Number(m[1]);
    const o = byLayer.get(layer) ?? { layer, calls: 0, outlierColumns: 0, maxColumns: 0, linears: [] };
    o.calls += s.calls;
    o.outlierColumns += s.outlierColumns;
    o.maxColumns = Math.max(o.maxColumns, s.maxOutlierColumns);
    const distinctColumns = s.columnHits.reduce((n, h) => n + (h > 0 ? 1 : 0), 0);
    o.linears.push({ name: s.name, calls: s.calls, outlierColumns: s.outlierColumns, distinctColumns });
    byLayer.set(layer, o);
  }
  return [...byLayer.values()].sort((x, y) => x.layer - y.layer);
}

export async function compareModels(a: EngineModel, b: EngineModel, tokens: readonly number[], opts: CompareOptions = {}): Promise<CompareResult> {
  assertSameVocab(a, b);
  if (a.config.layers !== b.config.layers && opts.layers !== false) {
    throw new StudioError('INVALID_ARGUMENT', `the models have ${a.config.layers} and ${b.config.layers} layers: hidden states cannot be compared (turn layer comparison off)`);
  }
  const method = opts.method ?? 'chunks';
  const ctx = Math.min(defaultContext(a, opts.ctx), defaultContext(b, opts.ctx));
  const windows = scoringWindows(tokens, ctx, method, opts.bosId, opts.maxChunks);
  const withLayers = opts.layers !== false;

  const V = a.config.vocab;
  const nllA = new Moments(), nllB = new Moments(), kl = new Moments(), dp = new Moments(), dp2 = new Moments();
  let sumAB = 0, sameTop = 0, dpTop2 = 0, dpMax = -Infinity, dpMin = Infinity;
  const kls: number[] = [];
  const layerErr = layerErrorAccumulator(a.config.layers, a.config.hidden);
  const score = (w: ScoringWindow, la: Float32Array, lb: Float32Array) => {
    w.targets.forEach((target, i) => {
      const lp = logSoftmax(la, i * V, V), lq = logSoftmax(lb, i * V, V);
      const na = -lp[target], nb = -lq[target];
      nllA.add(na);
      nllB.add(nb);
      sumAB += na * nb;
      const d = klDivergence(lp, lq);
      kl.add(d);
      kls.push(d);
      const topA = argmaxOf(lp);
      if (argmaxOf(lq) === topA) sameTop++;
      const delta = Math.exp(lq[target]) - Math.exp(lp[target]);
      dp.add(delta);
      dp2.add(delta * delta);
      dpMax = Math.max(dpMax, delta);
      dpMin = Math.min(dpMin, delta);
      dpTop2 += (Math.exp(lq[topA]) - Math.exp(lp[topA])) ** 2;
    });
  };

  b.resetLinearStats();
  // Window by window, A then B, so only one window's logits are ever held.
  const runA = new WindowRunner(a, windows), runB = new WindowRunner(b, windows);
  try {
    for (const [i, w] of windows.entries()) {
      const ra = await runA.run(w, { signal: opts.signal, hidden: withLayers });
      const rb = await runB.run(w, { signal: opts.signal, hidden: withLayers });
      score(w, ra.logits, rb.logits);
      if (ra.hidden && rb.hidden) layerErr.add(ra.hidden, rb.hidden, w.tokens.length, w.rows);
      opts.onProgress?.(i + 1, windows.length, 'comparing');
    }
  } finally {
    runA.dispose();
    runB.dispose();
  }
  const aSpeed = runA.tokensPerSecond, bSpeed = runB.tokensPerSecond;

  const n = kl.count;
  const la = nllA.meanAndError(), lb = nllB.meanAndError();
  const cov = meanCovariance(nllB, nllA, sumAB);
  const lnRatio = lb.mean - la.mean;
  const lnRatioError = Math.sqrt(Math.max(0, lb.error ** 2 + la.error ** 2 - 2 * cov));
  const sorted = sortedCopy(kls);
  const mse = dp2.meanAndError();
  const rms = Math.sqrt(mse.mean);
  const share = sameTop / n;
  const summary = (m: EngineModel, l: { mean: number; error: number }, speed: number): ModelScore => {
    const info = m.info();
    return { label: m.label, method: m.method, ppl: Math.exp(l.mean), pplError: Math.exp(l.mean) * l.error, tokensPerSecond: speed, sizeBytes: info.sizeBytes, bytesPerToken: info.bytesPerToken };
  };
  const klStats = kl.meanAndError();
  const dpStats = dp.meanAndError();
  return {
    ctx, method, chunks: windows.length, scored: n,
    a: summary(a, la, aSpeed),
    b: summary(b, lb, bSpeed),
    pplRatio: Math.exp(lnRatio), pplRatioError: Math.exp(lnRatio) * lnRatioError, lnPplRatio: lnRatio, lnPplRatioError: lnRatioError,
    kl: { mean: klStats.mean, meanError: klStats.error, median: median(sorted), p90: percentile(sorted, 0.9), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), p999: percentile(sorted, 0.999), max: sorted[n - 1], min: sorted[0] },
    sameTop: share, sameTopError: n > 1 ? Math.sqrt((share * (1 - share)) / (n - 1)) : 0,
    deltaP: { mean: dpStats.mean, meanError: dpStats.error, rms, rmsError: rms > 0 ? (0.5 / rms) * mse.error : 0, max: dpMax, min: dpMin },
    deltaPTopRms: Math.sqrt(dpTop2 / n),
    layers: withLayers ? layerErr.result() : [],
    outliers: outlierStatsOf(b),
  };
}
