// The benchmark suites `npm run bench` runs, in order. To add one, write a
// module exporting a BenchSuite (see harness.ts; bench/suites/*.ts are
// examples) and list it here.
import { benchGgufBlocks } from './gguf-blocks.js';
import type { BenchSuite } from './harness.js';
import { bnb4Suite } from './suites/bnb4.js';
import { engineSuite } from './suites/engine.js';
import { formatsSuite } from './suites/formats.js';
import { ggufKquantsSuite } from './suites/gguf-kquants.js';
import { intQuantSuite } from './suites/int-quant.js';
import { pruneSuite } from './suites/prune.js';

// gguf-blocks keeps its own loop and rows; recorded here so its ratios use the
// memcpy bandwidth at each row's thread count like every other suite.
const ggufBlocksSuite: BenchSuite = {
  name: 'gguf-blocks',
  async run(ctx) {
    const rows = await benchGgufBlocks({ memcpyGBps: ctx.memcpyGBps(1), quick: ctx.quick, log: ctx.log });
    return rows.map((r) => ({
      suite: r.suite,
      op: r.op,
      format: r.type,
      shape: r.shape,
      threads: r.threads,
      seconds: r.seconds,
      gbps: r.gbps,
      vsMemcpy: r.gbps / ctx.memcpyGBps(r.threads),
    }));
  },
};

export const SUITES: BenchSuite[] = [intQuantSuite, bnb4Suite, pruneSuite, ggufBlocksSuite, ggufKquantsSuite, formatsSuite, engineSuite];
