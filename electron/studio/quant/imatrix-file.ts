// llama.cpp importance matrices ("imatrix"): the legacy .dat files that
// llama-imatrix writes and llama-quantize --imatrix reads (llama.cpp, Feb 2025;
// that version has no GGUF imatrix format yet). Reading validates every count
// against the bytes left; matching an imatrix to a model checks names, column
// counts and values, and gives llama-quantize's quantization weights.
//
// Layout (little-endian): int32 n_entries; per entry int32 name length, the
// name, int32 ncall, int32 nval, nval float32 values; then optionally int32
// chunks (m_last_call), int32 length and the calibration file's name. A value
// is (Σx² / count) · ncall for one input column (columns of each expert one
// after another for MoE tensors); llama-quantize divides it by ncall.
import { readFile } from 'node:fs/promises';
import { badFile } from '../../common/errors.js';
import { writeFileAtomic, type AtomicOptions } from '../files/atomic.js';

export interface ImatrixEntry {
  /** Tensor name as llama.cpp names it, e.g. blk.0.attn_q.weight. */
  name: string;
  /** Calls (chunks) the statistics were gathered over. */
  ncall: number;
  /** One value per input column (× experts). */
  values: Float32Array;
}

export interface Imatrix {
  entries: ImatrixEntry[];
  /** Chunks processed (the file's m_last_call), when the file records it. */
  chunks?: number;
  /** The calibration file's name, when the file records it. */
  dataset?: string;
}

const MAX_NAME = 1 << 16;

/** Parses a .dat imatrix; `file` names it in errors. */
export function parseImatrix(bytes: Uint8Array, file: string): Imatrix {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const left = () => bytes.byteLength - at;
  const int = (what: string): number => {
    if (left() < 4) throw badFile(file, `truncated: ${what} missing at byte ${at} (the file has ${bytes.byteLength} bytes)`);
    const v = dv.getInt32(at, true);
    at += 4;
    return v;
  };
  const text = (n: number, what: string): string => {
    if (n < 0 || n > MAX_NAME || n > left()) throw badFile(file, `${what} of ${n} bytes at byte ${at - 4} does not fit the file`);
    const s = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(at, at + n));
    at += n;
    return s;
  };
  const n = int('entry count');
  if (n < 1) throw badFile(file, `not an imatrix: ${n} entries (llama.cpp's .dat files start with a positive entry count)`);
  if (n > left() / 12) throw badFile(file, `not an imatrix: ${n} entries cannot fit in ${bytes.byteLength} bytes`);
  const entries: ImatrixEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const name = text(int(`name length of entry ${i + 1}`), `the name of entry ${i + 1}`);
    const ncall = int(`ncall of '${name}'`), nval = int(`value count of '${name}'`);
    if (nval < 1) throw badFile(file, `${nval} values`, name);
    if (nval > left() / 4) throw badFile(file, `truncated: ${nval} values need ${nval * 4} bytes, ${left()} are left`, name);
    if (ncall < 0) throw badFile(file, `negative call count ${ncall}`, name);
    if (seen.has(name)) throw badFile(file, 'appears twice', name);
    seen.add(name);
    const values = new Float32Array(nval);
    for (let j = 0; j < nval; j++) values[j] = dv.getFloat32(at + 4 * j, true);
    at += 4 * nval;
    entries.push({ name, ncall, values });
  }
  const m: Imatrix = { entries };
  if (left() > 0) {
    m.chunks = int('chunk count');
    m.dataset = text(int('dataset name length'), 'the dataset name');
    if (left() > 0) throw badFile(file, `${left()} unexpected bytes after the dataset name`);
  }
  return m;
}

/** The .dat bytes of `m` (entries in their order). */
export function serializeImatrix(m: Imatrix): Buffer {
  const parts: Buffer[] = [];
  const i32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    parts.push(b);
  };
  if (m.entries.length < 1) throw new RangeError('an imatrix needs at least one entry');
  i32(m.entries.length);
  for (const e of m.entries) {
    const name = Buffer.from(e.name, 'utf8');
    i32(name.length);
    parts.push(name);
    i32(e.ncall);
    i32(e.values.length);
    parts.push(Buffer.from(new Float32Array(e.values).buffer));
  }
  if (m.chunks !== undefined || m.dataset !== undefined) {
    const ds = Buffer.from(m.dataset ?? '', 'utf8');
    i32(m.chunks ?? 0);
    i32(ds.length);
    parts.push(ds);
  }
  return Buffer.concat(parts);
}

export async function readImatrixFile(path: string): Promise<Imatrix> {
  return parseImatrix(await readFile(path), path);
}

/** Written to a temporary name and renamed when complete. */
export function writeImatrixFile(path: string, m: Imatrix, opts: AtomicOptions = {}): Promise<void> {
  return writeFileAtomic(path, serializeImatrix(m), opts);
}

/**
 * An entry as llama-imatrix stores it from running sums: value = (Σx² ÷ count) · ncall
 * per column, in float32 as its save_imatrix computes it.
 */
export function imatrixEntry(name: string, sumSquares: ArrayLike<number>, counts: ArrayLike<number>, ncall: number): ImatrixEntry {
  const values = new Float32Array(sumSquares.length);
  for (let i = 0; i < values.length; i++) values[i] = Math.fround(Math.fround(sumSquares[i] / counts[i]) * ncall);
  return { name, ncall, values };
}

/** llama-quantize's weights from an entry: each value ÷ ncall in float32 (as is when ncall is 0). */
export function quantizationWeights(e: ImatrixEntry): Float32Array {
  if (e.ncall <= 0) return new Float32Array(e.values);
  return e.values.map((v) => Math.fround(v / e.ncall));
}

/** A tensor an imatrix may weight: GGUF name and PyTorch-order shape ([experts,] rows, cols). */
export interface ImatrixTarget {
  name: string;
  shape: readonly number[];
}

export interface ImatrixMatch {
  /** Quantization weights per tensor name: cols × experts values. */
  weights: Map<string, Float32Array>;
  /** Entries not used (token_embd.weight of another size, which llama-quantize skips too). */
  skipped: { name: string; reason: string }[];
}

/**
 * Checks an imatrix against a model and returns each tensor's quantization
 * weights. Errors name the file and tensor: an imatrix for another model (no
 * entry names a tensor of it), entries for tensors the model lacks, column
 * counts that differ (except token_embd.weight, which llama-quantize skips),
 * and NaN, infinite or negative values.
 */
export function matchImatrix(m: Imatrix, tensors: readonly ImatrixTarget[], file: string, model = 'the model'): ImatrixMatch {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const known = m.entries.filter((e) => byName.has(e.name));
  if (known.length === 0) {
    const some = m.entries.slice(0, 3).map((e) => e.name).join(', ');
    throw badFile(file, `an importance matrix for another model: none of its ${m.entries.length} tensor names (${some}${m.entries.length > 3 ? ', …' : ''}) is in ${model}`);
  }
  const unknown = m.entries.filter((e) => !byName.has(e.name)).map((e) => e.name);
  if (unknown.length)
    throw badFile(file, `names ${unknown.length} tensor(s) that ${model} does not have: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`);
  const weights = new Map<string, Float32Array>();
  const skipped: ImatrixMatch['skipped'] = [];
  for (const e of m.entries) {
    const t = byName.get(e.name)!;
    const cols = t.shape[t.shape.length - 1] ?? 1, experts = t.shape.length >= 3 ? t.shape[t.shape.length - 3] : 1;
    if (e.values.length !== cols * experts) {
      const what = `${e.values.length} values, but the tensor has ${cols} columns${experts > 1 ? ` × ${experts} experts` : ''}`;
      if (e.name === 'token_embd.weight') {
        skipped.push({ name: e.name, reason: what });
        continue;
      }
      throw badFile(file, `${what} (an imatrix for another model?)`, e.name);
    }
    const bad = e.values.findIndex((v) => !Number.isFinite(v) || v < 0);
    if (bad >= 0) throw badFile(file, `value ${bad} is ${e.values[bad]}; importance values must be finite and not negative`, e.name);
    weights.set(e.name, quantizationWeights(e));
  }
  return { weights, skipped };
}
