// Random weights for tiny models from fixed seeds, by Hugging Face names, and
// their conversions to what the engine loads (llama.cpp names, the GGUF rotary
// permutation of q/k rows, F16/BF16 storage).
import type { NativeTensor } from '../../electron/studio/native/addon.js';
import { engineTensorName } from '../../electron/studio/engine/tensor-names.js';
import type { RefGpt2Config } from './reference-gpt2.js';
import type { RefLlamaConfig } from './reference-llama.js';
import { fromHalf, toBf16, toF16 } from './half.js';
import { gaussian } from './tensors.js';

export type Shaped = { shape: number[]; data: Float32Array };
export type HfWeights = Record<string, Shaped>;

function make(seed: { n: number }, shape: number[], std: number, mean = 0): Shaped {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = gaussian(n, seed.n++, std);
  if (mean) for (let i = 0; i < n; i++) data[i] += mean;
  return { shape, data };
}

export function randomLlamaWeights(cfg: RefLlamaConfig, seed: number, opts: { qkvBias?: boolean } = {}): HfWeights {
  const s = { n: seed };
  const { hidden: H, intermediate: I, heads, kvHeads, headDim: d, vocab: V } = cfg;
  const w: HfWeights = { 'model.embed_tokens.weight': make(s, [V, H], 1), 'model.norm.weight': make(s, [H], 0.1, 1) };
  if (!cfg.tieEmbeddings) w['lm_head.weight'] = make(s, [V, H], 1 / Math.sqrt(H));
  for (let l = 0; l < cfg.layers; l++) {
    const p = `model.layers.${l}.`;
    const lin = (name: string, out: number, inp: number) => (w[p + name + '.weight'] = make(s, [out, inp], 1 / Math.sqrt(inp)));
    w[p + 'input_layernorm.weight'] = make(s, [H], 0.1, 1);
    w[p + 'post_attention_layernorm.weight'] = make(s, [H], 0.1, 1);
    lin('self_attn.q_proj', heads * d, H);
    lin('self_attn.k_proj', kvHeads * d, H);
    lin('self_attn.v_proj', kvHeads * d, H);
    lin('self_attn.o_proj', H, heads * d);
    lin('mlp.gate_proj', I, H);
    lin('mlp.up_proj', I, H);
    lin('mlp.down_proj', H, I);
    if (opts.qkvBias) {
      w[p + 'self_attn.q_proj.bias'] = make(s, [heads * d], 0.2);
      w[p + 'self_attn.k_proj.bias'] = make(s, [kvHeads * d], 0.2);
      w[p + 'self_attn.v_proj.bias'] = make(s, [kvHeads * d], 0.2);
    }
  }
  return w;
}

export function randomGpt2Weights(cfg: RefGpt2Config, seed: number): HfWeights {
  const s = { n: seed };
  const { hidden: H, intermediate: I, vocab: V } = cfg;
  const w: HfWeights = {
    'wte.weight': make(s, [V, H], 0.5),
    'wpe.weight': make(s, [cfg.maxPositions, H], 0.2),
    'ln_f.weight': make(s, [H], 0.1, 1),
    'ln_f.bias': make(s, [H], 0.1),
  };
  for (let l = 0; l < cfg.layers; l++) {
    const p = `h.${l}.`;
    w[p + 'ln_1.weight'] = make(s, [H], 0.1, 1);
    w[p + 'ln_1.bias'] = make(s, [H], 0.1);
    w[p + 'ln_2.weight'] = make(s, [H], 0.1, 1);
    w[p + 'ln_2.bias'] = make(s, [H], 0.1);
    // Conv1D: [in, out]
    w[p + 'attn.c_attn.weight'] = make(s, [H, 3 * H], 1 / Math.sqrt(H));
    w[p + 'attn.c_attn.bias'] = make(s, [3 * H], 0.1);
    w[p + 'attn.c_proj.weight'] = make(s, [H, H], 1 / Math.sqrt(H));
    w[p + 'attn.c_proj.bias'] = make(s, [H], 0.1);
    w[p + 'mlp.c_fc.weight'] = make(s, [H, I], 1 / Math.sqrt(H));
    w[p + 'mlp.c_fc.bias'] = make(s, [I], 0.1);
    w[p + 'mlp.c_proj.weight'] = make(s, [I, H], 1 / Math.sqrt(I));
    w[p + 'mlp.c_proj.bias'] = make(s, [H], 0.1);
  }
  return w;
}

/** Just the arrays, for the references. */
export const arraysOf = (w: HfWeights): Record<string, Float32Array> => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.data]));

/**
 * llama.cpp's convert_hf_to_gguf permutation of q/k rows: within each head,
 * rotary pairs (i, i + d/2) become neighbours (2i, 2i + 1).
 */
export function permuteRows(x: Float32Array, rows: number, cols: number, nHead: number): Float32Array {
  const d = rows / nHead, out = new Float32Array(x.length);
  for (let h = 0; h < nHead; h++)
    for (let i = 0; i < d / 2; i++)
      for (let j = 0; j < 2; j++) out.set(x.subarray((h * d + j * (d / 2) + i) * cols, (h * d + j * (d / 2) + i + 1) * cols), (h * d + 2 * i + j) * cols);
  return out;
}

/** The same model as GGUF stores it: q/k rows (and biases) permuted for the interleaved rotary layout. */
export function ggufLayout(w: HfWeights, cfg: RefLlamaConfig): HfWeights {
  const out: HfWeights = {};
  for (const [name, t] of Object.entries(w)) {
    const q = /self_attn\.q_proj\./.test(name), k = /self_attn\.k_proj\./.test(name);
    if (!q && !k) { out[name] = t; continue; }
    const nHead = q ? cfg.heads : cfg.kvHeads, rows = t.shape[0], cols = t.shape.length > 1 ? t.shape[1] : 1;
    out[name] = { shape: t.shape, data: permuteRows(t.data, rows, cols, nHead) };
  }
  return out;
}

/** Rounds every matrix to F16/BF16 (vectors stay F32, as in real checkpoints); returns the rounded weights too. */
export function storeAs(w: HfWeights, dtype: 'F16' | 'BF16'): { stored: Record<string, { dtype: string } & Shaped & { bits?: Uint16Array }>; rounded: HfWeights } {
  const stored: Record<string, { dtype: string } & Shaped & { bits?: Uint16Array }> = {};
  const rounded: HfWeights = {};
  for (const [name, t] of Object.entries(w)) {
    if (t.shape.length < 2) { stored[name] = { dtype: 'F32', ...t }; rounded[name] = t; continue; }
    const bits = dtype === 'F16' ? toF16(t.data) : toBf16(t.data);
    stored[name] = { dtype, ...t, bits };
    rounded[name] = { shape: t.shape, data: fromHalf(bits, dtype) };
  }
  return { stored, rounded };
}

/** Engine tensors (llama.cpp names) over in-memory buffers. */
export function engineTensors(w: Record<string, { dtype?: string; shape: number[]; data: Float32Array; bits?: Uint16Array }>, arch: 'llama' | 'gpt2'): Record<string, NativeTensor> {
  const out: Record<string, NativeTensor> = {};
  for (const [name, t] of Object.entries(w)) {
    const engineName = engineTensorName(name, { architecture: arch, numHeads: 1, numKvHeads: 1 });
    if (!engineName) throw new Error(`no engine name for ${name}`);
    out[engineName] = { dtype: t.dtype ?? 'F32', shape: t.shape, name, data: t.bits ?? t.data };
  }
  return out;
}
