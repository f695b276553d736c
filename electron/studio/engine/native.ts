// The native engine's members of the addon (native/binding/engine*_binding.cc).
import type { NativeJobOptions, NativeTensor } from '../native/addon.js';

/** What native/engine runs: ModelConfig normalised for the kernels. */
export interface NativeEngineConfig {
  family: 'llama' | 'gpt2';
  architecture: string;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  maxPositions: number;
  normEps: number;
  ropeTheta?: number;
  /** 'half': HF rotate-half pairs (i, i+d/2); 'interleaved': GGUF llama pairs (2i, 2i+1). */
  ropeLayout?: 'half' | 'interleaved';
  ropeScaling?: { type: 'linear'; factor: number } | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };
  activation?: 'silu' | 'gelu_tanh' | 'gelu';
  tieEmbeddings?: boolean;
  /** GPT-2 Conv1D weights stored [in, out] (Hugging Face checkpoints). */
  weightsInOut?: boolean;
  /** Per layer, how many keys a query sees counting itself (sliding-window attention); 0 = all. */
  attentionWindows?: number[];
}

export interface LinearLoadOptions {
  /** 'auto' (by stored type), 'dense', 'llm_int8', or a method a later kernel registers. */
  method?: string;
  /** LLM.int8() outlier threshold (default 6). */
  threshold?: number;
  /** Run the scalar reference kernels (tests). */
  reference?: boolean;
}

/** A single layer's optional parts: bias, GPT-2 [in, out] order, and the companion tensors of a stored quantized weight by role. */
export interface LinearExtras {
  bias?: NativeTensor;
  inOut?: boolean;
  /** e.g. { weight_packed, weight_scale, weight_shape } (compressed-tensors) or { 'weight.absmax', … } (bitsandbytes). */
  extra?: Record<string, NativeTensor>;
  /** The layer's name in messages. */
  name?: string;
}

export interface NativeLinearInfo {
  name?: string;
  method: string;
  format: string;
  in: number;
  out: number;
  bytes: number;
}

export interface NativeLinearStats {
  name?: string;
  calls: number;
  tokens: number;
  /** Σ over calls of the outlier columns taken out (LLM.int8()). */
  outlierColumns: number;
  maxOutlierColumns: number;
  /** Per input feature: calls in which it was an outlier column. */
  columnHits: Uint32Array;
}

export interface NativeEvalResult {
  logits: Float32Array;
  rows: Int32Array;
  hidden?: Float32Array;
}

export interface NativeEngineSession {
  eval(tokens: Int32Array, opts?: NativeJobOptions & { logits?: 'last' | 'all' | 'none' | Int32Array; hidden?: boolean }): Promise<NativeEvalResult>;
  readonly position: number;
  readonly context: number;
  truncate(n: number): void;
  dispose(): void;
}

export interface NativeEngineModel {
  info(): { bytesPerToken: number; sizeBytes: number; tiedOutput: boolean; linears: (NativeLinearInfo & { name: string })[] };
  linearStats(): (NativeLinearStats & { name: string })[];
  resetLinearStats(): void;
  createSession(context: number): NativeEngineSession;
  dispose(): void;
}

export interface NativeEngineLinear {
  forward(x: Float32Array, T: number, opts?: NativeJobOptions & { out?: { y?: Float32Array } }): Promise<Float32Array>;
  info(): NativeLinearInfo;
  stats(): NativeLinearStats;
  resetStats(): void;
}

declare module '../native/addon.js' {
  interface NativeAddon {
    engineLoad(config: NativeEngineConfig, tensors: Record<string, NativeTensor>, opts?: NativeJobOptions & LinearLoadOptions): Promise<NativeEngineModel>;
    engineMethods(): string[];
    engineLinear(weight: NativeTensor | null, opts?: NativeJobOptions & LinearLoadOptions & LinearExtras): Promise<NativeEngineLinear>;
  }
}
