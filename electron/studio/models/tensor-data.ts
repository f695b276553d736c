// Tensor bytes of an opened model, for native code: one MappedFile per file,
// opened on first use and shared by every tensor in it. Nothing is copied into
// JavaScript; kernels read the mapped ranges (bounds-checked natively).
import { StudioError } from '../../common/errors.js';
import { native, type NativeMappedFile, type NativeTensor } from '../native/addon.js';
import type { OpenedModel, TensorEntry } from './types.js';

/** A tensor as a mapped file range, ready to pass to any kernel. */
export type MappedTensor = NativeTensor & { name: string; file: NativeMappedFile; offset: number; byteLength: number };

export class ModelTensors {
  private readonly files = new Map<string, NativeMappedFile>();
  private readonly byName: Map<string, TensorEntry>;
  private closed = false;

  constructor(readonly model: OpenedModel) {
    this.byName = new Map(model.tensors.map((t) => [t.name, t]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  entry(name: string): TensorEntry {
    const t = this.byName.get(name);
    if (!t) throw new StudioError('NOT_FOUND', `${this.model.path}: the model has no tensor '${name}'`, { file: this.model.path, tensor: name });
    return t;
  }

  /** The tensor named `name` (or described by `entry`) as a mapped range. */
  get(nameOrEntry: string | TensorEntry): MappedTensor {
    const t = typeof nameOrEntry === 'string' ? this.entry(nameOrEntry) : nameOrEntry;
    const file = this.file(t.file);
    if (t.offset + t.byteLength > file.size) {
      // The file shrank since it was opened: refuse rather than hand out a range past its end.
      throw new StudioError('BAD_FILE', `${t.file}: tensor '${t.name}' ends at byte ${t.offset + t.byteLength} but the file now has ${file.size} (changed since it was opened?)`, { file: t.file, tensor: t.name });
    }
    return { dtype: t.dtype, shape: t.shape, name: t.name, file, offset: t.offset, byteLength: t.byteLength };
  }

  /** A copy of the tensor's bytes (small tensors, writers); large tensors belong in native code. */
  bytes(nameOrEntry: string | TensorEntry): Buffer {
    const t = this.get(nameOrEntry);
    return t.file.read(t.offset, t.byteLength);
  }

  /** The mapping of one of the model's files. */
  file(path: string): NativeMappedFile {
    if (this.closed) throw new StudioError('INVALID_ARGUMENT', `${this.model.path}: tensor data was closed`, { file: this.model.path });
    let f = this.files.get(path);
    if (!f) {
      try {
        f = new (native().MappedFile)(path);
      } catch (e) {
        throw new StudioError('BAD_FILE', (e as Error).message, { file: path });
      }
      this.files.set(path, f);
    }
    return f;
  }

  /** Unmaps every file; jobs already running keep their mapping until they end. */
  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
    this.closed = true;
  }
}

export const openTensorData = (model: OpenedModel): ModelTensors => new ModelTensors(model);
