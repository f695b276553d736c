// What every benchmark suite gets: synthetic weights with real LLM shapes from
// a fixed seed, a best-of-N timer, the memory bandwidth measured in the same
// run (native parallel memcpy on the kernels' thread pool, at each thread
// count), and one row format, so ratios against memcpy are comparable across
// suites.
import { native } from '../electron/studio/native/addon.js';
import './stream.js';

export type Shape = [number, number];

export interface BenchRow {
  suite: string;
  op: string;
  /** Format or method, e.g. 'int4 sym g128', 'nf4', 'Q4_0'. */
  format: string;
  shape: Shape;
  threads: number;
  seconds: number;
  /** GB (1e9 bytes) per second of the tensor as F32, the unit of every row. */
  gbps: number;
  /** gbps ÷ memcpy bandwidth at the same thread count (memcpy = 1). */
  vsMemcpy: number;
}

export interface BenchContext {
  quick: boolean;
  /** Thread counts each case runs at: 1 and all. */
  threads: number[];
  shapes: Shape[];
  log(line: string): void;
  /** Copy bandwidth in GB/s (bytes copied per second) at a thread count. */
  memcpyGBps(threads: number): number;
  /** Fixed-seed Gaussian weights (std 0.02) with a few outliers, cached per shape. */
  weights(shape: Shape): Float32Array;
  /** Best wall time of `repeats` runs after one warm-up run (seconds). */
  time(fn: () => Promise<unknown>, repeats?: number): Promise<number>;
  /** Adds a row for an op over a tensor of `shape`, at the current thread count. */
  record(row: { suite: string; op: string; format: string; shape: Shape; threads: number; seconds: number }): BenchRow;
}

export interface BenchSuite {
  name: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export const FULL_SHAPES: Shape[] = [
  [4096, 4096],
  [11008, 4096],
];
export const QUICK_SHAPES: Shape[] = [[1024, 4096]];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticWeights(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed), x = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * 0.02, t = 2 * Math.PI * rand();
    x[i] = r * Math.cos(t);
    if (i + 1 < n) x[i + 1] = r * Math.sin(t);
  }
  for (let i = 0; i < n; i += 997) x[i] *= 20; // outliers, as trained layers have
  return x;
}

export async function createContext(opts: { quick: boolean; log: (line: string) => void }): Promise<BenchContext> {
  const addon = native();
  const all = addon.systemInfo().threads;
  const threads = all > 1 ? [1, all] : [1];
  const shapes = opts.quick ? QUICK_SHAPES : FULL_SHAPES;
  const repeatsDefault = opts.quick ? 2 : 4;
  const cache = new Map<string, Float32Array>();
  const memcpy = new Map<number, number>();

  // Baseline: copy buffers the size of the largest tensor (well beyond the caches).
  const [r, c] = shapes[shapes.length - 1];
  const src = syntheticWeights(r * c, 1), dst = new Float32Array(r * c);
  for (const t of threads) {
    addon.setThreads(t);
    const copy = await addon.streamCopy(src, dst, { repeats: 5 });
    const read = await addon.streamRead(src, { repeats: 5 });
    memcpy.set(t, copy.bytes / copy.seconds / 1e9);
    opts.log(`baseline ${t} thread${t > 1 ? 's' : ''}: memcpy ${(copy.bytes / copy.seconds / 1e9).toFixed(2)} GB/s, read ${(read.bytes / read.seconds / 1e9).toFixed(2)} GB/s`);
  }
  addon.setThreads(0);

  return {
    quick: opts.quick,
    threads,
    shapes,
    log: opts.log,
    memcpyGBps: (t) => memcpy.get(t) ?? memcpy.get(all)!,
    weights(shape) {
      const key = shape.join('x');
      if (!cache.has(key)) cache.set(key, syntheticWeights(shape[0] * shape[1], shape[0] * 31 + shape[1]));
      return cache.get(key)!;
    },
    async time(fn, repeats = repeatsDefault) {
      await fn();
      let best = Infinity;
      for (let i = 0; i < repeats; i++) {
        const t0 = process.hrtime.bigint();
        await fn();
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      }
      return best;
    },
    record(row) {
      const gbps = (row.shape[0] * row.shape[1] * 4) / row.seconds / 1e9;
      const full: BenchRow = { ...row, gbps, vsMemcpy: gbps / (memcpy.get(row.threads) ?? memcpy.get(all)!) };
      opts.log(formatRow(full));
      return full;
    },
  };
}

export function formatRow(r: BenchRow): string {
  return [
    r.suite.padEnd(11),
    r.op.padEnd(11),
    r.format.padEnd(24),
    r.shape.join('×').padEnd(10),
    String(r.threads).padStart(3),
    r.gbps.toFixed(2).padStart(8),
    r.vsMemcpy.toFixed(2).padStart(7),
  ].join(' ');
}

export const TABLE_HEADER = [
  'suite'.padEnd(11),
  'op'.padEnd(11),
  'format'.padEnd(24),
  'shape'.padEnd(10),
  'thr',
  'GB/s'.padStart(8),
  '×memcpy'.padStart(7),
].join(' ');

/** Runs `fn` at each thread count, restoring the default (all cores) afterwards. */
export async function atEachThreadCount(ctx: BenchContext, fn: (threads: number) => Promise<void>): Promise<void> {
  const addon = native();
  try {
    for (const t of ctx.threads) {
      addon.setThreads(t);
      await fn(t);
    }
  } finally {
    addon.setThreads(0);
  }
}
