// Statistics of one tensor for the inspector (native/stats), computed straight
// from the mapped file.
import { runNative, type JobOptions } from '../native/job.js';
import { native, type NativeJobOptions, type NativeTensor } from '../native/addon.js';

export interface TensorStats {
  count: number;
  nonfinite: number;
  zeros: number;
  min: number;
  max: number;
  absmax: number;
  mean: number;
  std: number;
  /** Pearson kurtosis (3 for a Gaussian); heavy tails → large values. */
  kurtosis: number;
  /** Share of values with |x − mean| > outlierSigma·std (default 6). */
  outlierShare: number;
  histLo: number;
  histHi: number;
  histogram: Float64Array;
  /** absmax of each output channel (row); empty for 1-D tensors. */
  channelAbsmax: Float32Array;
}

export interface TensorStatsOptions {
  bins?: number;
  outlierSigma?: number;
  perChannel?: boolean;
  /** Histogram over this fixed [low, high] (to overlay two tensors); default [min, max]. */
  histRange?: [number, number];
}

declare module '../native/addon.js' {
  interface NativeAddon {
    tensorStats(t: NativeTensor, opts?: NativeJobOptions & TensorStatsOptions): Promise<TensorStats>;
  }
}

export function tensorStats(t: NativeTensor, opts: TensorStatsOptions & JobOptions = {}): Promise<TensorStats> {
  const { signal, onProgress, ...statsOpts } = opts;
  return runNative({ signal, onProgress }, (n) => native().tensorStats(t, { ...statsOpts, ...n }), { tensor: t.name });
}
