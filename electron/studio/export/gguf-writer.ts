// GGUF v3 writer. The header (metadata, tensor infos) is computed up front from
// the tensors' types and shapes; tensor bytes are then asked for one tensor at a
// time and streamed to a temporary file, so a model never sits in memory whole.
// Layout as llama.cpp writes it: each tensor's data padded to the alignment.
import { StudioError } from '../../common/errors.js';
import { ggmlTypeOf, tensorBytes } from '../models/dtypes.js';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, type GgufTypedValue } from '../models/gguf-values.js';
import type { TensorDType } from '../models/types.js';
import type { JobOptions } from '../native/job.js';
import { writeFileAtomically, type AtomicOptions } from '../files/atomic.js';
import { GgufHeaderBuffer, prepareMetadata, writeKv } from './gguf-encode.js';

export interface GgufTensorSource {
  /** llama.cpp name, e.g. blk.0.attn_q.weight. */
  name: string;
  type: TensorDType;
  /** Outermost first (PyTorch order); written innermost first as ggml wants. */
  shape: number[];
  /** The tensor's bytes in `type`'s layout; called once, when it is this tensor's turn. */
  data: () => Promise<Uint8Array> | Uint8Array;
}

export interface GgufWriteInput {
  /** In the order to write them; `{type, value}` pairs (see `gguf.u32(…)` etc.). */
  metadata: Record<string, GgufTypedValue> | [string, GgufTypedValue][];
  tensors: GgufTensorSource[];
}

export interface GgufWriteOptions extends JobOptions, AtomicOptions {
  /** Used when metadata has no general.alignment (then written as that key when not 32). */
  alignment?: number;
}

export interface GgufWriteResult {
  bytes: number;
  dataStart: number;
  /** Absolute offset of each tensor's data, by name. */
  offsets: Record<string, number>;
}

const MAX_DIMS = 4;
const align = (n: number, a: number) => Math.ceil(n / a) * a;
const invalid = (file: string, problem: string, tensor?: string) =>
  new StudioError('INVALID_ARGUMENT', tensor ? `${file}: tensor '${tensor}': ${problem}` : `${file}: ${problem}`, { file, tensor });

function alignmentOf(path: string, entries: [string, GgufTypedValue][], wanted: number | undefined): number {
  const kv = entries.find(([k]) => k === 'general.alignment');
  const a = kv ? kv[1].value : (wanted ?? GGUF_DEFAULT_ALIGNMENT);
  if (kv && kv[1].type !== 'u32') throw invalid(path, 'general.alignment must be a u32');
  if (typeof a !== 'number' || !Number.isInteger(a) || a <= 0 || (a & (a - 1)) !== 0) throw invalid(path, `alignment ${String(a)} is not a power of two`);
  if (!kv && a !== GGUF_DEFAULT_ALIGNMENT) entries.push(['general.alignment', { type: 'u32', value: a }]);
  return a;
}

interface Planned extends GgufTensorSource {
  bytes: number;
  ggmlType: number;
  /** Relative to the data section. */
  offset: number;
}

function planTensors(path: string, tensors: GgufTensorSource[], alignment: number): Planned[] {
  const names = new Set<string>();
  let offset = 0;
  return tensors.map((t) => {
    if (names.has(t.name)) throw invalid(path, 'written twice', t.name);
    names.add(t.name);
    if (t.shape.length > MAX_DIMS) throw invalid(path, `${t.shape.length} dimensions (GGUF allows at most ${MAX_DIMS})`, t.name);
    const ggmlType = ggmlTypeOf(t.type);
    if (ggmlType === undefined) throw invalid(path, `type ${t.type} cannot be stored in GGUF`, t.name);
    const bytes = tensorBytes(t.type, t.shape);
    if (typeof bytes === 'string') throw invalid(path, bytes, t.name);
    const planned = { ...t, bytes, ggmlType, offset };
    offset = align(offset + bytes, alignment);
    return planned;
  });
}

function encodeHeader(path: string, alignment: number, entries: [string, GgufTypedValue][], tensors: Planned[]): Buffer {
  const kvs = prepareMetadata(path, entries);
  let size = 4 + 4 + 8 + 8;
  for (const kv of kvs) size += kv.bytes;
  for (const t of tensors) size += 8 + Buffer.byteLength(t.name, 'utf8') + 4 + 8 * Math.max(t.shape.length, 1) + 4 + 8;
  const h = new GgufHeaderBuffer(align(size, alignment));
  h.u32(GGUF_MAGIC);
  h.u32(3);
  h.u64(tensors.length);
  h.u64(kvs.length);
  for (const kv of kvs) writeKv(h, kv);
  for (const t of tensors) {
    h.string(t.name);
    const ne = t.shape.length ? [...t.shape].reverse() : [1]; // ggml stores a scalar as one dimension of 1
    h.u32(ne.length);
    for (const d of ne) h.u64(d);
    h.u32(t.ggmlType);
    h.u64(t.offset);
  }
  return h.buf.subarray(0, align(h.pos, alignment));
}

/** Writes a GGUF v3 file atomically; the tensors' data() is awaited one by one. */
export async function writeGguf(path: string, input: GgufWriteInput, opts: GgufWriteOptions = {}): Promise<GgufWriteResult> {
  const entries = Array.isArray(input.metadata) ? [...input.metadata] : Object.entries(input.metadata);
  const alignment = alignmentOf(path, entries, opts.alignment);
  const tensors = planTensors(path, input.tensors, alignment);
  const header = encodeHeader(path, alignment, entries, tensors);
  const total = header.length + (tensors.length ? tensors[tensors.length - 1].offset + align(tensors[tensors.length - 1].bytes, alignment) : 0);
  const offsets: Record<string, number> = {};
  await writeFileAtomically(path, async (out) => {
    await out.write(header);
    opts.onProgress?.(out.bytesWritten, total, 'header');
    for (const t of tensors) {
      const data = await t.data();
      if (data.byteLength !== t.bytes) throw invalid(path, `${data.byteLength} bytes supplied, ${t.type} [${t.shape.join(', ')}] takes ${t.bytes}`, t.name);
      offsets[t.name] = out.bytesWritten;
      await out.write(data);
      const pad = align(t.bytes, alignment) - t.bytes;
      if (pad) await out.write(new Uint8Array(pad));
      opts.onProgress?.(out.bytesWritten, total, t.name);
    }
  }, opts);
  return { bytes: total, dataStart: header.length, offsets };
}
