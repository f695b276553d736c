// Which tokens a perplexity run feeds the model and which predictions it
// scores. Two methods:
//  - "chunks" (llama.cpp's perplexity tool): floor(n / ctx) chunks of ctx
//    tokens, the first token of each replaced by BOS (when the tokenizer adds
//    one), and only the second half of each chunk scored, so every scored
//    token has at least ctx/2 tokens of context;
//  - "whole": every token after the first scored once, in windows of ctx tokens
//    that overlap by half (Hugging Face's strided evaluation); a text that fits
//    the context is one window, the whole sequence.
import { StudioError } from '../../common/errors.js';

export type PerplexityMethod = 'chunks' | 'whole';

export interface ScoringWindow {
  /** The tokens to evaluate from an empty cache. */
  tokens: number[];
  /** Batch rows whose logits predict a scored token… */
  rows: number[];
  /** …and those tokens (targets[i] follows row rows[i]). */
  targets: number[];
}

export function scoringWindows(tokens: readonly number[], ctx: number, method: PerplexityMethod, bosId: number | undefined, maxChunks = Infinity): ScoringWindow[] {
  if (!Number.isInteger(ctx) || ctx < 2) throw new StudioError('INVALID_ARGUMENT', `the context must be at least 2 tokens, got ${ctx}`);
  const windows: ScoringWindow[] = [];
  if (method === 'chunks') {
    const n = Math.min(Math.floor(tokens.length / ctx), maxChunks);
    if (n < 1) throw new StudioError('INVALID_ARGUMENT', `the text has ${tokens.length} tokens: the llama.cpp method needs at least one chunk of ${ctx} (use a smaller context)`);
    const first = Math.floor(ctx / 2);
    for (let c = 0; c < n; c++) {
      const w = tokens.slice(c * ctx, (c + 1) * ctx);
      const targets = w.slice(first + 1);
      if (bosId !== undefined) w[0] = bosId;
      windows.push({ tokens: w, rows: targets.map((_, i) => first + i), targets });
    }
    return windows;
  }
  if (tokens.length < 2) throw new StudioError('INVALID_ARGUMENT', `the text has ${tokens.length} token(s): nothing to predict`);
  const stride = Math.max(1, Math.floor(ctx / 2));
  let scoredUpTo = 1; // next target position to score
  for (let s = 0; scoredUpTo < tokens.length && windows.length < maxChunks; s += stride) {
    const e = Math.min(s + ctx, tokens.length);
    const rows: number[] = [], targets: number[] = [];
    for (let t = scoredUpTo; t < e; t++) {
      rows.push(t - 1 - s);
      targets.push(tokens[t]);
    }
    windows.push({ tokens: tokens.slice(s, e), rows, targets });
    scoredUpTo = e;
  }
  return windows;
}
