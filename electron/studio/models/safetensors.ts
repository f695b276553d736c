// safetensors reader: 8-byte little-endian header length, a JSON header
// ({name: {dtype, shape, data_offsets}}, optional __metadata__), then the data.
// Only the header is read; every field is checked against the file before use.
import { StudioError, badFile } from '../../common/errors.js';
import { PLAIN_DTYPE_BYTES, isPlainDType, numelOf } from './dtypes.js';
import { withFile, type BoundedFile } from './file-reader.js';
import type { PlainDType, TensorEntry } from './types.js';

/** Headers larger than this are refused unread (real ones are well under 10 MB). */
export const SAFETENSORS_MAX_HEADER = 100 * 1024 * 1024;

/** safetensors dtypes that exist but the studio does not handle. */
const UNSUPPORTED_DTYPES = new Set(['BOOL', 'U16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4', 'C64']);

export interface SafetensorsHeader {
  path: string;
  fileSize: number;
  /** Absolute offset of the data section (8 + header length). */
  dataStart: number;
  metadata: Record<string, string>;
  /** In data order; offsets are absolute. */
  tensors: TensorEntry[];
}

export function readSafetensorsHeader(path: string): SafetensorsHeader {
  return withFile(path, (f) => parseHeader(f));
}

function parseHeader(f: BoundedFile): SafetensorsHeader {
  const { path, size } = f;
  if (size < 8) throw badFile(path, `only ${size} bytes: too short for a safetensors file (truncated?)`);
  const n = Number(f.read(0, 8, 'header length').readBigUInt64LE(0));
  if (n > SAFETENSORS_MAX_HEADER) {
    throw badFile(path, `the header claims ${n} bytes, more than the ${SAFETENSORS_MAX_HEADER / 2 ** 20} MB limit: not a safetensors file, or corrupt`);
  }
  if (n > size - 8) throw badFile(path, `the header claims ${n} bytes but only ${size - 8} follow the length field (truncated?)`);
  if (n < 2) throw badFile(path, `the header is ${n} bytes: too short for JSON`);
  let json: unknown;
  try {
    json = JSON.parse(f.read(8, n, 'header').toString('utf8'));
  } catch (e) {
    throw badFile(path, `the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) throw badFile(path, 'the header is not a JSON object');
  const dataStart = 8 + n;
  const dataSize = size - dataStart;
  const metadata = readMetadata(path, json.__metadata__);
  const tensors: TensorEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') continue;
    tensors.push(readEntry(path, name, value, dataStart, dataSize));
  }
  tensors.sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  checkOverlaps(path, tensors);
  return { path, fileSize: size, dataStart, metadata, tensors };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readMetadata(path: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) throw badFile(path, '__metadata__ is not an object of strings');
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw badFile(path, `__metadata__ entry '${k}' is not a string`);
  }
  return value as Record<string, string>;
}

function readEntry(path: string, name: string, value: unknown, dataStart: number, dataSize: number): TensorEntry {
  const bad = (problem: string) => badFile(path, problem, name);
  if (!isObject(value)) throw bad('the header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') throw bad('dtype is missing or not a string');
  if (!isPlainDType(dtype)) {
    if (UNSUPPORTED_DTYPES.has(dtype)) {
      throw new StudioError('UNSUPPORTED', `${path}: tensor '${name}': unsupported dtype ${dtype} (supported: ${Object.keys(PLAIN_DTYPE_BYTES).join(', ')})`, { file: path, tensor: name });
    }
    throw bad(`unknown dtype '${dtype}'`);
  }
  if (!Array.isArray(shape)) throw bad('shape is missing or not an array');
  const numel = numelOf(shape as number[]);
  if (typeof numel === 'string') throw bad(numel);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw bad('data_offsets is not a pair of non-negative integers');
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw bad(`data_offsets [${begin}, ${end}] are reversed`);
  if (end > dataSize) {
    throw bad(`data ends at byte ${dataStart + end} but the file has only ${dataStart + dataSize} bytes (truncated?)`);
  }
  const expected = numel * PLAIN_DTYPE_BYTES[dtype as PlainDType];
  if (end - begin !== expected) {
    throw bad(`holds ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${expected}`);
  }
  return { name, dtype, shape: [...shape] as number[], file: path, offset: dataStart + begin, byteLength: end - begin };
}

/** `tensors` sorted by offset: each must start at or after the end of the one before. */
export function checkOverlaps(path: string, tensors: readonly TensorEntry[]): void {
  let prev: TensorEntry | undefined;
  for (const t of tensors) {
    if (t.byteLength === 0) continue;
    if (prev && t.offset < prev.offset + prev.byteLength) {
      throw badFile(path, `data overlaps tensor '${prev.name}' (bytes ${t.offset}… inside ${prev.offset}…${prev.offset + prev.byteLength})`, t.name);
    }
    prev = t;
  }
}
