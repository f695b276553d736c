// Shared by the forward-pass tests: engine configs for the reference models
// and a comparison that reports the worst element.
import { expect } from 'vitest';
import type { NativeEngineConfig } from '../../../electron/studio/engine/native.js';
import type { RefGpt2Config } from '../../helpers/reference-gpt2.js';
import type { RefLlamaConfig } from '../../helpers/reference-llama.js';

export const TINY_LLAMA: RefLlamaConfig = {
  hidden: 32, intermediate: 44, layers: 2, heads: 4, kvHeads: 2, headDim: 8, vocab: 50, normEps: 1e-5, ropeTheta: 10000, tieEmbeddings: false,
};

export const TINY_GPT2: RefGpt2Config = { hidden: 32, intermediate: 128, layers: 2, heads: 4, vocab: 50, maxPositions: 16, normEps: 1e-5 };

export const PROMPT = [3, 17, 42, 8, 0, 49, 25, 11, 5];

export function llamaEngineConfig(c: RefLlamaConfig, over: Partial<NativeEngineConfig> = {}): NativeEngineConfig {
  return {
    family: 'llama', architecture: 'llama', hidden: c.hidden, intermediate: c.intermediate, layers: c.layers, heads: c.heads,
    kvHeads: c.kvHeads, headDim: c.headDim, vocab: c.vocab, maxPositions: 64, normEps: c.normEps, ropeTheta: c.ropeTheta,
    ropeScaling: c.ropeScaling, tieEmbeddings: c.tieEmbeddings, ...over,
  };
}

export function gpt2EngineConfig(c: RefGpt2Config, over: Partial<NativeEngineConfig> = {}): NativeEngineConfig {
  return {
    family: 'gpt2', architecture: 'gpt2', hidden: c.hidden, intermediate: c.intermediate, layers: c.layers, heads: c.heads,
    kvHeads: c.heads, headDim: c.hidden / c.heads, vocab: c.vocab, maxPositions: c.maxPositions, normEps: c.normEps,
    activation: 'gelu_tanh', tieEmbeddings: true, ...over,
  };
}

/** max |a − b| ≤ atol + rtol·max|b| over every element, reporting the worst one. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, what: string): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  let worst = 0, at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) { worst = d; at = i; }
  }
  expect(worst, `${what}: worst difference at [${at}]: ${actual[at]} vs ${expected[at]}`).toBeLessThanOrEqual(atol);
}

/** Rows of a reference (number arrays) flattened. */
export const flat = (rows: ArrayLike<number>[]): Float64Array => {
  const n = rows.reduce((s, r) => s + r.length, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const r of rows) { out.set(r, o); o += r.length; }
  return out;
};
