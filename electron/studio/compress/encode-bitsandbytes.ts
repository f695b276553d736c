// bitsandbytes 4-bit layout (what transformers loads for load_in_4bit
// checkpoints): per quantized Linear weight
//   <w>                      uint8 [(numel + 1) / 2, 1]  two codes per byte
//   <w>.absmax               float32 [blocks]  | uint8 codes (double quant)
//   <w>.quant_map            float32 [16]
//   <w>.nested_absmax        float32 [blocks / 256]     (double quant)
//   <w>.nested_quant_map     float32 [256]              (double quant)
//   <w>.quant_state.bitsandbytes__<nf4|fp4>  uint8 [n]  JSON of the rest
import type { NativeTensor } from '../native/addon.js';
import { dequantizeBnb4, quantizeBnb4 } from '../quant/bnb4.js';
import type { Nf4Spec } from '../recipes/schema.js';
import type { TensorPlan } from '../recipes/plan.js';
import { applyPrune, type EncodeContext, type Encoded } from './encode.js';
import { encodePlain } from './encode-compressed-tensors.js';
import { bytesOf } from '../convert/tensor-bytes.js';

const TORCH_DTYPE: Record<string, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

async function encodeBnb(plan: TensorPlan, work: NativeTensor, q: Nf4Spec, ctx: EncodeContext) {
  const r = await quantizeBnb4(work, { type: q.method, blocksize: q.blockSize, doubleQuant: q.doubleQuant, signal: ctx.signal });
  const w = plan.name;
  const numel = plan.shape.reduce((a, b) => a * b, 1);
  const outputs: Encoded['outputs'] = [{ name: w, dtype: 'U8', shape: [r.packed.length, 1], data: r.packed }];
  const state: Record<string, unknown> = {
    quant_type: q.method,
    blocksize: r.blocksize,
    dtype: TORCH_DTYPE[plan.dtype] ?? 'float32',
    shape: plan.shape,
  };
  if (r.absmaxCodes) {
    outputs.push({ name: `${w}.absmax`, dtype: 'U8', shape: [r.absmaxCodes.length], data: r.absmaxCodes });
    outputs.push({ name: `${w}.quant_map`, dtype: 'F32', shape: [16], data: bytesOf(r.codeMap) });
    outputs.push({ name: `${w}.nested_absmax`, dtype: 'F32', shape: [r.nestedAbsmax!.length], data: bytesOf(r.nestedAbsmax!) });
    outputs.push({ name: `${w}.nested_quant_map`, dtype: 'F32', shape: [r.nestedCodeMap!.length], data: bytesOf(r.nestedCodeMap!) });
    Object.assign(state, { nested_blocksize: r.nestedBlocksize, nested_dtype: 'float32', nested_offset: r.offset });
  } else {
    outputs.push({ name: `${w}.absmax`, dtype: 'F32', shape: [r.absmax!.length], data: bytesOf(r.absmax!) });
    outputs.push({ name: `${w}.quant_map`, dtype: 'F32', shape: [16], data: bytesOf(r.codeMap) });
  }
  const json = Buffer.from(JSON.stringify(state), 'utf8');
  outputs.push({ name: `${w}.quant_state.bitsandbytes__${q.method}`, dtype: 'U8', shape: [json.length], data: new Uint8Array(json) });
  const reconstructed = await dequantizeBnb4(r, numel, { type: q.method, blocksize: r.blocksize }, { signal: ctx.signal });
  return { outputs, reconstructed: { dtype: 'F32', shape: plan.shape, name: w, data: reconstructed } };
}

export async function encodeBitsandbytes(plan: TensorPlan, src: NativeTensor, ctx: EncodeContext): Promise<Encoded> {
  const q = plan.quantize;
  if (q?.method !== 'nf4' && q?.method !== 'fp4') {
    if (plan.prune) throw new Error(`${plan.name}: pruning without quantization cannot be stored in a bitsandbytes checkpoint`);
    return encodePlain(plan, src, ctx);
  }
  const pruned = await applyPrune(plan, src, ctx);
  const r = await encodeBnb(plan, pruned.tensor, q, ctx);
  const label = `${q.method.toUpperCase()} b${q.blockSize}${q.doubleQuant ? ' + double quant' : ''}`;
  return {
    ...r,
    kind: pruned.result ? 'pruned+quantized' : 'quantized',
    action: pruned.label ? `${pruned.label} + ${label}` : label,
    sparsity: pruned.result?.sparsity,
  };
}
