// The native transformer engine from TypeScript: models, sessions, single
// linear layers, and loading a model file with its tokenizer.
export { EngineModel, EngineSession, engineMethods, assertSameVocab, type EngineLoadOptions, type EvalOptions, type EngineModelInfo, type TensorSource } from './model.js';
export { EngineLinear } from './linear.js';
export { engineConfig, ENGINE_ARCHITECTURES } from './config.js';
export { engineTensorName } from './tensor-names.js';
export { loadRunnableModel, type RunnableModel } from './load.js';
export type { NativeEngineConfig, LinearLoadOptions, NativeLinearInfo, NativeLinearStats, NativeEvalResult } from './native.js';
