// config.json of each supported family → ModelConfig, with the families' own
// spellings and defaults; unknown architectures and bad fields refused.
import { describe, expect, it } from 'vitest';
import { modelConfigFromHf, quantizationFromHf } from '../../../electron/studio/models/hf-config.js';
import { expectStudioError } from './expect-error.js';

// Abridged from the published config.json files of these models.
const SMOLLM_135M = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 30,
  num_attention_heads: 9, num_key_value_heads: 3, vocab_size: 49152, max_position_embeddings: 2048, rms_norm_eps: 1e-5,
  rope_theta: 10000.0, rope_scaling: null, tie_word_embeddings: true, hidden_act: 'silu', bos_token_id: 0, eos_token_id: 0,
  attention_bias: false, mlp_bias: false, torch_dtype: 'bfloat16',
};
const TINYLLAMA = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 22,
  num_attention_heads: 32, num_key_value_heads: 4, vocab_size: 32000, max_position_embeddings: 2048, rms_norm_eps: 1e-5,
  tie_word_embeddings: false, hidden_act: 'silu', bos_token_id: 1, eos_token_id: 2,
};
const LLAMA_32_1B = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16,
  num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, vocab_size: 128256, max_position_embeddings: 131072,
  rms_norm_eps: 1e-5, rope_theta: 500000.0, tie_word_embeddings: true, hidden_act: 'silu', bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
};
const MISTRAL_7B = {
  architectures: ['MistralForCausalLM'], model_type: 'mistral', hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32,
  num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 32000, max_position_embeddings: 32768, rms_norm_eps: 1e-5,
  rope_theta: 10000.0, sliding_window: 4096, tie_word_embeddings: false, hidden_act: 'silu', bos_token_id: 1, eos_token_id: 2,
};
const QWEN2_05B = {
  architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24,
  num_attention_heads: 14, num_key_value_heads: 2, vocab_size: 151936, max_position_embeddings: 32768, rms_norm_eps: 1e-6,
  rope_theta: 1000000.0, tie_word_embeddings: true, hidden_act: 'silu', bos_token_id: 151643, eos_token_id: 151645,
  use_sliding_window: false,
};
const GPT2 = {
  architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, n_ctx: 1024,
  vocab_size: 50257, layer_norm_epsilon: 1e-5, activation_function: 'gelu_new', bos_token_id: 50256, eos_token_id: 50256,
};

describe('config.json → ModelConfig', () => {
  it('SmolLM (llama, tied, GQA 9/3)', () => {
    expect(modelConfigFromHf(SMOLLM_135M)).toMatchObject({
      architecture: 'llama', sourceArchitecture: 'LlamaForCausalLM', hiddenSize: 576, intermediateSize: 1536, numLayers: 30,
      numHeads: 9, numKvHeads: 3, headDim: 64, vocabSize: 49152, maxPositions: 2048, normEps: 1e-5, ropeTheta: 10000,
      tieWordEmbeddings: true, bosTokenId: 0, eosTokenIds: [0], ropeLayout: 'hf', ropeScaling: undefined,
    });
  });

  it('TinyLlama (rope_theta left to its default)', () => {
    const c = modelConfigFromHf(TINYLLAMA);
    expect(c).toMatchObject({ numKvHeads: 4, headDim: 64, ropeTheta: 10000, tieWordEmbeddings: false, attentionBias: false, mlpBias: false });
  });

  it('Llama 3.2 with llama3 rope scaling and several eos ids', () => {
    const c = modelConfigFromHf(LLAMA_32_1B);
    expect(c.ropeScaling).toEqual({ type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
    expect(c.eosTokenIds).toEqual([128001, 128008, 128009]);
    expect(c.ropeTheta).toBe(500000);
  });

  it('linear rope scaling (old "type" spelling) and transformers 5 rope_parameters', () => {
    expect(modelConfigFromHf({ ...TINYLLAMA, rope_scaling: { type: 'linear', factor: 4 } }).ropeScaling).toEqual({ type: 'linear', factor: 4 });
    const { rope_theta: _, ...noTheta } = QWEN2_05B;
    expect(modelConfigFromHf({ ...noTheta, rope_parameters: { rope_type: 'default', rope_theta: 1e6 } })).toMatchObject({ ropeTheta: 1e6, ropeScaling: undefined });
  });

  it('Mistral', () => {
    expect(modelConfigFromHf(MISTRAL_7B)).toMatchObject({ architecture: 'mistral', sourceArchitecture: 'MistralForCausalLM', numKvHeads: 8, headDim: 128, maxPositions: 32768 });
  });

  it('Qwen2 (q/k/v bias by default)', () => {
    expect(modelConfigFromHf(QWEN2_05B)).toMatchObject({ architecture: 'qwen2', attentionBias: true, numHeads: 14, numKvHeads: 2, headDim: 64, normEps: 1e-6 });
  });

  it('sliding-window attention in the layers transformers gives it', () => {
    // Mistral 7B v0.1: every layer sees 4096 keys.
    expect(modelConfigFromHf(MISTRAL_7B).slidingWindow).toEqual({ size: 4096, layers: Array.from({ length: 32 }, (_, i) => i) });
    expect(modelConfigFromHf({ ...MISTRAL_7B, sliding_window: null }).slidingWindow).toBeUndefined();
    // Qwen2 keeps a sliding_window it does not use unless use_sliding_window.
    expect(modelConfigFromHf({ ...QWEN2_05B, sliding_window: 32768, max_window_layers: 21 }).slidingWindow).toBeUndefined();
    expect(modelConfigFromHf({ ...QWEN2_05B, sliding_window: 4096, use_sliding_window: true, max_window_layers: 21 }).slidingWindow)
      .toEqual({ size: 4096, layers: [21, 22, 23] });
    // layer_types, where given, decide.
    const types = Array.from({ length: 24 }, (_, i) => (i % 2 ? 'full_attention' : 'sliding_attention'));
    expect(modelConfigFromHf({ ...QWEN2_05B, sliding_window: 64, use_sliding_window: true, layer_types: types }).slidingWindow?.layers).toEqual(types.flatMap((t, i) => (t === 'sliding_attention' ? [i] : [])));
    expect(() => modelConfigFromHf({ ...MISTRAL_7B, layer_types: ['full_attention'] }, 'm/config.json')).toThrow(/m\/config.json.*layer_types lists 1 layers, num_hidden_layers is 32/);
    expect(() => modelConfigFromHf({ ...MISTRAL_7B, layer_types: Array(32).fill('chunked_attention') }, 'm/config.json')).toThrow(/layer type 'chunked_attention' is not supported/);
    // Llama has no sliding window even if a config carries the key.
    expect(modelConfigFromHf({ ...TINYLLAMA, sliding_window: 16 }).slidingWindow).toBeUndefined();
  });

  it('GPT-2 spellings', () => {
    expect(modelConfigFromHf(GPT2)).toEqual({
      architecture: 'gpt2', sourceArchitecture: 'GPT2LMHeadModel', hiddenSize: 768, intermediateSize: 3072, numLayers: 12,
      numHeads: 12, numKvHeads: 12, headDim: 64, vocabSize: 50257, maxPositions: 1024, normEps: 1e-5, ropeTheta: 0,
      tieWordEmbeddings: true, attentionBias: true, mlpBias: true, hiddenAct: 'gelu_new', bosTokenId: 50256, eosTokenIds: [50256],
      ropeLayout: 'hf',
    });
  });
});

describe('config.json refused', () => {
  it('an unknown architecture is UNSUPPORTED and named', async () => {
    await expectStudioError(() => modelConfigFromHf({ model_type: 'mamba', architectures: ['MambaForCausalLM'] }, '/m/config.json'), {
      code: 'UNSUPPORTED', file: '/m/config.json', problem: /architecture 'mamba' \(MambaForCausalLM\) is not supported/,
    });
  });

  it.each([
    ['no model_type', { hidden_size: 8 }, /has no model_type/],
    ['a missing field', { ...TINYLLAMA, hidden_size: undefined }, /hidden_size: Invalid input/],
    ['a string where a number belongs', { ...TINYLLAMA, num_hidden_layers: '22' }, /num_hidden_layers/],
    ['a negative size', { ...TINYLLAMA, intermediate_size: -5 }, /intermediate_size/],
    ['heads that do not divide', { ...TINYLLAMA, num_key_value_heads: 5 }, /32 attention heads are not a multiple of 5/],
    ['hidden size not a multiple of heads', { ...TINYLLAMA, hidden_size: 2050 }, /hidden_size 2050 is not a multiple of num_attention_heads 32/],
    ['llama3 scaling without its factors', { ...TINYLLAMA, rope_scaling: { rope_type: 'llama3', factor: 8 } }, /rope_scaling of type llama3 has no low_freq_factor/],
  ])('%s', async (_what, json, problem) => {
    await expectStudioError(() => modelConfigFromHf(json, '/m/config.json'), { file: '/m/config.json', problem });
  });

  it('an unsupported activation or rope scaling is UNSUPPORTED', async () => {
    await expectStudioError(() => modelConfigFromHf({ ...GPT2, activation_function: 'relu' }, 'c.json'), { code: 'UNSUPPORTED', problem: /activation 'relu'/ });
    await expectStudioError(() => modelConfigFromHf({ ...TINYLLAMA, rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'c.json'), { code: 'UNSUPPORTED', problem: /rope scaling 'yarn'/ });
  });
});

describe('stored quantization', () => {
  it('compressed-tensors, bitsandbytes, another method, none', () => {
    const ct = { quant_method: 'compressed-tensors', format: 'pack-quantized', config_groups: {} };
    expect(quantizationFromHf({ ...TINYLLAMA, quantization_config: ct })).toEqual({ format: 'compressed-tensors', details: ct });
    const bnb = { quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4' };
    expect(quantizationFromHf({ ...TINYLLAMA, quantization_config: bnb })).toEqual({ format: 'bitsandbytes', details: bnb });
    const gptq = { quant_method: 'gptq', bits: 4, group_size: 128 };
    expect(quantizationFromHf({ ...TINYLLAMA, quantization_config: gptq })).toEqual({ format: 'other', details: gptq });
    expect(quantizationFromHf(TINYLLAMA)).toEqual({ format: 'none' });
  });
});
