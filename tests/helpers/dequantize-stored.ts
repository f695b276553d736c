// A stored compressed model turned back into plain F32 weights by the
// quantization layer's own decoders (unpackInt32 + dequantizeInt,
// dequantizeBnb4, dequantizeGguf, decompressSparse24) — independent of the
// engine's kernels — under the engine's tensor names, so a test can run the
// engine on "the dequantized weights" and compare with the stored formats.
import type { NativeTensor } from '../../electron/studio/native/addon.js';
import { engineTensors } from '../../electron/studio/engine/stored-tensors.js';
import type { OpenedModel } from '../../electron/studio/models/types.js';
import { openTensorData } from '../../electron/studio/models/tensor-data.js';
import { dequantizeInt } from '../../electron/studio/quant/int-quant.js';
import { unpackInt32 } from '../../electron/studio/quant/pack.js';
import { dequantizeBnb4 } from '../../electron/studio/quant/bnb4.js';
import { dequantizeGguf } from '../../electron/studio/quant/gguf.js';
import { decompressSparse24 } from '../../electron/studio/prune/sparse-bitmask.js';
import type { BlockDType } from '../../electron/studio/models/types.js';

const BLOCKS = new Set(['Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0']);

function bytes(t: NativeTensor): Uint8Array {
  if ('data' in t) {
    const d = t.data as ArrayBufferView;
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
  }
  return new Uint8Array(t.file.read(t.offset, t.byteLength));
}
const f32 = (t: NativeTensor) => {
  if (t.dtype !== 'F32') throw new Error(`expected F32 companion, got ${t.dtype}`);
  return new Float32Array(bytes(t).buffer);
};
const i32 = (t: NativeTensor) => new Int32Array(bytes(t).buffer);
const i64 = (t: NativeTensor) => Array.from(new BigInt64Array(bytes(t).buffer), Number);
const dense = (shape: number[], data: Float32Array): NativeTensor => ({ dtype: 'F32', shape, data });
/** The tensor's bytes in memory (the mapped files close when this returns). */
const copy = (t: NativeTensor): NativeTensor => ({ dtype: t.dtype, shape: t.shape, data: bytes(t) });

/** Engine tensor map with every stored quantized/sparse linear weight replaced by its F32 decoding. */
export async function dequantizedEngineTensors(model: OpenedModel): Promise<Record<string, NativeTensor>> {
  const data = openTensorData(model);
  try {
    const t = engineTensors(model, data);
    const out: Record<string, NativeTensor> = {};
    const modules = new Set(Object.keys(t).map((n) => n.replace(/\.(weight(\..+)?|bias|weight_\w+|compressed|bitmask|shape|num_bits)$/, '')));
    for (const m of modules) {
      const role = (r: string) => t[`${m}.${r}`];
      if (role('bias')) out[`${m}.bias`] = copy(role('bias'));
      if (role('weight_packed')) {
        const [rows, cols] = i64(role('weight_shape'));
        const bits = i64(role('num_bits'))[0];
        const codes = await unpackInt32(i32(role('weight_packed')), { rows, cols, bits, dim: 1 });
        const scaleT = role('weight_scale');
        const groups = scaleT.shape.length === 2 ? scaleT.shape[1] : 1;
        const spec = scaleT.shape.length < 2 ? ({ granularity: 'tensor' } as const) : groups === 1 ? ({ granularity: 'channel' } as const) : ({ granularity: 'group', groupSize: cols / groups } as const);
        let zeroPoints = new Int32Array(scaleT.shape.length < 2 ? 1 : rows * groups);
        const zp = role('weight_zero_point');
        if (zp && zp.dtype === 'I32') zeroPoints = Int32Array.from(await unpackInt32(i32(zp), { rows, cols: groups, bits, dim: 0 }));
        else if (zp) zeroPoints = Int32Array.from(new Int8Array(bytes(zp).buffer));
        out[`${m}.weight`] = dense([rows, cols], await dequantizeInt({ codes, scales: f32(scaleT), zeroPoints }, [rows, cols], spec));
      } else if (role('compressed')) {
        const [rows, cols] = i64(role('shape'));
        const c = role('compressed');
        const r = await decompressSparse24({ compressed: { dtype: c.dtype, shape: c.shape, data: new Float32Array(bytes(c).buffer) }, bitmask: bytes(role('bitmask')), shape: [rows, cols] });
        out[`${m}.weight`] = dense([rows, cols], new Float32Array(bytes(r as NativeTensor).buffer));
      } else if (role('weight.quant_map')) {
        const stateKey = Object.keys(t).find((n) => n.startsWith(`${m}.weight.quant_state.`))!;
        const state = JSON.parse(Buffer.from(bytes(t[stateKey])).toString('utf8'));
        const numel = state.shape.reduce((a: number, b: number) => a * b, 1);
        const absT = role('weight.absmax');
        const q =
          absT.dtype === 'U8'
            ? { packed: bytes(role('weight')), absmaxCodes: bytes(absT), nestedAbsmax: f32(role('weight.nested_absmax')), offset: state.nested_offset }
            : { packed: bytes(role('weight')), absmax: f32(absT) };
        out[`${m}.weight`] = dense(state.shape, await dequantizeBnb4(q, numel, { type: state.quant_type, blocksize: state.blocksize }));
      } else if (role('weight') && BLOCKS.has(role('weight').dtype)) {
        const w = role('weight');
        out[`${m}.weight`] = dense(w.shape, await dequantizeGguf(bytes(w), w.dtype as BlockDType, w.shape));
      } else if (role('weight')) {
        out[`${m}.weight`] = copy(role('weight'));
      }
    }
    return out;
  } finally {
    data.close();
  }
}
