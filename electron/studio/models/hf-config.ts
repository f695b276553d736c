// config.json → ModelConfig for the architectures the studio runs. Each family
// spells its hyperparameters its own way (GPT-2: n_embd, n_layer…); zod checks
// the types, then one normalised ModelConfig comes out.
import { z } from 'zod';
import { StudioError, badFile } from '../../common/errors.js';
import type { Architecture, ModelConfig, StoredQuantization } from './types.js';

const posInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();
const tokenIds = z.union([tokenId, z.array(tokenId)]).nullish();

const ropeScaling = z
  .looseObject({
    type: z.string().optional(),
    rope_type: z.string().optional(),
    factor: z.number().positive().optional(),
    low_freq_factor: z.number().positive().optional(),
    high_freq_factor: z.number().positive().optional(),
    original_max_position_embeddings: posInt.optional(),
    rope_theta: z.number().positive().optional(),
  })
  .nullish();

const llamaLike = z.looseObject({
  architectures: z.array(z.string()).nullish(),
  hidden_size: posInt,
  intermediate_size: posInt,
  num_hidden_layers: posInt,
  num_attention_heads: posInt,
  num_key_value_heads: posInt.nullish(),
  head_dim: posInt.nullish(),
  vocab_size: posInt,
  max_position_embeddings: posInt.nullish(),
  rms_norm_eps: z.number().positive().nullish(),
  rope_theta: z.number().positive().nullish(),
  rope_scaling: ropeScaling,
  rope_parameters: ropeScaling,
  tie_word_embeddings: z.boolean().nullish(),
  sliding_window: posInt.nullish(),
  use_sliding_window: z.boolean().nullish(),
  max_window_layers: z.number().int().nonnegative().nullish(),
  layer_types: z.array(z.string()).nullish(),
  attention_bias: z.boolean().nullish(),
  mlp_bias: z.boolean().nullish(),
  hidden_act: z.string().nullish(),
  bos_token_id: tokenId.nullish(),
  eos_token_id: tokenIds,
});

const gpt2 = z.looseObject({
  architectures: z.array(z.string()).nullish(),
  n_embd: posInt,
  n_layer: posInt,
  n_head: posInt,
  n_inner: posInt.nullish(),
  n_positions: posInt,
  vocab_size: posInt,
  layer_norm_epsilon: z.number().positive().nullish(),
  activation_function: z.string().nullish(),
  tie_word_embeddings: z.boolean().nullish(),
  bos_token_id: tokenId.nullish(),
  eos_token_id: tokenIds,
});

/** transformers' defaults per family, used where config.json leaves a field out. */
const DEFAULTS: Record<Exclude<Architecture, 'gpt2'>, { maxPositions: number; normEps: number; tie: boolean; attentionBias: boolean }> = {
  llama: { maxPositions: 2048, normEps: 1e-6, tie: false, attentionBias: false },
  mistral: { maxPositions: 4096 * 32, normEps: 1e-6, tie: false, attentionBias: false },
  qwen2: { maxPositions: 32768, normEps: 1e-6, tie: false, attentionBias: true },
};

const ACTIVATIONS = ['silu', 'gelu', 'gelu_new', 'gelu_pytorch_tanh'] as const;

function parse<S extends z.ZodType>(schema: S, json: unknown, file: string): z.infer<S> {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw badFile(file, `${issue.path.join('.') || 'config'}: ${issue.message}`);
}

function activation(name: string | null | undefined, fallback: ModelConfig['hiddenAct'], file: string): ModelConfig['hiddenAct'] {
  const act = name ?? fallback;
  if (!(ACTIVATIONS as readonly string[]).includes(act)) throw new StudioError('UNSUPPORTED', `${file}: activation '${act}' is not supported (${ACTIVATIONS.join(', ')})`, { file });
  return act as ModelConfig['hiddenAct'];
}

const eosList = (v: number | number[] | null | undefined, fallback: number[]): number[] =>
  v === undefined ? fallback : v === null ? [] : Array.isArray(v) ? v : [v];

function ropeScalingOf(raw: z.infer<typeof ropeScaling>, file: string): ModelConfig['ropeScaling'] {
  if (!raw) return undefined;
  const kind = raw.rope_type ?? raw.type ?? 'default';
  if (kind === 'default') return undefined;
  const need = (v: number | undefined, key: string) => {
    if (v === undefined) throw badFile(file, `rope_scaling of type ${kind} has no ${key}`);
    return v;
  };
  if (kind === 'linear') return { type: 'linear', factor: need(raw.factor, 'factor') };
  if (kind === 'llama3') {
    return {
      type: 'llama3',
      factor: need(raw.factor, 'factor'),
      lowFreqFactor: need(raw.low_freq_factor, 'low_freq_factor'),
      highFreqFactor: need(raw.high_freq_factor, 'high_freq_factor'),
      originalMaxPositions: need(raw.original_max_position_embeddings, 'original_max_position_embeddings'),
    };
  }
  throw new StudioError('UNSUPPORTED', `${file}: rope scaling '${kind}' is not supported (linear, llama3)`, { file });
}

/**
 * Which layers attend through a sliding window, as transformers decides it:
 * `layer_types` when the config lists them; otherwise Mistral windows every
 * layer, Qwen2 the layers from max_window_layers on. Qwen2 only with
 * use_sliding_window.
 */
function slidingWindowOf(arch: Exclude<Architecture, 'gpt2'>, c: z.infer<typeof llamaLike>, file: string): ModelConfig['slidingWindow'] {
  const size = c.sliding_window;
  // Qwen2 keeps sliding_window in every config but uses it only when asked to.
  if (!size || arch === 'llama' || (arch === 'qwen2' && !c.use_sliding_window)) return undefined;
  const n = c.num_hidden_layers;
  let layers: number[];
  if (c.layer_types) {
    if (c.layer_types.length !== n) throw badFile(file, `layer_types lists ${c.layer_types.length} layers, num_hidden_layers is ${n}`);
    const unknown = c.layer_types.find((t) => t !== 'sliding_attention' && t !== 'full_attention');
    if (unknown) throw new StudioError('UNSUPPORTED', `${file}: layer type '${unknown}' is not supported (sliding_attention, full_attention)`, { file });
    layers = c.layer_types.flatMap((t, i) => (t === 'sliding_attention' ? [i] : []));
  } else if (arch === 'qwen2') {
    const from = c.max_window_layers ?? 28;
    layers = Array.from({ length: Math.max(0, n - from) }, (_, i) => from + i);
  } else {
    layers = Array.from({ length: n }, (_, i) => i);
  }
  return layers.length ? { size, layers } : undefined;
}

function checkHeads(c: ModelConfig, file: string): ModelConfig {
  if (c.numHeads % c.numKvHeads !== 0) throw badFile(file, `${c.numHeads} attention heads are not a multiple of ${c.numKvHeads} key/value heads`);
  return c;
}

function fromLlamaLike(arch: Exclude<Architecture, 'gpt2'>, json: unknown, file: string): ModelConfig {
  const c = parse(llamaLike, json, file);
  const d = DEFAULTS[arch];
  const slidingWindow = slidingWindowOf(arch, c, file);
  if (!c.head_dim && c.hidden_size % c.num_attention_heads !== 0) {
    throw badFile(file, `hidden_size ${c.hidden_size} is not a multiple of num_attention_heads ${c.num_attention_heads}`);
  }
  return checkHeads({
    architecture: arch,
    sourceArchitecture: c.architectures?.[0] ?? arch,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads: c.num_key_value_heads ?? c.num_attention_heads,
    headDim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
    vocabSize: c.vocab_size,
    maxPositions: c.max_position_embeddings ?? d.maxPositions,
    normEps: c.rms_norm_eps ?? d.normEps,
    ropeTheta: c.rope_theta ?? c.rope_parameters?.rope_theta ?? 10000,
    ropeScaling: ropeScalingOf(c.rope_scaling ?? c.rope_parameters, file),
    tieWordEmbeddings: c.tie_word_embeddings ?? d.tie,
    attentionBias: c.attention_bias ?? d.attentionBias,
    mlpBias: c.mlp_bias ?? false,
    hiddenAct: activation(c.hidden_act, 'silu', file),
    bosTokenId: c.bos_token_id ?? undefined,
    eosTokenIds: eosList(c.eos_token_id, []),
    ropeLayout: 'hf',
    ...(slidingWindow ? { slidingWindow } : {}),
  }, file);
}

function fromGpt2(json: unknown, file: string): ModelConfig {
  const c = parse(gpt2, json, file);
  if (c.n_embd % c.n_head !== 0) throw badFile(file, `n_embd ${c.n_embd} is not a multiple of n_head ${c.n_head}`);
  return checkHeads({
    architecture: 'gpt2',
    sourceArchitecture: c.architectures?.[0] ?? 'gpt2',
    hiddenSize: c.n_embd,
    intermediateSize: c.n_inner ?? 4 * c.n_embd,
    numLayers: c.n_layer,
    numHeads: c.n_head,
    numKvHeads: c.n_head,
    headDim: c.n_embd / c.n_head,
    vocabSize: c.vocab_size,
    maxPositions: c.n_positions,
    normEps: c.layer_norm_epsilon ?? 1e-5,
    ropeTheta: 0, // learned absolute positions: no rotary embedding
    tieWordEmbeddings: c.tie_word_embeddings ?? true,
    attentionBias: true,
    mlpBias: true,
    hiddenAct: activation(c.activation_function, 'gelu_new', file),
    bosTokenId: c.bos_token_id ?? 50256,
    eosTokenIds: eosList(c.eos_token_id, [50256]),
    ropeLayout: 'hf',
  }, file);
}

/** ModelConfig of a parsed config.json; UNSUPPORTED for architectures the studio does not run. */
export function modelConfigFromHf(json: unknown, file = 'config.json'): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw badFile(file, 'is not a JSON object');
  const { model_type: type, architectures } = json as { model_type?: unknown; architectures?: unknown };
  if (typeof type !== 'string') throw badFile(file, 'has no model_type');
  switch (type) {
    case 'llama':
    case 'mistral':
    case 'qwen2':
      return fromLlamaLike(type, json, file);
    case 'gpt2':
      return fromGpt2(json, file);
    default: {
      const name = Array.isArray(architectures) && typeof architectures[0] === 'string' ? ` (${architectures[0]})` : '';
      throw new StudioError('UNSUPPORTED', `${file}: architecture '${type}'${name} is not supported (llama, mistral, qwen2, gpt2)`, { file });
    }
  }
}

/** The quantization a config.json declares (compressed-tensors, bitsandbytes, or another method). */
export function quantizationFromHf(json: unknown): StoredQuantization {
  const cfg = json as { quantization_config?: unknown; compression_config?: unknown };
  const q = cfg.quantization_config ?? cfg.compression_config;
  if (typeof q !== 'object' || q === null) return { format: 'none' };
  const method = (q as { quant_method?: unknown }).quant_method;
  if (method === 'compressed-tensors' || (cfg.compression_config && !cfg.quantization_config)) return { format: 'compressed-tensors', details: q };
  if (method === 'bitsandbytes' || 'load_in_4bit' in q || 'load_in_8bit' in q) return { format: 'bitsandbytes', details: q };
  return { format: 'other', details: q };
}
