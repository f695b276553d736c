// A linear weight written in a stored quantized layout, in memory, by our own
// quantizers — the tensors our exporters write for one module, keyed by the
// role the engine reads them under — plus the weight those tensors decode to
// (by the quantizers' own dequantizers, not the engine's kernels). Kernel
// tests and the engine benchmark build their layers with this.
import type { NativeTensor } from '../native/addon.js';
import { bytesOf, floatsAs, int64Bytes } from '../convert/tensor-bytes.js';
import { dequantizeInt, quantizeInt, type Granularity, type ScaleDtype } from '../quant/int-quant.js';
import { packInt32 } from '../quant/pack.js';
import { dequantizeBnb4, quantizeBnb4, type Bnb4Type } from '../quant/bnb4.js';
import { dequantizeGguf, quantizeGguf, type GgufQuantType } from '../quant/gguf.js';
import { compressSparse24, decompressSparse24 } from '../prune/sparse-bitmask.js';
import type { JobOptions } from '../native/job.js';

export type StoredLinearFormat =
  /** compressed-tensors pack-quantized (weight_packed, weight_scale, weight_zero_point, weight_shape). */
  | { kind: 'pack'; bits: number; symmetric?: boolean; granularity?: Granularity; groupSize?: number; scaleDtype?: ScaleDtype; numBits?: boolean }
  /** compressed-tensors int-quantized: weight int8 + weight_scale (+ weight_zero_point int8). */
  | { kind: 'int8'; symmetric?: boolean; granularity?: Granularity; groupSize?: number }
  /** bitsandbytes 4-bit (weight uint8, weight.absmax, weight.quant_map, …, weight.quant_state.bitsandbytes__<type>). */
  | { kind: 'bnb4'; type?: Bnb4Type; blocksize?: number; doubleQuant?: boolean }
  /** GGML blocks as the weight's own dtype. */
  | { kind: 'gguf'; type: GgufQuantType }
  /** compressed-tensors sparse-24-bitmask (compressed, bitmask, shape), values in `dtype`. */
  | { kind: 'sparse24'; dtype?: 'F32' | 'F16' | 'BF16' };

export interface StoredLinear {
  /** The plain weight tensor, or null for layouts that have none. */
  weight: NativeTensor | null;
  /** Companion tensors by role (engineLinear's `extra`). */
  extra: Record<string, NativeTensor>;
  /** What the stored tensors decode to, [rows, cols] row-major (empty with skipDequantize). */
  dequantized: Float32Array;
  /** Bytes of every stored tensor together. */
  storedBytes: number;
}

const tensor = (dtype: string, shape: number[], data: ArrayBufferView): NativeTensor => ({ dtype, shape, data });
const sizeOf = (ts: (NativeTensor | null)[]) => ts.reduce((a, t) => a + (t && 'data' in t ? (t.data as ArrayBufferView).byteLength : 0), 0);

function result(weight: NativeTensor | null, extra: Record<string, NativeTensor>, dequantized: Float32Array): StoredLinear {
  return { weight, extra, dequantized, storedBytes: sizeOf([weight, ...Object.values(extra)]) };
}

/** `w` is [rows, cols] float32 (PyTorch order). */
export async function storeLinear(w: Float32Array, rows: number, cols: number, f: StoredLinearFormat, options: JobOptions & { skipDequantize?: boolean } = {}): Promise<StoredLinear> {
  const { skipDequantize, ...opts } = options;
  const none = new Float32Array(0);
  const src: NativeTensor = { dtype: 'F32', shape: [rows, cols], data: w };
  const shape = [rows, cols];
  if (f.kind === 'pack' || f.kind === 'int8') {
    const bits = f.kind === 'pack' ? f.bits : 8;
    const granularity = f.granularity ?? 'channel';
    const spec = { granularity, groupSize: f.groupSize } as const;
    const symmetric = f.symmetric ?? true;
    const scaleDtype = f.kind === 'pack' ? (f.scaleDtype ?? 'F32') : 'F32';
    const q = await quantizeInt(src, { bits, symmetric, ...spec, scaleDtype, ...opts });
    const dequantized = skipDequantize ? none : await dequantizeInt(q, shape, spec, opts);
    const extra: Record<string, NativeTensor> = { weight_scale: tensor(scaleDtype, q.paramShape, await floatsAs(q.scales, scaleDtype)) };
    if (f.kind === 'int8') {
      if (!symmetric) extra.weight_zero_point = tensor('I8', q.paramShape, Int8Array.from(q.zeroPoints));
      return result(tensor('I8', shape, q.codes), extra, dequantized);
    }
    const packed = await packInt32(q.codes, { rows, cols, bits, dim: 1 }, opts);
    extra.weight_packed = tensor('I32', packed.shape, packed.packed);
    extra.weight_shape = tensor('I64', [2], int64Bytes([rows, cols]));
    if (f.numBits) extra.num_bits = tensor('I64', [1], int64Bytes([bits]));
    if (!symmetric) {
      if (granularity === 'tensor') {
        extra.weight_zero_point = tensor('I8', [1], Int8Array.from(q.zeroPoints));
      } else {
        const z = await packInt32(Int8Array.from(q.zeroPoints), { rows, cols: q.paramShape[1], bits, dim: 0 }, opts);
        extra.weight_zero_point = tensor('I32', z.shape, z.packed);
      }
    }
    return result(null, extra, dequantized);
  }
  if (f.kind === 'bnb4') {
    const type = f.type ?? 'nf4';
    const r = await quantizeBnb4(src, { type, blocksize: f.blocksize ?? 64, doubleQuant: f.doubleQuant, ...opts });
    const dequantized = skipDequantize ? none : await dequantizeBnb4(r, rows * cols, { type, blocksize: r.blocksize }, opts);
    const state: Record<string, unknown> = { quant_type: type, blocksize: r.blocksize, dtype: 'float32', shape };
    const extra: Record<string, NativeTensor> = { 'weight.quant_map': tensor('F32', [16], r.codeMap) };
    if (r.absmaxCodes) {
      extra['weight.absmax'] = tensor('U8', [r.absmaxCodes.length], r.absmaxCodes);
      extra['weight.nested_absmax'] = tensor('F32', [r.nestedAbsmax!.length], r.nestedAbsmax!);
      extra['weight.nested_quant_map'] = tensor('F32', [r.nestedCodeMap!.length], r.nestedCodeMap!);
      Object.assign(state, { nested_blocksize: r.nestedBlocksize, nested_dtype: 'float32', nested_offset: r.offset });
    } else {
      extra['weight.absmax'] = tensor('F32', [r.absmax!.length], r.absmax!);
    }
    const json = new Uint8Array(Buffer.from(JSON.stringify(state), 'utf8'));
    extra[`weight.quant_state.bitsandbytes__${type}`] = tensor('U8', [json.length], json);
    return result(tensor('U8', [r.packed.length, 1], r.packed), extra, dequantized);
  }
  if (f.kind === 'gguf') {
    const blocks = await quantizeGguf(src, f.type, opts);
    const dequantized = skipDequantize ? none : await dequantizeGguf(blocks, f.type, shape, opts);
    return result(tensor(f.type, shape, blocks), {}, dequantized);
  }
  const c = await compressSparse24(src, opts);
  const dtype = f.dtype ?? 'F32';
  const values = new Float32Array(bytesOf(c.compressed.data as ArrayBufferView).slice().buffer);
  const stored = dtype === 'F32' ? values : await floatsAs(values, dtype);
  let decoded: Float32Array = none;
  if (!skipDequantize) {
    const dense = await decompressSparse24(c, opts);
    decoded = dtype === 'F32' ? new Float32Array(bytesOf(dense.data as ArrayBufferView).slice().buffer) : await widen(dense, dtype);
  }
  return result(
    null,
    {
      compressed: tensor(dtype, c.compressed.shape, stored),
      bitmask: tensor('U8', c.bitmaskShape, c.bitmask),
      shape: tensor('I64', [2, 1], int64Bytes(c.shape)),
    },
    decoded,
  );
}

/** F32 values rounded through a half type and back (what a half-precision store holds). */
async function widen(t: { data: unknown }, dtype: 'F16' | 'BF16'): Promise<Float32Array> {
  const f = new Float32Array(bytesOf(t.data as ArrayBufferView).slice().buffer);
  const half = await floatsAs(f, dtype);
  const out = new Float32Array(f.length);
  const u16 = new Uint16Array(half.buffer, half.byteOffset, f.length);
  const u32 = new Uint32Array(out.buffer);
  if (dtype === 'BF16') {
    for (let i = 0; i < f.length; i++) u32[i] = u16[i] << 16;
    return out;
  }
  for (let i = 0; i < f.length; i++) out[i] = halfToFloat(u16[i]);
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
