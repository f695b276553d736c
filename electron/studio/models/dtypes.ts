// Element types: bytes per element of the plain types, block geometry of the
// GGML block types, GGML type ids, and the byte size of a tensor with overflow
// checks (a corrupt shape must not wrap around).
import type { BlockDType, PlainDType, TensorDType } from './types.js';

export const PLAIN_DTYPE_BYTES: Readonly<Record<PlainDType, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1,
};

export interface GgmlBlockInfo {
  /** Elements per block. */
  elements: number;
  /** Bytes per block. */
  bytes: number;
  /** GGUF tensor type id (ggml_type). */
  ggmlType: number;
}

/** Block geometry of every GGML block type (ggml-common.h; native/core/dtype.cc has the same). */
export const GGML_BLOCKS: Readonly<Record<BlockDType, GgmlBlockInfo>> = {
  Q4_0: { elements: 32, bytes: 18, ggmlType: 2 },
  Q4_1: { elements: 32, bytes: 20, ggmlType: 3 },
  Q5_0: { elements: 32, bytes: 22, ggmlType: 6 },
  Q5_1: { elements: 32, bytes: 24, ggmlType: 7 },
  Q8_0: { elements: 32, bytes: 34, ggmlType: 8 },
  Q8_1: { elements: 32, bytes: 36, ggmlType: 9 },
  Q2_K: { elements: 256, bytes: 84, ggmlType: 10 },
  Q3_K: { elements: 256, bytes: 110, ggmlType: 11 },
  Q4_K: { elements: 256, bytes: 144, ggmlType: 12 },
  Q5_K: { elements: 256, bytes: 176, ggmlType: 13 },
  Q6_K: { elements: 256, bytes: 210, ggmlType: 14 },
  Q8_K: { elements: 256, bytes: 292, ggmlType: 15 },
  IQ4_NL: { elements: 32, bytes: 18, ggmlType: 20 },
  IQ4_XS: { elements: 256, bytes: 136, ggmlType: 23 },
};

export const isPlainDType = (d: string): d is PlainDType => Object.hasOwn(PLAIN_DTYPE_BYTES, d);
export const isBlockDType = (d: string): d is BlockDType => Object.hasOwn(GGML_BLOCKS, d);

/** ggml_type ids of the plain types (ggml.h); block ids are in GGML_BLOCKS. */
const GGML_PLAIN_IDS: Readonly<Partial<Record<PlainDType, number>>> = {
  F32: 0, F16: 1, I8: 24, I16: 25, I32: 26, I64: 27, F64: 28, BF16: 30,
};

/** ggml types that exist but that the studio does not read (most i-quants, ternary, MXFP4). */
const GGML_UNSUPPORTED: Readonly<Record<number, string>> = {
  16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S', 21: 'IQ3_S', 22: 'IQ2_S',
  29: 'IQ1_M', 31: 'Q4_0_4_4', 32: 'Q4_0_4_8', 33: 'Q4_0_8_8', 34: 'TQ1_0', 35: 'TQ2_0',
  36: 'IQ4_NL_4_4', 37: 'IQ4_NL_4_8', 38: 'IQ4_NL_8_8', 39: 'MXFP4',
};

const BY_GGML_ID = new Map<number, TensorDType>([
  ...Object.entries(GGML_PLAIN_IDS).map(([d, id]) => [id, d as TensorDType] as const),
  ...Object.entries(GGML_BLOCKS).map(([d, b]) => [b.ggmlType, d as TensorDType] as const),
]);

/** Our dtype for a GGUF tensor type id: a dtype, or the name of an unsupported type, or undefined (unknown id). */
export function dtypeOfGgmlType(id: number): { dtype: TensorDType } | { unsupported: string } | undefined {
  const d = BY_GGML_ID.get(id);
  if (d) return { dtype: d };
  if (Object.hasOwn(GGML_UNSUPPORTED, id)) return { unsupported: GGML_UNSUPPORTED[id] };
  return undefined;
}

/** The GGUF type id of a dtype, or undefined where GGUF has none (U8). */
export function ggmlTypeOf(dtype: TensorDType): number | undefined {
  return isBlockDType(dtype) ? GGML_BLOCKS[dtype].ggmlType : GGML_PLAIN_IDS[dtype];
}

/** Number of elements, or an error text when a dimension is not a non-negative safe integer or the product overflows. */
export function numelOf(shape: readonly number[]): number | string {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return `dimension ${d} of shape [${shape.join(', ')}] is not a non-negative integer`;
    n *= d;
    if (!Number.isSafeInteger(n)) return `shape [${shape.join(', ')}] has too many elements`;
  }
  return n;
}

/**
 * Bytes of a tensor of `shape` (outermost first) in `dtype`, or an error text:
 * block types need rows (the last dimension) made of whole blocks.
 */
export function tensorBytes(dtype: TensorDType, shape: readonly number[]): number | string {
  const numel = numelOf(shape);
  if (typeof numel === 'string') return numel;
  if (isPlainDType(dtype)) {
    const n = numel * PLAIN_DTYPE_BYTES[dtype];
    return Number.isSafeInteger(n) ? n : `shape [${shape.join(', ')}] is too large`;
  }
  const { elements, bytes } = GGML_BLOCKS[dtype];
  const row = shape.length ? shape[shape.length - 1] : 1;
  if (row % elements !== 0) return `rows of ${row} elements are not a whole number of ${dtype} blocks of ${elements}`;
  return (numel / elements) * bytes;
}
