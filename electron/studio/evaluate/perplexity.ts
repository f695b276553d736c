// Perplexity of a model over a token sequence, with llama.cpp's standard error:
// PPL = exp(mean NLL) ± PPL·√((E[NLL²] − E[NLL]²)/(n − 1)).
import { cancelled } from '../../common/errors.js';
import type { JobOptions } from '../native/job.js';
import type { EngineModel, EngineSession } from '../engine/model.js';
import { Moments, logProbOf } from './token-stats.js';
import { scoringWindows, type PerplexityMethod, type ScoringWindow } from './windows.js';

export interface PerplexityOptions extends JobOptions {
  /** Tokens per chunk or window (default 512, at most the model's context). */
  ctx?: number;
  method?: PerplexityMethod;
  /** At most this many chunks (llama.cpp's --chunks). */
  maxChunks?: number;
  /** BOS id for the llama.cpp method's chunk starts (undefined: keep the text's tokens). */
  bosId?: number;
}

export interface PerplexityResult {
  method: PerplexityMethod;
  ctx: number;
  chunks: number;
  /** Predictions scored. */
  scored: number;
  ppl: number;
  pplError: number;
  meanNll: number;
  meanNllError: number;
  /** Running perplexity after each chunk (llama.cpp's [1]…,[2]… line). */
  perChunk: number[];
  /** Tokens evaluated per second (all window tokens, engine time). */
  tokensPerSecond: number;
}

export const defaultContext = (model: EngineModel, ctx?: number): number => Math.min(ctx ?? 512, model.config.maxPositions);

/** One model's session for a run over windows: evaluates each from an empty cache and times it. */
export class WindowRunner {
  private readonly session: EngineSession;
  private evalMs = 0;
  private evaluated = 0;

  constructor(model: EngineModel, windows: ScoringWindow[]) {
    this.session = model.createSession(Math.max(...windows.map((w) => w.tokens.length)));
  }

  async run(w: ScoringWindow, opts: JobOptions & { hidden?: boolean }): Promise<{ logits: Float32Array; hidden?: Float32Array }> {
    if (opts.signal?.aborted) throw cancelled();
    this.session.truncate(0);
    const t0 = performance.now();
    const r = await this.session.eval(w.tokens, { logits: w.rows, hidden: opts.hidden, signal: opts.signal });
    this.evalMs += performance.now() - t0;
    this.evaluated += w.tokens.length;
    return r;
  }

  /** Tokens evaluated per second of engine time. */
  get tokensPerSecond(): number {
    return this.evaluated / (this.evalMs / 1000);
  }

  dispose(): void {
    this.session.dispose();
  }
}

export async function perplexity(model: EngineModel, tokens: readonly number[], opts: PerplexityOptions = {}): Promise<PerplexityResult> {
  const method = opts.method ?? 'chunks';
  const ctx = defaultContext(model, opts.ctx);
  const windows = scoringWindows(tokens, ctx, method, opts.bosId, opts.maxChunks);
  const V = model.config.vocab;
  const nll = new Moments();
  const perChunk: number[] = [];
  const runner = new WindowRunner(model, windows);
  try {
    for (const [i, w] of windows.entries()) {
      const { logits } = await runner.run(w, opts);
      w.targets.forEach((target, j) => nll.add(-logProbOf(logits, j * V, V, target)));
      perChunk.push(Math.exp(nll.sum / nll.count));
      opts.onProgress?.(i + 1, windows.length, 'evaluating');
    }
  } finally {
    runner.dispose();
  }
  const tokensPerSecond = runner.tokensPerSecond;
  const { mean, error } = nll.meanAndError();
  const ppl = Math.exp(mean);
  return { method, ctx, chunks: windows.length, scored: nll.count, ppl, pplError: ppl * error, meanNll: mean, meanNllError: error, perChunk, tokensPerSecond };
}
