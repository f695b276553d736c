// GGML block quantization (native/quant/gguf): float tensors into the blocks a
// GGUF file stores — Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, the k-quants Q2_K…Q6_K (and
// Q8_K), IQ4_NL and IQ4_XS, byte-identical to what llama-quantize writes, with
// or without an importance matrix — and any block tensor back to floats. Both
// work tensor by tensor, straight from a mapped file.
import { GGML_BLOCKS } from '../models/dtypes.js';
/** Block geometry lives with the element types (models/dtypes.ts); re-exported for the kernels' users. */
export { GGML_BLOCKS, type GgmlBlockInfo } from '../models/dtypes.js';
import type { BlockDType } from '../models/types.js';
import { native, type NativeJobOptions, type NativeMappedFile, type NativeTensor } from '../native/addon.js';
import { runNative, type JobOptions } from '../native/job.js';

export type GgufQuantType =
  | 'Q8_0' | 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1'
  | 'Q2_K' | 'Q3_K' | 'Q4_K' | 'Q5_K' | 'Q6_K' | 'Q8_K' | 'IQ4_NL' | 'IQ4_XS';
export const GGUF_QUANT_TYPES: readonly GgufQuantType[] = [
  'Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'Q8_K', 'IQ4_NL', 'IQ4_XS',
];
/** Types whose result depends on importance weights (llama-quantize's imatrix): all but Q8_0 and Q8_K. */
export const GGUF_IMPORTANCE_TYPES: ReadonlySet<GgufQuantType> = new Set(GGUF_QUANT_TYPES.filter((t) => t !== 'Q8_0' && t !== 'Q8_K'));

/** Bytes of a tensor of `shape` in `type`; throws when its rows are not whole blocks. */
export function ggufTensorBytes(type: BlockDType, shape: readonly number[]): number {
  const { elements, bytes } = GGML_BLOCKS[type];
  const cols = shape.length ? shape[shape.length - 1] : 1;
  if (cols % elements !== 0) throw new RangeError(`rows of ${cols} elements are not a multiple of the ${type} block of ${elements}`);
  return (shape.reduce((a, b) => a * b, 1) / elements) * bytes;
}

/** How ggml quantizes: llama-quantize's path (default), with importance weights, or a _ref variant. */
export interface GgufQuantizeNativeOptions extends NativeJobOptions {
  /** One weight per column: an imatrix entry's values ÷ its ncall, as llama-quantize passes them. */
  importance?: Float32Array;
  /** IQ4_NL only: ggml's quantize_row_iq4_nl_ref (no scale sweep) instead of llama-quantize's quantize_iq4_nl. */
  iq4NlRowRef?: boolean;
}

declare module '../native/addon.js' {
  interface NativeAddon {
    /** Resolves with a new ArrayBuffer, or with `out` when given (exactly the result's size). */
    ggufQuantize(t: NativeTensor, type: GgufQuantType, opts?: GgufQuantizeNativeOptions): Promise<ArrayBuffer>;
    ggufQuantize<O extends ArrayBufferView>(t: NativeTensor, type: GgufQuantType, opts: GgufQuantizeNativeOptions & { out: O }): Promise<O>;
    ggufDequantize(t: NativeTensor, opts?: NativeJobOptions & { rowBegin?: number; rowCount?: number; out?: Float32Array }): Promise<Float32Array>;
  }
}

/**
 * The GGUF blocks of a float tensor (F32, F16, BF16 or F64; rows a multiple of
 * the block, 32 or 256 — see the fallback rules for tensors that are not).
 * With `importance` (one weight per column) the bytes are llama-quantize's with
 * an imatrix. Multithreaded; rejects with a StudioError naming the tensor (e.g.
 * a NaN at row r, column c). With `out` (exactly ggufTensorBytes long) the
 * blocks are written there.
 */
export async function quantizeGguf(
  t: NativeTensor,
  type: GgufQuantType,
  opts: JobOptions & { out?: Buffer; importance?: Float32Array } = {},
): Promise<Buffer> {
  const { signal, onProgress, out, importance } = opts;
  const where = { tensor: t.name };
  if (out) return runNative({ signal, onProgress }, (n) => native().ggufQuantize(t, type, { ...n, out, importance }), where);
  return Buffer.from(await runNative({ signal, onProgress }, (n) => native().ggufQuantize(t, type, { ...n, importance }), where));
}

/** Where block bytes are: in memory, or a byte range of a mapped file. */
export type GgufBlockSource = ArrayBufferView | ArrayBuffer | { file: NativeMappedFile; offset: number; byteLength: number };

export interface DequantizeOptions extends JobOptions {
  /** Tensor name for messages. */
  name?: string;
  /** Only rows [begin, end) (e.g. a slice of a large embedding). */
  rows?: [number, number];
  /** Write into this buffer (exactly rows × cols floats) instead of a new one. */
  out?: Float32Array;
}

/** Floats of a block tensor of `shape` (PyTorch order, rows last-dim long). */
export function dequantizeGguf(
  source: GgufBlockSource,
  type: BlockDType,
  shape: number[],
  opts: DequantizeOptions = {},
): Promise<Float32Array> {
  const { signal, onProgress, name, rows, out } = opts;
  const t: NativeTensor =
    ArrayBuffer.isView(source) || source instanceof ArrayBuffer
      ? { dtype: type, shape, name, data: source }
      : { dtype: type, shape, name, file: source.file, offset: source.offset, byteLength: source.byteLength };
  const range = rows ? { rowBegin: rows[0], rowCount: rows[1] - rows[0] } : {};
  return runNative({ signal, onProgress }, (n) => native().ggufDequantize(t, { ...range, out, ...n }), { tensor: name });
}
