// safetensors writer. Sizes follow from dtype × shape, so the header is written
// first (JSON, padded with spaces so the data starts 8-byte aligned) and tensor
// bytes are then asked for one tensor at a time and streamed to a temporary file.
import { StudioError } from '../../common/errors.js';
import { PLAIN_DTYPE_BYTES, isPlainDType, numelOf } from '../models/dtypes.js';
import type { PlainDType } from '../models/types.js';
import type { JobOptions } from '../native/job.js';
import { writeFileAtomically, type AtomicOptions } from '../files/atomic.js';

export interface SafetensorsTensorSource {
  name: string;
  dtype: PlainDType;
  shape: number[];
  /** The tensor's bytes (little-endian, row-major); called once, when it is this tensor's turn. */
  data: () => Promise<Uint8Array> | Uint8Array;
}

export interface SafetensorsWriteInput {
  /** __metadata__: string to string, as the format requires. */
  metadata?: Record<string, string>;
  /** Written in this order. */
  tensors: SafetensorsTensorSource[];
}

export type SafetensorsWriteOptions = JobOptions & AtomicOptions;

const invalid = (file: string, problem: string, tensor?: string) =>
  new StudioError('INVALID_ARGUMENT', tensor ? `${file}: tensor '${tensor}': ${problem}` : `${file}: ${problem}`, { file, tensor });

/** The header bytes (length field included) and each tensor's size. */
export function safetensorsHeader(path: string, input: SafetensorsWriteInput): { header: Buffer; sizes: number[] } {
  const json: Record<string, unknown> = {};
  if (input.metadata && Object.keys(input.metadata).length) {
    for (const [k, v] of Object.entries(input.metadata)) if (typeof v !== 'string') throw invalid(path, `__metadata__ '${k}' is not a string`);
    json.__metadata__ = input.metadata;
  }
  const sizes: number[] = [];
  let offset = 0;
  for (const t of input.tensors) {
    if (t.name === '__metadata__' || Object.hasOwn(json, t.name)) throw invalid(path, t.name === '__metadata__' ? 'reserved name' : 'written twice', t.name);
    if (!isPlainDType(t.dtype)) throw invalid(path, `dtype ${t.dtype} cannot be stored in safetensors`, t.name);
    const numel = numelOf(t.shape);
    if (typeof numel === 'string') throw invalid(path, numel, t.name);
    const bytes = numel * PLAIN_DTYPE_BYTES[t.dtype];
    json[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    sizes.push(bytes);
    offset += bytes;
  }
  const text = Buffer.from(JSON.stringify(json), 'utf8');
  const padded = Math.ceil(text.length / 8) * 8;
  const header = Buffer.alloc(8 + padded, 0x20);
  header.writeBigUInt64LE(BigInt(padded), 0);
  text.copy(header, 8);
  return { header, sizes };
}

export async function writeSafetensors(path: string, input: SafetensorsWriteInput, opts: SafetensorsWriteOptions = {}): Promise<{ bytes: number }> {
  const { header, sizes } = safetensorsHeader(path, input);
  const total = header.length + sizes.reduce((a, b) => a + b, 0);
  await writeFileAtomically(path, async (out) => {
    await out.write(header);
    for (const [i, t] of input.tensors.entries()) {
      const data = await t.data();
      if (data.byteLength !== sizes[i]) throw invalid(path, `${data.byteLength} bytes supplied, ${t.dtype} [${t.shape.join(', ')}] takes ${sizes[i]}`, t.name);
      await out.write(data);
      opts.onProgress?.(out.bytesWritten, total, t.name);
    }
  }, opts);
  return { bytes: total };
}
