// Uniform integer quantization, 2–8 bits (native/quant/int_quant.h): symmetric
// or affine, per tensor / per output channel / in groups along the input
// dimension, with min-max, percentile or MSE-optimal ranges. Scales and zero
// points follow compressed-tensors exactly (see native/quant/qparams.h):
//   symmetric: scale = absmax / ((2^b − 1) / 2), zero point 0
//   affine:    scale = (max − min) / (2^b − 1), zp = round(−2^(b−1) − min / scale)
//   codes q = round(clamp(w / scale + zp, −2^(b−1), 2^(b−1) − 1)), ŵ = (q − zp) · scale
// Codes are signed for both schemes (unsigned code − 2^(b−1)), as compressed-tensors
// stores them before packing; packInt32 (pack.ts) adds the offset back.
import { runNative, type JobOptions } from '../native/job.js';
import { native, type NativeJobOptions, type NativeTensor } from '../native/addon.js';
import type { QuantMetrics } from './metrics.js';

export type Granularity = 'tensor' | 'channel' | 'group';
export type RangeMethod = 'minmax' | 'percentile' | 'mse';
export type ScaleDtype = 'F32' | 'F16' | 'BF16';

export interface IntQuantSpec {
  /** 2..8 */
  bits: number;
  /** Default true. */
  symmetric?: boolean;
  /** Default 'channel' (one scale per output row). */
  granularity?: Granularity;
  /** For 'group': input columns per scale; must divide the row length. */
  groupSize?: number;
  /** Round scales to the dtype they will be stored in before computing codes. Default 'F32'. */
  scaleDtype?: ScaleDtype;
}

export interface RangeOptions {
  /** Default 'minmax'. */
  range?: RangeMethod;
  /** 'percentile': clip at this percentile of |w| (symmetric) or of w at both ends (affine). Default 99.99. */
  percentile?: number;
  /** 'mse': number of clip ratios tried, evenly over [mseMinRatio, 1]. Default 100. */
  mseGrid?: number;
  /** Default 0.5. */
  mseMinRatio?: number;
}

export type IntQuantOptions = IntQuantSpec & RangeOptions & {
  /** Arrays to fill instead of allocating (exact lengths; reuse them across tensors of one shape). */
  out?: Partial<Pick<IntQuantized, 'codes' | 'scales' | 'zeroPoints'>>;
};

export interface IntQuantized {
  /** One signed code per weight, row-major like the input. */
  codes: Int8Array;
  /** Per parameter group, row-major over paramShape. */
  scales: Float32Array;
  zeroPoints: Int32Array;
  /** [1] per tensor, [rows, 1] per channel, [rows, cols / groupSize] per group. */
  paramShape: number[];
  metrics: QuantMetrics;
}

declare module '../native/addon.js' {
  interface NativeAddon {
    quantizeInt(t: NativeTensor, opts?: NativeJobOptions & IntQuantOptions): Promise<IntQuantized>;
    dequantizeInt(
      q: Pick<IntQuantized, 'codes' | 'scales' | 'zeroPoints'>,
      opts: NativeJobOptions &
        Omit<IntQuantSpec, 'bits' | 'symmetric' | 'scaleDtype'> & { shape: number[]; name?: string; out?: Float32Array },
    ): Promise<Float32Array>;
  }
}

/** Quantizes one tensor (from a buffer or a mapped file); rejects with a StudioError naming the tensor. */
export function quantizeInt(t: NativeTensor, opts: IntQuantOptions & JobOptions): Promise<IntQuantized> {
  const { signal, onProgress, ...spec } = opts;
  return runNative({ signal, onProgress }, (n) => native().quantizeInt(t, { ...spec, ...n }), { tensor: t.name });
}

/** ŵ = (q − zp) · scale as float32, in the shape the codes came from. */
export function dequantizeInt(
  q: Pick<IntQuantized, 'codes' | 'scales' | 'zeroPoints'>,
  shape: number[],
  spec: Pick<IntQuantSpec, 'granularity' | 'groupSize'>,
  opts: JobOptions & { name?: string; out?: Float32Array } = {},
): Promise<Float32Array> {
  const { signal, onProgress, name, out } = opts;
  return runNative({ signal, onProgress }, (n) => native().dequantizeInt(q, { ...spec, shape, name, out, ...n }), { tensor: name });
}

/** Whether `groupSize` tiles a row of `cols` input columns exactly. */
export const groupSizeFits = (cols: number, groupSize: number): boolean =>
  Number.isInteger(groupSize) && groupSize >= 1 && cols % groupSize === 0;

/** Group sizes that divide `cols`, nearest to `wanted` first (for messages and the `ignore` list). */
export function fittingGroupSizes(cols: number, wanted: number, count = 4): number[] {
  const divisors: number[] = [];
  for (let d = 1; d * d <= cols; d++) {
    if (cols % d) continue;
    divisors.push(d);
    if (d !== cols / d) divisors.push(cols / d);
  }
  return divisors.sort((a, b) => Math.abs(a - wanted) - Math.abs(b - wanted) || b - a).slice(0, count).sort((a, b) => a - b);
}
