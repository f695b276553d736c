// Which tensors a recipe touches by default: the linear layers inside the
// transformer blocks. Embeddings, the output head, norms and biases stay as
// they are unless a recipe names them (quantizing them hurts most, saves least).
import type { TensorEntry } from '../models/types.js';

export const DEFAULT_TARGETS: RegExp[] = [
  // Hugging Face Llama / Mistral / Qwen2 / SmolLM / TinyLlama
  /(^|\.)layers\.\d+\.(self_attn|mlp)\.[a-z0-9_]+_proj\.weight$/,
  // Hugging Face GPT-2 (Conv1D weights)
  /(^|\.)h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/,
  // llama.cpp GGUF names
  /^blk\.\d+\.(attn_(q|k|v|qkv|output)|ffn_(gate|up|down))\.weight$/,
];

export function isDefaultTarget(t: Pick<TensorEntry, 'name' | 'shape'>): boolean {
  return t.shape.length === 2 && DEFAULT_TARGETS.some((re) => re.test(t.name));
}

/** Layer index from an HF or GGUF tensor name, or undefined outside the blocks. */
export function layerIndexOf(name: string): number | undefined {
  const m = /(?:^|\.)(?:layers|h|blk)\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : undefined;
}
