// GGUF reader (versions 2 and 3, little-endian): header, metadata key/values of
// every type, tensor infos. Only the header is read; the tensor data section is
// checked (aligned, inside the file, no overlaps) and left to native mappings.
// Layout: ggml's docs/gguf.md.
import { StudioError } from '../../common/errors.js';
import { dtypeOfGgmlType, tensorBytes } from './dtypes.js';
import { withFile } from './file-reader.js';
import { GgufCursor } from './gguf-cursor.js';
import {
  GGUF_ARRAY_ID, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_SCALAR_BYTES, GGUF_SCALAR_BY_ID,
  type GgufScalarType, type GgufType, type GgufTypedValue, type GgufValue,
} from './gguf-values.js';
import { checkOverlaps } from './safetensors.js';
import type { TensorEntry } from './types.js';

/** ggml's limits: a tensor has at most 4 dimensions, a name under 64 bytes (we allow more). */
const MAX_DIMS = 4;
const MAX_NAME = 1024;
const MAX_NESTING = 8;

export interface GgufTensorInfo extends TensorEntry {
  /** The ggml type id as stored. */
  ggmlType: number;
  /** ggml order (innermost first), as stored. */
  ne: number[];
}

export interface GgufFile {
  path: string;
  fileSize: number;
  version: number;
  alignment: number;
  /** Absolute offset of the tensor data section. */
  dataStart: number;
  /** Key → value (plain JS: numbers, strings, booleans, arrays; bigint only for 64-bit integers beyond 2^53). */
  metadata: Record<string, GgufValue>;
  /** Key → its GGUF type, so the file can be written again exactly. */
  types: Record<string, GgufType>;
  /** In file order; shapes outermost first, offsets absolute. */
  tensors: GgufTensorInfo[];
}

export function readGgufFile(path: string): GgufFile {
  return withFile(path, (f) => parse(new GgufCursor(f)));
}

/** The metadata of a GGUF file as typed values (for writing it out again). */
export function typedMetadata(g: Pick<GgufFile, 'metadata' | 'types'>): Record<string, GgufTypedValue> {
  const out: Record<string, GgufTypedValue> = Object.create(null);
  for (const key of Object.keys(g.metadata)) out[key] = { type: g.types[key], value: g.metadata[key] };
  return out;
}

function parse(c: GgufCursor): GgufFile {
  const { path, size } = c.file;
  if (size < 4) throw c.fail(`only ${size} bytes: too short for a GGUF file`);
  const magic = c.u32('magic');
  if (magic !== GGUF_MAGIC) throw c.fail(`not a GGUF file (it starts with bytes ${hex(magic)}, not "GGUF")`);
  const version = c.u32('version');
  if (version === 0x03000000 || version === 0x02000000) {
    throw new StudioError('UNSUPPORTED', `${path}: big-endian GGUF files are not supported`, { file: path });
  }
  if (version === 1) throw new StudioError('UNSUPPORTED', `${path}: GGUF version 1 (2023) is not supported; re-convert with a current llama.cpp`, { file: path });
  if (version !== 2 && version !== 3) throw c.fail(`unknown GGUF version ${version} (this reader knows 2 and 3)`);

  const tensorCount = c.count('tensor count', 24);
  const kvCount = c.count('metadata key/value count', 13);
  const metadata: Record<string, GgufValue> = Object.create(null);
  const types: Record<string, GgufType> = Object.create(null);
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key ${i}`);
    if (key in metadata) throw c.fail(`metadata key '${key}' appears twice`);
    const { type, value } = readValue(c, key, c.u32(`type of '${key}'`), 0);
    metadata[key] = value;
    types[key] = type;
  }
  const alignment = alignmentOf(c, metadata, types);

  const infos: { name: string; ne: number[]; ggmlType: number; rel: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`name of tensor ${i}`);
    if (name.length > MAX_NAME) throw c.fail(`tensor ${i} has a name of ${name.length} characters`);
    if (names.has(name)) throw c.fail('the tensor name appears twice', name);
    names.add(name);
    const nDims = c.u32(`dimension count of '${name}'`);
    if (nDims > MAX_DIMS) throw c.fail(`${nDims} dimensions (ggml allows at most ${MAX_DIMS})`, name);
    const ne: number[] = [];
    for (let d = 0; d < nDims; d++) ne.push(c.size(`dimension ${d}`, name));
    const ggmlType = c.u32(`type of '${name}'`);
    const rel = c.size('data offset', name);
    infos.push({ name, ne, ggmlType, rel });
  }
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  const tensors = infos.map((t) => tensorEntry(c, t, dataStart, alignment));
  checkOverlaps(path, [...tensors].sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength));
  return { path, fileSize: size, version, alignment, dataStart, metadata, types, tensors };
}

const hex = (u32: number) => [0, 8, 16, 24].map((s) => ((u32 >>> s) & 0xff).toString(16).padStart(2, '0')).join(' ');

function tensorEntry(c: GgufCursor, t: { name: string; ne: number[]; ggmlType: number; rel: number }, dataStart: number, alignment: number): GgufTensorInfo {
  const { path, size } = c.file;
  const kind = dtypeOfGgmlType(t.ggmlType);
  if (!kind) throw c.fail(`unknown ggml type id ${t.ggmlType}`, t.name);
  if ('unsupported' in kind) {
    throw new StudioError('UNSUPPORTED', `${path}: tensor '${t.name}': type ${kind.unsupported} is not supported (F32, F16, BF16, Q4_0…Q8_1, Q2_K…Q8_K, IQ4_NL, IQ4_XS, integer types)`, { file: path, tensor: t.name });
  }
  const shape = [...t.ne].reverse();
  const bytes = tensorBytes(kind.dtype, shape);
  if (typeof bytes === 'string') throw c.fail(bytes, t.name);
  if (t.rel % alignment !== 0) throw c.fail(`data offset ${t.rel} is not a multiple of the alignment ${alignment}`, t.name);
  const offset = dataStart + t.rel;
  if (offset + bytes > size) {
    throw c.fail(`data (${bytes} bytes at byte ${offset}) runs past the end of the file at ${size} (truncated?)`, t.name);
  }
  return { name: t.name, dtype: kind.dtype, shape, file: path, offset, byteLength: bytes, ggmlType: t.ggmlType, ne: t.ne };
}

function alignmentOf(c: GgufCursor, metadata: Record<string, GgufValue>, types: Record<string, GgufType>): number {
  if (!('general.alignment' in metadata)) return GGUF_DEFAULT_ALIGNMENT;
  const a = metadata['general.alignment'];
  if (types['general.alignment'] !== 'u32' || typeof a !== 'number' || a === 0 || (a & (a - 1)) !== 0) {
    throw c.fail(`general.alignment must be a power of two stored as u32 (found ${String(a)} as ${JSON.stringify(types['general.alignment'])})`);
  }
  return a;
}

const SCALAR_READERS: Record<Exclude<GgufScalarType, 'string'>, (b: Buffer, at: number) => GgufValue> = {
  u8: (b, at) => b.readUInt8(at),
  i8: (b, at) => b.readInt8(at),
  u16: (b, at) => b.readUInt16LE(at),
  i16: (b, at) => b.readInt16LE(at),
  u32: (b, at) => b.readUInt32LE(at),
  i32: (b, at) => b.readInt32LE(at),
  f32: (b, at) => b.readFloatLE(at),
  f64: (b, at) => b.readDoubleLE(at),
  bool: (b, at) => b[at] !== 0,
  u64: (b, at) => safe(b.readBigUInt64LE(at)),
  i64: (b, at) => safe(b.readBigInt64LE(at)),
};
const safe = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

function readValue(c: GgufCursor, key: string, typeId: number, depth: number): GgufTypedValue {
  const scalar = GGUF_SCALAR_BY_ID.get(typeId);
  if (scalar === 'string') return { type: 'string', value: c.string(`value of '${key}'`) };
  if (scalar) return { type: scalar, value: c.many(1, GGUF_SCALAR_BYTES[scalar], `value of '${key}'`, SCALAR_READERS[scalar])[0] };
  if (typeId !== GGUF_ARRAY_ID) throw c.fail(`metadata '${key}' has unknown value type ${typeId}`);
  if (depth >= MAX_NESTING) throw c.fail(`metadata '${key}' nests arrays more than ${MAX_NESTING} deep`);
  const elemId = c.u32(`element type of '${key}'`);
  const elem = GGUF_SCALAR_BY_ID.get(elemId);
  if (elem === undefined && elemId !== GGUF_ARRAY_ID) throw c.fail(`metadata '${key}' is an array of unknown type ${elemId}`);
  const minBytes = elem === 'string' ? 8 : elem ? GGUF_SCALAR_BYTES[elem] : 12;
  const n = c.count(`element count of '${key}'`, minBytes);
  if (elem === 'string') {
    return { type: { array: 'string' }, value: c.strings(n, `'${key}'`) };
  }
  if (elem) return { type: { array: elem }, value: c.many(n, GGUF_SCALAR_BYTES[elem], `elements of '${key}'`, SCALAR_READERS[elem]) };
  // An array of arrays: each inner array carries its own element type; the outer type records the first.
  const out: GgufValue[] = [];
  let inner: GgufType = { array: 'u8' };
  for (let i = 0; i < n; i++) {
    const v = readValue(c, `${key}[${i}]`, GGUF_ARRAY_ID, depth + 1);
    if (i === 0) inner = v.type;
    out.push(v.value);
  }
  return { type: { array: inner }, value: out };
}
