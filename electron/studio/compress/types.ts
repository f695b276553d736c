// What a compression run produces: output tensors for the writer, and per
// tensor what was done and what it cost in error.
import type { FileRange } from '../export/safetensors-append.js';
import type { QuantMetrics } from '../quant/metrics.js';

export type { FileRange };

/** A tensor to write: bytes already in their stored layout. */
export interface OutputTensor {
  name: string;
  /** Storage dtype (safetensors spelling, or a GGML block type for GGUF). */
  dtype: string;
  shape: number[];
  data: Uint8Array | FileRange;
}

export const outputByteLength = (t: OutputTensor): number => (t.data instanceof Uint8Array ? t.data.byteLength : t.data.byteLength);

export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}

export interface TensorOutcome {
  name: string;
  /** Name in the output when it differs (llama.cpp names in a GGUF written from a HF folder). */
  outputName?: string;
  shape: number[];
  dtype: string;
  /** What happened, in words for the log and the table ("int4 g32 sym", "2:4", "copied"). */
  action: string;
  kind: 'quantized' | 'pruned' | 'pruned+quantized' | 'cast' | 'copied' | 'skipped';
  /** Why a target was left alone, or which fallback was taken. */
  note?: string;
  bytesBefore: number;
  bytesAfter: number;
  bitsPerWeight: number;
  /** Reconstruction error against the original weights (targets only). */
  metrics?: QuantMetrics;
  /** Share of zeros after pruning. */
  sparsity?: number;
  /** Histograms of the original and the reconstruction over the same bins. */
  histBefore?: Histogram;
  histAfter?: Histogram;
  seconds: number;
}

export interface CompressProgress {
  stage: 'plan' | 'compress' | 'write' | 'done';
  tensor?: string;
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  elapsedSeconds: number;
  etaSeconds?: number;
  bytesPerSecond?: number;
}

export interface CompressReport {
  source: string;
  output: string;
  format: 'compressed-tensors' | 'bitsandbytes' | 'gguf';
  recipe: unknown;
  bytesBefore: number;
  bytesAfter: number;
  /** Over the tensors the recipe changed. */
  bitsPerWeightBefore: number;
  bitsPerWeightAfter: number;
  tensors: TensorOutcome[];
  skipped: { name: string; reason: string }[];
  seconds: number;
}
