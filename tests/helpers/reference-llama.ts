// An independent forward pass of the Llama family (Llama, Mistral, Qwen2,
// SmolLM, TinyLlama) in float64, written from the Hugging Face modeling code's
// definitions: RMSNorm, rotary embeddings in the "rotate half" layout with
// rope_theta and llama3/linear scaling, grouped-query attention (optionally in
// a sliding window), SwiGLU, tied
// or separate head. Weights by Hugging Face names, [out, in]. No KV cache: all
// positions at once, so it checks the engine's cache and batching too.
import { addInto, causalAttention, linear, rmsNorm, silu, type Vec } from './reference-math.js';

export interface RefLlamaConfig {
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  normEps: number;
  ropeTheta: number;
  ropeScaling?: { type: 'linear'; factor: number } | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };
  tieEmbeddings: boolean;
  /** Mistral / Qwen2 sliding-window attention in the listed layers. */
  slidingWindow?: { size: number; layers: number[] };
}

export type RefWeights = Record<string, Float32Array>;

/** inv_freq of each rotary pair after scaling (transformers' _compute_llama3_parameters). */
export function ropeInvFreq(cfg: RefLlamaConfig): number[] {
  const d = cfg.headDim;
  const base = Array.from({ length: d / 2 }, (_, i) => 1 / cfg.ropeTheta ** ((2 * i) / d));
  const s = cfg.ropeScaling;
  if (!s) return base;
  if (s.type === 'linear') return base.map((f) => f / s.factor);
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return base.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return ((1 - smooth) * f) / s.factor + smooth * f;
  });
}

/** Rotate-half rotary embedding of every head of one token at position `pos`. */
function rope(x: Vec, heads: number, d: number, pos: number, invFreq: number[]): Vec {
  const y = new Float64Array(x);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < d / 2; i++) {
      const a = pos * invFreq[i], c = Math.cos(a), s = Math.sin(a);
      const x1 = x[h * d + i], x2 = x[h * d + i + d / 2];
      y[h * d + i] = x1 * c - x2 * s;
      y[h * d + i + d / 2] = x2 * c + x1 * s;
    }
  }
  return y;
}

/** Logits [T][vocab] for every position of `tokens`, plus the residual stream after each layer [layers][T][hidden]. */
export function llamaReference(cfg: RefLlamaConfig, w: RefWeights, tokens: number[]): { logits: Vec[]; hidden: Vec[][] } {
  const { hidden: H, heads, kvHeads, headDim: d, intermediate: I } = cfg;
  const emb = w['model.embed_tokens.weight'];
  const invFreq = ropeInvFreq(cfg);
  const x: Vec[] = tokens.map((t) => Float64Array.from(emb.subarray(t * H, (t + 1) * H)));
  const hiddenStates: Vec[][] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const p = `model.layers.${l}.`;
    const W = (n: string) => w[p + n];
    const h = x.map((xt) => rmsNorm(xt, W('input_layernorm.weight'), cfg.normEps));
    const q = h.map((ht, t) => rope(linear(W('self_attn.q_proj.weight'), heads * d, ht, W('self_attn.q_proj.bias')), heads, d, t, invFreq));
    const k = h.map((ht, t) => rope(linear(W('self_attn.k_proj.weight'), kvHeads * d, ht, W('self_attn.k_proj.bias')), kvHeads, d, t, invFreq));
    const v = h.map((ht) => linear(W('self_attn.v_proj.weight'), kvHeads * d, ht, W('self_attn.v_proj.bias')));
    const window = cfg.slidingWindow?.layers.includes(l) ? cfg.slidingWindow.size : 0;
    const att = causalAttention(q, k, v, heads, kvHeads, d, window);
    att.forEach((a, t) => addInto(x[t], linear(W('self_attn.o_proj.weight'), H, a, W('self_attn.o_proj.bias'))));
    for (let t = 0; t < x.length; t++) {
      const h2 = rmsNorm(x[t], W('post_attention_layernorm.weight'), cfg.normEps);
      const g = linear(W('mlp.gate_proj.weight'), I, h2);
      const u = linear(W('mlp.up_proj.weight'), I, h2);
      addInto(x[t], linear(W('mlp.down_proj.weight'), H, g.map((gi, i) => silu(gi) * u[i])));
    }
    hiddenStates.push(x.map((xt) => Float64Array.from(xt)));
  }
  const head = cfg.tieEmbeddings ? emb : w['lm_head.weight'];
  const logits = x.map((xt) => linear(head, cfg.vocab, rmsNorm(xt, w['model.norm.weight'], cfg.normEps)));
  return { logits, hidden: hiddenStates };
}
