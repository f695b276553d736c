// Hugging Face ↔ llama.cpp tensor names (llama.cpp's gguf-py tensor_mapping for
// the llama family and GPT-2), with the transform each tensor needs on the way.
import { StudioError } from '../../common/errors.js';
import type { TensorTransform } from './qk-permute.js';
import type { ModelConfig } from './types.js';

export interface MappedName {
  name: string;
  transform: TensorTransform;
}
/** Tensors a converter leaves out (rotary caches, GPT-2 attention masks). */
export type NameResult = MappedName | 'drop';

type Heads = Pick<ModelConfig, 'architecture' | 'numHeads' | 'numKvHeads'>;

const NONE: TensorTransform = { kind: 'none' };

/** Per-layer pairs [HF suffix after "model.layers.N.", GGUF suffix after "blk.N."]. */
const LLAMA_LAYER: [string, string][] = [
  ['input_layernorm', 'attn_norm'], ['post_attention_layernorm', 'ffn_norm'],
  ['self_attn.q_proj', 'attn_q'], ['self_attn.k_proj', 'attn_k'], ['self_attn.v_proj', 'attn_v'], ['self_attn.o_proj', 'attn_output'],
  ['mlp.gate_proj', 'ffn_gate'], ['mlp.up_proj', 'ffn_up'], ['mlp.down_proj', 'ffn_down'],
];
const LLAMA_GLOBAL: [string, string][] = [['model.embed_tokens', 'token_embd'], ['model.norm', 'output_norm'], ['lm_head', 'output']];

const GPT2_LAYER: [string, string][] = [
  ['ln_1', 'attn_norm'], ['attn.c_attn', 'attn_qkv'], ['attn.c_proj', 'attn_output'], ['ln_2', 'ffn_norm'], ['mlp.c_fc', 'ffn_up'], ['mlp.c_proj', 'ffn_down'],
];
const GPT2_GLOBAL: [string, string][] = [['wte', 'token_embd'], ['wpe', 'position_embd'], ['ln_f', 'output_norm'], ['lm_head', 'output']];
/** GPT-2 Conv1D layers whose weights are transposed. */
const GPT2_CONV1D = new Set(['attn_qkv', 'attn_output', 'ffn_up', 'ffn_down']);

const unknown = (name: string, arch: string) =>
  new StudioError('UNSUPPORTED', `tensor '${name}' has no llama.cpp name for architecture ${arch}`, { tensor: name });

/** Splits "<stem>.<weight|bias>" ; undefined for other suffixes. */
function param(name: string): [string, 'weight' | 'bias'] | undefined {
  const m = /^(.*)\.(weight|bias)$/.exec(name);
  return m ? [m[1], m[2] as 'weight' | 'bias'] : undefined;
}

function rotaryTransform(config: Heads, gguf: string): TensorTransform {
  if (config.architecture !== 'llama' && config.architecture !== 'mistral') return NONE; // qwen2 keeps the HF (NEOX) order
  if (gguf === 'attn_q') return { kind: 'permute-qk', heads: config.numHeads };
  if (gguf === 'attn_k') return { kind: 'permute-qk', heads: config.numKvHeads };
  return NONE;
}

const inverse = (t: TensorTransform): TensorTransform => (t.kind === 'permute-qk' ? { kind: 'unpermute-qk', heads: t.heads } : t);

/** The llama.cpp name of a Hugging Face tensor and the transform its bytes need. */
export function hfToGgufName(name: string, config: Heads): NameResult {
  const arch = config.architecture;
  if (arch === 'gpt2') {
    const bare = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
    if (/^h\.\d+\.attn\.(masked_)?bias$/.test(bare)) return 'drop';
    const p = param(bare);
    if (!p) throw unknown(name, arch);
    const [stem, kind] = p;
    const layer = /^h\.(\d+)\.(.+)$/.exec(stem);
    if (layer) {
      const hit = GPT2_LAYER.find(([hf]) => hf === layer[2]);
      if (!hit) throw unknown(name, arch);
      return { name: `blk.${layer[1]}.${hit[1]}.${kind}`, transform: kind === 'weight' && GPT2_CONV1D.has(hit[1]) ? { kind: 'transpose' } : NONE };
    }
    const hit = GPT2_GLOBAL.find(([hf]) => hf === stem);
    if (!hit) throw unknown(name, arch);
    return { name: `${hit[1]}.${kind}`, transform: NONE };
  }
  if (/\.rotary_emb\.inv_freq$/.test(name)) return 'drop';
  const p = param(name);
  if (!p) throw unknown(name, arch);
  const [stem, kind] = p;
  const layer = /^model\.layers\.(\d+)\.(.+)$/.exec(stem);
  if (layer) {
    const hit = LLAMA_LAYER.find(([hf]) => hf === layer[2]);
    if (!hit) throw unknown(name, arch);
    return { name: `blk.${layer[1]}.${hit[1]}.${kind}`, transform: rotaryTransform(config, hit[1]) };
  }
  const hit = LLAMA_GLOBAL.find(([hf]) => hf === stem);
  if (!hit) throw unknown(name, arch);
  return { name: `${hit[1]}.${kind}`, transform: NONE };
}

/** The Hugging Face name of a llama.cpp tensor and the transform back to HF layout. */
export function ggufToHfName(name: string, config: Heads): NameResult {
  const arch = config.architecture;
  const p = param(name);
  if (name === 'rope_freqs.weight') return 'drop'; // Llama 3 scaling factors; HF recomputes them from config.json
  if (!p) throw unknown(name, arch);
  const [stem, kind] = p;
  const gpt2 = arch === 'gpt2';
  const layer = /^blk\.(\d+)\.(.+)$/.exec(stem);
  if (layer) {
    const hit = (gpt2 ? GPT2_LAYER : LLAMA_LAYER).find(([, g]) => g === layer[2]);
    if (!hit) throw unknown(name, arch);
    if (gpt2) return { name: `transformer.h.${layer[1]}.${hit[0]}.${kind}`, transform: kind === 'weight' && GPT2_CONV1D.has(hit[1]) ? { kind: 'transpose' } : NONE };
    return { name: `model.layers.${layer[1]}.${hit[0]}.${kind}`, transform: inverse(rotaryTransform(config, hit[1])) };
  }
  const hit = (gpt2 ? GPT2_GLOBAL : LLAMA_GLOBAL).find(([, g]) => g === stem);
  if (!hit) throw unknown(name, arch);
  return { name: gpt2 && hit[0] !== 'lm_head' ? `transformer.${hit[0]}.${kind}` : `${hit[0]}.${kind}`, transform: NONE };
}
