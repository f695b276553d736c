// The engine's Llama-family forward pass against the float64 reference
// (tests/helpers/reference-llama.ts) on tiny random weights: prompt batches,
// token-by-token decoding with the KV cache, both rotary layouts, Qwen2
// biases, sliding windows, llama3 and linear rope scaling, tied heads, F16/BF16 weights.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineModel } from '../../../electron/studio/engine/model.js';
import type { NativeEngineConfig } from '../../../electron/studio/engine/native.js';
import { native } from '../../../electron/studio/native/addon.js';
import { llamaReference, type RefLlamaConfig } from '../../helpers/reference-llama.js';
import { arraysOf, engineTensors, ggufLayout, randomLlamaWeights, storeAs, type HfWeights } from '../../helpers/reference-weights.js';
import { PROMPT, TINY_LLAMA, expectClose, flat, llamaEngineConfig } from './forward-helpers.js';

afterEach(() => native().setSimd(true));

async function load(cfg: NativeEngineConfig, w: Parameters<typeof engineTensors>[0]) {
  return EngineModel.fromTensors(cfg, engineTensors(w, 'llama'));
}

/** All logits of one batch, and token by token, from fresh sessions. */
async function runBoth(model: EngineModel, tokens: number[]) {
  const s1 = model.createSession(32);
  const batch = await s1.eval(tokens, { logits: 'all', hidden: true });
  const s2 = model.createSession(32);
  const steps: Float32Array[] = [];
  for (const t of tokens) steps.push((await s2.eval([t])).logits);
  expect(s2.position).toBe(tokens.length);
  return { batch, steps };
}

async function checkAgainstReference(ref: RefLlamaConfig, w: HfWeights, engineW: Parameters<typeof engineTensors>[0], over: Partial<NativeEngineConfig> = {}) {
  const expected = llamaReference(ref, arraysOf(w), PROMPT);
  const model = await load(llamaEngineConfig(ref, over), engineW);
  const { batch, steps } = await runBoth(model, PROMPT);
  expectClose(batch.logits, flat(expected.logits), 1e-5, 'batch logits');
  expectClose(batch.hidden!, flat(expected.hidden.flat()), 1e-5, 'hidden states');
  // Token by token through the KV cache: the same logits, bit for bit.
  steps.forEach((l, t) => expect(Array.from(l)).toEqual(Array.from(batch.logits.subarray(t * ref.vocab, (t + 1) * ref.vocab))));
}

describe('Llama forward pass vs the float64 reference', () => {
  it('GQA 4/2 heads, separate head, F32', async () => {
    const w = randomLlamaWeights(TINY_LLAMA, 1);
    await checkAgainstReference(TINY_LLAMA, w, w);
  });

  it('tied embeddings', async () => {
    const cfg = { ...TINY_LLAMA, tieEmbeddings: true };
    const w = randomLlamaWeights(cfg, 2);
    await checkAgainstReference(cfg, w, w);
  });

  it('Qwen2: q/k/v biases', async () => {
    const w = randomLlamaWeights(TINY_LLAMA, 3, { qkvBias: true });
    await checkAgainstReference(TINY_LLAMA, w, w, { architecture: 'qwen2' });
  });

  it('Mistral / Qwen2 sliding-window attention (window 3 in every layer, or in the upper layer only)', async () => {
    for (const [layers, seed] of [[[0, 1], 10], [[1], 11]] as const) {
      const cfg: RefLlamaConfig = { ...TINY_LLAMA, slidingWindow: { size: 3, layers: [...layers] } };
      const w = randomLlamaWeights(cfg, seed);
      const windows = [0, 1].map((l) => (layers.includes(l as never) ? 3 : 0));
      await checkAgainstReference(cfg, w, w, { architecture: 'mistral', attentionWindows: windows });
      // The window changes the outputs past its length: the test can tell.
      const full = llamaReference({ ...cfg, slidingWindow: undefined }, arraysOf(w), PROMPT).logits;
      const windowed = llamaReference(cfg, arraysOf(w), PROMPT).logits;
      expect(Math.max(...flat(windowed).map((v, i) => Math.abs(v - flat(full)[i])))).toBeGreaterThan(1e-3);
    }
  });

  it('refuses attention windows that do not fit the model', async () => {
    const w = randomLlamaWeights(TINY_LLAMA, 12);
    await expect(load(llamaEngineConfig(TINY_LLAMA, { attentionWindows: [3] }), w)).rejects.toThrow(/1 attention windows for 2 layers/);
    await expect(load(llamaEngineConfig(TINY_LLAMA, { attentionWindows: [3, -1] }), w)).rejects.toThrow(/non-negative integer/);
  });

  it('llama3 rope scaling (all three frequency bands)', async () => {
    const cfg: RefLlamaConfig = { ...TINY_LLAMA, ropeTheta: 500000, ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8 } };
    const w = randomLlamaWeights(cfg, 4);
    await checkAgainstReference(cfg, w, w);
  });

  it('linear rope scaling and another theta', async () => {
    const cfg: RefLlamaConfig = { ...TINY_LLAMA, ropeTheta: 1000, ropeScaling: { type: 'linear', factor: 4 } };
    const w = randomLlamaWeights(cfg, 5);
    await checkAgainstReference(cfg, w, w);
  });

  it('GGUF layout: q/k rows permuted as llama.cpp converts them, interleaved rotary pairs', async () => {
    const w = randomLlamaWeights(TINY_LLAMA, 6, { qkvBias: true });
    await checkAgainstReference(TINY_LLAMA, w, ggufLayout(w, TINY_LLAMA), { ropeLayout: 'interleaved' });
  });

  it('the permuted weights with the HF layout do not match (the layout matters)', async () => {
    const w = randomLlamaWeights(TINY_LLAMA, 6);
    const expected = llamaReference(TINY_LLAMA, arraysOf(w), PROMPT);
    const model = await load(llamaEngineConfig(TINY_LLAMA), ggufLayout(w, TINY_LLAMA));
    const r = await model.createSession(16).eval(PROMPT, { logits: 'all' });
    const worst = Math.max(...Array.from(r.logits, (v, i) => Math.abs(v - flat(expected.logits)[i])));
    expect(worst).toBeGreaterThan(1e-2);
  });

  for (const dtype of ['F16', 'BF16'] as const) {
    it(`${dtype} weights (widened on the fly)`, async () => {
      const w = randomLlamaWeights(TINY_LLAMA, 7);
      const { stored, rounded } = storeAs(w, dtype);
      await checkAgainstReference(TINY_LLAMA, rounded, stored);
    });
  }

  it('the portable path (SIMD off) agrees with the reference too', async () => {
    native().setSimd(false);
    const w = randomLlamaWeights(TINY_LLAMA, 8, { qkvBias: true });
    await checkAgainstReference(TINY_LLAMA, w, w);
  });

  it('a prompt in one batch, then decoding, gives the batch logits', async () => {
    const w = randomLlamaWeights(TINY_LLAMA, 9);
    const model = await load(llamaEngineConfig(TINY_LLAMA), w);
    const all = (await model.createSession(32).eval(PROMPT, { logits: 'all' })).logits;
    const s = model.createSession(32);
    const first = await s.eval(PROMPT.slice(0, 5), { logits: [1, 4] });
    expect(Array.from(first.rows)).toEqual([1, 4]);
    expect(Array.from(first.logits)).toEqual(Array.from(all.subarray(50, 100)).concat(Array.from(all.subarray(200, 250))));
    for (let t = 5; t < PROMPT.length; t++) {
      const r = await s.eval([PROMPT[t]]);
      expect(Array.from(r.logits)).toEqual(Array.from(all.subarray(t * 50, (t + 1) * 50)));
    }
    // Rewind and branch: the cache is reused up to the cut.
    s.truncate(3);
    const again = await s.eval(PROMPT.slice(3), { logits: 'all' });
    expect(Array.from(again.logits)).toEqual(Array.from(all.subarray(150)));
  });
});

describe('Llama 3.1 scaling as GGUF stores it', () => {
  it('rope_freqs.weight divisors give the same logits as llama3 rope scaling in the config', async () => {
    const scaling = { type: 'llama3' as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8 };
    const cfg = { ...TINY_LLAMA, ropeTheta: 500000, ropeScaling: scaling };
    const w = randomLlamaWeights(cfg, 41);
    const expected = llamaReference(cfg, arraysOf(w), PROMPT);
    // llama.cpp's converter: per rotary pair, the divisor of its frequency.
    const factors = new Float32Array(cfg.headDim / 2).map((_, i) => {
      const wavelen = (2 * Math.PI) * cfg.ropeTheta ** ((2 * i) / cfg.headDim);
      const lo = scaling.originalMaxPositions / scaling.lowFreqFactor, hi = scaling.originalMaxPositions / scaling.highFreqFactor;
      if (wavelen < hi) return 1;
      if (wavelen > lo) return scaling.factor;
      const smooth = (scaling.originalMaxPositions / wavelen - scaling.lowFreqFactor) / (scaling.highFreqFactor - scaling.lowFreqFactor);
      return 1 / ((1 - smooth) / scaling.factor + smooth);
    });
    const tensors = { ...engineTensors(w, 'llama'), 'rope_freqs.weight': { dtype: 'F32', shape: [factors.length], data: factors } };
    const model = await EngineModel.fromTensors(llamaEngineConfig(cfg, { ropeScaling: undefined }), tensors);
    const r = await model.createSession(16).eval(PROMPT, { logits: 'all' });
    expectClose(r.logits, flat(expected.logits), 1e-5, 'logits');
    // Both at once would scale twice: refused.
    await expect(EngineModel.fromTensors(llamaEngineConfig(cfg), tensors)).rejects.toThrow(/both rope scaling .* and a rope_freqs\.weight/);
  });
});

describe('long prompts', () => {
  it('a prompt longer than a micro-batch (256) gives the same logits and hidden states as token by token', async () => {
    const w = randomLlamaWeights(TINY_LLAMA, 51);
    const model = await load(llamaEngineConfig(TINY_LLAMA, { maxPositions: 400 }), w);
    const tokens = Array.from({ length: 300 }, (_, i) => (i * 13 + 5) % TINY_LLAMA.vocab);
    const rows = [0, 255, 256, 299];
    const batch = await model.createSession(300).eval(tokens, { logits: rows, hidden: true });
    const s = model.createSession(300);
    const V = TINY_LLAMA.vocab, H = TINY_LLAMA.hidden;
    for (let t = 0; t < tokens.length; t++) {
      const r = await s.eval([tokens[t]], { logits: rows.includes(t) ? 'last' : 'none', hidden: true });
      const i = rows.indexOf(t);
      if (i >= 0) expect(Array.from(r.logits)).toEqual(Array.from(batch.logits.subarray(i * V, (i + 1) * V)));
      if (t === 255 || t === 256) {
        for (let l = 0; l < TINY_LLAMA.layers; l++) {
          expect(Array.from(r.hidden!.subarray(l * H, (l + 1) * H))).toEqual(Array.from(batch.hidden!.subarray((l * 300 + t) * H, (l * 300 + t + 1) * H)));
        }
      }
    }
  });
});
