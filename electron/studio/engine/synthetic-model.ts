// A synthetic Llama with real shapes (TinyLlama's: hidden 2048, intermediate
// 5632, 32/4 heads, 32k vocabulary; layers configurable) whose linear layers
// are written in one stored weight format by our own quantizers, in memory,
// from fixed-seed Gaussian weights — what speed benchmarks run, so every
// format is timed on the same model and nothing is downloaded. One tensor is
// generated at a time and only its stored form is kept.
import { cancelled } from '../../common/errors.js';
import type { NativeTensor } from '../native/addon.js';
import type { JobOptions } from '../native/job.js';
import { quantizeGguf } from '../quant/gguf.js';
import { EngineModel } from './model.js';
import type { NativeEngineConfig } from './native.js';
import { storeLinear, type StoredLinearFormat } from './stored-linear.js';

export const SYNTHETIC_FORMATS = [
  'F32', 'F16', 'BF16', 'W8A16', 'W4A16', 'Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1',
  'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'IQ4_NL', 'IQ4_XS', 'NF4', 'NF4+DQ', '2:4', 'LLM.int8',
] as const;
export type SyntheticFormat = (typeof SYNTHETIC_FORMATS)[number];

/** How each format stores a linear weight (the engine picks the kernel from it). */
const STORED: Partial<Record<SyntheticFormat, StoredLinearFormat>> = {
  W8A16: { kind: 'pack', bits: 8, granularity: 'channel', numBits: true },
  W4A16: { kind: 'pack', bits: 4, granularity: 'group', groupSize: 128, numBits: true },
  Q8_0: { kind: 'gguf', type: 'Q8_0' },
  Q4_0: { kind: 'gguf', type: 'Q4_0' },
  Q4_1: { kind: 'gguf', type: 'Q4_1' },
  Q5_0: { kind: 'gguf', type: 'Q5_0' },
  Q5_1: { kind: 'gguf', type: 'Q5_1' },
  Q2_K: { kind: 'gguf', type: 'Q2_K' },
  Q3_K: { kind: 'gguf', type: 'Q3_K' },
  Q4_K: { kind: 'gguf', type: 'Q4_K' },
  Q5_K: { kind: 'gguf', type: 'Q5_K' },
  Q6_K: { kind: 'gguf', type: 'Q6_K' },
  IQ4_NL: { kind: 'gguf', type: 'IQ4_NL' },
  IQ4_XS: { kind: 'gguf', type: 'IQ4_XS' },
  NF4: { kind: 'bnb4', type: 'nf4' },
  'NF4+DQ': { kind: 'bnb4', type: 'nf4', doubleQuant: true },
  '2:4': { kind: 'sparse24', dtype: 'F16' },
};

export type SyntheticDims = Pick<NativeEngineConfig, 'hidden' | 'intermediate' | 'heads' | 'kvHeads' | 'headDim' | 'vocab'>;
/** TinyLlama 1.1B's shapes. */
export const TINYLLAMA_DIMS: SyntheticDims = { hidden: 2048, intermediate: 5632, heads: 32, kvHeads: 4, headDim: 64, vocab: 32000 };

export interface SyntheticOptions extends JobOptions {
  /** Transformer blocks (default 22, TinyLlama's). */
  layers?: number;
  seed?: number;
  /** Other shapes (default TinyLlama's), e.g. a small model for tests. */
  dims?: SyntheticDims;
}

export function syntheticConfig(layers: number, dims: SyntheticDims = TINYLLAMA_DIMS): NativeEngineConfig {
  return { family: 'llama', architecture: 'llama', ...dims, layers, maxPositions: 2048, normEps: 1e-5, ropeTheta: 10000, tieEmbeddings: false };
}

/** Gaussian N(0, std²) from a fixed seed (xorshift32 + Box–Muller), with every 1013th value ×12 as an outlier. */
export function seededGaussian(n: number, seed: number, std = 0.02): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const u = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u())) * std, a = 2 * Math.PI * u();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  for (let i = 0; i < n; i += 1013) out[i] *= 12;
  return out;
}

/** F16 or BF16 bits, round to nearest even (|w| ≪ 65504 here; F16 subnormals flush to 0). */
function half(x: Float32Array, bf16: boolean): Uint16Array {
  const f = new Float32Array(1), u = new Uint32Array(f.buffer), out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    f[0] = x[i];
    const b = u[0], a = b & 0x7fffffff, s = (b >>> 16) & 0x8000;
    if (bf16) out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    else out[i] = a < 0x38800000 ? s : s | ((a - (112 << 23) + 0xfff + ((a >>> 13) & 1)) >>> 13);
  }
  return out;
}

/** One linear weight [rows, cols] in `format`, as engine tensors under `prefix`. */
async function linearTensors(prefix: string, rows: number, cols: number, seed: number, format: SyntheticFormat, opts: JobOptions): Promise<Record<string, NativeTensor>> {
  const w = seededGaussian(rows * cols, seed);
  if (format === 'F32' || format === 'LLM.int8') return { [`${prefix}.weight`]: { dtype: 'F32', shape: [rows, cols], data: w } };
  if (format === 'F16' || format === 'BF16') return { [`${prefix}.weight`]: { dtype: format, shape: [rows, cols], data: half(w, format === 'BF16') } };
  const f = STORED[format]!;
  if (f.kind === 'gguf') return { [`${prefix}.weight`]: { dtype: f.type, shape: [rows, cols], data: await quantizeGguf({ dtype: 'F32', shape: [rows, cols], data: w }, f.type, opts) } };
  const s = await storeLinear(w, rows, cols, f, { ...opts, skipDequantize: true });
  const out: Record<string, NativeTensor> = {};
  if (s.weight) out[`${prefix}.weight`] = s.weight;
  for (const [role, t] of Object.entries(s.extra)) out[`${prefix}.${role}`] = t;
  return out;
}

/** The synthetic model with its linear layers (the output head too) in `format`, loaded in the engine. */
export async function syntheticModel(format: SyntheticFormat, opts: SyntheticOptions = {}): Promise<EngineModel> {
  const layers = opts.layers ?? 22, seed = opts.seed ?? 1;
  const cfg = syntheticConfig(layers, opts.dims);
  const H = cfg.hidden, I = cfg.intermediate, Q = cfg.heads * cfg.headDim, KV = cfg.kvHeads * cfg.headDim;
  const t: Record<string, NativeTensor> = {};
  const ones = (n: number): NativeTensor => ({ dtype: 'F32', shape: [n], data: new Float32Array(n).fill(1) });
  t['token_embd.weight'] = { dtype: 'F32', shape: [cfg.vocab, H], data: seededGaussian(cfg.vocab * H, seed) };
  t['output_norm.weight'] = ones(H);
  const shapes: [string, number, number][] = [['attn_q', Q, H], ['attn_k', KV, H], ['attn_v', KV, H], ['attn_output', H, Q], ['ffn_gate', I, H], ['ffn_up', I, H], ['ffn_down', H, I]];
  let n = 1;
  const total = layers * shapes.length + 1;
  for (let l = 0; l < layers; l++) {
    t[`blk.${l}.attn_norm.weight`] = ones(H);
    t[`blk.${l}.ffn_norm.weight`] = ones(H);
    for (const [name, rows, cols] of shapes) {
      if (opts.signal?.aborted) throw cancelled();
      Object.assign(t, await linearTensors(`blk.${l}.${name}`, rows, cols, seed * 1000 + n, format, opts));
      opts.onProgress?.(n++, total, `building ${format} layers`);
    }
  }
  Object.assign(t, await linearTensors('output', cfg.vocab, H, seed * 1000 + n, format, opts));
  opts.onProgress?.(total, total, `building ${format} layers`);
  const { signal } = opts;
  return EngineModel.fromTensors(cfg, t, { method: format === 'LLM.int8' ? 'llm_int8' : undefined, signal }, `synthetic ${format} ${layers}L`);
}
