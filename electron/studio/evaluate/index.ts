// Evaluation over the native engine: generation, perplexity, and the
// two-model comparison (KL divergence, top-token agreement, per-layer error).
export { generate, type GenerateOptions, type GenerateResult, type GeneratedToken } from './generate.js';
export { perplexity, type PerplexityOptions, type PerplexityResult } from './perplexity.js';
export { compareModels, outlierStatsOf, type CompareOptions, type CompareResult, type ModelScore, type OutlierStats } from './compare.js';
export type { LayerError } from './layer-error.js';
export { scoringWindows, type PerplexityMethod, type ScoringWindow } from './windows.js';
export { Sampler, type SamplingOptions } from './sampling.js';
export { measureSpeed, copyBandwidth, type SpeedOptions, type SpeedResult } from './speed.js';
