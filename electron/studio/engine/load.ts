// An opened model file made runnable: its weights in the engine (mapped, with
// the chosen linear method) and its tokenizer. What the CLI, the Compare
// screen and benchmarks start from.
import { openModel } from '../models/open-model.js';
import { openTensorData } from '../models/tensor-data.js';
import type { OpenedModel } from '../models/types.js';
import { loadTokenizer } from '../tokenizer/load.js';
import type { TextTokenizer } from '../tokenizer/types.js';
import { EngineModel, type EngineLoadOptions } from './model.js';

export interface RunnableModel {
  opened: OpenedModel;
  model: EngineModel;
  tokenizer: TextTokenizer;
  /** Releases the engine's weights (sessions still open keep them until disposed). */
  dispose(): void;
}

export async function loadRunnableModel(source: string | OpenedModel, opts: EngineLoadOptions = {}): Promise<RunnableModel> {
  const opened = typeof source === 'string' ? await openModel(source) : source;
  const tokenizer = loadTokenizer(opened);
  const data = openTensorData(opened);
  try {
    const model = await EngineModel.load(opened, data, opts);
    return { opened, model, tokenizer, dispose: () => model.dispose() };
  } finally {
    data.close(); // the engine holds its own mappings
  }
}
