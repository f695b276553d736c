// The quantization a model's own files declare, in a few words for the Model
// screen's header: 'compressed-tensors · pack-quantized int4 g32 sym',
// 'bitsandbytes · nf4 + double quant', 'GGUF · Q4_K_M'.
import type { OpenedModel } from '../models/types.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

function ctWeights(w: Obj): string {
  const bits = typeof w.num_bits === 'number' ? w.num_bits : '?';
  const type = w.type === 'float' ? 'fp' : 'int';
  const strategy = w.strategy === 'group' ? `g${w.group_size}` : typeof w.strategy === 'string' ? w.strategy : '';
  return [`${type}${bits}`, strategy, w.symmetric === false ? 'asym' : 'sym'].filter(Boolean).join(' ');
}

function compressedTensors(d: Obj): string {
  const parts: string[] = [];
  const groups = Object.values(obj(d.config_groups) ?? {}).map(obj).filter((g): g is Obj => !!g);
  const schemes = [...new Set(groups.map((g) => (obj(g.weights) ? ctWeights(obj(g.weights)!) : undefined)).filter((s): s is string => !!s))];
  const format = typeof d.format === 'string' ? d.format : groups.map((g) => g.format).find((f) => typeof f === 'string');
  if (schemes.length) parts.push([format, schemes.join(', ')].filter(Boolean).join(' '));
  else if (format && format !== 'dense') parts.push(String(format));
  const sparsity = obj(d.sparsity_config);
  if (sparsity) {
    const structure = typeof sparsity.sparsity_structure === 'string' ? sparsity.sparsity_structure : 'sparse';
    parts.push(sparsity.format === 'sparse-24-bitmask' ? `sparse-24-bitmask ${structure}` : `${structure} sparse (stored dense)`);
  }
  return ['compressed-tensors', ...parts].join(' · ');
}

function bitsandbytes(d: Obj): string {
  if (d.load_in_8bit === true) return 'bitsandbytes · int8 (LLM.int8())';
  const type = typeof d.bnb_4bit_quant_type === 'string' ? d.bnb_4bit_quant_type : 'fp4';
  return `bitsandbytes · ${type}${d.bnb_4bit_use_double_quant === true ? ' + double quant' : ''}`;
}

function gguf(d: Obj): string {
  if (typeof d.fileType === 'string') return `GGUF · ${d.fileType}`;
  const types = Object.entries(obj(d.tensorTypes) ?? {}).sort((a, b) => Number(b[1]) - Number(a[1])).map(([t]) => t);
  return `GGUF · ${types.slice(0, 3).join(', ')}`;
}

/** undefined for plain float models. */
export function describeStoredQuantization(m: OpenedModel): string | undefined {
  const q = m.quantization;
  const d = obj(q.details) ?? {};
  switch (q.format) {
    case 'none': return undefined;
    case 'compressed-tensors': return compressedTensors(d);
    case 'bitsandbytes': return bitsandbytes(d);
    case 'gguf': return gguf(d);
    default: return typeof d.quant_method === 'string' ? `${d.quant_method} (not decoded)` : 'other quantization (not decoded)';
  }
}
