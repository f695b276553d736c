// GGUF metadata values → bytes, with each value checked against its declared
// type first (a u8 of 300 or an i32 of 1.5 is the caller's bug, named here, not
// a silently wrapped number in the file).
import { StudioError } from '../../common/errors.js';
import {
  GGUF_ARRAY_ID, GGUF_SCALAR_BYTES, GGUF_TYPE_IDS, ggufTypeName,
  type GgufScalarType, type GgufType, type GgufTypedValue, type GgufValue,
} from '../models/gguf-values.js';

const INT_RANGE: Partial<Record<GgufScalarType, [number, number]>> = {
  u8: [0, 0xff], i8: [-0x80, 0x7f], u16: [0, 0xffff], i16: [-0x8000, 0x7fff], u32: [0, 0xffffffff], i32: [-0x80000000, 0x7fffffff],
};
const BIG_RANGE: Partial<Record<GgufScalarType, [bigint, bigint]>> = {
  u64: [0n, 2n ** 64n - 1n], i64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Why `v` is not a valid `type`, or undefined when it is. */
function scalarProblem(type: GgufScalarType, v: GgufValue): string | undefined {
  const range = INT_RANGE[type];
  if (range) return Number.isInteger(v) && (v as number) >= range[0] && (v as number) <= range[1] ? undefined : `${String(v)} is not a ${type}`;
  const big = BIG_RANGE[type];
  if (big) {
    const ok = (typeof v === 'bigint' || Number.isSafeInteger(v)) && BigInt(v as number | bigint) >= big[0] && BigInt(v as number | bigint) <= big[1];
    return ok ? undefined : `${String(v)} is not a ${type}`;
  }
  if (type === 'f32' || type === 'f64') return typeof v === 'number' ? undefined : `${String(v)} is not a number`;
  if (type === 'bool') return typeof v === 'boolean' ? undefined : `${String(v)} is not a boolean`;
  return typeof v === 'string' ? undefined : `${String(v)} is not a string`;
}

function check(type: GgufType, v: GgufValue): string | undefined {
  if (typeof type === 'string') return scalarProblem(type, v);
  if (!Array.isArray(v)) return `${typeof v} where an ${ggufTypeName(type)} belongs`;
  for (let i = 0; i < v.length; i++) {
    const p = check(type.array, v[i]);
    if (p) return `element ${i}: ${p}`;
  }
  return undefined;
}

/** Bytes a value takes after its type id. */
function valueBytes(type: GgufType, v: GgufValue): number {
  if (typeof type !== 'string') {
    const arr = v as GgufValue[];
    let n = 4 + 8;
    if (type.array === 'string') for (const s of arr as string[]) n += 8 + Buffer.byteLength(s, 'utf8');
    else if (typeof type.array === 'string') n += arr.length * GGUF_SCALAR_BYTES[type.array];
    else for (const x of arr) n += valueBytes(type.array, x);
    return n;
  }
  return type === 'string' ? 8 + Buffer.byteLength(v as string, 'utf8') : GGUF_SCALAR_BYTES[type];
}

const typeId = (t: GgufType): number => (typeof t === 'string' ? GGUF_TYPE_IDS[t] : GGUF_ARRAY_ID);

/** Writes GGUF header pieces into one preallocated buffer. */
export class GgufHeaderBuffer {
  readonly buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }
  u32(v: number) { this.pos = this.buf.writeUInt32LE(v, this.pos); }
  u64(v: number | bigint) { this.pos = this.buf.writeBigUInt64LE(BigInt(v), this.pos); }
  string(s: string) {
    const n = this.buf.write(s, this.pos + 8, 'utf8');
    this.u64(n);
    this.pos += n;
  }
  scalar(type: GgufScalarType, v: GgufValue) {
    const b = this.buf;
    switch (type) {
      case 'u8': this.pos = b.writeUInt8(v as number, this.pos); break;
      case 'i8': this.pos = b.writeInt8(v as number, this.pos); break;
      case 'u16': this.pos = b.writeUInt16LE(v as number, this.pos); break;
      case 'i16': this.pos = b.writeInt16LE(v as number, this.pos); break;
      case 'u32': this.pos = b.writeUInt32LE(v as number, this.pos); break;
      case 'i32': this.pos = b.writeInt32LE(v as number, this.pos); break;
      case 'f32': this.pos = b.writeFloatLE(v as number, this.pos); break;
      case 'f64': this.pos = b.writeDoubleLE(v as number, this.pos); break;
      case 'bool': this.pos = b.writeUInt8(v ? 1 : 0, this.pos); break;
      case 'u64': this.pos = b.writeBigUInt64LE(BigInt(v as number | bigint), this.pos); break;
      case 'i64': this.pos = b.writeBigInt64LE(BigInt(v as number | bigint), this.pos); break;
      case 'string': this.string(v as string); break;
    }
  }
  value(type: GgufType, v: GgufValue) {
    if (typeof type === 'string') return this.scalar(type, v);
    const arr = v as GgufValue[];
    this.u32(typeId(type.array));
    this.u64(arr.length);
    for (const x of arr) this.value(type.array, x);
  }
}

export interface EncodedKv {
  key: string;
  type: GgufType;
  value: GgufValue;
  /** Bytes of key + type id + value. */
  bytes: number;
}

/** Checks every entry and measures it; throws INVALID_ARGUMENT naming the file and key. */
export function prepareMetadata(file: string, entries: [string, GgufTypedValue][]): EncodedKv[] {
  const seen = new Set<string>();
  return entries.map(([key, { type, value }]) => {
    if (seen.has(key)) throw new StudioError('INVALID_ARGUMENT', `${file}: metadata key '${key}' given twice`, { file });
    seen.add(key);
    const problem = check(type, value);
    if (problem) throw new StudioError('INVALID_ARGUMENT', `${file}: metadata '${key}' (${ggufTypeName(type)}): ${problem}`, { file });
    return { key, type, value, bytes: 8 + Buffer.byteLength(key, 'utf8') + 4 + valueBytes(type, value) };
  });
}

export function writeKv(h: GgufHeaderBuffer, kv: EncodedKv): void {
  h.string(kv.key);
  h.u32(typeId(kv.type));
  h.value(kv.type, kv.value);
}
