// The metadata a llama.cpp runner needs (llama.cpp's gguf-py key names):
// architecture hyperparameters from ModelConfig, and the vocabulary from
// tokenizer.json. For a GGUF input, its own metadata is carried over instead.
import { readFileSync } from 'node:fs';
import { StudioError } from '../../common/errors.js';
import { readGgufFile, typedMetadata } from '../models/gguf-reader.js';
import { gguf, type GgufTypedValue } from '../models/gguf-values.js';
import type { ModelConfig, OpenedModel } from '../models/types.js';
import { ggufVocabFromTokenizerJson, type GgufVocab } from './gguf-vocab.js';

type Entries = [string, GgufTypedValue][];

/** general.architecture: llama.cpp runs Mistral (dense) as llama. */
export const ggufArchitecture = (c: ModelConfig): string => (c.architecture === 'mistral' ? 'llama' : c.architecture);

/** llama_ftype of the type most weights are stored in. */
const FILE_TYPE: Record<string, number> = { F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q8_0: 7, Q5_0: 8, Q5_1: 9, BF16: 32 };

export function fileTypeEntries(mainType: string): Entries {
  const ft = FILE_TYPE[mainType];
  const out: Entries = [];
  if (ft !== undefined) out.push(['general.file_type', gguf.u32(ft)]);
  if (/^Q/.test(mainType)) out.push(['general.quantization_version', gguf.u32(2)]);
  return out;
}

export function hyperparameterEntries(c: ModelConfig, name: string): Entries {
  const a = ggufArchitecture(c);
  const e: Entries = [
    ['general.architecture', gguf.string(a)],
    ['general.name', gguf.string(name)],
    [`${a}.context_length`, gguf.u32(c.maxPositions)],
    [`${a}.embedding_length`, gguf.u32(c.hiddenSize)],
    [`${a}.block_count`, gguf.u32(c.numLayers)],
    [`${a}.feed_forward_length`, gguf.u32(c.intermediateSize)],
    [`${a}.attention.head_count`, gguf.u32(c.numHeads)],
  ];
  if (c.architecture === 'gpt2') {
    e.push([`${a}.attention.layer_norm_epsilon`, gguf.f32(c.normEps)]);
    return e;
  }
  e.push(
    [`${a}.attention.head_count_kv`, gguf.u32(c.numKvHeads)],
    [`${a}.rope.dimension_count`, gguf.u32(c.headDim)],
    [`${a}.rope.freq_base`, gguf.f32(c.ropeTheta)],
    [`${a}.attention.layer_norm_rms_epsilon`, gguf.f32(c.normEps)],
    [`${a}.vocab_size`, gguf.u32(c.vocabSize)],
  );
  if (c.headDim * c.numHeads !== c.hiddenSize) {
    e.push([`${a}.attention.key_length`, gguf.u32(c.headDim)], [`${a}.attention.value_length`, gguf.u32(c.headDim)]);
  }
  if (c.ropeScaling?.type === 'linear') {
    e.push([`${a}.rope.scaling.type`, gguf.string('linear')], [`${a}.rope.scaling.factor`, gguf.f32(c.ropeScaling.factor)]);
  }
  return e;
}

/**
 * Llama 3.1 rope scaling as llama.cpp stores it: a rope_freqs.weight tensor of
 * per-dimension divisors (1 for high frequencies, `factor` for low ones, a
 * smooth blend between), computed from config.json's rope_scaling.
 */
export function llama3RopeFactors(c: ModelConfig): Float32Array | undefined {
  const s = c.ropeScaling;
  if (s?.type !== 'llama3') return undefined;
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  const out = new Float32Array(c.headDim / 2);
  for (let i = 0; i < out.length; i++) {
    const freq = 1 / c.ropeTheta ** ((2 * i) / c.headDim);
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = s.factor;
    else {
      const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}

export function vocabEntries(v: GgufVocab, chatTemplate?: string): Entries {
  const e: Entries = [
    ['tokenizer.ggml.model', gguf.string(v.model)],
    ...(v.pre ? ([['tokenizer.ggml.pre', gguf.string(v.pre)]] as Entries) : []),
    ['tokenizer.ggml.tokens', gguf.array('string', v.tokens)],
    ...(v.scores ? ([['tokenizer.ggml.scores', gguf.array('f32', v.scores)]] as Entries) : []),
    ['tokenizer.ggml.token_type', gguf.array('i32', v.tokenTypes)],
    ...(v.merges ? ([['tokenizer.ggml.merges', gguf.array('string', v.merges)]] as Entries) : []),
  ];
  const id = (key: string, value: number | undefined) => { if (value !== undefined) e.push([`tokenizer.ggml.${key}`, gguf.u32(value)]); };
  id('bos_token_id', v.bosId);
  id('eos_token_id', v.eosId);
  id('unknown_token_id', v.unkId);
  id('padding_token_id', v.padId);
  e.push(['tokenizer.ggml.add_bos_token', gguf.bool(v.addBos)], ['tokenizer.ggml.add_eos_token', gguf.bool(v.addEos)]);
  if (chatTemplate) e.push(['tokenizer.chat_template', gguf.string(chatTemplate)]);
  return e;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new StudioError('BAD_FILE', `${path}: ${(e as Error).message}`, { file: path });
  }
}

/** Tokenizer metadata of a Hugging Face folder (tokenizer.json + tokenizer_config.json). */
export function tokenizerEntries(model: OpenedModel): Entries {
  const t = model.tokenizer;
  if (t.kind !== 'tokenizer.json') {
    throw new StudioError('UNSUPPORTED', `${model.path}: a GGUF needs the vocabulary, and this model has no tokenizer.json`, { file: model.path });
  }
  const config = t.configPath ? (readJson(t.configPath) as Record<string, unknown>) : {};
  const template = typeof config.chat_template === 'string' ? config.chat_template : undefined;
  return vocabEntries(ggufVocabFromTokenizerJson(readJson(t.path), config, t.path), template);
}

/** Keys a GGUF → GGUF conversion recomputes instead of copying. */
const RECOMPUTED = new Set(['general.file_type', 'general.quantization_version', 'general.alignment', 'general.quantized_by', 'mcs.recipe']);

/** Everything but the recomputed keys, with their types, from a GGUF input. */
export function carriedGgufEntries(path: string): Entries {
  return Object.entries(typedMetadata(readGgufFile(path))).filter(([k]) => !RECOMPUTED.has(k));
}
