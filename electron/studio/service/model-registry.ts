// The models open in this engine process, by id, each with its tensor data
// (models/ModelTensors: one mapping per file, shared by every statistic and job).
import { StudioError } from '../../common/errors.js';
import { ModelTensors, type MappedTensor } from '../models/tensor-data.js';
import type { OpenedModel, TensorEntry } from '../models/types.js';

export type OpenModelFn = (path: string) => Promise<OpenedModel>;

export class ModelRegistry {
  private readonly models = new Map<string, ModelTensors>();
  private counter = 0;

  constructor(private readonly openModel: OpenModelFn) {}

  async open(path: string): Promise<{ modelId: string; model: OpenedModel }> {
    const model = await this.openModel(path);
    const modelId = `model-${++this.counter}`;
    this.models.set(modelId, new ModelTensors(model));
    return { modelId, model };
  }

  get(modelId: string): OpenedModel {
    return this.data(modelId).model;
  }

  tensor(modelId: string, name: string): TensorEntry {
    return this.data(modelId).entry(name);
  }

  /** The tensor as native code reads it: a range of its mapped file. */
  nativeTensor(modelId: string, t: TensorEntry): MappedTensor {
    return this.data(modelId).get(t);
  }

  close(modelId: string): boolean {
    const data = this.models.get(modelId);
    if (!data) return false;
    data.close();
    this.models.delete(modelId);
    return true;
  }

  closeAll(): void {
    for (const id of [...this.models.keys()]) this.close(id);
  }

  /** The model's tensor data, for services that read it (compress, export). */
  data(modelId: string): ModelTensors {
    const d = this.models.get(modelId);
    if (!d) throw new StudioError('NOT_FOUND', `model ${modelId} is not open (models close when the engine restarts): open it again`);
    return d;
  }
}
