// `mcs inspect`: what is in a model — architecture, size, dtype mix, and every
// tensor with its statistics; with --tensor, one tensor's histogram and its
// largest channels. A compressed layer (compressed-tensors, bitsandbytes) is
// one logical weight whose numbers are those of its dequantized values, as in
// the window's inspector.
import type { Command } from 'commander';
import type { ModelSummary, TensorInfo } from '../../common/contract.js';
import { summarizeModel } from '../../studio/inspect/model-summary.js';
import { logicalStats } from '../../studio/inspect/logical-stats.js';
import { inspectedTensors, logicalTensors, type LogicalTensor } from '../../studio/inspect/logical-tensors.js';
import type { TensorStats } from '../../studio/inspect/tensor-stats.js';
import { openTensorData } from '../../studio/models/index.js';
import { execute, parseIntOption, withCommonOptions } from '../command.js';
import { MODEL_ARG_HELP, openModelArg } from '../model-arg.js';
import { formatBytes, formatTable } from '../output.js';

interface InspectFlags {
  stats?: boolean;
  tensor?: string;
  bins?: number;
  json?: boolean;
  quiet?: boolean;
}

type StatsRow = Omit<TensorStats, 'histogram' | 'channelAbsmax' | 'histLo' | 'histHi'>;

interface TensorDetailOut {
  name: string;
  stats: StatsRow;
  histogram: { lo: number; hi: number; counts: number[] };
  /** The output channels (rows) with the largest absmax, largest first. */
  topChannels: { row: number; absmax: number }[];
}

interface InspectOut {
  summary: Omit<ModelSummary, 'modelId'>;
  stats?: Record<string, StatsRow>;
  /** Compressed layers whose stored layout could not be read, by name: why. */
  unreadable?: Record<string, string>;
  tensor?: TensorDetailOut;
}

const statsRow = ({ histogram: _h, channelAbsmax: _c, histLo: _l, histHi: _hh, ...row }: TensorStats): StatsRow => row;

function topChannels(absmax: Float32Array, n = 10): { row: number; absmax: number }[] {
  return Array.from(absmax, (v, row) => ({ row, absmax: v })).sort((a, b) => b.absmax - a.absmax).slice(0, n);
}

function sparkHistogram(h: { lo: number; hi: number; counts: number[] }, width = 64, height = 8): string {
  const per = Math.ceil(h.counts.length / width);
  const cols: number[] = [];
  for (let i = 0; i < h.counts.length; i += per) cols.push(h.counts.slice(i, i + per).reduce((a, b) => a + b, 0));
  const max = Math.max(...cols, 1);
  const lines: string[] = [];
  for (let y = height; y >= 1; y--) lines.push(cols.map((c) => (c / max) * height >= y - 0.5 ? '█' : ' ').join(''));
  lines.push(`${h.lo.toPrecision(4)}${' '.repeat(Math.max(1, cols.length - 16))}${h.hi.toPrecision(4)}`);
  return lines.join('\n');
}

const pct = (x: number) => (x === 0 ? '0' : x < 1e-4 ? x.toExponential(1) : `${(x * 100).toFixed(x < 0.01 ? 3 : 1)}%`);

function printInspect(r: InspectOut): string {
  const s = r.summary;
  const c = s.config;
  const head = [
    `${s.name}  (${s.format === 'hf' ? 'Hugging Face folder' : 'GGUF'}: ${s.path})`,
    `${s.sourceArchitecture} — ${c.numLayers} layers, hidden ${c.hiddenSize}, intermediate ${c.intermediateSize}, ` +
      `${c.numHeads} heads / ${c.numKvHeads} kv, vocab ${c.vocabSize}, context ${c.maxPositions}`,
    `${(s.parameters / 1e6).toFixed(2)}M parameters, ${formatBytes(s.bytesOnDisk)} on disk, quantization: ${s.quantization}, tokenizer: ${s.tokenizer}`,
    `dtypes: ${s.dtypeMix.map((d) => `${d.dtype} ${d.tensors} tensors (${formatBytes(d.bytes)})`).join(', ')}`,
  ];
  if (r.tensor) {
    const t = r.tensor;
    return [
      ...head,
      '',
      `${t.name}: mean ${t.stats.mean.toPrecision(4)}, std ${t.stats.std.toPrecision(4)}, min ${t.stats.min.toPrecision(4)}, max ${t.stats.max.toPrecision(4)}, ` +
        `kurtosis ${t.stats.kurtosis.toFixed(2)}, outliers (>6σ) ${pct(t.stats.outlierShare)}, zeros ${pct(t.stats.zeros / t.stats.count)}`,
      '',
      sparkHistogram(t.histogram),
      ...(t.topChannels.length ? ['', 'largest channels (row: absmax): ' + t.topChannels.map((ch) => `${ch.row}: ${ch.absmax.toPrecision(3)}`).join(', ')] : []),
    ].join('\n');
  }
  const stats = r.stats;
  const table = formatTable(s.logicalTensors ?? s.tensors, [
    { header: 'tensor', value: (t: TensorInfo) => t.name },
    { header: 'shape', value: (t) => t.shape.join('×'), align: 'right' },
    { header: 'dtype', value: (t) => t.dtype, align: 'left' },
    { header: 'size', value: (t) => formatBytes(t.bytes) },
    ...(stats
      ? [
          { header: 'std', value: (t: TensorInfo) => stats[t.name]?.std.toPrecision(3) ?? (r.unreadable?.[t.name] ? 'unreadable' : '') },
          { header: 'kurtosis', value: (t: TensorInfo) => stats[t.name]?.kurtosis.toFixed(1) ?? '' },
          { header: '>6σ', value: (t: TensorInfo) => (stats[t.name] ? pct(stats[t.name].outlierShare) : '') },
          { header: 'zeros', value: (t: TensorInfo) => (stats[t.name] ? pct(stats[t.name].zeros / stats[t.name].count) : '') },
        ]
      : []),
  ]);
  const unreadable = Object.entries(r.unreadable ?? {}).map(([name, why]) => `unreadable ${name}: ${why}`);
  return [...head, ...(s.storedQuantization ? [`stored as ${s.storedQuantization}`] : []), '', table, ...(unreadable.length ? ['', ...unreadable] : [])].join('\n');
}

export function registerInspect(program: Command): void {
  withCommonOptions(
    program
      .command('inspect')
      .description("show a model's architecture, size, dtypes and every tensor with its statistics")
      .argument('[model]', MODEL_ARG_HELP)
      .option('--no-stats', 'headers only: do not read tensor data')
      .option('--tensor <name>', "one tensor's statistics, histogram and largest channels")
      .option('--bins <n>', 'histogram bins with --tensor (default 256)', parseIntOption('--bins', 8, 4096)),
  ).action((model: string | undefined, flags: InspectFlags) =>
    execute(!!flags.json, !!flags.quiet, {
      run: async (ctx) => {
        const opened = await openModelArg(model);
        const { modelId: _id, ...summary } = summarizeModel('cli', opened);
        const data = openTensorData(opened);
        try {
          if (flags.tensor) {
            const t: LogicalTensor = logicalTensors(opened)?.find((l) => l.entry.name === flags.tensor) ?? { entry: data.entry(flags.tensor) };
            const s = await logicalStats(data, t, { bins: flags.bins ?? 256, signal: ctx.signal });
            return {
              summary,
              tensor: { name: t.entry.name, stats: statsRow(s), histogram: { lo: s.histLo, hi: s.histHi, counts: Array.from(s.histogram) }, topChannels: topChannels(s.channelAbsmax) },
            } satisfies InspectOut;
          }
          if (flags.stats === false) return { summary } satisfies InspectOut;
          const stats: Record<string, StatsRow> = {};
          const unreadable: Record<string, string> = {};
          const tensors = inspectedTensors(opened);
          const total = tensors.reduce((a, t) => a + t.entry.byteLength, 0);
          let done = 0;
          for (const t of tensors) {
            ctx.progress.update(total ? done / total : 1, t.entry.name);
            if (t.stored && !t.stored.layout) unreadable[t.entry.name] = t.stored.error?.message ?? 'unreadable layout';
            else stats[t.entry.name] = statsRow(await logicalStats(data, t, { bins: 8, perChannel: false, signal: ctx.signal }));
            done += t.entry.byteLength;
          }
          if (Object.keys(unreadable).length) return { summary, stats, unreadable } satisfies InspectOut;
          return { summary, stats } satisfies InspectOut;
        } finally {
          data.close();
        }
      },
      print: printInspect,
    }),
  );
}
