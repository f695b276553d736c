// Bad input reaches the caller as a StudioError naming the tensor or value,
// never a crash: missing or misshapen tensors, tokens outside the vocabulary,
// a full context, unknown architectures, unknown linear methods.
import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../electron/common/errors.js';
import { engineConfig } from '../../../electron/studio/engine/config.js';
import { EngineModel } from '../../../electron/studio/engine/model.js';
import type { ModelConfig } from '../../../electron/studio/models/types.js';
import { modelConfigFromHf } from '../../../electron/studio/models/hf-config.js';
import { engineTensors, randomLlamaWeights } from '../../helpers/reference-weights.js';
import { TINY_LLAMA, llamaEngineConfig } from './forward-helpers.js';

const weights = () => engineTensors(randomLlamaWeights(TINY_LLAMA, 11), 'llama');

async function rejects(p: Promise<unknown>, code: string, text: RegExp) {
  const e = await p.then(() => undefined, (err) => err);
  expect(e).toBeInstanceOf(StudioError);
  expect((e as StudioError).code).toBe(code);
  expect((e as Error).message).toMatch(text);
}

describe('engine: bad input', () => {
  it('a missing tensor is named', async () => {
    const t = weights();
    delete t['blk.1.ffn_up.weight'];
    await rejects(EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA), t), 'INVALID_ARGUMENT', /blk\.1\.ffn_up\.weight/);
  });

  it('a misshapen weight is named with both shapes', async () => {
    const t = weights();
    t['blk.0.attn_k.weight'] = { ...t['blk.0.attn_k.weight'], shape: [8, 64], data: new Float32Array(8 * 64) };
    await rejects(EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA), t), 'INVALID_ARGUMENT', /blk\.0\.attn_k\.weight.*\[8, 64\].*32 inputs and 16 outputs/);
  });

  it('bytes that do not match the shape are refused', async () => {
    const t = weights();
    t['output_norm.weight'] = { dtype: 'F32', shape: [32], data: new Float32Array(31) };
    await rejects(EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA), t), 'INVALID_ARGUMENT', /output_norm.*bytes/);
  });

  it('an unknown linear method lists the known ones', async () => {
    await rejects(EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA), weights(), { method: 'int3' }), 'INVALID_ARGUMENT', /unknown method 'int3' \(known: (?=.*dense)(?=.*llm_int8)/);
  });

  it('tokens outside the vocabulary and overfull contexts', async () => {
    const m = await EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA), weights());
    const s = m.createSession(4);
    await rejects(s.eval([1, 50]), 'INVALID_ARGUMENT', /token id 50 .*vocabulary of 50/);
    await rejects(s.eval([1, -1]), 'INVALID_ARGUMENT', /token id -1/);
    await rejects(s.eval([1, 2, 3, 4, 5]), 'INVALID_ARGUMENT', /do not fit the session's context of 4/);
    expect(s.position).toBe(0);
    await s.eval([1, 2, 3]);
    await rejects(s.eval([1, 2]), 'INVALID_ARGUMENT', /at position 3/);
    expect(() => s.truncate(5)).toThrow(StudioError);
  });

  it('a cancelled eval rejects with CANCELLED and leaves the position', async () => {
    const m = await EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA), weights());
    const s = m.createSession(16);
    const ac = new AbortController();
    ac.abort();
    await rejects(s.eval([1, 2, 3], { signal: ac.signal }), 'CANCELLED', /cancel/);
    expect(s.position).toBe(0);
  });

  it('architectures without a forward pass are refused by name', () => {
    const cfg = { architecture: 'falcon', sourceArchitecture: 'FalconForCausalLM' } as unknown as ModelConfig;
    expect(() => engineConfig(cfg, 'hf', { file: 'x/config.json' })).toThrow(/does not run architecture 'falcon' \(FalconForCausalLM\)/);
  });

  it('a sliding window becomes per-layer attention windows, and none when it covers the whole context', () => {
    const mistral = modelConfigFromHf({
      model_type: 'mistral', hidden_size: 64, intermediate_size: 128, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2,
      vocab_size: 100, max_position_embeddings: 512, sliding_window: 128,
    });
    expect(engineConfig(mistral, 'hf').attentionWindows).toEqual([128, 128, 128]);
    const qwen = modelConfigFromHf({
      model_type: 'qwen2', hidden_size: 64, intermediate_size: 128, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2,
      vocab_size: 100, max_position_embeddings: 512, sliding_window: 128, use_sliding_window: true, max_window_layers: 1,
    });
    expect(engineConfig(qwen, 'hf').attentionWindows).toEqual([0, 128, 128]);
    expect(engineConfig({ ...mistral, slidingWindow: { size: 512, layers: [0, 1, 2] } }, 'hf').attentionWindows).toBeUndefined();
  });

  it('inconsistent configs are refused before any tensor is read', async () => {
    await rejects(EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA, { kvHeads: 3 }), weights()), 'INVALID_ARGUMENT', /not a multiple of 3/);
  });
});

describe('engine: sessions under concurrent use and cancel', () => {
  it('one eval at a time per session; sessions of one model run side by side; disposal rules', async () => {
    const m = await EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA), weights());
    const s = m.createSession(16), other = m.createSession(16);
    const first = s.eval([1, 2, 3]);
    await rejects(s.eval([4]), 'INVALID_ARGUMENT', /already evaluating/);
    expect(() => s.dispose()).toThrow(/evaluating/);
    const [a, b] = await Promise.all([first, other.eval([1, 2, 3])]);
    expect(Array.from(a.logits)).toEqual(Array.from(b.logits));
    // The model's weights stay while a session holds them.
    m.dispose();
    expect((await s.eval([4])).logits.length).toBe(50);
    s.dispose();
    await rejects(s.eval([5]), 'INVALID_ARGUMENT', /disposed/);
    expect(() => m.createSession(4)).toThrow(/disposed/);
  });

  it('cancelling a generation stops it with CANCELLED', async () => {
    const { generate } = await import('../../../electron/studio/evaluate/generate.js');
    const m = await EngineModel.fromTensors(llamaEngineConfig(TINY_LLAMA), weights());
    const tok = { vocabSize: 50, bosId: 1, eosIds: [], addBos: true, addEos: false, encode: () => [1, 2], decode: (ids: readonly number[]) => ids.join(' '), piece: () => '', isSpecial: () => false };
    const ac = new AbortController();
    let seen = 0;
    const p = generate(m, tok, 'x', { maxTokens: 30, signal: ac.signal, onToken: () => { if (++seen === 3) ac.abort(); } });
    await rejects(p, 'CANCELLED', /cancel/);
    expect(seen).toBe(3);
  });
});
