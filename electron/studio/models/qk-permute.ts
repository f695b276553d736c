// The row permutations and transposes between Hugging Face and llama.cpp tensor
// layouts, as pure functions on bytes (any dtype: whole rows move, and a row of
// a block type is whole blocks).
//
// llama.cpp's convert_hf_to_gguf.py permutes llama/mistral q_proj and k_proj
// rows so that rotary pairs are adjacent (the original Meta layout):
//   w.reshape(heads, 2, rows/heads/2, …).swapaxes(1, 2).reshape(w.shape)
// i.e. within each head, HF row i·(d/2)+j becomes GGUF row 2j+i (d = head dim).
import { StudioError } from '../../common/errors.js';
import { PLAIN_DTYPE_BYTES, isPlainDType } from './dtypes.js';
import type { TensorDType } from './types.js';

function checkHeads(rows: number, heads: number): number {
  if (!Number.isInteger(heads) || heads <= 0 || rows % (2 * heads) !== 0) {
    throw new StudioError('INVALID_ARGUMENT', `${rows} rows cannot be split into ${heads} heads of rotary pairs`);
  }
  return rows / heads;
}

/** For each GGUF row r, the HF row it comes from (q: heads = attention heads; k: key/value heads). */
export function qkHfToGgufOrder(rows: number, heads: number): Int32Array {
  const d = checkHeads(rows, heads), half = d / 2;
  const order = new Int32Array(rows);
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < half; j++) {
      for (let i = 0; i < 2; i++) order[h * d + 2 * j + i] = h * d + i * half + j;
    }
  }
  return order;
}

/** For each HF row r, the GGUF row it comes from (the inverse of qkHfToGgufOrder). */
export function qkGgufToHfOrder(rows: number, heads: number): Int32Array {
  const forward = qkHfToGgufOrder(rows, heads);
  const order = new Int32Array(rows);
  for (let r = 0; r < rows; r++) order[forward[r]] = r;
  return order;
}

/** out row r = in row order[r]; `data` holds `order.length` rows of equal size. */
export function permuteRows(data: Uint8Array, order: Int32Array): Uint8Array {
  const rows = order.length;
  if (rows === 0 || data.byteLength % rows !== 0) throw new StudioError('INVALID_ARGUMENT', `${data.byteLength} bytes are not ${rows} equal rows`);
  const rowBytes = data.byteLength / rows;
  const out = new Uint8Array(data.byteLength);
  for (let r = 0; r < rows; r++) out.set(data.subarray(order[r] * rowBytes, (order[r] + 1) * rowBytes), r * rowBytes);
  return out;
}

/** A [rows, cols] matrix of `elemBytes`-byte elements → [cols, rows]. */
export function transposeBytes(data: Uint8Array, rows: number, cols: number, elemBytes: number): Uint8Array {
  if (data.byteLength !== rows * cols * elemBytes) throw new StudioError('INVALID_ARGUMENT', `${data.byteLength} bytes are not a ${rows}×${cols} matrix of ${elemBytes}-byte elements`);
  const out = new Uint8Array(data.byteLength);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const from = (r * cols + c) * elemBytes, to = (c * rows + r) * elemBytes;
      for (let b = 0; b < elemBytes; b++) out[to + b] = data[from + b];
    }
  }
  return out;
}

export type TensorTransform =
  | { kind: 'none' }
  /** HF → GGUF rotary row order (llama q/k weights and biases). */
  | { kind: 'permute-qk'; heads: number }
  /** GGUF → HF rotary row order. */
  | { kind: 'unpermute-qk'; heads: number }
  /** GPT-2's Conv1D weights are stored [in, out]; llama.cpp wants [out, in]. */
  | { kind: 'transpose' };

/** Applies `t` to a tensor's bytes; returns the new bytes and shape (outermost first). */
export function transformTensor(t: TensorTransform, data: Uint8Array, shape: number[], dtype: TensorDType): { data: Uint8Array; shape: number[] } {
  switch (t.kind) {
    case 'none':
      return { data, shape };
    case 'permute-qk':
    case 'unpermute-qk': {
      const rows = shape[0] ?? 1;
      const order = t.kind === 'permute-qk' ? qkHfToGgufOrder(rows, t.heads) : qkGgufToHfOrder(rows, t.heads);
      return { data: permuteRows(data, order), shape };
    }
    case 'transpose': {
      if (shape.length !== 2 || !isPlainDType(dtype)) throw new StudioError('INVALID_ARGUMENT', `only 2-D tensors of plain dtypes can be transposed (got ${dtype} [${shape.join(', ')}])`);
      return { data: transposeBytes(data, shape[0], shape[1], PLAIN_DTYPE_BYTES[dtype]), shape: [shape[1], shape[0]] };
    }
  }
}
