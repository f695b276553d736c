// Semi-structured N:M pruning (native/prune/nm.h): in every group of M
// consecutive input columns the N largest |w| stay — 2:4 for sparse tensor
// cores and compressed-tensors' sparse-24 layout, 4:8 as a milder pattern.
import { runNative, type JobOptions } from '../native/job.js';
import { native, type NativeJobOptions, type NativeTensor } from '../native/addon.js';
import type { PruneOut, PruneResult } from './magnitude.js';

export interface NmPattern {
  n: number;
  m: number;
}

declare module '../native/addon.js' {
  interface NativeAddon {
    pruneNM(t: NativeTensor, opts: NativeJobOptions & NmPattern & PruneOut): Promise<PruneResult>;
  }
}

/** Parses "2:4" → { n: 2, m: 4 }. */
export function parseNmPattern(s: string): NmPattern | undefined {
  const m = /^(\d+):(\d+)$/.exec(s.trim());
  if (!m) return undefined;
  const p = { n: Number(m[1]), m: Number(m[2]) };
  return p.n >= 1 && p.n <= p.m && p.m <= 64 ? p : undefined;
}

/** Whether a row of `cols` input columns splits into groups of m. */
export const nmFits = (cols: number, p: NmPattern): boolean => cols % p.m === 0;

export function pruneNM(t: NativeTensor, pattern: NmPattern, opts: JobOptions & PruneOut = {}): Promise<PruneResult> {
  const { out, ...job } = opts;
  return runNative(job, (n) => native().pruneNM(t, { ...pattern, out, ...n }), { tensor: t.name });
}
