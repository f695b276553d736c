// The engine names tensors as llama.cpp does (token_embd.weight,
// blk.N.attn_q.weight, …). GGUF files already use these names; Hugging Face
// names go through the models layer's mapping. Suffixes other than weight/bias
// (a quantized format's weight_scale, weight_packed, …) keep their module's name.
import { hfToGgufName } from '../models/tensor-names.js';
import type { ModelConfig } from '../models/types.js';

/** The engine's name for a Hugging Face tensor, or undefined for tensors the engine does not use. */
export function engineTensorName(hfName: string, config: Pick<ModelConfig, 'architecture' | 'numHeads' | 'numKvHeads'>): string | undefined {
  const m = /^(.*)\.([^.]+)$/.exec(hfName);
  if (!m) return undefined;
  const [, stem, suffix] = m;
  try {
    const r = hfToGgufName(`${stem}.${suffix === 'bias' ? 'bias' : 'weight'}`, config);
    return r === 'drop' ? undefined : r.name.replace(/\.(weight|bias)$/, `.${suffix}`);
  } catch {
    return undefined; // not a tensor of this architecture's forward pass
  }
}
