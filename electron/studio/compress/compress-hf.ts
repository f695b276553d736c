// The compression run for Hugging Face outputs (compressed-tensors, bitsandbytes):
// tensor by tensor in file order — prune, quantize, measure, append — into a
// temporary folder that replaces the target only when everything succeeded.
// Peak memory is about one tensor and its reconstruction.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioError, cancelled } from '../../common/errors.js';
import type { OpenedModel, TensorEntry } from '../models/types.js';
import type { NativeTensor } from '../native/addon.js';
import { GlobalMagnitudePruning } from '../prune/magnitude.js';
import type { RecipePlan, TensorPlan } from '../recipes/plan.js';
import type { Recipe } from '../recipes/schema.js';
import { writeFileAtomic, writeFolderAtomically } from '../files/atomic.js';
import { SafetensorsAppendWriter } from '../export/safetensors-append.js';
import type { EncodeContext, Encoded } from './encode.js';
import { encodeBitsandbytes } from './encode-bitsandbytes.js';
import { encodeCompressedTensors } from './encode-compressed-tensors.js';
import { bitsandbytesConfig, compressedTensorsConfig } from './hf-quantization-config.js';
import { measure, type Measured } from './measure.js';
import { copyCompanionFiles } from './companion-files.js';
import { ProgressTracker } from './progress.js';
import { numelOf } from '../convert/tensor-bytes.js';
import { outputByteLength, type CompressProgress, type CompressReport, type TensorOutcome } from './types.js';

/** Tensor bytes of the model being compressed (ModelTensors in the studio). */
export interface TensorData {
  get(entry: TensorEntry): NativeTensor;
}

export interface CompressOptions {
  signal?: AbortSignal;
  onProgress?: (p: CompressProgress) => void;
  onLog?: (level: 'info' | 'warn', message: string) => void;
  /** Each tensor's outcome as soon as it is done (results can fill in while the run goes on). */
  onTensor?: (outcome: TensorOutcome) => void;
  /** Histogram bins per tensor for before/after overlays (0: none). Default 128. */
  bins?: number;
  overwrite?: boolean;
}

const OUTPUTS_PER_TENSOR = ['', '_packed', '_scale', '_zero_point', '_shape', '.absmax', '.quant_map', '.nested_absmax', '.nested_quant_map', '.quant_state.bitsandbytes__nf4'];

async function globalPruning(plan: RecipePlan, model: OpenedModel, data: TensorData, signal?: AbortSignal) {
  const targets = plan.tensors.filter((t) => t.prune?.method === 'magnitude' && t.prune.scope === 'global');
  if (!targets.length) return undefined;
  const sparsity = (targets[0].prune as { sparsity: number }).sparsity;
  const byName = new Map(model.tensors.map((e) => [e.name, e]));
  return GlobalMagnitudePruning.create(targets.map((t) => data.get(byName.get(t.name)!)), sparsity, { signal });
}

export async function compressToHfFolder(
  model: OpenedModel,
  recipe: Recipe,
  plan: RecipePlan,
  data: TensorData,
  target: string,
  opts: CompressOptions = {},
): Promise<CompressReport> {
  if (model.format !== 'hf') {
    throw new StudioError('UNSUPPORTED', `${model.path}: ${plan.format} output needs a Hugging Face folder as input; export GGUF models with a GGUF recipe`);
  }
  if (model.config.architecture === 'gpt2' && plan.tensors.some((t) => t.quantize && t.quantize.method !== 'keep')) {
    throw new StudioError('UNSUPPORTED', `${model.path}: GPT-2's Conv1D layers cannot be stored as ${plan.format}; use a GGUF recipe for GPT-2`);
  }
  const { signal, bins = 128 } = opts;
  const log = opts.onLog ?? (() => {});
  const entries = new Map(model.tensors.map((e) => [e.name, e]));
  const bytesTotal = model.tensors.reduce((a, e) => a + e.byteLength, 0);
  const progress = new ProgressTracker(bytesTotal, plan.tensors.length, opts.onProgress);
  const metadata = { format: 'pt', mcs_recipe: JSON.stringify(recipe) };
  const names = plan.tensors.flatMap((t) => OUTPUTS_PER_TENSOR.map((s) => t.name + s));
  return writeFolderAtomically(
    target,
    async (dir) => {
      const writer = await SafetensorsAppendWriter.create(join(dir, 'model.safetensors'), SafetensorsAppendWriter.headerBound(names, metadata));
      try {
        progress.report('plan');
        const pruner = await globalPruning(plan, model, data, signal);
        const ctx: EncodeContext = { signal, prune: pruner ? (t) => pruner.prune(t, { signal }) : undefined };
        const encode = plan.format === 'bitsandbytes' ? encodeBitsandbytes : encodeCompressedTensors;
        const outcomes: TensorOutcome[] = [];
        for (const t of plan.tensors) {
          if (signal?.aborted) throw cancelled();
          const entry = entries.get(t.name)!;
          progress.report('compress', t.name);
          const started = Date.now();
          const src = data.get(entry);
          const enc: Encoded = await encode(t, src, ctx);
          for (const out of enc.outputs) await writer.append(out);
          const m = enc.reconstructed && (t.quantize || t.prune) ? await measure(src, enc.reconstructed, bins, signal) : undefined;
          const outcome = outcomeOf(t, entry.byteLength, enc, m, (Date.now() - started) / 1000);
          outcomes.push(outcome);
          opts.onTensor?.(outcome);
          if (t.note) log('warn', `${t.name}: left unchanged: ${t.note}`);
          progress.bytesDone += entry.byteLength;
          progress.tensorsDone++;
        }
        progress.report('write');
        await writer.commit(metadata);
        const report = summarize(model, recipe, plan, target, outcomes, progress.elapsedSeconds);
        const config = JSON.parse(await readFile(join(model.path, 'config.json'), 'utf8'));
        if (plan.format === 'bitsandbytes') config.quantization_config = bitsandbytesConfig(plan, config.torch_dtype ?? 'float32');
        else if (plan.tensors.some((t) => t.prune || t.quantize?.method === 'rtn')) {
          config.quantization_config = compressedTensorsConfig(plan, globalSparsity(outcomes));
        }
        await writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
        await copyCompanionFiles(model.path, dir);
        await writeFileAtomic(join(dir, 'compression_report.json'), JSON.stringify(report) + '\n');
        progress.report('done');
        return report;
      } catch (e) {
        await writer.abort();
        throw e;
      }
    },
    { signal, overwrite: !!opts.overwrite },
  );
}

/** The report line of one tensor. */
export function outcomeOf(t: TensorPlan, bytesBefore: number, enc: Encoded, m: Measured | undefined, seconds: number): TensorOutcome {
  const bytesAfter = enc.outputs.reduce((a, o) => a + outputByteLength(o), 0);
  return {
    name: t.name,
    shape: t.shape,
    dtype: t.dtype,
    action: enc.action,
    kind: t.note ? 'skipped' : enc.kind,
    note: t.note ?? enc.note,
    bytesBefore,
    bytesAfter,
    bitsPerWeight: (bytesAfter * 8) / numelOf(t.shape),
    metrics: m?.metrics,
    sparsity: enc.sparsity,
    histBefore: m?.histBefore,
    histAfter: m?.histAfter,
    seconds,
  };
}

function globalSparsity(outcomes: TensorOutcome[]): number {
  const pruned = outcomes.filter((o) => o.sparsity !== undefined);
  const n = pruned.reduce((a, o) => a + numelOf(o.shape), 0);
  return n ? pruned.reduce((a, o) => a + o.sparsity! * numelOf(o.shape), 0) / n : 0;
}

export function summarize(
  model: OpenedModel,
  recipe: Recipe,
  plan: RecipePlan,
  output: string,
  tensors: TensorOutcome[],
  seconds: number,
): CompressReport {
  const changed = tensors.filter((t) => t.kind !== 'copied' && t.kind !== 'skipped');
  const n = changed.reduce((a, t) => a + numelOf(t.shape), 0);
  return {
    source: model.path,
    output,
    format: plan.format,
    recipe,
    bytesBefore: tensors.reduce((a, t) => a + t.bytesBefore, 0),
    bytesAfter: tensors.reduce((a, t) => a + t.bytesAfter, 0),
    bitsPerWeightBefore: n ? changed.reduce((a, t) => a + t.bytesBefore * 8, 0) / n : 0,
    bitsPerWeightAfter: n ? changed.reduce((a, t) => a + t.bytesAfter * 8, 0) / n : 0,
    tensors,
    skipped: plan.skipped,
    seconds,
  };
}
