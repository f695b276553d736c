// Uniform integer quantization: quantize (codes + scales + metrics) and
// dequantize throughput, plus int32 packing, into caller-owned arrays as an
// exporter reuses them.
import { native } from '../../electron/studio/native/addon.js';
import type { IntQuantOptions } from '../../electron/studio/quant/int-quant.js';
import { atEachThreadCount, type BenchContext, type BenchRow, type BenchSuite } from '../harness.js';

interface Case {
  format: string;
  opts: IntQuantOptions;
  /** Range searches are slow: only the first shape, all threads, fewer repeats. */
  heavy?: boolean;
}

const CASES: Case[] = [
  { format: 'int8 sym channel', opts: { bits: 8 } },
  { format: 'int4 sym g128', opts: { bits: 4, granularity: 'group', groupSize: 128 } },
  { format: 'int4 asym g128', opts: { bits: 4, symmetric: false, granularity: 'group', groupSize: 128 } },
  { format: 'int4 sym tensor', opts: { bits: 4, granularity: 'tensor' } },
  { format: 'int4 g128 p99.99', opts: { bits: 4, granularity: 'group', groupSize: 128, range: 'percentile' }, heavy: true },
  { format: 'int4 g128 mse×100', opts: { bits: 4, granularity: 'group', groupSize: 128, range: 'mse' }, heavy: true },
];

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const addon = native();
  const rows: BenchRow[] = [];
  for (const [si, shape] of ctx.shapes.entries()) {
    const x = ctx.weights(shape), n = x.length;
    const t = { dtype: 'F32', shape, data: x };
    const codes = new Int8Array(n), floats = new Float32Array(n);
    for (const c of CASES) {
      if (c.heavy && si > 0) continue;
      const groups = c.opts.granularity === 'tensor' ? 1 : c.opts.granularity === 'group' ? n / c.opts.groupSize! : shape[0];
      const out = { codes, scales: new Float32Array(groups), zeroPoints: new Int32Array(groups) };
      await atEachThreadCount(ctx, async (threads) => {
        if (c.heavy && threads !== ctx.threads[ctx.threads.length - 1]) return;
        const rec = (op: string, seconds: number) => rows.push(ctx.record({ suite: 'int-quant', op, format: c.format, shape, threads, seconds }));
        rec('quantize', await ctx.time(() => addon.quantizeInt(t, { ...c.opts, out }), c.heavy ? 1 : undefined));
        if (c.heavy) return;
        const spec = { shape, granularity: c.opts.granularity, groupSize: c.opts.groupSize, out: floats };
        rec('dequantize', await ctx.time(() => addon.dequantizeInt(out, spec)));
        if (c.format === 'int4 sym g128') {
          const packed = await addon.quantizeInt(t, c.opts);
          rec('pack', await ctx.time(() => addon.packInt32(packed.codes, { rows: shape[0], cols: shape[1], bits: 4 })));
        }
      });
    }
  }
  return rows;
}

export const intQuantSuite: BenchSuite = { name: 'int-quant', run };
