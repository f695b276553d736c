// The compression run for GGUF outputs (llama.cpp): HF names mapped to
// llama.cpp's with the q/k row permutation its converter applies (GPT-2's
// Conv1D weights transposed), each tensor quantized to its GGML block type —
// falling back per tensor where rows do not fit the block — or cast, and
// streamed into a GGUF with the hyperparameters and vocabulary a runner needs.
import { basename } from 'node:path';
import { StudioError, cancelled } from '../../common/errors.js';
import { castTensor } from '../convert/cast.js';
import { writeGguf, type GgufTensorSource } from '../export/gguf-writer.js';
import { carriedGgufEntries, fileTypeEntries, hyperparameterEntries, llama3RopeFactors, tokenizerEntries } from '../export/gguf-metadata.js';
import { isBlockDType } from '../models/dtypes.js';
import { gguf } from '../models/gguf-values.js';
import { transformTensor, type TensorTransform } from '../models/qk-permute.js';
import { hfToGgufName } from '../models/tensor-names.js';
import type { MappedTensor } from '../models/tensor-data.js';
import type { OpenedModel, TensorDType, TensorEntry } from '../models/types.js';
import type { NativeTensor } from '../native/addon.js';
import { dequantizeGguf, quantizeGguf, type GgufQuantType } from '../quant/gguf.js';
import { describeGgufFallback, ggufFallbackType } from '../quant/gguf-fallback.js';
import type { RecipePlan, TensorPlan } from '../recipes/plan.js';
import type { Recipe } from '../recipes/schema.js';
import { outcomeOf, summarize, type CompressOptions } from './compress-hf.js';
import { applyPrune, type Encoded } from './encode.js';
import { measure } from './measure.js';
import { ProgressTracker } from './progress.js';
import type { CompressReport, TensorOutcome } from './types.js';

export interface GgufTensorData {
  get(entry: TensorEntry): MappedTensor;
  bytes(entry: TensorEntry): Uint8Array;
}

interface Job {
  plan: TensorPlan;
  entry: TensorEntry;
  name: string;
  transform: TensorTransform;
  type: TensorDType;
  note?: string;
}

const QUANT_TYPES = new Set<string>(['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1']);

/** The type a tensor is written in, and why when it is not what was asked. */
function outputType(t: TensorPlan, outName: string): { type: TensorDType; note?: string } {
  const q = t.quantize;
  if (q?.method === 'keep' && q.dtype) return { type: q.dtype.toUpperCase() as TensorDType };
  if (t.shape.length < 2) return { type: 'F32' }; // norms and biases stay F32, as llama.cpp keeps them
  if (q?.method === 'gguf') {
    const choice = ggufFallbackType(q.type, t.shape[t.shape.length - 1]);
    return { type: choice.type.toUpperCase() as TensorDType, note: describeGgufFallback(outName, choice) };
  }
  if (q && q.method !== 'keep') throw new StudioError('INVALID_ARGUMENT', `${t.name}: ${q.method} cannot be stored in a GGUF file`);
  if (t.dtype === 'F32' || t.dtype === 'F16' || t.dtype === 'BF16' || isBlockDType(t.dtype)) return { type: t.dtype };
  return { type: 'F32' };
}

function planJobs(model: OpenedModel, plan: RecipePlan): Job[] {
  const entries = new Map(model.tensors.map((e) => [e.name, e]));
  const jobs: Job[] = [];
  for (const t of plan.tensors) {
    const mapped = model.format === 'hf' ? hfToGgufName(t.name, model.config) : { name: t.name, transform: { kind: 'none' } as TensorTransform };
    if (mapped === 'drop') continue;
    jobs.push({ plan: t, entry: entries.get(t.name)!, name: mapped.name, transform: mapped.transform, ...outputType(t, mapped.name) });
  }
  return jobs;
}

/** The most common type among the 2-D weights: what general.file_type declares. */
function mainType(jobs: Job[]): string {
  const count = new Map<string, number>();
  for (const j of jobs) if (j.plan.shape.length === 2) count.set(j.type, (count.get(j.type) ?? 0) + j.plan.shape[0] * j.plan.shape[1]);
  return [...count].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'F32';
}

/** The source tensor in the output's layout (renamed rows, transposed), as floats when it must be re-encoded. */
async function sourceOf(job: Job, data: GgufTensorData, signal?: AbortSignal): Promise<NativeTensor> {
  const { entry } = job;
  if (job.transform.kind !== 'none') {
    const t = transformTensor(job.transform, data.bytes(entry), entry.shape, entry.dtype);
    return { dtype: entry.dtype, shape: t.shape, name: job.name, data: t.data };
  }
  const src = data.get(entry);
  if (isBlockDType(entry.dtype) && (job.type !== entry.dtype || job.plan.prune)) {
    const floats = await dequantizeGguf(src, entry.dtype, entry.shape, { signal, name: entry.name });
    return { dtype: 'F32', shape: entry.shape, name: job.name, data: floats };
  }
  return src;
}

async function encodeJob(job: Job, data: GgufTensorData, signal?: AbortSignal): Promise<Encoded & { bytes: Uint8Array; src: NativeTensor }> {
  const src = await sourceOf(job, data, signal);
  const pruned = await applyPrune(job.plan, src, { signal });
  const work = pruned.tensor;
  let bytes: Uint8Array;
  let reconstructed: NativeTensor | undefined = pruned.result ? work : undefined;
  let action: string;
  if (QUANT_TYPES.has(job.type)) {
    bytes = await quantizeGguf(work, job.type as GgufQuantType, { signal });
    const floats = await dequantizeGguf(bytes, job.type as GgufQuantType, work.shape, { signal, name: job.name });
    reconstructed = { dtype: 'F32', shape: work.shape, name: job.name, data: floats };
    action = job.type;
  } else if (job.type === work.dtype && !pruned.result) {
    bytes = 'data' in work ? new Uint8Array((work.data as ArrayBufferView).buffer, (work.data as ArrayBufferView).byteOffset, (work.data as ArrayBufferView).byteLength) : data.bytes(job.entry);
    action = 'copied';
  } else {
    bytes = await castTensor(work, job.type as 'F32' | 'F16' | 'BF16', { signal });
    if (job.type !== 'F32') reconstructed = { dtype: job.type, shape: work.shape, name: job.name, data: bytes };
    action = job.type === work.dtype ? 'copied' : job.type;
  }
  const kind: TensorOutcome['kind'] = QUANT_TYPES.has(job.type) ? (pruned.result ? 'pruned+quantized' : 'quantized') : pruned.result ? 'pruned' : action === 'copied' ? 'copied' : 'cast';
  return {
    outputs: [{ name: job.name, dtype: job.type, shape: work.shape, data: bytes }],
    bytes,
    src,
    reconstructed,
    kind,
    action: pruned.label ? `${pruned.label} + ${action}` : action,
    sparsity: pruned.result?.sparsity,
    note: job.note,
  };
}

export async function compressToGguf(
  model: OpenedModel,
  recipe: Recipe,
  plan: RecipePlan,
  data: GgufTensorData,
  target: string,
  opts: CompressOptions = {},
): Promise<CompressReport> {
  const { signal, bins = 128 } = opts;
  const jobs = planJobs(model, plan);
  const progress = new ProgressTracker(jobs.reduce((a, j) => a + j.entry.byteLength, 0), jobs.length, opts.onProgress);
  const outcomes: TensorOutcome[] = [];
  const tensors: GgufTensorSource[] = jobs.map((job) => ({
    name: job.name,
    type: job.type,
    shape: job.transform.kind === 'transpose' ? [job.entry.shape[1], job.entry.shape[0]] : job.entry.shape,
    data: async () => {
      if (signal?.aborted) throw cancelled();
      progress.report('compress', job.plan.name);
      const started = Date.now();
      const enc = await encodeJob(job, data, signal);
      const touched = job.plan.quantize || job.plan.prune;
      const m = enc.reconstructed && touched ? await measure(enc.src, enc.reconstructed, bins, signal) : undefined;
      const outcome = outcomeOf(job.plan, job.entry.byteLength, enc, m, (Date.now() - started) / 1000);
      if (job.note) opts.onLog?.('warn', job.note);
      const done = { ...outcome, outputName: job.name !== job.plan.name ? job.name : undefined, kind: enc.kind, note: job.note };
      outcomes.push(done);
      opts.onTensor?.(done);
      progress.bytesDone += job.entry.byteLength;
      progress.tensorsDone++;
      return enc.bytes;
    },
  }));
  const ropeFactors = model.format === 'hf' ? llama3RopeFactors(model.config) : undefined;
  if (ropeFactors) tensors.push({ name: 'rope_freqs.weight', type: 'F32', shape: [ropeFactors.length], data: () => new Uint8Array(ropeFactors.buffer) });
  const metadata =
    model.format === 'hf'
      ? [...hyperparameterEntries(model.config, basename(model.path)), ...tokenizerEntries(model)]
      : carriedGgufEntries(model.path);
  metadata.push(...fileTypeEntries(mainType(jobs)), ['general.quantized_by', gguf.string('Model Compression Studio')], ['mcs.recipe', gguf.string(JSON.stringify(recipe))]);
  progress.report('plan');
  await writeGguf(target, { metadata, tensors }, { signal, overwrite: !!opts.overwrite });
  progress.report('done');
  return summarize(model, recipe, plan, target, outcomes, progress.elapsedSeconds);
}
