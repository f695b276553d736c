// The models open in this engine process, by id, with their files mapped once
// and shared by every statistic and job that reads them.
import { StudioError } from '../../common/errors.js';
import { native, type NativeMappedFile, type NativeTensor } from '../native/addon.js';
import type { OpenedModel, TensorEntry } from '../models/types.js';

export type OpenModelFn = (path: string) => Promise<OpenedModel>;

interface Entry {
  model: OpenedModel;
  files: Map<string, NativeMappedFile>;
}

export class ModelRegistry {
  private readonly models = new Map<string, Entry>();
  private counter = 0;

  constructor(private readonly openModel: OpenModelFn) {}

  async open(path: string): Promise<{ modelId: string; model: OpenedModel }> {
    const model = await this.openModel(path);
    const modelId = `model-${++this.counter}`;
    this.models.set(modelId, { model, files: new Map() });
    return { modelId, model };
  }

  get(modelId: string): OpenedModel {
    return this.entry(modelId).model;
  }

  tensor(modelId: string, name: string): TensorEntry {
    const t = this.get(modelId).tensors.find((x) => x.name === name);
    if (!t) throw new StudioError('NOT_FOUND', `the model has no tensor '${name}'`, { tensor: name });
    return t;
  }

  /** The tensor as native code reads it: a range of its (mapped) file. */
  nativeTensor(modelId: string, t: TensorEntry): NativeTensor {
    const entry = this.entry(modelId);
    let file = entry.files.get(t.file);
    if (!file) {
      file = new (native().MappedFile)(t.file);
      entry.files.set(t.file, file);
    }
    return { dtype: t.dtype, shape: t.shape, name: t.name, file, offset: t.offset, byteLength: t.byteLength };
  }

  close(modelId: string): boolean {
    const entry = this.models.get(modelId);
    if (!entry) return false;
    for (const f of entry.files.values()) f.close();
    this.models.delete(modelId);
    return true;
  }

  closeAll(): void {
    for (const id of [...this.models.keys()]) this.close(id);
  }

  private entry(modelId: string): Entry {
    const e = this.models.get(modelId);
    if (!e) throw new StudioError('NOT_FOUND', `model ${modelId} is not open (models close when the engine restarts): open it again`);
    return e;
  }
}
