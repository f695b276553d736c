// compressModel: a recipe applied to an opened model, written to `target` in the
// format the recipe's methods need. The entry point of the CLI and the window.
import { StudioError } from '../../common/errors.js';
import { openTensorData } from '../models/tensor-data.js';
import type { OpenedModel } from '../models/types.js';
import { planRecipe } from '../recipes/plan.js';
import { parseRecipe } from '../recipes/parse.js';
import type { GgufExportType, Recipe } from '../recipes/schema.js';
import { compressToGguf } from './compress-gguf.js';
import { compressToHfFolder, type CompressOptions } from './compress-hf.js';
import type { CompressReport } from './types.js';

export type { CompressOptions } from './compress-hf.js';
export type * from './types.js';

export async function compressModel(model: OpenedModel, recipe: Recipe, target: string, opts: CompressOptions = {}): Promise<CompressReport> {
  const plan = planRecipe(recipe, model.tensors);
  if (!plan.tensors.some((t) => t.quantize || t.prune)) {
    const why = plan.skipped.length ? `: ${plan.skipped[0].name}: ${plan.skipped[0].reason}` : '';
    throw new StudioError('INVALID_ARGUMENT', `the recipe changes no tensor of ${model.path}${why}`);
  }
  const data = openTensorData(model);
  try {
    if (plan.format === 'gguf') return await compressToGguf(model, recipe, plan, data, target, opts);
    return await compressToHfFolder(model, recipe, plan, data, target, opts);
  } finally {
    data.close();
  }
}

/** `mcs export --type T`: every weight matrix (embeddings and output head too) in GGUF type T. */
export function ggufExportRecipe(type: GgufExportType): Recipe {
  return parseRecipe({ name: `GGUF ${type.toUpperCase()}`, quantize: { method: 'gguf', type }, targets: ['.'] });
}
