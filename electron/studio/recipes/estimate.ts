// Output size before running: bits per weight of each planned tensor in the
// layout its output format stores (scales and zero points included).
import type { RecipePlan, TensorPlan } from './plan.js';

const PLAIN_BITS: Record<string, number> = { F32: 32, F16: 16, BF16: 16, F64: 64, I8: 8, U8: 8, I16: 16, I32: 32, I64: 64 };
// ggml block types: bits per weight including the per-block scale (and min).
const BLOCK_BITS: Record<string, number> = {
  Q8_0: 8.5, Q8_1: 9, Q4_0: 4.5, Q4_1: 5, Q5_0: 5.5, Q5_1: 6,
  Q2_K: 2.625, Q3_K: 3.4375, Q4_K: 4.5, Q5_K: 5.5, Q6_K: 6.5625, Q8_K: 9.125, IQ4_NL: 4.5, IQ4_XS: 4.25,
};
const GGUF_EXPORT_BITS: Record<string, number> = { f32: 32, f16: 16, q8_0: 8.5, q4_0: 4.5, q4_1: 5, q5_0: 5.5, q5_1: 6 };

export function storedBitsPerWeight(dtype: string): number {
  return PLAIN_BITS[dtype] ?? BLOCK_BITS[dtype] ?? 32;
}

/** Bits per weight of a tensor after the plan is applied. */
export function plannedBitsPerWeight(t: TensorPlan): number {
  const srcBits = storedBitsPerWeight(t.dtype);
  const cols = t.shape[t.shape.length - 1] ?? 1;
  const numel = t.shape.reduce((a, b) => a * b, 1);
  const q = t.quantize;
  let bits: number;
  if (!q) bits = srcBits;
  else if (q.method === 'keep') bits = q.dtype ? (q.dtype === 'f32' ? 32 : 16) : srcBits;
  else if (q.method === 'gguf') bits = GGUF_EXPORT_BITS[q.type];
  else if (q.method === 'rtn') {
    // compressed-tensors pack-quantized: codes densely packed into int32 words per row
    // (ceil(cols·bits/32) words), one scale per row/group in the model's float type,
    // asymmetric zero points packed along the output dimension.
    const rows = numel / cols;
    const scalesPerRow = q.granularity === 'tensor' ? 1 / rows : q.granularity === 'channel' ? 1 : cols / (q.group as number);
    const scaleBytes = Math.min(srcBits, 32) / 8;
    let bytes = rows * Math.ceil((cols * q.bits) / 32) * 4 + rows * scalesPerRow * scaleBytes;
    if (q.scheme === 'asym') bytes += q.granularity === 'tensor' ? 1 : Math.ceil((rows * q.bits) / 32) * 4 * scalesPerRow;
    bits = (bytes * 8) / numel;
  } else {
    // NF4/FP4: 4-bit codes; absmax per 64 as f32, or (double quant) 8-bit codes with an f32 per 256 blocks.
    bits = q.doubleQuant ? 4 + 8 / 64 + 32 / (64 * 256) : 4 + 32 / 64;
  }
  if (t.prune?.method === 'nm' && (!q || q.method === 'keep')) {
    // sparse-24 bitmask layout: n of m values kept, plus one mask bit per weight.
    bits = (bits * t.prune.n) / t.prune.m + 1;
  }
  return bits;
}

export interface SizeEstimate {
  bytesBefore: number;
  bytesAfter: number;
  /** Over the targets only (what the recipe changes). */
  targetBitsBefore: number;
  targetBitsAfter: number;
  perTensor: { name: string; bitsBefore: number; bitsAfter: number; bytesAfter: number }[];
}

export function estimateSize(plan: RecipePlan): SizeEstimate {
  let before = 0, after = 0, tBefore = 0, tAfter = 0, tCount = 0;
  const perTensor: SizeEstimate['perTensor'] = [];
  for (const t of plan.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const b0 = storedBitsPerWeight(t.dtype);
    const b1 = plannedBitsPerWeight(t);
    before += (n * b0) / 8;
    after += (n * b1) / 8;
    if (t.quantize || t.prune) {
      tBefore += n * b0;
      tAfter += n * b1;
      tCount += n;
    }
    perTensor.push({ name: t.name, bitsBefore: b0, bitsAfter: b1, bytesAfter: Math.ceil((n * b1) / 8) });
  }
  return {
    bytesBefore: Math.round(before),
    bytesAfter: Math.round(after),
    targetBitsBefore: tCount ? tBefore / tCount : 0,
    targetBitsAfter: tCount ? tAfter / tCount : 0,
    perTensor,
  };
}
