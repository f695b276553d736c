// The engine names tensors as llama.cpp does (token_embd.weight,
// blk.N.attn_q.weight, …). GGUF files already use these names; Hugging Face
// checkpoints are mapped module by module, keeping the suffix after the module
// (".weight", ".bias", or a quantized format's ".weight_scale" …).
import type { Architecture } from '../models/types.js';

const LLAMA_LAYER: Record<string, string> = {
  input_layernorm: 'attn_norm',
  post_attention_layernorm: 'ffn_norm',
  'self_attn.q_proj': 'attn_q',
  'self_attn.k_proj': 'attn_k',
  'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output',
  'mlp.gate_proj': 'ffn_gate',
  'mlp.up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down',
};

const GPT2_LAYER: Record<string, string> = {
  ln_1: 'attn_norm',
  ln_2: 'ffn_norm',
  'attn.c_attn': 'attn_qkv',
  'attn.c_proj': 'attn_output',
  'mlp.c_fc': 'ffn_up',
  'mlp.c_proj': 'ffn_down',
};

const LLAMA_TOP: Record<string, string> = { 'model.embed_tokens': 'token_embd', 'model.norm': 'output_norm', lm_head: 'output' };
const GPT2_TOP: Record<string, string> = { wte: 'token_embd', wpe: 'position_embd', ln_f: 'output_norm', lm_head: 'output' };

/** The engine's name for a Hugging Face tensor name, or undefined for tensors the engine does not use. */
export function engineTensorName(hfName: string, arch: Architecture): string | undefined {
  const gpt2 = arch === 'gpt2';
  const name = gpt2 ? hfName.replace(/^transformer\./, '') : hfName;
  const layer = gpt2 ? /^h\.(\d+)\.(.+)\.([^.]+)$/.exec(name) : /^model\.layers\.(\d+)\.(.+)\.([^.]+)$/.exec(name);
  if (layer) {
    const module = (gpt2 ? GPT2_LAYER : LLAMA_LAYER)[layer[2]];
    return module ? `blk.${layer[1]}.${module}.${layer[3]}` : undefined;
  }
  const top = /^(.+)\.([^.]+)$/.exec(name);
  const module = top && (gpt2 ? GPT2_TOP : LLAMA_TOP)[top[1]];
  return module ? `${module}.${top![2]}` : undefined;
}
