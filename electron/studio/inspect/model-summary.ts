// What the window shows about an opened model: one summary built from the
// reader's OpenedModel: headers, plus the few bytes of compressed layers' metadata
// tensors (weight_shape, a bitsandbytes quant state) for their logical rows.
import type { DTypeShare, ModelSummary, TensorInfo } from '../../common/contract.js';
import { logicalTensors } from './logical-tensors.js';
import { describeStoredQuantization } from './stored-quantization.js';
import type { OpenedModel, TensorEntry } from '../models/types.js';
import { isDefaultTarget, layerIndexOf } from '../recipes/targets.js';

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * A short name for a tensor's job inside its block (HF or GGUF naming):
 * `model.layers.3.self_attn.q_proj.weight` → `q_proj`, `blk.3.ffn_down.weight`
 * → `ffn_down`, biases keep a `.bias` suffix; outside the blocks the last
 * meaningful part (`embed_tokens`, `lm_head`, `token_embd`, `output_norm`).
 */
export function tensorRole(name: string): string {
  const parts = name.split('.');
  const last = parts[parts.length - 1];
  const isParam = last === 'weight' || last === 'bias';
  const stem = isParam ? parts[parts.length - 2] ?? last : last;
  return last === 'bias' ? `${stem}.bias` : stem;
}

export function tensorInfo(t: TensorEntry): TensorInfo {
  const layer = layerIndexOf(t.name);
  return {
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    bytes: t.byteLength,
    parameters: numel(t.shape),
    layer: layer ?? null,
    role: tensorRole(t.name),
    linear: isDefaultTarget(t),
  };
}

function dtypeMix(tensors: TensorEntry[]): DTypeShare[] {
  const by = new Map<string, DTypeShare>();
  for (const t of tensors) {
    const s = by.get(t.dtype) ?? { dtype: t.dtype, tensors: 0, parameters: 0, bytes: 0 };
    s.tensors++;
    s.parameters += numel(t.shape);
    s.bytes += t.byteLength;
    by.set(t.dtype, s);
  }
  return [...by.values()].sort((a, b) => b.bytes - a.bytes);
}

/** The file or folder name says which variant this is (general.name is often just "llama"). */
export function displayName(m: OpenedModel): string {
  const base = m.path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? m.path;
  return base.replace(/\.gguf$/i, '');
}

export function summarizeModel(modelId: string, m: OpenedModel): ModelSummary {
  const c = m.config;
  return {
    modelId,
    path: m.path,
    name: displayName(m),
    format: m.format,
    architecture: c.architecture,
    sourceArchitecture: c.sourceArchitecture,
    config: {
      hiddenSize: c.hiddenSize, intermediateSize: c.intermediateSize, numLayers: c.numLayers, numHeads: c.numHeads,
      numKvHeads: c.numKvHeads, headDim: c.headDim, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
      ropeTheta: c.ropeTheta, normEps: c.normEps, tieWordEmbeddings: c.tieWordEmbeddings,
    },
    parameters: m.tensors.reduce((a, t) => a + numel(t.shape), 0),
    bytesOnDisk: m.files.reduce((a, f) => a + f.bytes, 0),
    files: m.files,
    dtypeMix: dtypeMix(m.tensors),
    quantization: m.quantization.format,
    storedQuantization: describeStoredQuantization(m),
    logicalTensors: logicalTensors(m)?.map(({ entry, stored }) => ({
      ...tensorInfo(entry),
      ...(stored && {
        parts: Object.values(stored.layer.parts).map((p) => ({ name: p.name, dtype: p.dtype, shape: p.shape, bytes: p.byteLength })),
        storedError: stored.error?.message,
      }),
    })),
    tokenizer: m.tokenizer.kind,
    tensors: m.tensors.map(tensorInfo),
  };
}
