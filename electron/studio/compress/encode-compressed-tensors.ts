// compressed-tensors layouts (what vLLM and transformers load):
//   pack-quantized: <module>.weight_packed  int32 [rows, ceil(cols·b/32)]  (codes + 2^(b−1), dense bits)
//                   <module>.weight_scale   model float [rows, groups] | [rows, 1] | [1]
//                   <module>.weight_zero_point  (asymmetric) int32 packed along rows | int8 [1] per tensor
//                   <module>.weight_shape   int64 [2]
//   sparse-24-bitmask (pruned 2:4, not quantized): <module>.compressed, .bitmask, .shape
//   dense: pruned (unstructured) or cast weights stored as plain tensors.
import type { NativeTensor } from '../native/addon.js';
import { dequantizeInt, quantizeInt } from '../quant/int-quant.js';
import { packInt32 } from '../quant/pack.js';
import { compressSparse24 } from '../prune/sparse-bitmask.js';
import type { RtnSpec } from '../recipes/schema.js';
import type { TensorPlan } from '../recipes/plan.js';
import { castTensor } from '../convert/cast.js';
import { applyPrune, moduleOf, type EncodeContext, type Encoded } from './encode.js';
import { bytesOf, floatTypeOf, floatsAs, int64Bytes } from '../convert/tensor-bytes.js';

export function describeRtn(q: RtnSpec): string {
  const gran = q.granularity === 'group' ? `g${q.group}` : q.granularity === 'channel' ? 'per-channel' : 'per-tensor';
  const range = q.range === 'minmax' ? '' : q.range === 'percentile' ? ` p${q.percentile}` : ' mse';
  return `int${q.bits} ${gran} ${q.scheme}${range}`;
}

async function encodeRtn(plan: TensorPlan, work: NativeTensor, q: RtnSpec, ctx: EncodeContext) {
  const [rows, cols] = plan.shape.length === 2 ? plan.shape : [1, plan.shape.reduce((a, b) => a * b, 1)];
  const scaleDtype = floatTypeOf(plan.dtype);
  const spec = { granularity: q.granularity, groupSize: q.group } as const;
  const quantized = await quantizeInt(work, {
    bits: q.bits,
    symmetric: q.scheme === 'sym',
    ...spec,
    scaleDtype,
    range: q.range,
    percentile: q.percentile,
    signal: ctx.signal,
  });
  const module = moduleOf(plan.name);
  const packed = await packInt32(quantized.codes, { rows, cols, bits: q.bits, dim: 1 }, { signal: ctx.signal });
  const outputs: Encoded['outputs'] = [
    { name: `${module}.weight_packed`, dtype: 'I32', shape: packed.shape, data: bytesOf(packed.packed) },
    { name: `${module}.weight_scale`, dtype: scaleDtype, shape: quantized.paramShape, data: await floatsAs(quantized.scales, scaleDtype) },
  ];
  if (q.scheme === 'asym') {
    const zp = Int8Array.from(quantized.zeroPoints);
    if (q.granularity === 'tensor') {
      outputs.push({ name: `${module}.weight_zero_point`, dtype: 'I8', shape: [1], data: bytesOf(zp) });
    } else {
      const groups = quantized.paramShape[1];
      const z = await packInt32(zp, { rows, cols: groups, bits: q.bits, dim: 0 }, { signal: ctx.signal });
      outputs.push({ name: `${module}.weight_zero_point`, dtype: 'I32', shape: z.shape, data: bytesOf(z.packed) });
    }
  }
  outputs.push({ name: `${module}.weight_shape`, dtype: 'I64', shape: [2], data: int64Bytes([rows, cols]) });
  const reconstructed = await dequantizeInt(quantized, plan.shape, spec, { signal: ctx.signal, name: plan.name });
  return { outputs, reconstructed: { dtype: 'F32', shape: plan.shape, name: plan.name, data: reconstructed } };
}

export async function encodeCompressedTensors(plan: TensorPlan, src: NativeTensor, ctx: EncodeContext): Promise<Encoded> {
  const pruned = await applyPrune(plan, src, ctx);
  const q = plan.quantize;
  if (q?.method === 'rtn') {
    const r = await encodeRtn(plan, pruned.tensor, q, ctx);
    const action = pruned.label ? `${pruned.label} + ${describeRtn(q)}` : describeRtn(q);
    return { ...r, kind: pruned.result ? 'pruned+quantized' : 'quantized', action, sparsity: pruned.result?.sparsity };
  }
  if (q && q.method !== 'keep') throw new Error(`compressed-tensors cannot store ${q.method}`);
  if (pruned.result) {
    const p = plan.prune!;
    const cast = q?.method === 'keep' && q.dtype ? q.dtype.toUpperCase() : undefined;
    if (p.method === 'nm' && p.n === 2 && p.m === 4 && !cast && plan.shape.length === 2) {
      const c = await compressSparse24(pruned.tensor, { signal: ctx.signal });
      const module = moduleOf(plan.name);
      return {
        outputs: [
          { name: `${module}.compressed`, dtype: c.compressed.dtype, shape: c.compressed.shape, data: bytesOf(c.compressed.data) },
          { name: `${module}.bitmask`, dtype: 'U8', shape: c.bitmaskShape, data: c.bitmask },
          { name: `${module}.shape`, dtype: 'I64', shape: [2, 1], data: int64Bytes(c.shape) },
        ],
        reconstructed: pruned.tensor,
        kind: 'pruned',
        action: pruned.label!,
        sparsity: pruned.result.sparsity,
      };
    }
    const data = cast ? await castTensor(pruned.tensor, cast as 'F32' | 'F16' | 'BF16', { signal: ctx.signal }) : bytesOf(pruned.result.tensor.data);
    return {
      outputs: [{ name: plan.name, dtype: cast ?? pruned.tensor.dtype, shape: plan.shape, data }],
      reconstructed: pruned.tensor,
      kind: 'pruned',
      action: pruned.label!,
      sparsity: pruned.result.sparsity,
    };
  }
  return encodePlain(plan, src, ctx);
}

/** Tensors kept as they are, or cast to another float type. */
export async function encodePlain(plan: TensorPlan, src: NativeTensor, ctx: EncodeContext): Promise<Encoded> {
  const q = plan.quantize;
  const to = q?.method === 'keep' && q.dtype ? (q.dtype.toUpperCase() as 'F32' | 'F16' | 'BF16') : undefined;
  if (to && to !== plan.dtype) {
    const data = await castTensor(src, to, { signal: ctx.signal });
    return {
      outputs: [{ name: plan.name, dtype: to, shape: plan.shape, data }],
      reconstructed: { dtype: to, shape: plan.shape, name: plan.name, data },
      kind: 'cast',
      action: `cast to ${to}`,
    };
  }
  if (!('file' in src)) {
    return { outputs: [{ name: plan.name, dtype: plan.dtype, shape: plan.shape, data: bytesOf(src.data as ArrayBufferView) }], kind: 'copied', action: 'copied' };
  }
  const path = src.file.path;
  if (!path) throw new Error(`tensor ${plan.name}: its file was closed`);
  return {
    outputs: [{ name: plan.name, dtype: plan.dtype, shape: plan.shape, data: { path, offset: src.offset, byteLength: src.byteLength } }],
    kind: 'copied',
    action: 'copied',
  };
}
