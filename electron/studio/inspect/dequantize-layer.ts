// One compressed layer decoded to the float32 weights the model multiplies by,
// through the quantization layer's own decoders (unpackInt32 + dequantizeInt,
// dequantizeBnb4, decompressSparse24, castTensor) — no decoding math here.
// Memory: the layer's stored bytes plus its float32 weights, one layer at a time.
import { StudioError } from '../../common/errors.js';
import { castTensor } from '../convert/cast.js';
import type { ModelTensors } from '../models/tensor-data.js';
import type { TensorEntry } from '../models/types.js';
import type { JobOptions } from '../native/job.js';
import { dequantizeBnb4 } from '../quant/bnb4.js';
import { dequantizeInt } from '../quant/int-quant.js';
import { unpackInt32 } from '../quant/pack.js';
import { decompressSparse24 } from '../prune/sparse-bitmask.js';
import type { StoredLayout } from './stored-layout.js';

type Typed<T> = { new (b: ArrayBufferLike, offset: number, length: number): T; BYTES_PER_ELEMENT: number };

/** A typed view of bytes, copied only when they are not aligned for it. */
function view<T>(Ctor: Typed<T>, b: Uint8Array): T {
  const n = Math.floor(b.byteLength / Ctor.BYTES_PER_ELEMENT);
  if (b.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(b.buffer, b.byteOffset, n);
  return new Ctor(b.slice().buffer, 0, n);
}

/** Any stored float tensor (F32/F16/BF16) as float32. */
async function floats(data: ModelTensors, t: TensorEntry, opts: JobOptions): Promise<Float32Array> {
  if (t.dtype === 'F32') return view(Float32Array, data.bytes(t));
  return view(Float32Array, await castTensor(data.get(t), 'F32', opts));
}

/** Signed integer values of a stored int tensor, widened to int32. */
function int32s(data: ModelTensors, t: TensorEntry): Int32Array {
  const b = data.bytes(t);
  switch (t.dtype) {
    case 'I8': return Int32Array.from(view(Int8Array, b));
    case 'I16': return Int32Array.from(view(Int16Array, b));
    case 'I32': return Int32Array.from(view(Int32Array, b));
    default: return Int32Array.from(view(BigInt64Array, b), Number);
  }
}

async function decodeInt(L: Extract<StoredLayout, { kind: 'pack' | 'int' }>, data: ModelTensors, opts: JobOptions): Promise<Float32Array> {
  const [rows, cols] = L.shape;
  const codes = L.kind === 'pack'
    ? await unpackInt32(view(Int32Array, data.bytes(L.codes)), { rows, cols, bits: L.bits, dim: 1 }, { signal: opts.signal })
    : view(Int8Array, data.bytes(L.codes));
  const scales = await floats(data, L.scale, { signal: opts.signal });
  const params = scales.length;
  let zeroPoints: Int32Array = new Int32Array(params);
  if (L.zeroPoint) {
    zeroPoints = L.zeroPointPacked
      ? Int32Array.from(await unpackInt32(view(Int32Array, data.bytes(L.zeroPoint)), { rows, cols: params / rows, bits: L.bits, dim: 0 }, { signal: opts.signal }))
      : int32s(data, L.zeroPoint);
    const lo = -(2 ** (L.bits - 1)), hi = 2 ** (L.bits - 1) - 1;
    const out = zeroPoints.find((z) => z < lo || z > hi);
    if (out !== undefined) throw new StudioError('BAD_FILE', `${L.zeroPoint.file}: tensor '${L.zeroPoint.name}' holds ${out}, outside the ${L.bits}-bit range`, { file: L.zeroPoint.file, tensor: L.zeroPoint.name });
  }
  const bad = scales.findIndex((s) => !Number.isFinite(s));
  if (bad >= 0) throw new StudioError('BAD_FILE', `${L.scale.file}: tensor '${L.scale.name}' holds a non-finite scale at ${bad}`, { file: L.scale.file, tensor: L.scale.name });
  return dequantizeInt({ codes, scales, zeroPoints }, [rows, cols], { granularity: L.granularity, groupSize: L.groupSize }, { ...opts, name: L.layer.name });
}

async function decodeBnb4(L: Extract<StoredLayout, { kind: 'bnb4' }>, data: ModelTensors, opts: JobOptions): Promise<Float32Array> {
  const packed = data.bytes(L.packed);
  const q = L.nested
    ? { packed, absmaxCodes: data.bytes(L.absmax), nestedAbsmax: await floats(data, L.nested.absmax, opts), offset: L.nested.offset }
    : { packed, absmax: await floats(data, L.absmax, opts) };
  return dequantizeBnb4(q, L.shape[0] * L.shape[1], { type: L.type, blocksize: L.blocksize }, opts);
}

async function decodeSparse24(L: Extract<StoredLayout, { kind: 'sparse24' }>, data: ModelTensors, opts: JobOptions): Promise<Float32Array> {
  const dense = await decompressSparse24({ compressed: data.get(L.compressed) as never, bitmask: data.bytes(L.bitmask), shape: L.shape }, opts);
  const bytes = dense.data as ArrayBufferView;
  if (dense.dtype === 'F32') return view(Float32Array, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return view(Float32Array, await castTensor(dense as never, 'F32', { signal: opts.signal }));
}

/** The layer's weights as float32 [rows, cols]; errors name the layer's file and tensor. */
export async function dequantizeLayer(L: StoredLayout, data: ModelTensors, opts: JobOptions = {}): Promise<Float32Array> {
  const first = Object.values(L.layer.parts)[0];
  try {
    switch (L.kind) {
      case 'pack':
      case 'int':
        return await decodeInt(L, data, opts);
      case 'bnb4':
        return await decodeBnb4(L, data, opts);
      case 'sparse24':
        return await decodeSparse24(L, data, opts);
    }
  } catch (e) {
    if (!(e instanceof StudioError) || e.code === 'CANCELLED' || e.file) throw e;
    throw new StudioError(e.code, `${first.file}: layer '${L.layer.name}': ${e.message}`, { file: first.file, tensor: L.layer.name });
  }
}
