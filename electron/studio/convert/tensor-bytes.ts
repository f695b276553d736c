// Small conversions between typed arrays and stored bytes.
import { castTensor, type FloatDType } from './cast.js';

export const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** float32 values stored as F32, F16 or BF16 (round to nearest even). */
export async function floatsAs(values: Float32Array, dtype: FloatDType): Promise<Uint8Array> {
  if (dtype === 'F32') return bytesOf(values);
  return castTensor({ dtype: 'F32', shape: [values.length], data: values }, dtype);
}

export const int64Bytes = (values: number[]): Uint8Array => bytesOf(BigInt64Array.from(values.map(BigInt)));

/** The model's float type for scales: what the weight is stored in, F32 otherwise. */
export const floatTypeOf = (dtype: string): FloatDType => (dtype === 'F16' || dtype === 'BF16' ? dtype : 'F32');

export const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
