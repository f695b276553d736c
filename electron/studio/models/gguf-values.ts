// GGUF metadata value types (gguf_type in ggml's gguf.h) and how values look in
// JavaScript. Integers are numbers; 64-bit integers beyond 2^53 are bigints.
// Arrays are plain JS arrays. A value always travels with its type, so a file
// read back and written again keeps u32 as u32, f32 as f32.

export type GgufScalarType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'string' | 'u64' | 'i64' | 'f64';
export type GgufType = GgufScalarType | { array: GgufType };
export type GgufValue = number | bigint | boolean | string | GgufValue[];
export interface GgufTypedValue {
  type: GgufType;
  value: GgufValue;
}

/** Type ids in the file; 9 is ARRAY. */
export const GGUF_TYPE_IDS: Readonly<Record<GgufScalarType, number>> = {
  u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, u64: 10, i64: 11, f64: 12,
};
export const GGUF_ARRAY_ID = 9;
export const GGUF_SCALAR_BY_ID: ReadonlyMap<number, GgufScalarType> = new Map(
  Object.entries(GGUF_TYPE_IDS).map(([k, v]) => [v, k as GgufScalarType]),
);

/** Bytes of a fixed-size scalar (strings: 0, they have a length prefix). */
export const GGUF_SCALAR_BYTES: Readonly<Record<GgufScalarType, number>> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, string: 0, u64: 8, i64: 8, f64: 8,
};

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;

export const ggufTypeName = (t: GgufType): string => (typeof t === 'string' ? t : `array of ${ggufTypeName(t.array)}`);

/** Typed-value builders for writers: `gguf.u32(5)`, `gguf.array('f32', scores)`, `gguf.string('llama')`. */
export const gguf = {
  u8: (v: number): GgufTypedValue => ({ type: 'u8', value: v }),
  i8: (v: number): GgufTypedValue => ({ type: 'i8', value: v }),
  u16: (v: number): GgufTypedValue => ({ type: 'u16', value: v }),
  i16: (v: number): GgufTypedValue => ({ type: 'i16', value: v }),
  u32: (v: number): GgufTypedValue => ({ type: 'u32', value: v }),
  i32: (v: number): GgufTypedValue => ({ type: 'i32', value: v }),
  u64: (v: number | bigint): GgufTypedValue => ({ type: 'u64', value: v }),
  i64: (v: number | bigint): GgufTypedValue => ({ type: 'i64', value: v }),
  f32: (v: number): GgufTypedValue => ({ type: 'f32', value: v }),
  f64: (v: number): GgufTypedValue => ({ type: 'f64', value: v }),
  bool: (v: boolean): GgufTypedValue => ({ type: 'bool', value: v }),
  string: (v: string): GgufTypedValue => ({ type: 'string', value: v }),
  /** An array whose elements are all of `element` (itself possibly an array type). */
  array: (element: GgufType, v: GgufValue[]): GgufTypedValue => ({ type: { array: element }, value: v }),
};
