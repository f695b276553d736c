// The Recipe screen's calls over the recipe service: presets, a live check of a
// recipe against the open model (problems, per-tensor plan, size estimate),
// and recipe files.
import type { RecipeCheck, RecipeIssue, RecipePresetInfo } from '../../common/contract.js';
import { StudioError } from '../../common/errors.js';
import type { TensorEntry } from '../models/types.js';
import { PRESETS, estimateSize, planRecipe, plannedBitsPerWeight, recipeSchema, type TensorPlan } from '../recipes/index.js';

export function presetInfos(): RecipePresetInfo[] {
  return PRESETS.map((p) => ({ id: p.id, label: p.label, summary: p.summary, recipe: p.recipe as Record<string, unknown> }));
}

/** One line saying what happens to a tensor ("int4 sym g32", "Q4_0", "2:4 sparse"). */
export function describeAction(t: TensorPlan): string {
  const parts: string[] = [];
  const q = t.quantize;
  if (q?.method === 'rtn') {
    const gran = q.granularity === 'group' ? `g${q.group}` : q.granularity === 'channel' ? 'per-channel' : 'per-tensor';
    parts.push(`int${q.bits} ${q.scheme} ${gran}${q.range !== 'minmax' ? ` ${q.range}` : ''}`);
  } else if (q?.method === 'nf4' || q?.method === 'fp4') {
    parts.push(`${q.method.toUpperCase()}${q.doubleQuant ? ' + double quant' : ''}`);
  } else if (q?.method === 'gguf') {
    parts.push(q.type.toUpperCase());
  } else if (q?.method === 'keep') {
    parts.push(q.dtype ? `keep as ${q.dtype.toUpperCase()}` : 'keep');
  }
  const p = t.prune;
  if (p?.method === 'magnitude') parts.push(`${Math.round(p.sparsity * 100)}% magnitude${p.scope === 'global' ? ' (global)' : ''}`);
  else if (p?.method === 'nm') parts.push(`${p.n}:${p.m} sparse`);
  return parts.join(' + ');
}

export function checkRecipe(doc: unknown, tensors: TensorEntry[]): RecipeCheck {
  const empty = { recipe: null, format: null, estimate: null, tensors: [], skipped: [] };
  const parsed = recipeSchema.safeParse(doc);
  if (!parsed.success) {
    const issues: RecipeIssue[] = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return { valid: false, issues, ...empty };
  }
  let plan;
  try {
    plan = planRecipe(parsed.data, tensors);
  } catch (e) {
    if (e instanceof StudioError) return { valid: false, issues: [{ path: '', message: e.message }], ...empty };
    throw e;
  }
  const est = estimateSize(plan);
  const touched = plan.tensors.filter((t) => t.quantize || t.prune);
  const issues: RecipeIssue[] = touched.length === 0 ? [{ path: 'targets', message: 'no tensor of this model matches the recipe' }] : [];
  return {
    valid: issues.length === 0,
    issues,
    recipe: parsed.data as Record<string, unknown>,
    format: plan.format,
    estimate: {
      bytesBefore: est.bytesBefore,
      bytesAfter: est.bytesAfter,
      targetBitsBefore: est.targetBitsBefore,
      targetBitsAfter: est.targetBitsAfter,
      targets: touched.length,
    },
    tensors: touched.map((t) => ({ name: t.name, action: describeAction(t), bitsAfter: plannedBitsPerWeight(t), ...(t.note ? { note: t.note } : {}) })),
    skipped: plan.skipped,
  };
}
