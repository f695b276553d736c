// What every part of the studio knows about an opened model. Readers (HF folder,
// GGUF) produce an OpenedModel; inspectors, quantizers, the engine and writers
// consume it. Headers only: tensor bytes stay in the files, mapped by native code.

/** Plain element types (safetensors spelling) and GGML block types (GGUF spelling). */
export type PlainDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I8' | 'U8' | 'I16' | 'I32' | 'I64';
export type BlockDType =
  | 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1' | 'Q8_0' | 'Q8_1'
  | 'Q2_K' | 'Q3_K' | 'Q4_K' | 'Q5_K' | 'Q6_K' | 'Q8_K'
  | 'IQ4_NL' | 'IQ4_XS';
export type TensorDType = PlainDType | BlockDType;

export interface TensorEntry {
  /** Name as stored in the file (HF names for folders, llama.cpp names for GGUF). */
  name: string;
  dtype: TensorDType;
  /** Row-major, outermost first (PyTorch order): a linear weight is [out, in]. */
  shape: number[];
  /** Absolute path of the file holding the bytes, and where they are. */
  file: string;
  offset: number;
  byteLength: number;
}

export type Architecture = 'llama' | 'mistral' | 'qwen2' | 'gpt2';

/** Hyperparameters normalised across config.json and GGUF metadata. */
export interface ModelConfig {
  architecture: Architecture;
  /** e.g. "LlamaForCausalLM" or the GGUF general.architecture. */
  sourceArchitecture: string;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  maxPositions: number;
  normEps: number;
  ropeTheta: number;
  /** Llama 3 style scaling from config.json rope_scaling, when present. */
  ropeScaling?: { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number } | { type: 'linear'; factor: number };
  /**
   * Sliding-window attention (Mistral; Qwen2 with use_sliding_window): in the
   * listed layers a token attends to itself and the size − 1 tokens before it.
   */
  slidingWindow?: { size: number; layers: number[] };
  tieWordEmbeddings: boolean;
  attentionBias: boolean;
  mlpBias: boolean;
  hiddenAct: 'silu' | 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh';
  bosTokenId?: number;
  eosTokenIds: number[];
  /** Rotary layout of q/k rows: 'hf' (rotate halves) or 'gguf' (interleaved pairs, llama.cpp's converter permutes). */
  ropeLayout: 'hf' | 'gguf';
}

/** Where the tokenizer comes from: a tokenizer.json file, or GGUF metadata. */
export type TokenizerSource =
  | { kind: 'tokenizer.json'; path: string; configPath?: string }
  | { kind: 'gguf'; path: string }
  | { kind: 'none' };

/** Quantization recorded in the model's own files (compressed-tensors, GGUF types, bnb). */
export interface StoredQuantization {
  /** 'other': a quantization_config of another method (GPTQ, AWQ, FP8…), kept in `details`. */
  format: 'compressed-tensors' | 'gguf' | 'bitsandbytes' | 'other' | 'none';
  /** The raw quantization_config (HF) or a GGUF file type description. */
  details?: unknown;
}

export interface OpenedModel {
  /** The path the user gave: a folder (HF) or a .gguf file. */
  path: string;
  format: 'hf' | 'gguf';
  config: ModelConfig;
  tensors: TensorEntry[];
  tokenizer: TokenizerSource;
  quantization: StoredQuantization;
  /** Every file read, with its size, for "size on disk". */
  files: { path: string; bytes: number }[];
  /** GGUF metadata key/values, or config.json, for display. */
  metadata: Record<string, unknown>;
}
