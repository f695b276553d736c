// NF4 / FP4 (bitsandbytes layout) quantize and dequantize throughput.
import { native } from '../../electron/studio/native/addon.js';
import type { Bnb4Options } from '../../electron/studio/quant/bnb4.js';
import { atEachThreadCount, type BenchContext, type BenchRow, type BenchSuite } from '../harness.js';

const CASES: { format: string; opts: Bnb4Options }[] = [
  { format: 'nf4 b64', opts: { type: 'nf4' } },
  { format: 'fp4 b64', opts: { type: 'fp4' } },
  { format: 'nf4 b64 double-quant', opts: { type: 'nf4', doubleQuant: true } },
];

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const addon = native();
  const rows: BenchRow[] = [];
  for (const shape of ctx.shapes) {
    const x = ctx.weights(shape), n = x.length;
    const t = { dtype: 'F32', shape, data: x };
    const packed = new Uint8Array(n / 2), floats = new Float32Array(n);
    for (const c of CASES) {
      const blocks = n / 64;
      const out = c.opts.doubleQuant
        ? { packed, absmaxCodes: new Uint8Array(blocks), nestedAbsmax: new Float32Array(Math.ceil(blocks / 256)) }
        : { packed, absmax: new Float32Array(blocks) };
      await atEachThreadCount(ctx, async (threads) => {
        const rec = (op: string, seconds: number) => rows.push(ctx.record({ suite: 'bnb4', op, format: c.format, shape, threads, seconds }));
        rec('quantize', await ctx.time(() => addon.quantizeBnb4(t, { ...c.opts, out })));
        const q = await addon.quantizeBnb4(t, c.opts);
        rec('dequantize', await ctx.time(() => addon.dequantizeBnb4(q, { ...c.opts, numel: n, out: floats })));
      });
    }
  }
  return rows;
}

export const bnb4Suite: BenchSuite = { name: 'bnb4', run };
