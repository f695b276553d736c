// The model-file layer: readers (HF folders, safetensors, GGUF), configs, the
// tensor-data helper, and HF ↔ llama.cpp tensor names.
export * from './types.js';
export { openModel } from './open-model.js';
export { ModelTensors, openTensorData, type MappedTensor } from './tensor-data.js';
export { readSafetensorsHeader, SAFETENSORS_MAX_HEADER, type SafetensorsHeader } from './safetensors.js';
export { readShardedCheckpoint, readShardIndex, type ShardedCheckpoint } from './sharded.js';
export { modelConfigFromHf, quantizationFromHf } from './hf-config.js';
export { openHfFolder } from './hf-folder.js';
export { tensorBytes, numelOf, PLAIN_DTYPE_BYTES, isPlainDType, isBlockDType, ggmlTypeOf, dtypeOfGgmlType } from './dtypes.js';
export { readGgufFile, typedMetadata, type GgufFile, type GgufTensorInfo } from './gguf-reader.js';
export { gguf, GGUF_DEFAULT_ALIGNMENT, ggufTypeName, type GgufType, type GgufScalarType, type GgufValue, type GgufTypedValue } from './gguf-values.js';
export { modelConfigFromGguf, quantizationFromGguf } from './gguf-config.js';
export { openGgufModel, ggufToOpenedModel } from './gguf-model.js';
export { hfToGgufName, ggufToHfName, type MappedName, type NameResult } from './tensor-names.js';
export { qkHfToGgufOrder, qkGgufToHfOrder, permuteRows, transposeBytes, transformTensor, type TensorTransform } from './qk-permute.js';
