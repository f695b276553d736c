// From a recipe and a model's tensor list to a per-tensor plan: what happens to
// each tensor, or why it is left alone. Everything the run would refuse is
// found here, before any work starts.
import { StudioError } from '../../common/errors.js';
import type { TensorEntry } from '../models/types.js';
import type { PruneSpec, QuantSpec, Recipe } from './schema.js';
import { isDefaultTarget } from './targets.js';

export type OutputFormat = 'compressed-tensors' | 'bitsandbytes' | 'gguf';

export interface TensorPlan {
  name: string;
  shape: number[];
  dtype: string;
  /** What will be done; undefined = copied unchanged. */
  quantize?: Exclude<QuantSpec, { method: 'keep' }> | Extract<QuantSpec, { method: 'keep' }>;
  prune?: Exclude<PruneSpec, { method: 'none' }>;
  /** Why a target was left (partly) alone, for the run log and the CLI output. */
  note?: string;
}

export interface RecipePlan {
  format: OutputFormat;
  tensors: TensorPlan[];
  /** Targets the recipe wanted but that could not take it (listed in `ignore` by exporters). */
  skipped: { name: string; reason: string }[];
}

function divisorsUpTo(n: number, max: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= Math.min(n, max); d++) if (n % d === 0) out.push(d);
  return out;
}

/** Group sizes (powers of two first, then any divisor ≥ 16) that fit a row. */
export function groupSizesThatFit(cols: number): number[] {
  const divs = divisorsUpTo(cols, cols);
  const pow2 = divs.filter((d) => d >= 16 && (d & (d - 1)) === 0);
  const others = divs.filter((d) => d >= 16 && (d & (d - 1)) !== 0);
  return [...pow2, ...others].slice(0, 6);
}

function resolveFor(recipe: Recipe, name: string): { quantize?: QuantSpec; prune?: PruneSpec } {
  for (const rule of recipe.rules) {
    if (new RegExp(rule.match).test(name)) {
      return { quantize: rule.quantize ?? recipe.quantize, prune: rule.prune ?? recipe.prune };
    }
  }
  return { quantize: recipe.quantize, prune: recipe.prune };
}

function isTarget(recipe: Recipe, t: TensorEntry): boolean {
  if (recipe.targets) return recipe.targets.some((re) => new RegExp(re).test(t.name));
  if (isDefaultTarget(t)) return true;
  // A rule that names a tensor explicitly makes it a target (e.g. lm_head → f16).
  return recipe.rules.some((r) => new RegExp(r.match).test(t.name)) && t.shape.length >= 1;
}

function formatOf(spec: QuantSpec | undefined): OutputFormat | undefined {
  if (!spec) return undefined;
  if (spec.method === 'gguf') return 'gguf';
  if (spec.method === 'nf4' || spec.method === 'fp4') return 'bitsandbytes';
  if (spec.method === 'rtn') return 'compressed-tensors';
  return undefined;
}

/** Checks a spec against one tensor's shape; returns why it cannot apply, if so. */
function unfit(q: QuantSpec | undefined, p: PruneSpec | undefined, t: TensorEntry): string | undefined {
  const cols = t.shape[t.shape.length - 1] ?? 1;
  if (q?.method === 'rtn' && q.granularity !== 'tensor' && t.shape.length < 2)
    return `per-${q.granularity} quantization needs a 2-D weight, this is ${t.shape.length}-D`;
  if (q?.method === 'rtn' && q.granularity === 'group' && cols % (q.group as number) !== 0) {
    const fits = groupSizesThatFit(cols);
    return `${cols} columns are not a multiple of group ${q.group} (compressed-tensors cannot store a partial group); group sizes that fit: ${fits.join(', ') || 'none'}`;
  }
  if (p?.method === 'nm' && cols % p.m !== 0) return `${cols} columns are not a multiple of ${p.m} for ${p.n}:${p.m} sparsity`;
  if (p && p.method !== 'none' && t.shape.length < 2) return 'pruning applies to 2-D weights only';
  return undefined;
}

export function planRecipe(recipe: Recipe, tensors: TensorEntry[]): RecipePlan {
  const plans: TensorPlan[] = [];
  const skipped: RecipePlan['skipped'] = [];
  const formats = new Set<OutputFormat>();
  for (const t of tensors) {
    const plan: TensorPlan = { name: t.name, shape: t.shape, dtype: t.dtype };
    plans.push(plan);
    if (!isTarget(recipe, t)) continue;
    const { quantize, prune } = resolveFor(recipe, t.name);
    const reason = unfit(quantize, prune, t);
    if (reason) {
      plan.note = reason;
      skipped.push({ name: t.name, reason });
      continue;
    }
    if (quantize) plan.quantize = quantize;
    if (prune && prune.method !== 'none') plan.prune = prune;
    const f = formatOf(quantize);
    if (f) formats.add(f);
  }
  if (formats.size > 1) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `the recipe mixes ${[...formats].join(' and ')} outputs; one file format cannot hold both — use one family of methods per recipe`,
    );
  }
  const format = formats.values().next().value ?? 'compressed-tensors';
  return { format, tensors: plans, skipped };
}
