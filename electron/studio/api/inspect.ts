// The inspector's data: statistics of every tensor (a job, rows streamed as
// they are computed) and the charts of one tensor (histogram, per-channel absmax).
import type { InspectResult, TensorDetail, TensorStatsRow } from '../../common/contract.js';
import { StudioError } from '../../common/errors.js';
import { tensorStats, type TensorStats } from '../inspect/tensor-stats.js';
import type { JobContext } from '../jobs/job-manager.js';
import type { BlockDType, TensorEntry } from '../models/types.js';
import type { NativeTensor } from '../native/addon.js';
import { GGML_BLOCKS } from '../quant/gguf.js';
import type { ModelRegistry } from './model-registry.js';

/** Plain element types the statistics kernel reads (GGML block types too, see canInspect). */
const READABLE = new Set(['F32', 'F16', 'BF16', 'F64', 'I8', 'U8', 'I16', 'I32', 'I64']);
const isBlock = (dtype: string): dtype is BlockDType => Object.prototype.hasOwnProperty.call(GGML_BLOCKS, dtype);
/** More points than this and a chart stops being readable: rows are max-pooled. */
const MAX_CHANNEL_POINTS = 2048;

export function canInspect(t: TensorEntry): boolean {
  return READABLE.has(t.dtype) || isBlock(t.dtype);
}

/**
 * The tensor as the statistics kernel takes it: straight from the mapped file.
 * The kernel decodes GGML block types itself, block by block (core to_f32), so
 * a quantized tensor is never expanded to F32 in memory.
 */
function statsInput(models: ModelRegistry, modelId: string, t: TensorEntry): NativeTensor {
  if (!canInspect(t)) throw new StudioError('UNSUPPORTED', `statistics of ${t.dtype} tensors are not available ('${t.name}')`, { tensor: t.name });
  return models.nativeTensor(modelId, t);
}

function row(name: string, s: TensorStats): TensorStatsRow {
  return {
    name, count: s.count, mean: s.mean, std: s.std, min: s.min, max: s.max, absmax: s.absmax,
    kurtosis: s.kurtosis, outlierShare: s.outlierShare, zeros: s.zeros, nonfinite: s.nonfinite,
  };
}

/** Max-pools per-row absmax to at most `max` points. */
export function poolChannels(values: ArrayLike<number>, max = MAX_CHANNEL_POINTS): { values: number[]; rowsPerPoint: number } {
  const rowsPerPoint = Math.max(1, Math.ceil(values.length / max));
  const out: number[] = [];
  for (let i = 0; i < values.length; i += rowsPerPoint) {
    let m = 0;
    for (let j = i; j < Math.min(values.length, i + rowsPerPoint); j++) m = Math.max(m, values[j]);
    out.push(m);
  }
  return { values: out, rowsPerPoint };
}

export async function tensorDetail(models: ModelRegistry, modelId: string, name: string, bins = 128): Promise<TensorDetail> {
  const t = models.tensor(modelId, name);
  const s = await tensorStats(statsInput(models, modelId, t), { bins, perChannel: t.shape.length >= 2 });
  return {
    modelId,
    tensor: name,
    stats: row(name, s),
    histogram: { lo: s.histLo, hi: s.histHi, counts: Array.from(s.histogram) },
    channelAbsmax: t.shape.length >= 2 ? poolChannels(s.channelAbsmax) : null,
  };
}

export async function inspectModel(models: ModelRegistry, modelId: string, ctx: JobContext<'inspect'>): Promise<InspectResult> {
  const all = models.get(modelId).tensors;
  const tensors = all.filter(canInspect);
  const skipped = all.length - tensors.length;
  const bytesTotal = tensors.reduce((a, t) => a + t.byteLength, 0);
  let bytesDone = 0;
  ctx.progress({ stage: 'statistics', itemsTotal: tensors.length, itemsDone: 0, bytesTotal, bytesDone: 0 });
  if (skipped) ctx.log('warn', `${skipped} tensors are stored in types the statistics cannot read`);
  const rows: TensorStatsRow[] = [];
  for (const [i, t] of tensors.entries()) {
    ctx.progress({ item: t.name, itemsDone: i, bytesDone });
    const s = await tensorStats(statsInput(models, modelId, t), {
      bins: 8,
      perChannel: false,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ itemFraction: total ? done / total : 0, bytesDone: bytesDone + (total ? (done / total) * t.byteLength : 0) }),
    });
    bytesDone += t.byteLength;
    const r = row(t.name, s);
    rows.push(r);
    ctx.item(r);
  }
  ctx.progress({ itemsDone: tensors.length, bytesDone });
  ctx.log('info', `Statistics of ${rows.length} tensors`);
  return { modelId, rows };
}
