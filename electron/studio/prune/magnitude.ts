// Unstructured magnitude pruning (native/prune/magnitude.h): exactly ⌊s·N⌋
// weights with the smallest |w| become zero — per tensor, or globally with one
// threshold over many tensors (found by radix selection over all their
// magnitudes, read straight from mapped files). Weights equal to the threshold
// are pruned in order until the count is reached; NaN is never pruned.
import { runNative, type JobOptions } from '../native/job.js';
import { native, type NativeJobOptions, type NativeTensor } from '../native/addon.js';

/** A tensor the native code returned: same dtype/shape/name as its input; usable as a NativeTensor. */
export interface OwnedTensor {
  dtype: string;
  shape: number[];
  name?: string;
  data: Float32Array | Uint16Array | Uint8Array;
}

export interface PruneResult {
  tensor: OwnedTensor;
  /** Weights the criterion zeroed. */
  pruned: number;
  /** Zeros in the output, those that were zero before included. */
  zeros: number;
  numel: number;
  /** zeros / numel: the tensor's actual sparsity. */
  sparsity: number;
}

/** Where to write the pruned data instead of a new array: Float32Array for F32, Uint16Array for F16/BF16, numel long. */
export interface PruneOut {
  out?: Float32Array | Uint16Array;
}

export interface MagnitudeThreshold {
  /** The magnitude of the ⌊s·N⌋-th smallest weight. */
  threshold: number;
  /** How many weights equal to the threshold to prune (the first ones, in order). */
  ties: number;
  /** ⌊s·N⌋ */
  target: number;
  total: number;
}

declare module '../native/addon.js' {
  interface NativeAddon {
    magnitudeThreshold(tensors: NativeTensor[], opts: NativeJobOptions & { sparsity: number }): Promise<MagnitudeThreshold>;
    pruneMagnitude(
      t: NativeTensor,
      opts: NativeJobOptions & PruneOut & ({ sparsity: number } | { threshold: number; ties?: number }),
    ): Promise<PruneResult & { tiesUsed: number; threshold: number }>;
  }
}

/** One exact threshold for all `tensors` together (global magnitude pruning). */
export function magnitudeThreshold(tensors: NativeTensor[], sparsity: number, opts: JobOptions = {}): Promise<MagnitudeThreshold> {
  return runNative(opts, (n) => native().magnitudeThreshold(tensors, { sparsity, ...n }));
}

/** Prunes one tensor to `sparsity` of its own weights. */
export function pruneMagnitude(t: NativeTensor, sparsity: number, opts: JobOptions & PruneOut = {}): Promise<PruneResult> {
  const { out, ...job } = opts;
  return runNative(job, (n) => native().pruneMagnitude(t, { sparsity, out, ...n }), { tensor: t.name });
}

/**
 * Global pruning applied one tensor at a time: every tensor is cut at the shared
 * threshold, and the weights equal to it are handed out in the order the
 * tensors are pruned, so the total is exactly the target.
 */
export class GlobalMagnitudePruning {
  private tiesLeft: number;

  constructor(readonly threshold: MagnitudeThreshold) {
    this.tiesLeft = threshold.ties;
  }

  static async create(tensors: NativeTensor[], sparsity: number, opts: JobOptions = {}): Promise<GlobalMagnitudePruning> {
    return new GlobalMagnitudePruning(await magnitudeThreshold(tensors, sparsity, opts));
  }

  async prune(t: NativeTensor, opts: JobOptions & PruneOut = {}): Promise<PruneResult> {
    const { out, ...job } = opts;
    const r = await runNative(
      job,
      (n) => native().pruneMagnitude(t, { threshold: this.threshold.threshold, ties: this.tiesLeft, out, ...n }),
      { tensor: t.name },
    );
    this.tiesLeft -= r.tiesUsed;
    return r;
  }
}
