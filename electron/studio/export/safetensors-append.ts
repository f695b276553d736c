// A safetensors writer for outputs whose sizes are only known once computed
// (quantized tensors come out of the kernels one by one). It reserves room for
// the header, appends tensor data as it arrives, and at the end writes the JSON
// header into the reserved room padded with spaces — which the format allows
// ("the header may be padded with trailing whitespace") — so a model is
// written in one pass without holding it in memory or copying it twice.
// Temporary file in the target folder; renamed only by commit().
import { createReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { StudioError } from '../../common/errors.js';
import { tempName } from '../files/atomic.js';

/** Bytes copied unchanged from a range of a source file (large tensors never pass through JS). */
export interface FileRange {
  path: string;
  offset: number;
  byteLength: number;
}

const DTYPE_SIZE: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const ALIGN = 8;

export interface AppendedTensor {
  name: string;
  dtype: string;
  shape: number[];
  data: Uint8Array | FileRange;
}

export class SafetensorsAppendWriter {
  private fh?: FileHandle;
  private entries: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> = {};
  private end = 0; // bytes of tensor data written
  private done = false;
  readonly tmpPath: string;

  /** `headerBytes`: an upper bound of the header JSON (see headerBound). */
  private constructor(readonly path: string, private readonly headerBytes: number) {
    this.tmpPath = tempName(path);
  }

  static async create(path: string, headerBytes: number): Promise<SafetensorsAppendWriter> {
    const w = new SafetensorsAppendWriter(path, Math.ceil(headerBytes / ALIGN) * ALIGN);
    w.fh = await open(w.tmpPath, 'wx');
    return w;
  }

  /** Room for the header of `tensorNames` with shapes of up to `maxDims` dims, plus metadata. */
  static headerBound(tensorNames: string[], metadata: Record<string, string>, maxDims = 4): number {
    const perTensor = 64 + maxDims * 21 + 2 * 21; // quotes, keys, dtype, shape digits, offsets
    let n = 256 + JSON.stringify({ __metadata__: metadata }).length;
    for (const name of tensorNames) n += JSON.stringify(name).length + perTensor;
    return n;
  }

  async append(t: AppendedTensor): Promise<void> {
    if (!this.fh || this.done) throw new Error('writer is closed');
    if (t.name in this.entries) throw new StudioError('INVALID_ARGUMENT', `${this.path}: tensor '${t.name}' written twice`);
    const size = DTYPE_SIZE[t.dtype];
    if (!size) throw new StudioError('INVALID_ARGUMENT', `${this.path}: tensor '${t.name}': dtype ${t.dtype} cannot be stored in safetensors`);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const length = t.data instanceof Uint8Array ? t.data.byteLength : t.data.byteLength;
    if (numel * size !== length) {
      throw new StudioError('INTERNAL', `${this.path}: tensor '${t.name}': ${length} bytes for shape [${t.shape}] of ${t.dtype}`);
    }
    const base = 8 + this.headerBytes;
    if (t.data instanceof Uint8Array) {
      await this.fh.write(t.data, 0, length, base + this.end);
    } else {
      let pos = base + this.end;
      const range = t.data;
      if (length > 0) {
        for await (const chunk of createReadStream(range.path, { start: range.offset, end: range.offset + length - 1, highWaterMark: 1 << 22 })) {
          const buf = chunk as Buffer;
          await this.fh.write(buf, 0, buf.length, pos);
          pos += buf.length;
        }
      }
      if (pos !== base + this.end + length) throw new StudioError('BAD_FILE', `${range.path}: ended before tensor '${t.name}' was read whole`, { file: range.path, tensor: t.name });
    }
    this.entries[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [this.end, this.end + length] };
    this.end += length;
  }

  /** Writes the header, syncs and renames into place. */
  async commit(metadata: Record<string, string> = {}): Promise<void> {
    if (!this.fh || this.done) throw new Error('writer is closed');
    const header = Buffer.from(JSON.stringify({ __metadata__: metadata, ...this.entries }), 'utf8');
    if (header.length > this.headerBytes) {
      await this.abort();
      throw new StudioError('INTERNAL', `${this.path}: header of ${header.length} bytes exceeds the ${this.headerBytes} reserved`);
    }
    const block = Buffer.alloc(8 + this.headerBytes, 0x20);
    block.writeBigUInt64LE(BigInt(this.headerBytes), 0);
    header.copy(block, 8);
    await this.fh.write(block, 0, block.length, 0);
    await this.fh.sync();
    await this.fh.close();
    this.done = true;
    await rename(this.tmpPath, this.path);
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.fh?.close().catch(() => {});
    await rm(this.tmpPath, { force: true });
  }
}
