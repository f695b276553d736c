// An independent GPT-2 forward pass in float64 from the Hugging Face modeling
// code's definitions: learned positions, pre-LayerNorm blocks, fused c_attn,
// Conv1D weights [in, out], GELU (tanh approximation), tied head.
import { addInto, causalAttention, conv1d, geluTanh, layerNorm, linear, type Vec } from './reference-math.js';

export interface RefGpt2Config {
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  vocab: number;
  maxPositions: number;
  normEps: number;
}

/** Logits [T][vocab] for every position; weights by Hugging Face names (no "transformer." prefix). */
export function gpt2Reference(cfg: RefGpt2Config, w: Record<string, Float32Array>, tokens: number[]): { logits: Vec[]; hidden: Vec[][] } {
  const { hidden: H, heads, intermediate: I } = cfg;
  const d = H / heads;
  const x: Vec[] = tokens.map((tok, t) => {
    const e = new Float64Array(H);
    for (let i = 0; i < H; i++) e[i] = w['wte.weight'][tok * H + i] + w['wpe.weight'][t * H + i];
    return e;
  });
  const hiddenStates: Vec[][] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const W = (n: string) => w[`h.${l}.${n}`];
    const qkv = x.map((xt) => conv1d(W('attn.c_attn.weight'), 3 * H, layerNorm(xt, W('ln_1.weight'), W('ln_1.bias'), cfg.normEps), W('attn.c_attn.bias')));
    const att = causalAttention(qkv.map((r) => r.slice(0, H)), qkv.map((r) => r.slice(H, 2 * H)), qkv.map((r) => r.slice(2 * H)), heads, heads, d);
    att.forEach((a, t) => addInto(x[t], conv1d(W('attn.c_proj.weight'), H, a, W('attn.c_proj.bias'))));
    for (const xt of x) {
      const up = conv1d(W('mlp.c_fc.weight'), I, layerNorm(xt, W('ln_2.weight'), W('ln_2.bias'), cfg.normEps), W('mlp.c_fc.bias'));
      addInto(xt, conv1d(W('mlp.c_proj.weight'), H, up.map(geluTanh), W('mlp.c_proj.bias')));
    }
    hiddenStates.push(x.map((xt) => Float64Array.from(xt)));
  }
  const logits = x.map((xt) => linear(w['wte.weight'], cfg.vocab, layerNorm(xt, w['ln_f.weight'], w['ln_f.bias'], cfg.normEps)));
  return { logits, hidden: hiddenStates };
}
