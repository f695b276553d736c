// Error of a quantized tensor against its original, as every quantizer here
// reports it (native/quant/error_stats.h), and quantError() for formats whose
// reconstruction already exists as a tensor (e.g. dequantized GGUF blocks).
import { runNative, type JobOptions } from '../native/job.js';
import { native, type NativeJobOptions, type NativeTensor } from '../native/addon.js';

export interface QuantMetrics {
  count: number;
  /** Σ(w − ŵ)² / n */
  mse: number;
  /** 10·log10(Σw² / Σ(w − ŵ)²); Infinity when the reconstruction is exact. */
  snrDb: number;
  maxAbsError: number;
  /** Weights outside the clipping range chosen by range setting (0 for min-max ranges). */
  clipped: number;
  clippedShare: number;
  sumSquares: number;
  sumSquaredError: number;
}

declare module '../native/addon.js' {
  interface NativeAddon {
    quantError(original: NativeTensor, reconstructed: NativeTensor, opts?: NativeJobOptions): Promise<QuantMetrics>;
  }
}

/** MSE, SNR and max error of `reconstructed` against `original` (same element count). */
export function quantError(original: NativeTensor, reconstructed: NativeTensor, opts: JobOptions = {}): Promise<QuantMetrics> {
  return runNative(opts, (n) => native().quantError(original, reconstructed, n), { tensor: original.name });
}
