// What `mcs quantize` and `mcs prune` print: a summary, a per-tensor table, and
// the tensors left alone with the reason (and what would fit).
import { compressModel } from '../studio/compress/index.js';
import type { CompressReport } from '../studio/compress/types.js';
import type { Recipe } from '../studio/recipes/index.js';
import { execute } from './command.js';
import { openModelArg } from './model-arg.js';
import type { CommandContext } from './command.js';
import { formatBytes, formatDuration, formatTable } from './output.js';

export function progressTo(ctx: CommandContext) {
  return (p: { stage: string; tensor?: string; bytesDone: number; bytesTotal: number }) =>
    ctx.progress.update(p.bytesTotal ? p.bytesDone / p.bytesTotal : 0, p.tensor ?? p.stage);
}

const fmtDb = (x: number | undefined) => (x === undefined ? '' : Number.isFinite(x) ? x.toFixed(1) : '∞');

export function printCompressReport(r: CompressReport): string {
  // A GGUF holds every tensor under a new name and type: list them all.
  const rows = r.format === 'gguf' ? r.tensors : r.tensors.filter((t) => t.kind !== 'copied' && t.kind !== 'skipped');
  const table = formatTable(rows, [
    { header: 'tensor', value: (t) => t.outputName ?? t.name },
    { header: 'shape', value: (t) => t.shape.join('×'), align: 'right' },
    { header: 'action', value: (t) => t.action, align: 'left' },
    { header: 'bits/w', value: (t) => t.bitsPerWeight.toFixed(2) },
    { header: 'SNR dB', value: (t) => fmtDb(t.metrics?.snrDb) },
    { header: 'max err', value: (t) => (t.metrics ? t.metrics.maxAbsError.toExponential(2) : '') },
    { header: 'sparsity', value: (t) => (t.sparsity === undefined ? '' : `${(t.sparsity * 100).toFixed(1)}%`) },
  ]);
  const lines = [
    table,
    '',
    `${r.format} → ${r.output}`,
    `size ${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)} (${((r.bytesAfter / r.bytesBefore) * 100).toFixed(1)}%), ` +
      `changed tensors ${r.bitsPerWeightBefore.toFixed(2)} → ${r.bitsPerWeightAfter.toFixed(2)} bits per weight, ${formatDuration(r.seconds)}`,
  ];
  const notes = r.tensors.filter((t) => t.note && t.kind !== 'skipped');
  if (notes.length) {
    lines.push('', `fallbacks (${notes.length}):`);
    for (const t of notes) lines.push(`  ${t.note}`);
  }
  if (r.skipped.length) {
    lines.push('', `left unchanged (${r.skipped.length}):`);
    for (const s of r.skipped) lines.push(`  ${s.name}: ${s.reason}`);
  }
  return lines.join('\n');
}

export interface CompressFlags {
  output: string;
  overwrite?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** The body of quantize, prune and export: a recipe applied to MODEL, written to -o, reported. */
export function runCompressCommand(model: string | undefined, flags: CompressFlags, recipe: () => Recipe | Promise<Recipe>): Promise<void> {
  return execute(!!flags.json, !!flags.quiet, {
    run: async (ctx) => {
      const r = await recipe();
      const opened = await openModelArg(model);
      return compressModel(opened, r, flags.output, { signal: ctx.signal, overwrite: !!flags.overwrite, onProgress: progressTo(ctx) });
    },
    print: printCompressReport,
  });
}
