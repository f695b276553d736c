// The Run and Export jobs over the compress service: a recipe applied to an open
// model into the engine's work folder (results for the window), and that output
// copied, atomically, to where the user exports it.
import type { CompressResult, CompressedTensor, ExportResult } from '../../common/contract.js';
import { compressModel, type CompressReport, type TensorOutcome } from '../compress/index.js';
import { writeFileAtomically, writeFolderAtomically } from '../files/atomic.js';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { JobContext } from './job-manager.js';
import { parseRecipe, planRecipe } from '../recipes/index.js';
import { join } from 'node:path';
import { copyFolder, copyInto, listFiles, type FileToCopy } from './copy-folder.js';
import type { ModelRegistry } from './model-registry.js';
import { summarizeModel } from '../inspect/model-summary.js';
import type { RunStore } from './run-store.js';

/** Histogram bins of each tensor's before/after overlay. */
const OVERLAY_BINS = 96;

function tensorResult(t: TensorOutcome): CompressedTensor {
  const m = t.metrics;
  return {
    name: t.name, shape: t.shape, dtype: t.dtype, action: t.action, kind: t.kind, ...(t.note ? { note: t.note } : {}),
    bytesBefore: t.bytesBefore, bytesAfter: t.bytesAfter, bitsPerWeight: t.bitsPerWeight,
    // JSON has no Infinity: an exact reconstruction has no SNR to show.
    error: m ? { mse: m.mse, snrDb: Number.isFinite(m.snrDb) ? m.snrDb : null, maxAbsError: m.maxAbsError, clippedShare: m.clippedShare } : null,
    sparsity: t.sparsity ?? null,
    histBefore: t.histBefore ?? null,
    histAfter: t.histAfter ?? null,
    seconds: t.seconds,
  };
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');

function result(runId: string, modelId: string, modelName: string, recipe: Record<string, unknown>, r: CompressReport): CompressResult {
  const recipeName = typeof recipe.name === 'string' ? recipe.name : null;
  return {
    runId, modelId, modelName, source: r.source, format: r.format, recipeName, recipe,
    bytesBefore: r.bytesBefore, bytesAfter: r.bytesAfter,
    bitsPerWeightBefore: r.bitsPerWeightBefore, bitsPerWeightAfter: r.bitsPerWeightAfter,
    tensors: r.tensors.map(tensorResult), skipped: r.skipped, seconds: r.seconds,
    suggestedName: `${slug(modelName) || 'model'}-${slug(recipeName ?? r.format)}${r.format === 'gguf' ? '.gguf' : ''}`,
  };
}

export async function runCompress(
  ctx: JobContext<'compress'>,
  models: ModelRegistry,
  runs: RunStore,
  modelId: string,
  recipeDoc: Record<string, unknown>,
): Promise<CompressResult> {
  const model = models.get(modelId);
  const recipe = parseRecipe(recipeDoc);
  const name = summarizeModel(modelId, model).name;
  // GGUF is one file; the Hugging Face layouts are a model folder.
  const kind = planRecipe(recipe, model.tensors).format === 'gguf' ? 'file' : 'folder';
  const dir = await runs.prepare(ctx.jobId, kind);
  const target = kind === 'file' ? join(dir, 'model.gguf') : dir;
  ctx.log('info', `${recipe.name ?? 'Recipe'} on ${name} (${model.tensors.length} tensors)`);
  let current: string | undefined;
  try {
    const report = await compressModel(model, recipe, target, {
      signal: ctx.signal,
      bins: OVERLAY_BINS,
      onLog: (level, message) => ctx.log(level, message),
      onProgress: (p) => {
        if (p.tensor && p.tensor !== current) {
          current = p.tensor;
          ctx.log('info', `[${p.tensorsDone + 1}/${p.tensorsTotal}] ${p.tensor}`);
        }
        ctx.progress({
          stage: p.stage === 'compress' ? 'compressing' : p.stage === 'write' ? 'writing' : p.stage === 'plan' ? 'planning' : 'done',
          item: p.tensor,
          itemsDone: p.tensorsDone,
          itemsTotal: p.tensorsTotal,
          bytesDone: p.bytesDone,
          bytesTotal: p.bytesTotal,
        });
      },
    });
    runs.record(ctx.jobId, { dir, output: target, kind, format: report.format, name: `${recipe.name ?? report.format} of ${name}` });
    const changed = report.tensors.filter((t) => t.kind !== 'copied' && t.kind !== 'skipped').length;
    ctx.log('info', `${changed} tensors changed; ${report.bytesBefore} → ${report.bytesAfter} bytes in ${report.seconds.toFixed(2)} s`);
    return result(ctx.jobId, modelId, name, recipe as Record<string, unknown>, report);
  } catch (e) {
    await runs.discard(ctx.jobId);
    throw e;
  }
}

export async function runExport(ctx: JobContext<'export'>, runs: RunStore, runId: string, target: string, overwrite: boolean): Promise<ExportResult> {
  const run = runs.get(runId);
  const started = Date.now();
  const files = run.kind === 'folder' ? await listFiles(run.output) : [{ rel: basename(run.output), bytes: (await stat(run.output)).size }];
  const bytesTotal = files.reduce((a, f) => a + f.bytes, 0);
  let bytesDone = 0;
  const onBytes = (n: number, file: FileToCopy, index: number) => {
    bytesDone += n;
    ctx.progress({ item: file.rel, bytesDone, itemsDone: index });
  };
  ctx.log('info', `Exporting ${run.format} (${files.length} file${files.length === 1 ? '' : 's'}) to ${target}`);
  ctx.progress({ stage: 'copying', itemsTotal: files.length, itemsDone: 0, bytesTotal, bytesDone: 0 });
  if (run.kind === 'folder') {
    await writeFolderAtomically(target, (tmp) => copyFolder(run.output, tmp, files, ctx.signal, onBytes), { signal: ctx.signal, overwrite });
  } else {
    await writeFileAtomically(target, (out) => copyInto(run.output, out, ctx.signal, (n) => onBytes(n, files[0], 0)), { signal: ctx.signal, overwrite });
  }
  ctx.progress({ stage: 'done', itemsDone: files.length, bytesDone: bytesTotal });
  ctx.log('info', `Exported to ${target}`);
  return { runId, path: target, format: run.format, bytes: bytesTotal, files: files.length, seconds: (Date.now() - started) / 1000 };
}
