// Which GGML type each tensor gets in a llama.cpp file type ("mix"), exactly as
// llama-quantize (llama.cpp, Feb 2025: src/llama-quant.cpp) chooses it: which
// tensors are quantized at all, llama_tensor_get_type's per-tensor rules
// (attn_v / ffn_down promotions by layer, output and embedding rules, GQA, MoE,
// 70B and Falcon cases), the fallback for rows that are not whole blocks, the
// --pure / --output-tensor-type / --token-embedding-type / --leave-output-tensor
// switches, and --tensor-type overrides (added to llama-quantize later, in
// April 2025; implemented as that first version behaves). Pure: no I/O.
//
// Tensors are visited in llama-quantize's order (its weight map sorts names by
// block number, then by name), which is also the order of the file it writes;
// the attn_v counter depends on it.

/** GGML type names (ggml_type_name spelling). */
export type GgmlTypeName =
  | 'F32' | 'F16' | 'BF16' | 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1' | 'Q8_0' | 'Q8_1'
  | 'Q2_K' | 'Q3_K' | 'Q4_K' | 'Q5_K' | 'Q6_K' | 'Q8_K'
  | 'IQ2_XXS' | 'IQ2_XS' | 'IQ3_XXS' | 'IQ1_S' | 'IQ4_NL' | 'IQ3_S' | 'IQ2_S' | 'IQ4_XS' | 'IQ1_M' | 'TQ1_0' | 'TQ2_0';

/** Elements per block of each type (1 for plain types). */
export const GGML_BLOCK_SIZE: Readonly<Record<GgmlTypeName, number>> = {
  F32: 1, F16: 1, BF16: 1, Q4_0: 32, Q4_1: 32, Q5_0: 32, Q5_1: 32, Q8_0: 32, Q8_1: 32,
  Q2_K: 256, Q3_K: 256, Q4_K: 256, Q5_K: 256, Q6_K: 256, Q8_K: 256,
  IQ2_XXS: 256, IQ2_XS: 256, IQ3_XXS: 256, IQ1_S: 256, IQ4_NL: 32, IQ3_S: 256, IQ2_S: 256, IQ4_XS: 256, IQ1_M: 256,
  TQ1_0: 256, TQ2_0: 256,
};

const isQuantized = (t: GgmlTypeName) => GGML_BLOCK_SIZE[t] > 1;

/** llama.cpp's file types (llama_ftype): general.file_type, and the type most tensors get. */
export const LLAMA_FILE_TYPES = {
  F32: { id: 0, base: 'F32' }, F16: { id: 1, base: 'F16' }, BF16: { id: 32, base: 'BF16' },
  Q4_0: { id: 2, base: 'Q4_0' }, Q4_1: { id: 3, base: 'Q4_1' }, Q8_0: { id: 7, base: 'Q8_0' },
  Q5_0: { id: 8, base: 'Q5_0' }, Q5_1: { id: 9, base: 'Q5_1' },
  Q2_K: { id: 10, base: 'Q2_K' }, Q2_K_S: { id: 21, base: 'Q2_K' },
  Q3_K_S: { id: 11, base: 'Q3_K' }, Q3_K_M: { id: 12, base: 'Q3_K' }, Q3_K_L: { id: 13, base: 'Q3_K' },
  Q4_K_S: { id: 14, base: 'Q4_K' }, Q4_K_M: { id: 15, base: 'Q4_K' },
  Q5_K_S: { id: 16, base: 'Q5_K' }, Q5_K_M: { id: 17, base: 'Q5_K' }, Q6_K: { id: 18, base: 'Q6_K' },
  IQ2_XXS: { id: 19, base: 'IQ2_XXS' }, IQ2_XS: { id: 20, base: 'IQ2_XS' }, IQ3_XS: { id: 22, base: 'IQ3_S' },
  IQ3_XXS: { id: 23, base: 'IQ3_XXS' }, IQ1_S: { id: 24, base: 'IQ1_S' }, IQ4_NL: { id: 25, base: 'IQ4_NL' },
  IQ3_S: { id: 26, base: 'IQ3_S' }, IQ3_M: { id: 27, base: 'IQ3_S' }, IQ2_S: { id: 28, base: 'IQ2_XS' },
  IQ2_M: { id: 29, base: 'IQ2_S' }, IQ4_XS: { id: 30, base: 'IQ4_XS' }, IQ1_M: { id: 31, base: 'IQ1_M' },
  TQ1_0: { id: 36, base: 'TQ1_0' }, TQ2_0: { id: 37, base: 'TQ2_0' },
} as const satisfies Record<string, { id: number; base: GgmlTypeName }>;
export type LlamaFileType = keyof typeof LLAMA_FILE_TYPES;

/** GGML_QNT_VERSION, written as general.quantization_version. */
export const GGML_QUANTIZATION_VERSION = 2;

export interface MixTensor {
  /** GGUF (llama.cpp) name, e.g. blk.0.attn_v.weight. */
  name: string;
  /** PyTorch order, outermost first: a linear weight is [rows, cols]; cols is ggml's ne[0]. */
  shape: readonly number[];
  /** Its type in the source file (a tensor already in the chosen type is copied as is). */
  dtype: string;
}

export interface MixModel {
  /** general.architecture, e.g. 'llama', 'gpt2', 'falcon'. */
  architecture: string;
  /** <arch>.block_count. */
  layers: number;
  /** <arch>.attention.head_count and head_count_kv (of layer 0): n_gqa = heads / kvHeads. */
  heads: number;
  kvHeads: number;
  /** <arch>.expert_count (0 or absent: not MoE). */
  experts?: number;
  /** Layers whose head_count_kv is 0 (no attention), when the file gives an array. */
  layersWithoutAttention?: number;
  /** Encoder–decoder models (T5): three attention blocks per layer. */
  hasEncoder?: boolean;
  tensors: readonly MixTensor[];
}

export interface MixOptions {
  fileType: LlamaFileType;
  /** --pure: every quantizable tensor in the file type's base type, no rules (and no fallback). */
  pure?: boolean;
  /** An importance matrix is given (changes IQ4_NL/IQ4_XS/IQ3_XXS/Q4_0/Q5_0 rules). */
  hasImatrix?: boolean;
  /** --leave-output-tensor. */
  leaveOutput?: boolean;
  /** --output-tensor-type / --token-embedding-type. */
  outputType?: GgmlTypeName;
  tokenEmbeddingType?: GgmlTypeName;
  /** --tensor-type NAME=TYPE: NAME a regular expression searched in the tensor name (lower-cased, as llama-quantize stores it). */
  tensorTypes?: readonly { pattern: string; type: GgmlTypeName }[];
}

export interface MixChoice {
  name: string;
  shape: readonly number[];
  /** The type written. */
  type: string;
  /** Whether the tensor is (re)quantized, rather than copied as it is. */
  quantized: boolean;
  /** The rules wanted a type whose block does not divide the rows. */
  fallback?: { wanted: GgmlTypeName; reason: string };
  /** A --tensor-type pattern changed the type. */
  override?: string;
}

export interface MixPlan {
  fileType: LlamaFileType;
  /** general.file_type. */
  fileTypeId: number;
  /** Every tensor, in llama-quantize's order (the order of the file it writes). */
  tensors: MixChoice[];
  /** "N of M tensor(s) required fallback quantization", as llama-quantize reports. */
  fallbacks: number;
  kQuantized: number;
}

/** The block number llama.cpp's sscanf("blk.%d.") reads, or −1. */
function blockOf(name: string): number {
  const m = /^blk\.\s*([+-]?\d+)/.exec(name);
  return m ? Number.parseInt(m[1], 10) : -1;
}

/** llama_model_loader's weight order: by block number (others first), then by name (bytewise). */
export function llamaQuantizeOrder<T extends { name: string }>(tensors: readonly T[]): T[] {
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  return [...tensors].sort((a, b) => blockOf(a.name) - blockOf(b.name) || Buffer.compare(bytes(a.name), bytes(b.name)));
}

/** ggml_n_dims: dimensions up to the last one longer than 1 (ggml order, innermost first). */
function nDims(shape: readonly number[]): number {
  const ne = [...shape].reverse();
  for (let i = ne.length - 1; i >= 1; i--) if (ne[i] > 1) return i + 1;
  return 1;
}

/** llama-quantize's filter: which tensors it quantizes at all (the others are copied). */
export function llamaQuantizes(name: string, shape: readonly number[], opts: { leaveOutput?: boolean } = {}): boolean {
  if (!name.endsWith('weight') || nDims(shape) < 2) return false;
  if (name.includes('_norm.weight')) return false;
  if (opts.leaveOutput && name === 'output.weight') return false;
  const skip = ['ffn_gate_inp.weight', 'ssm_conv1d.weight', 'time_mix_first.weight', 'time_mix_w1.weight', 'time_mix_w2.weight',
    'time_mix_decay_w1.weight', 'time_mix_decay_w2.weight', 'time_mix_lerp_fused.weight', 'attn_rel_b.weight'];
  if (skip.some((s) => name.includes(s))) return false;
  return name !== 'position_embd.weight' && name !== 'token_types.weight';
}

/** llama.cpp's LLM_TYPE_70B: 80 layers of Llama (not 8-expert, with GQA), DeciLM, Qwen2 or OLMo. */
function is70B(m: MixModel): boolean {
  if (m.layers !== 80) return false;
  if (m.architecture === 'llama') return (m.experts ?? 0) !== 8 && m.heads !== m.kvHeads;
  return m.architecture === 'deci' || m.architecture === 'qwen2' || m.architecture === 'olmo';
}

/** llama_tensor_get_type's convert_incompatible_tensor: the first type tried when rows are not whole blocks. */
const FALLBACK: Partial<Record<GgmlTypeName, GgmlTypeName>> = {
  TQ1_0: 'Q4_0', TQ2_0: 'Q4_0', IQ2_XXS: 'IQ4_NL', IQ2_XS: 'IQ4_NL', IQ2_S: 'IQ4_NL', IQ3_XXS: 'IQ4_NL', IQ3_S: 'IQ4_NL',
  IQ1_S: 'IQ4_NL', IQ1_M: 'IQ4_NL', Q2_K: 'IQ4_NL', Q3_K: 'IQ4_NL', IQ4_XS: 'IQ4_NL', Q4_K: 'Q5_0', Q5_K: 'Q5_1', Q6_K: 'Q8_0',
};

/**
 * The type a tensor of `cols` columns gets when `wanted`'s block does not
 * divide them, and why. Legacy and IQ4_NL blocks have no fallback in
 * llama.cpp (it stops with "Unsupported tensor size encountered"): a RangeError
 * naming the tensor, unless `toF16` (our plain types put such tensors in F16).
 */
export function llamaFallback(wanted: GgmlTypeName, cols: number, tensor: string, toF16 = false): { type: GgmlTypeName; reason: string } {
  const first = FALLBACK[wanted];
  if (!first && !toF16)
    throw new RangeError(`${tensor}: ${cols} columns are not a multiple of the ${wanted} block of ${GGML_BLOCK_SIZE[wanted]}, and llama.cpp has no fallback for ${wanted} (llama-quantize stops: "Unsupported tensor size encountered")`);
  const type = first && cols % GGML_BLOCK_SIZE[first] === 0 ? first : 'F16';
  const reason = `${cols} columns not a multiple of ${GGML_BLOCK_SIZE[wanted]}` + (first && type === 'F16' ? ` or ${GGML_BLOCK_SIZE[first]}` : '');
  return { type, reason };
}

type Ftype = LlamaFileType;

interface State {
  nAttentionWv: number;
  nFfn: number;
  iAttentionWv: number;
  iFfnDown: number;
  iFfnGate: number;
  iFfnUp: number;
  hasOutput: boolean;
  fallbacks: number;
  kQuantized: number;
}

/** llama_tensor_get_type, rule for rule (ftype spellings as in LLAMA_FILE_TYPES). */
function tensorType(m: MixModel, o: MixOptions, qs: State, wanted: GgmlTypeName, t: MixTensor): { type: GgmlTypeName; fallback?: MixChoice['fallback'] } {
  const name = t.name, ftype: Ftype = o.fileType, arch = m.architecture;
  let newType = wanted;
  const gqa = m.kvHeads > 0 ? Math.floor(m.heads / m.kvHeads) : 0;
  const experts = m.experts ?? 0, nExpert = Math.max(1, experts);
  const cols = t.shape[t.shape.length - 1];
  const is = (...f: Ftype[]) => f.includes(ftype);
  const useMoreBits = (i: number, n: number) => i < Math.trunc(n / 8) || i >= Math.trunc((7 * n) / 8) || (i - Math.trunc(n / 8)) % 3 === 2;
  const layerInfo = (i: number, n: number): [number, number] => {
    if (nExpert > 1) {
      const l = blockOf(name);
      if (!/^blk\.\s*[+-]?\d/.test(name)) throw new RangeError(`Failed to determine layer for tensor ${name}`);
      if (l < 0 || l >= n) throw new RangeError(`Bad layer ${l} for tensor ${name}. Must be in [0, ${n})`);
      return [l, n];
    }
    return [i, n];
  };
  const iq1or2 = is('IQ2_XXS', 'IQ2_XS', 'IQ1_S', 'IQ2_S', 'IQ2_M', 'IQ1_M');

  if (name === 'output.weight' || (!qs.hasOutput && name === 'token_embd.weight')) {
    if (o.outputType) newType = o.outputType;
    else if (arch === 'falcon' || cols % GGML_BLOCK_SIZE[newType] !== 0) newType = 'Q8_0';
    else if (is('IQ2_XXS', 'IQ2_XS', 'IQ3_XXS', 'IQ1_S', 'IQ2_S', 'IQ2_M', 'IQ1_M')) newType = 'Q5_K';
    else if (newType !== 'Q8_0') newType = 'Q6_K';
  } else if (name === 'token_embd.weight') {
    if (o.tokenEmbeddingType) newType = o.tokenEmbeddingType;
    else if (is('IQ2_XXS', 'IQ2_XS', 'IQ1_S', 'IQ1_M')) newType = 'Q2_K';
    else if (is('IQ2_S', 'IQ2_M', 'IQ3_XXS')) newType = 'IQ3_S';
    else if (is('TQ1_0', 'TQ2_0')) newType = 'Q4_K';
  } else if (iq1or2) {
    const iq2sm = is('IQ2_S', 'IQ2_M');
    if (name.includes('attn_v.weight')) {
      if (gqa >= 4 || experts >= 4) newType = 'Q4_K';
      else newType = iq2sm ? 'IQ3_S' : 'Q2_K';
      ++qs.iAttentionWv;
    } else if (experts === 8 && name.includes('attn_k.weight')) {
      newType = 'Q4_K';
    } else if (name.includes('ffn_down')) {
      if (qs.iFfnDown < Math.trunc(qs.nFfn / 8)) newType = iq2sm ? 'IQ3_S' : 'Q2_K';
      ++qs.iFfnDown;
    } else if (name.includes('attn_output.weight')) {
      if (experts === 8) newType = 'Q5_K';
      else if (is('IQ1_S', 'IQ1_M')) newType = 'IQ2_XXS';
      else if (iq2sm) newType = 'IQ3_S';
    }
  } else if (name.includes('attn_v.weight')) {
    if (is('Q2_K')) newType = gqa >= 4 ? 'Q4_K' : 'Q3_K';
    else if (is('Q2_K_S') && gqa >= 4) newType = 'Q4_K';
    else if (is('IQ3_XXS')) newType = gqa >= 4 ? 'Q4_K' : !o.hasImatrix ? 'IQ3_S' : 'IQ3_XXS';
    else if (is('IQ3_XS', 'IQ3_S') && gqa >= 4) newType = 'Q4_K';
    else if (is('IQ3_M')) newType = 'Q4_K';
    else if (is('Q3_K_M')) newType = qs.iAttentionWv < 2 ? 'Q5_K' : 'Q4_K';
    else if (is('Q3_K_L')) newType = 'Q5_K';
    else if (is('IQ4_NL', 'IQ4_XS') && gqa >= 4) newType = 'Q5_K';
    else if (is('Q4_K_M', 'Q5_K_M') && useMoreBits(qs.iAttentionWv, qs.nAttentionWv)) newType = 'Q6_K';
    else if (is('Q4_K_S') && qs.iAttentionWv < 4) newType = 'Q5_K';
    if (is70B(m) && (newType === 'Q3_K' || newType === 'Q4_K')) newType = 'Q5_K';
    if (experts === 8) newType = 'Q8_0';
    ++qs.iAttentionWv;
  } else if (name.includes('attn_k.weight')) {
    if (experts === 8) newType = 'Q8_0';
    else if (is('IQ3_XS')) newType = 'IQ3_XXS';
    else if (is('IQ3_XXS')) newType = 'IQ2_S';
  } else if (name.includes('attn_q.weight')) {
    if (is('IQ3_XS')) newType = 'IQ3_XXS';
    else if (is('IQ3_XXS')) newType = 'IQ2_S';
  } else if (name.includes('ffn_down')) {
    const [i, n] = layerInfo(qs.iFfnDown, qs.nFfn);
    const n8 = Math.trunc(n / 8), n16 = Math.trunc(n / 16);
    if (is('Q2_K')) newType = 'Q3_K';
    else if (is('Q2_K_S')) { if (i < n8) newType = 'Q4_K'; }
    else if (is('IQ3_XXS') && !o.hasImatrix) newType = i < n8 ? 'Q4_K' : 'Q3_K';
    else if (is('Q3_K_M')) newType = i < n16 ? 'Q5_K' : arch !== 'falcon' || useMoreBits(i, n) ? 'Q4_K' : 'Q3_K';
    else if (is('IQ3_M') && (i < n8 || (experts === 8 && useMoreBits(i, n)))) newType = 'Q4_K';
    else if (is('Q3_K_L')) newType = arch === 'falcon' ? 'Q4_K' : 'Q5_K';
    else if (is('Q4_K_M')) {
      if (arch === 'falcon') newType = i < n16 ? 'Q6_K' : useMoreBits(i, n) ? 'Q5_K' : 'Q4_K';
      else if (useMoreBits(i, n)) newType = 'Q6_K';
    } else if (i < n8 && is('IQ4_NL', 'IQ4_XS') && !o.hasImatrix) newType = 'Q5_K';
    else if (is('Q5_K_M') && useMoreBits(i, n)) newType = 'Q6_K';
    else if (is('Q4_K_S') && arch !== 'falcon' && i < n8) newType = 'Q5_K';
    else if (is('Q4_0', 'Q5_0') && o.hasImatrix && i < n8) newType = ftype === 'Q4_0' ? 'Q4_1' : 'Q5_1';
    ++qs.iFfnDown;
  } else if (name.includes('attn_output.weight')) {
    if (arch !== 'falcon') {
      if (experts === 8) {
        if (is('Q2_K', 'IQ3_XS', 'IQ3_XXS', 'Q3_K_S', 'Q3_K_M', 'IQ4_NL', 'Q4_K_S', 'Q4_K_M', 'IQ3_S', 'IQ3_M', 'IQ4_XS')) newType = 'Q5_K';
      } else if (is('Q2_K')) newType = 'Q3_K';
      else if (is('IQ3_XXS')) newType = 'IQ3_S';
      else if (is('Q3_K_M')) newType = 'Q4_K';
      else if (is('Q3_K_L')) newType = 'Q5_K';
      else if (is('IQ3_M')) newType = 'Q4_K';
    } else if (is('Q3_K_L')) newType = 'Q4_K';
  } else if (name.includes('attn_qkv.weight')) {
    if (is('Q3_K_M', 'Q3_K_L', 'IQ3_M')) newType = 'Q4_K';
    else if (is('Q4_K_M')) newType = 'Q5_K';
    else if (is('Q5_K_M')) newType = 'Q6_K';
  } else if (name.includes('ffn_gate')) {
    const [i, n] = layerInfo(qs.iFfnGate, qs.nFfn);
    if (is('IQ3_XS') && i >= Math.trunc(n / 8) && i < Math.trunc((7 * n) / 8)) newType = 'IQ3_XXS';
    ++qs.iFfnGate;
  } else if (name.includes('ffn_up')) {
    const [i, n] = layerInfo(qs.iFfnUp, qs.nFfn);
    if (is('IQ3_XS') && i >= Math.trunc(n / 8) && i < Math.trunc((7 * n) / 8)) newType = 'IQ3_XXS';
    ++qs.iFfnUp;
  }

  if (cols % GGML_BLOCK_SIZE[newType] !== 0) {
    const fb = llamaFallback(newType, cols, name);
    ++qs.fallbacks;
    return { type: fb.type, fallback: { wanted: newType, reason: fb.reason } };
  }
  ++qs.kQuantized;
  return { type: newType };
}

/**
 * The type of every tensor of `model` in the file type, as llama-quantize
 * chooses it (see the header). Throws RangeError where llama-quantize stops:
 * an unsupported size with no fallback, a MoE tensor without a block number,
 * an attention count that does not match the layers.
 */
export function planGgufMix(model: MixModel, opts: MixOptions): MixPlan {
  const ft = LLAMA_FILE_TYPES[opts.fileType];
  if (!ft) throw new RangeError(`unknown llama.cpp file type '${opts.fileType}'`);
  const base: GgmlTypeName = ft.base;
  const order = llamaQuantizeOrder(model.tensors);
  const qs: State = {
    nAttentionWv: order.filter((t) => t.name.includes('attn_v.weight') || t.name.includes('attn_qkv.weight') || t.name.includes('attn_kv_b.weight')).length,
    nFfn: model.layers, iAttentionWv: 0, iFfnDown: 0, iFfnGate: 0, iFfnUp: 0,
    hasOutput: order.some((t) => t.name === 'output.weight'), fallbacks: 0, kQuantized: 0,
  };
  if (qs.nAttentionWv !== 0) {
    const attnLayers = (model.layers - (model.layersWithoutAttention ?? 0)) * (model.hasEncoder ? 3 : 1);
    if (qs.nAttentionWv !== attnLayers)
      throw new RangeError(`${qs.nAttentionWv} attention value tensors for ${attnLayers} attention layers (llama-quantize's "n_attention_wv is unexpected")`);
  }
  const patterns = (opts.tensorTypes ?? []).map((p) => ({ re: new RegExp(p.pattern.toLowerCase()), pattern: p.pattern, type: p.type }));
  const tensors = order.map((t): MixChoice => {
    if (!llamaQuantizes(t.name, t.shape, opts)) return { name: t.name, shape: t.shape, type: t.dtype, quantized: false };
    let type: GgmlTypeName = base, fallback: MixChoice['fallback'], override: string | undefined;
    const cols = t.shape[t.shape.length - 1];
    if (!opts.pure && isQuantized(base)) {
      const r = tensorType(model, opts, qs, base, t);
      type = r.type;
      fallback = r.fallback;
      if (!fallback)
        for (const p of patterns)
          if (p.re.test(t.name) && p.type !== type) (type = p.type), (override = p.pattern);
    } else if (cols % GGML_BLOCK_SIZE[type] !== 0) {
      // --pure: llama-quantize aborts on such a tensor; our plain types fall back as its mixes do.
      const fb = llamaFallback(type, cols, t.name, true);
      fallback = { wanted: type, reason: fb.reason };
      type = fb.type;
    }
    if (opts.tokenEmbeddingType && t.name === 'token_embd.weight') type = opts.tokenEmbeddingType;
    if (opts.outputType && t.name === 'output.weight') type = opts.outputType;
    if (cols % GGML_BLOCK_SIZE[type] !== 0)  // an explicit type the rows cannot hold (llama-quantize aborts)
      throw new RangeError(`${t.name}: ${cols} columns are not a multiple of the ${type} block of ${GGML_BLOCK_SIZE[type]}; choose a type whose block divides them`);
    const choice: MixChoice = { name: t.name, shape: t.shape, type, quantized: t.dtype !== type };
    if (fallback) choice.fallback = fallback;
    if (override) choice.override = override;
    return choice;
  });
  return { fileType: opts.fileType, fileTypeId: ft.id, tensors, fallbacks: qs.fallbacks, kQuantized: qs.kQuantized };
}

/** The line to print for a fallback: `blk.0.ffn_down.weight: 172 columns not a multiple of 256 → Q8_0 (wanted Q6_K)`. */
export function describeMixFallback(c: MixChoice): string | undefined {
  return c.fallback && `${c.name}: ${c.fallback.reason} → ${c.type} (wanted ${c.fallback.wanted})`;
}
