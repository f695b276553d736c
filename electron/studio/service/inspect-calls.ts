// The inspector's data: statistics of every tensor (a job, rows streamed as
// they are computed) and the charts of one tensor (histogram, per-channel absmax).
// A compressed layer (compressed-tensors, bitsandbytes 4-bit) is one logical
// weight whose numbers are those of its dequantized values, decoded one layer
// at a time; a malformed layer gives an error row, not a failed inspection.
import type { InspectResult, TensorDetail, TensorStatsRow } from '../../common/contract.js';
import { isCancelled, StudioError } from '../../common/errors.js';
import { canInspect, logicalStats } from '../inspect/logical-stats.js';
import { inspectedTensors, logicalTensors, type LogicalTensor } from '../inspect/logical-tensors.js';
import { findStoredLayers } from '../inspect/stored-layers.js';
import type { TensorStats, TensorStatsOptions } from '../inspect/tensor-stats.js';
import type { JobContext } from './job-manager.js';
import type { JobOptions } from '../native/job.js';
import type { ModelRegistry } from './model-registry.js';

/** More points than this and a chart stops being readable: rows are max-pooled. */
const MAX_CHANNEL_POINTS = 2048;

const statsOf = (models: ModelRegistry, modelId: string, t: LogicalTensor, opts: TensorStatsOptions & JobOptions): Promise<TensorStats> =>
  logicalStats(models.data(modelId), t, opts);

function row(name: string, s: TensorStats): TensorStatsRow {
  return {
    name, count: s.count, mean: s.mean, std: s.std, min: s.min, max: s.max, absmax: s.absmax,
    kurtosis: s.kurtosis, outlierShare: s.outlierShare, zeros: s.zeros, nonfinite: s.nonfinite,
  };
}

function errorRow(name: string, e: StudioError): TensorStatsRow {
  return {
    name, count: 0, mean: 0, std: 0, min: 0, max: 0, absmax: 0, kurtosis: 0, outlierShare: 0, zeros: 0, nonfinite: 0,
    error: { message: e.message, file: e.file, tensor: e.tensor },
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

/** A name from the table: a logical tensor, or any stored tensor by its own name. */
function find(models: ModelRegistry, modelId: string, name: string): LogicalTensor {
  const logical = logicalTensors(models.get(modelId))?.find((t) => t.entry.name === name);
  return logical ?? { entry: models.tensor(modelId, name) };
}

export async function tensorDetail(models: ModelRegistry, modelId: string, name: string, bins = 128): Promise<TensorDetail> {
  const t = find(models, modelId, name);
  const shape = t.stored?.layout?.shape ?? t.entry.shape;
  const perChannel = shape.length >= 2;
  const s = await statsOf(models, modelId, t, { bins, perChannel });
  return {
    modelId,
    tensor: name,
    stats: row(name, s),
    histogram: { lo: s.histLo, hi: s.histHi, counts: Array.from(s.histogram) },
    channelAbsmax: perChannel ? poolChannels(s.channelAbsmax) : null,
  };
}

export async function inspectModel(models: ModelRegistry, modelId: string, ctx: JobContext<'inspect'>): Promise<InspectResult> {
  const model = models.get(modelId);
  const all = inspectedTensors(model);
  const tensors = all.filter(canInspect);
  const skipped = all.length - tensors.length;
  const bytesTotal = tensors.reduce((a, t) => a + t.entry.byteLength, 0);
  let bytesDone = 0, failed = 0;
  ctx.progress({ stage: 'statistics', itemsTotal: tensors.length, itemsDone: 0, bytesTotal, bytesDone: 0 });
  if (skipped) ctx.log('warn', `${skipped} tensors are stored in types the statistics cannot read`);
  const problem = findStoredLayers(model).problem;
  if (problem) ctx.log('warn', `Compressed layers are shown as their stored tensors: ${problem.message}`);
  const rows: TensorStatsRow[] = [];
  for (const [i, t] of tensors.entries()) {
    const { name, byteLength } = t.entry;
    ctx.progress({ item: name, itemsDone: i, bytesDone });
    let r: TensorStatsRow;
    try {
      const s = await statsOf(models, modelId, t, {
        bins: 8,
        perChannel: false,
        signal: ctx.signal,
        onProgress: (done, total) => ctx.progress({ itemFraction: total ? done / total : 0, bytesDone: bytesDone + (total ? (done / total) * byteLength : 0) }),
      });
      r = row(name, s);
    } catch (e) {
      // Only a compressed layer's own layout may fail alone; anything else ends the job as before.
      if (!t.stored || isCancelled(e) || !(e instanceof StudioError)) throw e;
      failed++;
      ctx.log('error', e.message);
      r = errorRow(name, e);
    }
    bytesDone += byteLength;
    rows.push(r);
    ctx.item(r);
  }
  ctx.progress({ itemsDone: tensors.length, bytesDone });
  ctx.log('info', `Statistics of ${rows.length - failed} tensors${failed ? `; ${failed} could not be read` : ''}`);
  return { modelId, rows };
}
