// The searched quantizers — k-quants, IQ4_NL/IQ4_XS, Q8_K — single-threaded
// (the unit llama.cpp's test-quantize-perf reports) and on all threads, the
// AVX2 path and the scalar reference, without and with an importance matrix,
// on Gaussian weights and on test-quantize-perf's own data (0.1 + 2·cos(i)),
// so the figures sit beside `test-quantize-perf --op quantize_row_q_reference`
// run on the same machine (docs/gguf-blocks.md). Outputs go to buffers
// allocated once. GB/s = F32 bytes quantized per second.
import { ggufTensorBytes, type GgufQuantType } from '../../electron/studio/quant/gguf.js';
import { native } from '../../electron/studio/native/addon.js';
import type { BenchContext, BenchRow, BenchSuite, Shape } from '../harness.js';

const TYPES: GgufQuantType[] = ['Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'IQ4_NL', 'IQ4_XS', 'Q8_K'];

/** test-quantize-perf's generate_data: 0.1 + 2·cos(i + offset) in float. */
function cosData(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.fround(0.1 + Math.fround(2 * Math.fround(Math.cos(i))));
  return x;
}

/** An imatrix-like weight per column: log-normal spread. */
function importance(cols: number): Float32Array {
  return new Float32Array(cols).map((_, j) => Math.exp(2 * Math.sin(j * 0.37) * Math.cos(j * 0.011)) * 0.3);
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const addon = native();
  const rows: BenchRow[] = [];
  const all = addon.systemInfo().threads;
  // The references run ~10× slower: a quarter of the rows keeps their runs short.
  const shape: Shape = ctx.quick ? [128, 4096] : [1024, 4096];
  const refShape: Shape = [shape[0] / 4, shape[1]];
  const gauss = ctx.weights(shape), cos = cosData(shape[0] * shape[1]), imp = importance(shape[1]);
  const repeats = ctx.quick ? 1 : 3;
  try {
    for (const type of TYPES) {
      const out = Buffer.alloc(ggufTensorBytes(type, shape));
      const refOut = Buffer.alloc(ggufTensorBytes(type, refShape));
      const q = (data: Float32Array, s: Shape, o: Buffer, opts: { reference?: boolean; importance?: Float32Array; iq4NlRowRef?: boolean } = {}) =>
        () => addon.ggufQuantize({ dtype: 'F32', shape: s, data: data.subarray(0, s[0] * s[1]) }, type, { out: o, ...opts });
      const rec = (format: string, s: Shape, threads: number, seconds: number) =>
        rows.push(ctx.record({ suite: 'gguf-kquants', op: 'quantize', format, shape: s, threads, seconds }));
      addon.setThreads(1);
      rec(type, shape, 1, await ctx.time(q(gauss, shape, out), repeats));
      rec(`${type} reference`, refShape, 1, await ctx.time(q(gauss, refShape, refOut, { reference: true }), repeats));
      rec(`${type} tqp-data`, shape, 1, await ctx.time(q(cos, shape, out), repeats));
      rec(`${type} tqp-data reference`, refShape, 1, await ctx.time(q(cos, refShape, refOut, { reference: true }), repeats));
      // test-quantize-perf times IQ4_NL's quantize_row_iq4_nl_ref, not llama-quantize's sweep.
      if (type === 'IQ4_NL') rec('IQ4_NL row-ref tqp-data', shape, 1, await ctx.time(q(cos, shape, out, { iq4NlRowRef: true }), repeats));
      if (type !== 'Q8_K') rec(`${type} imatrix`, shape, 1, await ctx.time(q(gauss, shape, out, { importance: imp }), repeats));
      addon.setThreads(all);
      rec(type, shape, all, await ctx.time(q(gauss, shape, out), repeats));
    }
  } finally {
    addon.setThreads(0);
  }
  return rows;
}

export const ggufKquantsSuite: BenchSuite = { name: 'gguf-kquants', run };
