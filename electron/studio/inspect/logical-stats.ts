// Statistics of a tensor as the model computes with it, for the window's
// inspector and `mcs inspect` alike. A plain tensor goes to the kernel straight
// from the mapped file (GGML blocks decoded block by block, never expanded); a
// compressed layer is dequantized to float32 first, one layer at a time
// (decoding takes the first half of the item's progress).
import { StudioError } from '../../common/errors.js';
import { isBlockDType, type ModelTensors } from '../models/index.js';
import type { TensorEntry } from '../models/types.js';
import type { NativeTensor } from '../native/addon.js';
import type { JobOptions } from '../native/job.js';
import { dequantizeLayer } from './dequantize-layer.js';
import type { LogicalTensor } from './logical-tensors.js';
import { tensorStats, type TensorStats, type TensorStatsOptions } from './tensor-stats.js';

/** Plain element types the statistics kernel reads (GGML block types too). */
const READABLE = new Set(['F32', 'F16', 'BF16', 'F64', 'I8', 'U8', 'I16', 'I32', 'I64']);

export function canInspect(t: LogicalTensor | TensorEntry): boolean {
  if ('entry' in t) return !!t.stored || canInspect(t.entry);
  return READABLE.has(t.dtype) || isBlockDType(t.dtype);
}

export async function logicalStats(data: ModelTensors, t: LogicalTensor, opts: TensorStatsOptions & JobOptions): Promise<TensorStats> {
  const { stored, entry } = t;
  if (!stored) {
    if (!canInspect(entry)) throw new StudioError('UNSUPPORTED', `statistics of ${entry.dtype} tensors are not available ('${entry.name}')`, { tensor: entry.name });
    return tensorStats(data.get(entry), opts);
  }
  if (!stored.layout) throw stored.error!;
  const half = (from: number) => (done: number, total: number, stage: string) => opts.onProgress?.(from + (total ? done / total : 0) / 2, 1, stage);
  const weights = await dequantizeLayer(stored.layout, data, { signal: opts.signal, onProgress: half(0) });
  const input: NativeTensor = { dtype: 'F32', shape: stored.layout.shape, name: entry.name, data: weights };
  return tensorStats(input, { ...opts, onProgress: half(0.5) });
}
