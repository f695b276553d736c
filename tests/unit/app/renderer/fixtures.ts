// Small contract values for store tests, shaped like the sample model's.
import type { JobInfo, ModelSummary, TensorInfo, TensorStatsRow } from '../../../../electron/common/contract';

const t = (name: string, shape: number[], layer: number | null, role: string, linear: boolean): TensorInfo => ({
  name, dtype: 'F32', shape, bytes: shape.reduce((a, b) => a * b, 1) * 4, parameters: shape.reduce((a, b) => a * b, 1), layer, role, linear,
});

export function summary(modelId = 'model-1', path = '/models/tiny'): ModelSummary {
  const tensors: TensorInfo[] = [t('model.embed_tokens.weight', [512, 64], null, 'embed_tokens', false), t('model.norm.weight', [64], null, 'norm', false)];
  for (let i = 0; i < 2; i++) {
    tensors.push(
      t(`model.layers.${i}.input_layernorm.weight`, [64], i, 'input_layernorm', false),
      t(`model.layers.${i}.self_attn.q_proj.weight`, [64, 64], i, 'q_proj', true),
      t(`model.layers.${i}.mlp.down_proj.weight`, [64, 172], i, 'down_proj', true),
    );
  }
  return {
    modelId, path, name: 'tiny', format: 'hf', architecture: 'llama', sourceArchitecture: 'LlamaForCausalLM',
    config: { hiddenSize: 64, intermediateSize: 172, numLayers: 2, numHeads: 8, numKvHeads: 4, headDim: 8, vocabSize: 512, maxPositions: 512, ropeTheta: 10000, normEps: 1e-5, tieWordEmbeddings: true },
    parameters: tensors.reduce((a, x) => a + x.parameters, 0), bytesOnDisk: 1_000_000, files: [{ path: `${path}/model.safetensors`, bytes: 1_000_000 }],
    dtypeMix: [{ dtype: 'F32', tensors: tensors.length, parameters: 1, bytes: 1 }], quantization: 'none', tokenizer: 'tokenizer.json', tensors,
  };
}

export function statsRow(name: string, outlierShare = 0, kurtosis = 3): TensorStatsRow {
  return { name, count: 10, mean: 0, std: 0.02, min: -0.1, max: 0.1, absmax: 0.1, kurtosis, outlierShare, zeros: 0, nonfinite: 0 };
}

export function job(jobId: string, status: JobInfo['status'] = 'running', revision = 1): JobInfo {
  return {
    jobId, kind: 'inspect', revision, title: 'Statistics of tiny', status, createdAt: 1, startedAt: 1, finishedAt: status === 'running' ? null : 2,
    progress: null, error: null, result: null, log: [],
  };
}
