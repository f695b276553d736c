// Pruning: exact magnitude thresholds (radix selection), applying them, N:M
// masks and the sparse-24 bitmask compression.
import { native } from '../../electron/studio/native/addon.js';
import '../../electron/studio/prune/magnitude.js';
import '../../electron/studio/prune/nm.js';
import '../../electron/studio/prune/sparse-bitmask.js';
import { atEachThreadCount, type BenchContext, type BenchRow, type BenchSuite } from '../harness.js';

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const addon = native();
  const rows: BenchRow[] = [];
  for (const shape of ctx.shapes) {
    const x = ctx.weights(shape);
    const t = { dtype: 'F32', shape, data: x };
    const out = new Float32Array(x.length);
    await atEachThreadCount(ctx, async (threads) => {
      const rec = (op: string, format: string, seconds: number) =>
        rows.push(ctx.record({ suite: 'prune', op, format, shape, threads, seconds }));
      rec('threshold', 'magnitude 50%', await ctx.time(() => addon.magnitudeThreshold([t], { sparsity: 0.5 })));
      const th = await addon.magnitudeThreshold([t], { sparsity: 0.5 });
      rec('apply', 'magnitude 50%', await ctx.time(() => addon.pruneMagnitude(t, { threshold: th.threshold, ties: th.ties, out })));
      rec('prune', '2:4', await ctx.time(() => addon.pruneNM(t, { n: 2, m: 4, out })));
      rec('prune', '4:8', await ctx.time(() => addon.pruneNM(t, { n: 4, m: 8, out })));
      rec('compress', 'sparse-24 bitmask', await ctx.time(() => addon.compressSparse24(t)));
    });
  }
  return rows;
}

export const pruneSuite: BenchSuite = { name: 'prune', run };
