// GGUF metadata (`<arch>.*` keys, llama.cpp's names) → ModelConfig, and the
// stored quantization (general.file_type and the tensor types).
import { StudioError, badFile } from '../../common/errors.js';
import type { GgufFile } from './gguf-reader.js';
import type { Architecture, ModelConfig, StoredQuantization } from './types.js';

/** general.architecture → ours. llama.cpp writes Mistral models as "llama". */
const ARCHITECTURES: Record<string, Architecture> = { llama: 'llama', mistral: 'mistral', qwen2: 'qwen2', gpt2: 'gpt2' };

/** llama_ftype names (llama.h) for display. */
const FILE_TYPES: Record<number, string> = {
  0: 'ALL_F32', 1: 'MOSTLY_F16', 2: 'MOSTLY_Q4_0', 3: 'MOSTLY_Q4_1', 7: 'MOSTLY_Q8_0', 8: 'MOSTLY_Q5_0', 9: 'MOSTLY_Q5_1',
  10: 'MOSTLY_Q2_K', 11: 'MOSTLY_Q3_K_S', 12: 'MOSTLY_Q3_K_M', 13: 'MOSTLY_Q3_K_L', 14: 'MOSTLY_Q4_K_S', 15: 'MOSTLY_Q4_K_M',
  16: 'MOSTLY_Q5_K_S', 17: 'MOSTLY_Q5_K_M', 18: 'MOSTLY_Q6_K', 32: 'MOSTLY_BF16',
};

export function modelConfigFromGguf(g: GgufFile): ModelConfig {
  const m = g.metadata;
  const file = g.path;
  const archName = m['general.architecture'];
  if (typeof archName !== 'string') throw badFile(file, 'has no general.architecture');
  const architecture = ARCHITECTURES[archName];
  if (!architecture) throw new StudioError('UNSUPPORTED', `${file}: architecture '${archName}' is not supported (llama, mistral, qwen2, gpt2)`, { file });

  const num = (key: string, fallback?: number): number => {
    const v = m[`${archName}.${key}`];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badFile(file, `${archName}.${key} is ${v === undefined ? 'missing' : 'not a number'}`);
    return v;
  };
  const posInt = (key: string, fallback?: number): number => {
    const v = num(key, fallback);
    if (!Number.isInteger(v) || v <= 0) throw badFile(file, `${archName}.${key} is ${v}, not a positive integer`);
    return v;
  };

  const hiddenSize = posInt('embedding_length');
  const numHeads = posInt('attention.head_count');
  const numKvHeads = posInt('attention.head_count_kv', numHeads);
  if (numHeads % numKvHeads !== 0) throw badFile(file, `${numHeads} attention heads are not a multiple of ${numKvHeads} key/value heads`);
  const headDim = posInt('attention.key_length', hiddenSize / numHeads);
  const has = (name: string) => g.tensors.some((t) => t.name === name);
  const embd = g.tensors.find((t) => t.name === 'token_embd.weight');
  const tokens = m['tokenizer.ggml.tokens'];
  const vocabSize = posInt('vocab_size', embd?.shape[0] ?? (Array.isArray(tokens) ? tokens.length : undefined));
  const eos = m['tokenizer.ggml.eos_token_id'];
  const bos = m['tokenizer.ggml.bos_token_id'];
  const gpt2 = architecture === 'gpt2';
  const scalingType = m[`${archName}.rope.scaling.type`];
  return {
    architecture,
    sourceArchitecture: archName,
    hiddenSize,
    intermediateSize: posInt('feed_forward_length'),
    numLayers: posInt('block_count'),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize,
    maxPositions: posInt('context_length'),
    normEps: num(gpt2 ? 'attention.layer_norm_epsilon' : 'attention.layer_norm_rms_epsilon'),
    ropeTheta: gpt2 ? 0 : num('rope.freq_base', 10000),
    ropeScaling: scalingType === 'linear' ? { type: 'linear', factor: num('rope.scaling.factor') } : undefined,
    tieWordEmbeddings: !has('output.weight'),
    attentionBias: has('blk.0.attn_q.bias') || has('blk.0.attn_qkv.bias'),
    mlpBias: has('blk.0.ffn_up.bias'),
    hiddenAct: gpt2 ? 'gelu_new' : 'silu',
    bosTokenId: typeof bos === 'number' ? bos : undefined,
    eosTokenIds: typeof eos === 'number' ? [eos] : [],
    // llama.cpp's converter permutes llama q/k rows to interleaved pairs; qwen2 keeps the HF (NEOX) order.
    ropeLayout: architecture === 'llama' || architecture === 'mistral' ? 'gguf' : 'hf',
  };
}

export function quantizationFromGguf(g: GgufFile): StoredQuantization {
  const counts: Record<string, number> = {};
  for (const t of g.tensors) counts[t.dtype] = (counts[t.dtype] ?? 0) + 1;
  const ft = g.metadata['general.file_type'];
  const quantized = g.tensors.some((t) => !['F32', 'F16', 'BF16', 'F64'].includes(t.dtype));
  if (!quantized) return { format: 'none' };
  return {
    format: 'gguf',
    details: { fileType: typeof ft === 'number' ? (FILE_TYPES[ft] ?? `file type ${ft}`) : undefined, tensorTypes: counts },
  };
}
