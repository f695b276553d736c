// Error and histograms of a reconstruction against its original, for the
// results table and the before/after overlay.
import { tensorStats } from '../inspect/tensor-stats.js';
import type { NativeTensor } from '../native/addon.js';
import { quantError, type QuantMetrics } from '../quant/metrics.js';
import type { Histogram } from './types.js';

export interface Measured {
  metrics: QuantMetrics;
  histBefore?: Histogram;
  histAfter?: Histogram;
}

export async function measure(original: NativeTensor, reconstructed: NativeTensor, bins: number, signal?: AbortSignal): Promise<Measured> {
  const metrics = await quantError(original, reconstructed, { signal });
  if (bins <= 0) return { metrics };
  const before = await tensorStats(original, { bins, perChannel: false, signal });
  const lo = before.histLo, hi = before.histHi > before.histLo ? before.histHi : before.histLo + 1;
  const after = await tensorStats(reconstructed, { bins, perChannel: false, histRange: [lo, hi], signal });
  return {
    metrics,
    histBefore: { lo, hi, counts: Array.from(before.histogram) },
    histAfter: { lo, hi, counts: Array.from(after.histogram) },
  };
}
