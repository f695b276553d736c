// One source tensor → what is stored for it, and its reconstruction (what a
// loader will compute from the stored bytes) for the error metrics. The layout
// follows the output format; the steps (prune, then quantize) are shared.
import type { NativeTensor } from '../native/addon.js';
import type { JobOptions } from '../native/job.js';
import { pruneMagnitude, type PruneResult } from '../prune/magnitude.js';
import { pruneNM } from '../prune/nm.js';
import type { TensorPlan } from '../recipes/plan.js';
import type { OutputTensor, TensorOutcome } from './types.js';

export interface Encoded {
  outputs: OutputTensor[];
  /** Absent when the stored bytes are the original ones. */
  reconstructed?: NativeTensor;
  kind: TensorOutcome['kind'];
  action: string;
  sparsity?: number;
  note?: string;
}

export interface EncodeContext extends JobOptions {
  /** Global magnitude pruning shares one threshold across tensors. */
  prune?: (t: NativeTensor) => Promise<PruneResult>;
}

/** Applies the plan's pruning, if any; returns the tensor to quantize next. */
export async function applyPrune(
  plan: TensorPlan,
  src: NativeTensor,
  ctx: EncodeContext,
): Promise<{ tensor: NativeTensor; result?: PruneResult; label?: string }> {
  const p = plan.prune;
  if (!p) return { tensor: src };
  const opts = { signal: ctx.signal };
  let result: PruneResult;
  let label: string;
  if (p.method === 'nm') {
    result = await pruneNM(src, { n: p.n, m: p.m }, opts);
    label = `${p.n}:${p.m}`;
  } else if (p.scope === 'global' && ctx.prune) {
    result = await ctx.prune(src);
    label = `magnitude ${(p.sparsity * 100).toFixed(0)}% global`;
  } else {
    result = await pruneMagnitude(src, p.sparsity, opts);
    label = `magnitude ${(p.sparsity * 100).toFixed(0)}%`;
  }
  return { tensor: { ...result.tensor, name: plan.name }, result, label };
}

/** The module a weight belongs to: "model.layers.0.mlp.down_proj.weight" → "model.layers.0.mlp.down_proj". */
export const moduleOf = (weightName: string): string => weightName.replace(/\.weight$/, '');
