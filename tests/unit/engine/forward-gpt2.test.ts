// The engine's GPT-2 forward pass against the float64 reference
// (tests/helpers/reference-gpt2.ts): Hugging Face Conv1D weights [in, out],
// the same model as llama.cpp's GGUF stores it ([out, in]), F16 weights,
// batches and token-by-token decoding, and the learned-position limit.
import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../electron/common/errors.js';
import { EngineModel } from '../../../electron/studio/engine/model.js';
import type { NativeTensor } from '../../../electron/studio/native/addon.js';
import { gpt2Reference } from '../../helpers/reference-gpt2.js';
import { arraysOf, engineTensors, randomGpt2Weights, storeAs, type HfWeights } from '../../helpers/reference-weights.js';
import { PROMPT, TINY_GPT2, expectClose, flat, gpt2EngineConfig } from './forward-helpers.js';

const CONV1D = /(c_attn|c_proj|c_fc)\.weight$/;

/** llama.cpp's converter transposes GPT-2's Conv1D weights to [out, in]. */
function transposed(w: HfWeights): HfWeights {
  const out: HfWeights = {};
  for (const [name, t] of Object.entries(w)) {
    if (!CONV1D.test(name)) { out[name] = t; continue; }
    const [rows, cols] = t.shape, d = new Float32Array(t.data.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[c * rows + r] = t.data[r * cols + c];
    out[name] = { shape: [cols, rows], data: d };
  }
  return out;
}

async function check(w: HfWeights, tensors: Record<string, NativeTensor>, weightsInOut: boolean) {
  const expected = gpt2Reference(TINY_GPT2, arraysOf(w), PROMPT);
  const model = await EngineModel.fromTensors(gpt2EngineConfig(TINY_GPT2, { weightsInOut }), tensors);
  const batch = await model.createSession(16).eval(PROMPT, { logits: 'all', hidden: true });
  expectClose(batch.logits, flat(expected.logits), 1e-5, 'logits');
  expectClose(batch.hidden!, flat(expected.hidden.flat()), 1e-5, 'hidden states');
  const s = model.createSession(16);
  for (let t = 0; t < PROMPT.length; t++) {
    const r = await s.eval([PROMPT[t]]);
    expect(Array.from(r.logits)).toEqual(Array.from(batch.logits.subarray(t * TINY_GPT2.vocab, (t + 1) * TINY_GPT2.vocab)));
  }
}

describe('GPT-2 forward pass vs the float64 reference', () => {
  it('Hugging Face layout (Conv1D [in, out], transformer. prefix)', async () => {
    const w = randomGpt2Weights(TINY_GPT2, 21);
    const prefixed = Object.fromEntries(Object.entries(w).map(([k, v]) => [`transformer.${k}`, v]));
    await check(w, engineTensors(prefixed, 'gpt2'), true);
  });

  it('GGUF layout ([out, in])', async () => {
    const w = randomGpt2Weights(TINY_GPT2, 22);
    await check(w, engineTensors(transposed(w), 'gpt2'), false);
  });

  it('F16 Conv1D weights', async () => {
    const w = randomGpt2Weights(TINY_GPT2, 23);
    const { stored, rounded } = storeAs(w, 'F16');
    await check(rounded, engineTensors(stored, 'gpt2'), true);
  });

  it('a session cannot outgrow the learned positions', async () => {
    const w = randomGpt2Weights(TINY_GPT2, 24);
    const model = await EngineModel.fromTensors(gpt2EngineConfig(TINY_GPT2, { weightsInOut: true }), engineTensors(w, 'gpt2'));
    expect(() => model.createSession(17)).toThrow(StudioError);
    expect(() => model.createSession(17)).toThrow(/exceeds the model's 16 learned positions/);
  });
});
