// compressed-tensors' bitmask sparse layouts (native/prune/bitmask.h), what the
// exporter writes for pruned weights:
//   sparse-24-bitmask: <name>.compressed [rows, cols/2] (weight dtype), <name>.bitmask
//     [rows, ceil(cols/8)] uint8 (little bit order per row), <name>.shape [2, 1] int64
//   sparse-bitmask:    <name>.compressed [nnz], <name>.bitmask, <name>.shape, <name>.row_offsets [rows] int64
import { runNative, type JobOptions } from '../native/job.js';
import { native, type NativeJobOptions, type NativeTensor } from '../native/addon.js';
import type { OwnedTensor } from './magnitude.js';

export interface BitmaskCompressed {
  compressed: OwnedTensor;
  bitmask: Uint8Array;
  bitmaskShape: [number, number];
  /** The dense shape [rows, cols]. */
  shape: [number, number];
}

export interface UnstructuredBitmaskCompressed extends BitmaskCompressed {
  rowOffsets: BigInt64Array;
}

type CompressedIn = Pick<BitmaskCompressed, 'compressed' | 'bitmask' | 'shape'>;

declare module '../native/addon.js' {
  interface NativeAddon {
    compressSparse24(t: NativeTensor, opts?: NativeJobOptions): Promise<BitmaskCompressed>;
    decompressSparse24(c: CompressedIn, opts?: NativeJobOptions): Promise<OwnedTensor>;
    compressBitmask(t: NativeTensor, opts?: NativeJobOptions): Promise<UnstructuredBitmaskCompressed>;
    decompressBitmask(c: CompressedIn, opts?: NativeJobOptions): Promise<OwnedTensor>;
  }
}

/** Keeps the 2 largest |w| of every 4 (whatever the tensor held) and stores them with their bitmask. */
export function compressSparse24(t: NativeTensor, opts: JobOptions = {}): Promise<BitmaskCompressed> {
  return runNative(opts, (n) => native().compressSparse24(t, n), { tensor: t.name });
}

export function decompressSparse24(c: CompressedIn, opts: JobOptions = {}): Promise<OwnedTensor> {
  return runNative(opts, (n) => native().decompressSparse24(c, n));
}

export function compressBitmask(t: NativeTensor, opts: JobOptions = {}): Promise<UnstructuredBitmaskCompressed> {
  return runNative(opts, (n) => native().compressBitmask(t, n), { tensor: t.name });
}

export function decompressBitmask(c: CompressedIn, opts: JobOptions = {}): Promise<OwnedTensor> {
  return runNative(opts, (n) => native().decompressBitmask(c, n));
}
