// Benchmark suite: GGUF block quantize / dequantize throughput (GB/s of F32
// values: read when quantizing, written when dequantizing) on LLM shapes, one
// thread and all threads, next to memcpy bandwidth measured in the same run.
// Outputs go to buffers allocated once (as an exporter reuses them), so page
// faults of fresh memory are not timed — the same as the memcpy baseline.
// Issue targets: Q8_0 within 2× of memcpy; Q4_0 at least as fast as llama.cpp's
// reference quantizer (~3 GB/s single-threaded on the dev machine).
import { GGML_BLOCKS, type GgufQuantType } from '../electron/studio/quant/gguf.js';
import type { BlockDType } from '../electron/studio/models/types.js';
import { native } from '../electron/studio/native/addon.js';

export interface GgufBenchOptions {
  /** memcpy bandwidth (GB/s) from the harness; measured here when absent. */
  memcpyGBps?: number;
  /** Smaller shapes and fewer repeats (smoke runs). */
  quick?: boolean;
  log?: (line: string) => void;
}

export interface GgufBenchRow {
  suite: 'gguf-blocks';
  op: 'quantize' | 'dequantize';
  type: BlockDType;
  shape: [number, number];
  threads: number;
  seconds: number;
  /** F32 bytes per second, in GB (1e9). */
  gbps: number;
  /** gbps / memcpy GB/s. */
  vsMemcpy: number;
}

const SHAPES: [number, number][] = [[4096, 4096], [11008, 4096]];
const QUICK_SHAPES: [number, number][] = [[1024, 4096]];
const LEGACY: GgufQuantType[] = ['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1'];
// Dequantized from random blocks; their quantizers are timed by bench/suites/gguf-kquants.ts.
const KQUANTS: BlockDType[] = ['Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'Q8_K', 'IQ4_NL', 'IQ4_XS'];

/** Fixed-seed Gaussian weights (std 0.02, like a trained linear layer). */
function weights(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const x = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * 0.02, t = 2 * Math.PI * rand();
    x[i] = r * Math.cos(t);
    if (i + 1 < n) x[i + 1] = r * Math.sin(t);
  }
  return x;
}

/** Random k-quant blocks with finite, small FP16 scales (the decoder's speed does not depend on the codes). */
function kquantBlocks(type: BlockDType, nblocks: number): Uint8Array {
  const { bytes } = GGML_BLOCKS[type];
  const data = new Uint8Array(nblocks * bytes);
  let s = 12345;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  const scaleAt: Partial<Record<BlockDType, number[]>> = { Q2_K: [80, 82], Q3_K: [108], Q4_K: [0, 2], Q5_K: [0, 2], Q6_K: [208], IQ4_NL: [0], IQ4_XS: [0] };
  const dv = new DataView(data.buffer);
  for (let b = 0; b < nblocks; b++) {
    for (const at of scaleAt[type] ?? []) dv.setUint16(b * bytes + at, 0x1400, true);
    if (type === 'Q8_K') dv.setFloat32(b * bytes, 1e-4, true);
  }
  return data;
}

async function best(repeats: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: page faults, thread pool start
  let t = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return t;
}

/** Single-threaded memcpy bandwidth (GB/s copied), best of a few 256 MB copies. */
export function measureMemcpyGBps(bytes = 256 << 20): number {
  const src = Buffer.alloc(bytes, 1), dst = Buffer.alloc(bytes, 2);
  let t = Infinity;
  for (let i = 0; i < 6; i++) {
    const t0 = process.hrtime.bigint();
    src.copy(dst);
    t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return bytes / t / 1e9;
}

export async function benchGgufBlocks(opts: GgufBenchOptions = {}): Promise<GgufBenchRow[]> {
  const addon = native();
  const log = opts.log ?? ((line: string) => console.log(line));
  const memcpy = opts.memcpyGBps ?? measureMemcpyGBps();
  const repeats = opts.quick ? 1 : 3;
  const allThreads = addon.systemInfo().threads;
  const rows: GgufBenchRow[] = [];
  const record = (op: GgufBenchRow['op'], type: BlockDType, shape: [number, number], threads: number, seconds: number) => {
    const gbps = (shape[0] * shape[1] * 4) / seconds / 1e9;
    rows.push({ suite: 'gguf-blocks', op, type, shape, threads, seconds, gbps, vsMemcpy: gbps / memcpy });
    log(`gguf ${op.padEnd(10)} ${type.padEnd(5)} ${shape.join('×').padEnd(10)} ${String(threads).padStart(2)} thr  ${gbps.toFixed(2).padStart(6)} GB/s  ${(gbps / memcpy).toFixed(2)}× memcpy`);
  };
  log(`gguf: memcpy ${memcpy.toFixed(2)} GB/s (1 thread), ${allThreads} threads, simd ${addon.systemInfo().simd}`);
  try {
    for (const shape of opts.quick ? QUICK_SHAPES : SHAPES) {
      const x = weights(shape[0] * shape[1], shape[0]);
      const input = { dtype: 'F32', shape, data: x };
      const floats = new Float32Array(x.length).fill(1);
      for (const type of LEGACY) {
        const blocks = new Uint8Array(((shape[0] * shape[1]) / 32) * GGML_BLOCKS[type].bytes).fill(1);
        for (const threads of [1, allThreads]) {
          addon.setThreads(threads);
          record('quantize', type, shape, threads, await best(repeats, () => addon.ggufQuantize(input, type, { out: blocks })));
          const t = { dtype: type, shape, data: blocks };
          record('dequantize', type, shape, threads, await best(repeats, () => addon.ggufDequantize(t, { out: floats })));
        }
      }
      if (shape === (opts.quick ? QUICK_SHAPES : SHAPES)[0]) {
        for (const type of KQUANTS) {
          const t = { dtype: type, shape, data: kquantBlocks(type, (shape[0] * shape[1]) / GGML_BLOCKS[type].elements) };
          for (const threads of [1, allThreads]) {
            addon.setThreads(threads);
            record('dequantize', type, shape, threads, await best(repeats, () => addon.ggufDequantize(t, { out: floats })));
          }
        }
      }
    }
  } finally {
    addon.setThreads(0);
  }
  return rows;
}
