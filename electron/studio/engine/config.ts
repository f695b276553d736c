// ModelConfig (config.json or GGUF metadata) → the native engine's config.
// Architectures the engine has no forward pass for are refused here, by name.
import { StudioError } from '../../common/errors.js';
import type { ModelConfig } from '../models/types.js';
import type { NativeEngineConfig } from './native.js';

const FAMILIES: Record<string, NativeEngineConfig['family']> = { llama: 'llama', mistral: 'llama', qwen2: 'llama', gpt2: 'gpt2' };

const ACTIVATIONS: Record<ModelConfig['hiddenAct'], NativeEngineConfig['activation']> = {
  silu: 'silu',
  gelu: 'gelu',
  gelu_new: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
};

export const ENGINE_ARCHITECTURES = Object.keys(FAMILIES);

/** Per layer the keys a query sees (0 = all); undefined when no layer has a window shorter than the context. */
function attentionWindows(c: ModelConfig): number[] | undefined {
  const w = c.slidingWindow;
  if (!w || w.size >= c.maxPositions || w.layers.length === 0) return undefined;
  const windows = new Array<number>(c.numLayers).fill(0);
  for (const l of w.layers) windows[l] = w.size;
  return windows;
}

/**
 * @param format where the weights come from: GPT-2 checkpoints from Hugging Face
 *   store linear weights as Conv1D [in, out]; llama.cpp's GGUF files transpose them.
 */
export function engineConfig(c: ModelConfig, format: 'hf' | 'gguf', where: { file?: string } = {}): NativeEngineConfig {
  const family = FAMILIES[c.architecture];
  if (!family) {
    throw new StudioError('UNSUPPORTED', `${where.file ? `${where.file}: ` : ''}the engine does not run architecture '${c.architecture}' (${c.sourceArchitecture}); it runs ${ENGINE_ARCHITECTURES.join(', ')}`, where);
  }
  const activation = ACTIVATIONS[c.hiddenAct];
  if (!activation) throw new StudioError('UNSUPPORTED', `activation '${c.hiddenAct}' is not supported by the engine`, where);
  return {
    family,
    architecture: c.architecture,
    hidden: c.hiddenSize,
    intermediate: c.intermediateSize,
    layers: c.numLayers,
    heads: c.numHeads,
    kvHeads: c.numKvHeads,
    headDim: c.headDim,
    vocab: c.vocabSize,
    maxPositions: c.maxPositions,
    normEps: c.normEps,
    ropeTheta: family === 'llama' ? c.ropeTheta : undefined,
    ropeLayout: c.ropeLayout === 'gguf' ? 'interleaved' : 'half',
    ropeScaling: c.ropeScaling,
    activation,
    tieEmbeddings: c.tieWordEmbeddings,
    weightsInOut: family === 'gpt2' && format === 'hf',
    attentionWindows: attentionWindows(c),
  };
}
