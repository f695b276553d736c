export * from './schema.js';
export { parseRecipe, loadRecipe, saveRecipe } from './parse.js';
export { planRecipe, groupSizesThatFit, type RecipePlan, type TensorPlan, type OutputFormat } from './plan.js';
export { estimateSize, plannedBitsPerWeight, storedBitsPerWeight, type SizeEstimate } from './estimate.js';
export { PRESETS, findPreset, type RecipePreset } from './presets.js';
export { DEFAULT_TARGETS, isDefaultTarget, layerIndexOf } from './targets.js';
