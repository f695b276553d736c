// compressed-tensors' pack_to_int32 / unpack_from_int32 (native/quant/pack.h):
// signed b-bit codes + 2^(b−1), packed little-endian into int32 words along
// each row (dim 1: weight_packed [rows, ceil(cols·b/32)]) or each column
// (dim 0: weight_zero_point [ceil(rows·b/32), groups]). 'dense' is the current
// layout (codes may straddle words); 'legacy' is the older 32/b codes per
// word. Both agree for 2, 4 and 8 bits.
import { runNative, type JobOptions } from '../native/job.js';
import { native, type NativeJobOptions } from '../native/addon.js';

export interface PackShape {
  rows: number;
  cols: number;
  bits: number;
  /** 1 (default): pack each row; 0: pack each column. */
  dim?: 0 | 1;
  layout?: 'dense' | 'legacy';
}

declare module '../native/addon.js' {
  interface NativeAddon {
    packInt32(codes: Int8Array, opts: NativeJobOptions & PackShape): Promise<{ packed: Int32Array; shape: [number, number] }>;
    unpackInt32(packed: Int32Array, opts: NativeJobOptions & PackShape): Promise<Int8Array>;
  }
}

export function packInt32(codes: Int8Array, shape: PackShape, opts: JobOptions = {}) {
  return runNative(opts, (n) => native().packInt32(codes, { ...shape, ...n }));
}

export function unpackInt32(packed: Int32Array, shape: PackShape, opts: JobOptions = {}) {
  return runNative(opts, (n) => native().unpackInt32(packed, { ...shape, ...n }));
}
