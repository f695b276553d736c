// Perplexity and two-model comparison run end to end: on tiny random models
// against statistics computed independently from the float64 reference's
// logits, and on stories260K: LLM.int8() stays within 1% of the original's
// perplexity and diverges less than a 4-bit (Q4_0) copy.
import { describe, expect, it } from 'vitest';
import { compareModels } from '../../../electron/studio/evaluate/compare.js';
import { generate } from '../../../electron/studio/evaluate/generate.js';
import { perplexity } from '../../../electron/studio/evaluate/perplexity.js';
import { logSoftmax, klDivergence, argmaxOf } from '../../../electron/studio/evaluate/token-stats.js';
import { scoringWindows } from '../../../electron/studio/evaluate/windows.js';
import { EngineModel } from '../../../electron/studio/engine/model.js';
import { openModel } from '../../../electron/studio/models/open-model.js';
import { openTensorData } from '../../../electron/studio/models/tensor-data.js';
import type { TensorEntry } from '../../../electron/studio/models/types.js';
import { quantizeGguf } from '../../../electron/studio/quant/gguf.js';
import { loadTokenizer } from '../../../electron/studio/tokenizer/load.js';
import { llamaReference } from '../../helpers/reference-llama.js';
import { arraysOf, engineTensors, randomLlamaWeights, type HfWeights } from '../../helpers/reference-weights.js';
import { TINY_LLAMA, llamaEngineConfig } from './forward-helpers.js';

const TOKENS = Array.from({ length: 37 }, (_, i) => (i * 17 + 3) % 50);
const BOS = 1;

/** Float64 log-probabilities of the reference for every scored prediction of every window. */
function referenceLogProbs(w: HfWeights, ctx: number, method: 'chunks' | 'whole') {
  return scoringWindows(TOKENS, ctx, method, BOS).flatMap((win) => {
    const logits = llamaReference(TINY_LLAMA, arraysOf(w), win.tokens).logits;
    return win.rows.map((r, i) => ({ lp: logSoftmax(logits[r]), target: win.targets[i] }));
  });
}

const perturbed = (w: HfWeights, seed: number): HfWeights =>
  Object.fromEntries(Object.entries(w).map(([k, v]) => [k, { shape: v.shape, data: v.data.map((x, i) => x * (1 + 0.05 * Math.sin(i * 12.9898 + seed))) }]));

describe('perplexity and comparison vs the reference', () => {
  const wA = randomLlamaWeights(TINY_LLAMA, 31);
  const wB = perturbed(wA, 1);
  const load = (w: HfWeights) => EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA), engineTensors(w, 'llama'));

  for (const method of ['chunks', 'whole'] as const) {
    it(`perplexity (${method}) equals exp(mean NLL) of the reference, with its error`, async () => {
      const ref = referenceLogProbs(wA, 8, method);
      const nll = ref.map((r) => -r.lp[r.target]);
      const mean = nll.reduce((a, b) => a + b) / nll.length;
      const variance = nll.reduce((a, b) => a + b * b, 0) / nll.length - mean * mean;
      const r = await perplexity(await load(wA), TOKENS, { ctx: 8, method, bosId: BOS });
      expect(r.scored).toBe(method === 'chunks' ? 4 * 3 : 36);
      expect(r.ppl).toBeCloseTo(Math.exp(mean), 4);
      expect(r.pplError).toBeCloseTo(Math.exp(mean) * Math.sqrt(variance / (nll.length - 1)), 4);
      expect(r.perChunk.at(-1)).toBeCloseTo(r.ppl, 10);
    });
  }

  it('a model against itself: no divergence at all', async () => {
    const a = await load(wA);
    const r = await compareModels(a, a, TOKENS, { ctx: 8, bosId: BOS });
    expect(r.kl.mean).toBe(0);
    expect(r.kl.max).toBe(0);
    expect(r.sameTop).toBe(1);
    expect(r.pplRatio).toBe(1);
    expect(r.deltaP.rms).toBe(0);
    expect(r.layers.map((l) => l.relMse)).toEqual([0, 0]);
    r.layers.forEach((l) => expect(l.cosine).toBeCloseTo(1, 12));
    expect(r.outliers).toEqual([]);
  });

  it('two different models: KL, same-top share, Δp and the PPL ratio from the reference logits', async () => {
    const ra = referenceLogProbs(wA, 8, 'chunks'), rb = referenceLogProbs(wB, 8, 'chunks');
    const kls = ra.map((x, i) => klDivergence(x.lp, rb[i].lp));
    const same = ra.filter((x, i) => argmaxOf(x.lp) === argmaxOf(rb[i].lp)).length / ra.length;
    const dps = ra.map((x, i) => Math.exp(rb[i].lp[x.target]) - Math.exp(x.lp[x.target]));
    const nllA = ra.map((x) => -x.lp[x.target]), nllB = rb.map((x) => -x.lp[x.target]);
    const mean = (v: number[]) => v.reduce((a, b) => a + b) / v.length;
    const r = await compareModels(await load(wA), await load(wB), TOKENS, { ctx: 8, bosId: BOS });
    expect(r.scored).toBe(12);
    expect(r.kl.mean).toBeCloseTo(mean(kls), 6);
    expect(r.kl.max).toBeCloseTo(Math.max(...kls), 6);
    expect(r.sameTop).toBeCloseTo(same, 12);
    expect(r.deltaP.rms).toBeCloseTo(Math.sqrt(mean(dps.map((d) => d * d))), 6);
    expect(r.pplRatio).toBeCloseTo(Math.exp(mean(nllB) - mean(nllA)), 5);
    expect(r.kl.mean).toBeGreaterThan(0);
    r.layers.forEach((l) => { expect(l.relMse).toBeGreaterThan(0); expect(l.cosine).toBeLessThan(1); });
  });
});

describe('stories260K: LLM.int8() against the original and a 4-bit copy', () => {
  it('int8 perplexity within 1% of the original, KL(int8) < KL(Q4_0), outliers per block', async () => {
    const opened = await openModel('resources/sample/stories260K');
    const data = openTensorData(opened);
    const tok = loadTokenizer(opened);
    const original = await EngineModel.load(opened, data);
    const int8 = await EngineModel.load(opened, data, { method: 'llm_int8' });
    // Q4_0 blocks for every matrix whose rows are whole blocks (ffn_down's 172 are not: kept F32).
    const q4: Record<string, Buffer> = {};
    for (const e of opened.tensors) if (e.shape.length === 2 && e.shape[1] % 32 === 0) q4[e.name] = await quantizeGguf(data.get(e), 'Q4_0');
    const q4model = await EngineModel.load(opened, { get: (e: TensorEntry) => (q4[e.name] ? { dtype: 'Q4_0', shape: e.shape, name: e.name, data: q4[e.name] } : data.get(e)) });
    data.close();

    // In-domain text: the original model's own story, sampled from a fixed seed.
    const story = await generate(original, tok, 'Once upon a time', { maxTokens: 500, temperature: 1, seed: 7, stopAtEos: false });
    const tokens = [...story.promptTokens, ...story.tokens];
    const opts = { ctx: 128, bosId: tok.bosId };
    const vsInt8 = await compareModels(original, int8, tokens, opts);
    const vsQ4 = await compareModels(original, q4model, tokens, opts);
    expect(vsInt8.chunks).toBe(3);
    expect(Math.abs(vsInt8.pplRatio - 1)).toBeLessThan(0.01);
    expect(vsInt8.kl.mean).toBeLessThan(vsQ4.kl.mean);
    expect(vsInt8.sameTop).toBeGreaterThan(vsQ4.sameTop);
    expect(vsInt8.outliers.map((o) => o.layer)).toEqual([0, 1, 2, 3, 4]);
    expect(vsInt8.outliers.every((o) => o.calls === 3 * 7)).toBe(true);
    expect(vsQ4.outliers).toEqual([]);
    vsInt8.layers.forEach((l) => expect(l.cosine).toBeGreaterThan(0.99));
  });
});
