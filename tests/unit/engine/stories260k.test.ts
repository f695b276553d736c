// The real model: greedy decoding of the bundled stories260K (Hugging Face
// folder) and of llama.cpp's F32 GGUF of it gives the sentence its authors
// published (../shared/README.md), and both files give the same logits.
import { describe, expect, it } from 'vitest';
import { EngineModel } from '../../../electron/studio/engine/model.js';
import { generate } from '../../../electron/studio/evaluate/generate.js';
import { openModel } from '../../../electron/studio/models/open-model.js';
import { openGgufModel } from '../../../electron/studio/models/gguf-model.js';
import { openTensorData } from '../../../electron/studio/models/tensor-data.js';
import { loadTokenizer } from '../../../electron/studio/tokenizer/load.js';
import type { OpenedModel } from '../../../electron/studio/models/types.js';

const EXPECTED = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball.';
const GGUF_F32 = 'tests/fixtures/formats/stories260K-f32.gguf';

async function loaded(m: OpenedModel, method?: string) {
  const data = openTensorData(m);
  const model = await EngineModel.load(m, data, { method });
  data.close(); // the engine keeps its own mappings
  return { model, tokenizer: loadTokenizer(m) };
}

describe('stories260K', () => {
  it('HF folder: greedy from "Once upon a time" gives the published sentence', async () => {
    const { model, tokenizer } = await loaded(await openModel('resources/sample/stories260K'));
    const streamed: string[] = [];
    const r = await generate(model, tokenizer, 'Once upon a time', { maxTokens: 40, onToken: (t) => streamed.push(t.text) });
    expect(r.promptTokens).toEqual([1, 403, 407, 261, 378]);
    expect(('Once upon a time' + r.text).startsWith(EXPECTED)).toBe(true);
    expect(streamed.join('')).toBe(r.text);
    expect(r.stopReason).toBe('max-tokens');
  });

  it('F32 GGUF (llama.cpp layout, its own tokenizer): the same sentence and the same logits', async () => {
    const hf = await loaded(await openModel('resources/sample/stories260K'));
    const gg = await loaded(await openGgufModel(GGUF_F32));
    expect(gg.model.config.ropeLayout).toBe('interleaved');
    expect(gg.tokenizer.encode('Once upon a time')).toEqual(hf.tokenizer.encode('Once upon a time'));
    const r = await generate(gg.model, gg.tokenizer, 'Once upon a time', { maxTokens: 40 });
    expect(('Once upon a time' + r.text).startsWith(EXPECTED)).toBe(true);
    const tokens = hf.tokenizer.encode(EXPECTED);
    const a = await hf.model.createSession(64).eval(tokens, { logits: 'all' });
    const b = await gg.model.createSession(64).eval(tokens, { logits: 'all' });
    let worst = 0;
    a.logits.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b.logits[i])); });
    expect(worst).toBeLessThan(1e-4);
  });
});
